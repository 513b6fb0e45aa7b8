-- Stores a new authorization code, unspent, unless its MAC is taken.
-- KEYS[1] code hash; ARGV[1] time to live (ms), ARGV[2..] field/value pairs
-- Returns 1 (stored) or 0 (a code with this MAC exists; nothing changed).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'spent', '0', 'replayed', '0', unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
