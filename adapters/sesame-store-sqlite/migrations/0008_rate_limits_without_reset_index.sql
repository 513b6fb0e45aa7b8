-- Rate-limit counters are written on every start and redemption; their keys
-- are MACs, so each new row lands on a random page of the table, and its
-- entry in this index on another random page (entries of one window share
-- reset_at and are ordered by key). The index served only housekeeping's
-- purge of ended windows, which now scans the table instead: a background
-- job every few minutes, against two page writes per new counter on the
-- hot path.
DROP INDEX IF EXISTS rate_limits_by_reset;
