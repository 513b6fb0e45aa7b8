-- Gives back one unit of a fixed window's count, never below zero; the
-- counter keeps its expiry.
-- KEYS[1] window counter
-- Returns the count before, or -2 when it is not a count.
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n == nil then return -2 end
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
