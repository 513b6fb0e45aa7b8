-- settle(first, releases, resets): gives back one unit of each of the
-- `releases` counters from KEYS[first] on (never below zero; each keeps its
-- expiry), and deletes the `resets` counters after them.
-- Returns 0, or -2 (changing nothing) when a counter to give back is not a
-- count. It never raises an error, not even on a key of another type:
-- after a consume it must not fail the script, which would hide the flip.
local function settle(first, releases, resets)
  local last = first + releases - 1
  local counts = {}
  for i = first, last do
    local v = redis.pcall('GET', KEYS[i])
    if type(v) == 'table' then return -2 end
    local n = 0
    if v then
      -- Only what DECR takes: an integer, well within 64 bits.
      if not string.match(v, '^%-?%d+$') or #v > 18 then return -2 end
      n = tonumber(v)
    end
    counts[i] = n
  end
  for i = first, last do
    if counts[i] > 0 then redis.call('DECR', KEYS[i]) end
  end
  for i = last + 1, last + resets do
    redis.call('DEL', KEYS[i])
  end
  return 0
end
