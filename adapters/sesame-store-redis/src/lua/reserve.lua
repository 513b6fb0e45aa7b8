-- Takes one unit of a fixed window's budget if one is left.
-- KEYS[1] window counter; ARGV[1] time to live (ms), ARGV[2] limit
-- Returns {1, count after} (taken) or {0, count} (refused; nothing changed).
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n == nil then return {-2, 0} end
if n >= tonumber(ARGV[2]) then return {0, n} end
n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {1, n}
