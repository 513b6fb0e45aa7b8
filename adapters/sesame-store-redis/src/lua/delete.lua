-- Deletes the key's challenge if it is still the one with this id.
-- KEYS[1] the key's challenge hash; ARGV[1] id
-- Returns 1 (deleted) or 0 (another challenge or none; nothing changed).
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
