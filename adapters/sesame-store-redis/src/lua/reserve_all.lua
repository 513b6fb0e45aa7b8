-- Takes one unit of each of the first ARGV[1] counters, if every counter
-- given (those, then the ones that only need room) has room; otherwise
-- changes nothing. Touches every key it is given, so it is sent only where
-- they all live on one node. Follows fn_reserve.lua.
-- KEYS counters; ARGV[1] how many of them to take from; then for counter i
-- ARGV[2i] its time to live (ms) and ARGV[2i+1] its limit.
-- Returns {1, count after, ...} (one per counter taken), {0, i, count}
-- (refused by KEYS[i]) or {-2} when a counter is not a count.
return reserve(#KEYS, tonumber(ARGV[1]))
