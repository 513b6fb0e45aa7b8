-- Counts one wrong guess against the key's current challenge.
-- KEYS[1] the key's challenge hash; ARGV[1] id
-- Returns attempts left afterwards, -1 (nothing changed) or -2 (corrupt).
local h = redis.call('HMGET', KEYS[1], 'id', 'consumed', 'attempts_left')
if h[1] ~= ARGV[1] then return -1 end
local consumed, left = h[2], tonumber(h[3])
if (consumed ~= '0' and consumed ~= '1') or left == nil or left ~= math.floor(left) then
  return -2
end
if consumed == '1' or left <= 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'attempts_left', -1)
