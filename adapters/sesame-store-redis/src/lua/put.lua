-- Replaces the challenge for one key.
-- KEYS[1] index key, KEYS[2] new challenge hash, KEYS[3] expiry index (zset)
-- ARGV[1] time to live (ms), ARGV[2] challenge key prefix, ARGV[3] new id,
-- ARGV[4] expires_at (ms), ARGV[5] trim expiry-index entries below (ms),
-- ARGV[6..] hash field/value pairs
local old = redis.call('GET', KEYS[1])
if old and old ~= ARGV[3] then
  redis.call('DEL', ARGV[2] .. old)
  redis.call('ZREM', KEYS[3], old)
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
-- The expiry index outlives every challenge it lists, then goes too.
if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[3], ARGV[1])
end
return 1
