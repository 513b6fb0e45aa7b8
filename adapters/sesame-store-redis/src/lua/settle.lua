-- Gives back one unit of each of the first ARGV[1] counters (never below
-- zero; each keeps its expiry) and deletes the others. Touches every key it
-- is given, so it is sent only where they all live on one node. Follows
-- fn_settle.lua.
-- KEYS counters; ARGV[1] how many of them to give a unit back to.
-- Returns 0, or -2 (changing nothing) when a counter is not a count.
local releases = tonumber(ARGV[1])
return settle(1, releases, #KEYS - releases)
