-- Removes up to ARGV[3] challenges whose expires_at is before ARGV[1].
-- KEYS[1] expiry index (zset); ARGV[1] before (unix ms),
-- ARGV[2] challenge key prefix, ARGV[3] batch size
-- Returns {challenges removed, index entries looked at}.
local before = tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[3])
local removed = 0
for _, id in ipairs(ids) do
  local key = ARGV[2] .. id
  local fields = redis.call('HMGET', key, 'expires_at', 'index_key')
  local expires = tonumber(fields[1])
  -- The score mirrors expires_at; the hash has the last word.
  if expires and expires < before then
    local idx = fields[2]
    if idx and redis.call('GET', idx) == id then
      redis.call('DEL', idx)
    end
    removed = removed + redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], id)
  elseif expires then
    redis.call('ZADD', KEYS[1], expires, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return {removed, #ids}
