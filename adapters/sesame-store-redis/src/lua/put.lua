-- Replaces the challenge for one key: the old one (and so its id) is gone.
-- KEYS[1] the key's challenge hash
-- ARGV[1] time to live (ms), ARGV[2..] hash field/value pairs
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
