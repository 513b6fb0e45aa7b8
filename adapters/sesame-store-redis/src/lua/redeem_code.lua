-- Spends an authorization code if it is unspent and unexpired at now; marks
-- a spent one replayed.
-- KEYS[1] code hash; ARGV[1] now (unix ms)
-- Returns {1, field, value, ...} (spent it: the whole hash), {2} or
-- {2, family_id} (spent before: a replay), {0} (unknown, or expired and
-- never spent) or {-2} (corrupt).
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local h = redis.call('HMGET', KEYS[1], 'spent', 'expires_at', 'family_id')
local spent, expires, family = h[1], tonumber(h[2]), h[3]
if (spent ~= '0' and spent ~= '1') or expires == nil then return {-2} end
if spent == '1' then
  redis.call('HSET', KEYS[1], 'replayed', '1')
  if family then return {2, family} end
  return {2}
end
if expires <= tonumber(ARGV[1]) then return {0} end
redis.call('HSET', KEYS[1], 'spent', '1')
local reply = redis.call('HGETALL', KEYS[1])
table.insert(reply, 1, 1)
return reply
