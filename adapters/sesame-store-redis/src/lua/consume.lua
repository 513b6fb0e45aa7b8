-- Marks a challenge consumed if it is the key's current one and redeemable
-- at now: by its code (ARGV[3] = '1', which needs attempts left) or by its
-- link (ARGV[3] = '0': wrong codes do not count against a link). Follows
-- fn_consume.lua.
-- KEYS[1] the key's challenge hash; ARGV[1] now (unix ms), ARGV[2] id,
-- ARGV[3] whether attempts matter
-- Returns 1 (flipped it), 0 (nothing changed) or -2 (corrupt).
return consume(KEYS[1], ARGV[1], ARGV[2], ARGV[3] == '1')
