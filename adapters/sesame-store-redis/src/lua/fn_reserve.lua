-- reserve(n, takes): takes one unit of each of the counters KEYS[1..takes]
-- if every counter KEYS[1..n] has room; otherwise changes nothing. For
-- counter i, ARGV[2i] is its time to live (ms) and ARGV[2i+1] its limit.
-- Returns {1, count after, ...} (one per counter taken), {0, i, count}
-- (refused by KEYS[i]) or {-2} when a counter is not a count.
local function reserve(n, takes)
  local counts = {}
  for i = 1, n do
    local c = tonumber(redis.call('GET', KEYS[i]) or '0')
    if c == nil then return {-2} end
    counts[i] = c
  end
  for i = 1, n do
    if counts[i] >= tonumber(ARGV[2 * i + 1]) then return {0, i, counts[i]} end
  end
  local out = {1}
  for i = 1, takes do
    local c = redis.call('INCR', KEYS[i])
    -- A counter of 1 is new (or back from zero, and then its expiry is set
    -- to the same end of window again): one PEXPIRE, no PTTL per unit.
    if c == 1 then
      redis.call('PEXPIRE', KEYS[i], ARGV[2 * i])
    end
    out[#out + 1] = c
  end
  return out
end
