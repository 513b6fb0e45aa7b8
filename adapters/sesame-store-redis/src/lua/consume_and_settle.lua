-- A redemption's second half: consumes the challenge by its code (as
-- consume.lua), then settles the won counters if this call flipped it and
-- the lost ones if not (as settle.lua). The settlement never fails the
-- script: a counter that is not a count leaves the counters alone and is
-- reported, and the flip stands. Touches every key it is given, so it is
-- sent only where they all live on one node. Follows fn_consume.lua and
-- fn_settle.lua.
-- KEYS[1] the key's challenge hash, then the counters: won's to give back,
-- won's to start over, lost's to give back, lost's to start over.
-- ARGV[1] now (unix ms), ARGV[2] id, ARGV[3..6] how many counters of each
-- of those four.
-- Returns {flipped (1 or 0), settled (0, or -2 when a counter to give back
-- is not a count)}, or {-2} (nothing changed) when the challenge does not
-- decode.
local flipped = consume(KEYS[1], ARGV[1], ARGV[2], true)
if flipped < 0 then return {flipped} end
local won_release, won_reset = tonumber(ARGV[3]), tonumber(ARGV[4])
local settled
if flipped == 1 then
  settled = settle(2, won_release, won_reset)
else
  settled = settle(2 + won_release + won_reset, tonumber(ARGV[5]), tonumber(ARGV[6]))
end
return {flipped, settled}
