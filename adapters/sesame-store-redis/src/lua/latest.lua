-- Reads the challenge an index points to.
-- KEYS[1] index key; ARGV[1] challenge key prefix
-- Returns nil without an index entry, else HGETALL of the hash (empty if gone).
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('HGETALL', ARGV[1] .. id)
