-- Records the refresh family an exchange produced, unless the code was
-- replayed meanwhile.
-- KEYS[1] code hash; ARGV[1] family id
-- Returns 1 (recorded), 0 (unknown or replayed; nothing changed) or -2
-- (corrupt).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local replayed = redis.call('HGET', KEYS[1], 'replayed')
if replayed ~= '0' and replayed ~= '1' then return -2 end
if replayed == '1' then return 0 end
redis.call('HSET', KEYS[1], 'family_id', ARGV[1])
return 1
