-- Marks a challenge consumed if it is the key's current one and redeemable
-- at now: by its code (ARGV[3] = '1', which needs attempts left) or by its
-- link (ARGV[3] = '0': wrong codes do not count against a link).
-- KEYS[1] the key's challenge hash; ARGV[1] now (unix ms), ARGV[2] id,
-- ARGV[3] whether attempts matter
-- Returns 1 (flipped it), 0 (nothing changed) or -2 (corrupt).
local h = redis.call('HMGET', KEYS[1], 'id', 'consumed', 'attempts_left', 'expires_at')
if h[1] ~= ARGV[2] then return 0 end
local consumed, left, expires = h[2], tonumber(h[3]), tonumber(h[4])
if (consumed ~= '0' and consumed ~= '1') or left == nil or expires == nil then
  return -2
end
if consumed == '1' or expires <= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '1' and left <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'consumed', '1')
return 1
