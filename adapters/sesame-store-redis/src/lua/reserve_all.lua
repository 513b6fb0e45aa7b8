-- Takes one unit of each of the first ARGV[1] counters, if every counter
-- given (those, then the ones that only need room) has room; otherwise
-- changes nothing. Touches every key it is given, so it is sent only where
-- they all live on one node.
-- KEYS counters; ARGV[1] how many of them to take from; then for counter i
-- ARGV[2i] its time to live (ms) and ARGV[2i+1] its limit.
-- Returns {1, count after, ...} (one per counter taken), {0, i, count}
-- (refused by KEYS[i]) or {-2} when a counter is not a count.
local takes = tonumber(ARGV[1])
local counts = {}
for i = 1, #KEYS do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n == nil then return {-2} end
  counts[i] = n
end
for i = 1, #KEYS do
  if counts[i] >= tonumber(ARGV[2 * i + 1]) then return {0, i, counts[i]} end
end
local out = {1}
for i = 1, takes do
  local n = redis.call('INCR', KEYS[i])
  -- A counter of 1 is new (or back from zero, and then its expiry is set to
  -- the same end of window again): one PEXPIRE, no PTTL per unit.
  if n == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
  end
  out[#out + 1] = n
end
return out
