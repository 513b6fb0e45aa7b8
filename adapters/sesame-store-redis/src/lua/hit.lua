-- Counts one hit in a fixed window.
-- KEYS[1] window counter; ARGV[1] time to live (ms)
-- Returns the count including this hit.
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
