-- consume(key, now, id, by_code): marks the challenge in hash `key`
-- consumed if it is the key's current one (`id`) and redeemable at `now`
-- (unix ms): by its code (`by_code`, which needs attempts left) or by its
-- link (wrong codes do not count against a link).
-- Returns 1 (flipped it), 0 (nothing changed) or -2 (corrupt).
local function consume(key, now, id, by_code)
  local h = redis.call('HMGET', key, 'id', 'consumed', 'attempts_left', 'expires_at')
  if h[1] ~= id then return 0 end
  local consumed, left, expires = h[2], tonumber(h[3]), tonumber(h[4])
  if (consumed ~= '0' and consumed ~= '1') or left == nil or expires == nil then
    return -2
  end
  if consumed == '1' or expires <= tonumber(now) then return 0 end
  if by_code and left <= 0 then return 0 end
  redis.call('HSET', key, 'consumed', '1')
  return 1
end
