-- Marks a challenge consumed if it is redeemable at now.
-- KEYS[1] challenge hash; ARGV[1] now (unix ms)
-- Returns 1 (flipped it), 0 (nothing changed) or -2 (corrupt).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local h = redis.call('HMGET', KEYS[1], 'consumed', 'attempts_left', 'expires_at')
local consumed, left, expires = h[1], tonumber(h[2]), tonumber(h[3])
if (consumed ~= '0' and consumed ~= '1') or left == nil or expires == nil then
  return -2
end
if consumed == '1' or left <= 0 or expires <= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'consumed', '1')
return 1
