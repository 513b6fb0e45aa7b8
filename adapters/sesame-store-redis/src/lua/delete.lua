-- Deletes a challenge, and its index entry if that still points to it.
-- KEYS[1] challenge hash, KEYS[2] expiry index (zset); ARGV[1] id
local idx = redis.call('HGET', KEYS[1], 'index_key')
if idx and redis.call('GET', idx) == ARGV[1] then
  redis.call('DEL', idx)
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
