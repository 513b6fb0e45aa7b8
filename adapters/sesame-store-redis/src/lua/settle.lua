-- Gives back one unit of each of the first ARGV[1] counters (never below
-- zero; each keeps its expiry) and deletes the others. Touches every key it
-- is given, so it is sent only where they all live on one node.
-- KEYS counters; ARGV[1] how many of them to give a unit back to.
-- Returns 0, or -2 (changing nothing) when a counter is not a count.
local releases = tonumber(ARGV[1])
local counts = {}
for i = 1, releases do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n == nil then return -2 end
  counts[i] = n
end
for i = 1, #KEYS do
  if i <= releases then
    if counts[i] > 0 then redis.call('DECR', KEYS[i]) end
  else
    redis.call('DEL', KEYS[i])
  end
end
return 0
