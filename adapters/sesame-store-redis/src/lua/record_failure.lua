-- Counts one wrong guess.
-- KEYS[1] challenge hash
-- Returns attempts left afterwards, -1 (nothing changed) or -2 (corrupt).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local h = redis.call('HMGET', KEYS[1], 'consumed', 'attempts_left')
local consumed, left = h[1], tonumber(h[2])
if (consumed ~= '0' and consumed ~= '1') or left == nil or left ~= math.floor(left) then
  return -2
end
if consumed == '1' or left <= 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'attempts_left', -1)
