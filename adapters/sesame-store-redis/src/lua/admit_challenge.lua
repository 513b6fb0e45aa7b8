-- A start: takes one unit of every counter if each has room (as
-- reserve_all.lua), and only then replaces the key's challenge (as
-- put.lua). Touches every key it is given, so it is sent only where they
-- all live on one node. Follows fn_reserve.lua.
-- KEYS the n counters, then the key's challenge hash; ARGV[1] n; for
-- counter i ARGV[2i] its time to live (ms) and ARGV[2i+1] its limit; then
-- ARGV[2n+2] the hash's time to live (ms), ARGV[2n+3..] its field/value
-- pairs.
-- Returns what reserve_all.lua returns; the challenge is stored only with
-- {1, ...}.
local n = #KEYS - 1
local out = reserve(n, n)
if out[1] ~= 1 then return out end
local hash = KEYS[n + 1]
redis.call('DEL', hash)
redis.call('HSET', hash, unpack(ARGV, 2 * n + 3))
redis.call('PEXPIRE', hash, ARGV[2 * n + 2])
return out
