-- A redemption's first half: reserves the counters as reserve_all.lua
-- does, and when they are taken reads the key's challenge hash. Touches
-- every key it is given, so it is sent only where they all live on one
-- node. Follows fn_reserve.lua.
-- KEYS the counters (the ARGV[1] to take from, then those that only need
-- room), then the key's challenge hash; ARGV as for reserve_all.lua.
-- Returns {reservation, fields}: the reservation as reserve_all.lua
-- returns it, and the hash's HGETALL when it is {1, ...}, else {}.
local n = #KEYS - 1
local out = reserve(n, tonumber(ARGV[1]))
if out[1] ~= 1 then return {out, {}} end
return {out, redis.call('HGETALL', KEYS[n + 1])}
