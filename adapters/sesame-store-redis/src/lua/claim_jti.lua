-- Claims a DPoP proof id.
-- KEYS[1] the id's key; ARGV[1] expires_at (ms); ARGV[2] now (ms);
-- ARGV[3] time to live (ms, at least 1).
-- Returns 1 when the id was new (or its entry had expired), 0 when held.
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) and tonumber(held) > tonumber(ARGV[2]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
