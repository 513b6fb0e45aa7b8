-- Log events, for `/api/v2/logs`. `body` is the whole event as JSON, read
-- back unchanged; the other columns are copies of its fields for the
-- filters. `log_id` starts with the zero-padded creation time, so its
-- order (BINARY collation: byte order, as Rust compares strings) is the
-- order the events were made in, and every listing follows it.
CREATE TABLE events (
    log_id    TEXT    NOT NULL PRIMARY KEY,
    date_ms   INTEGER NOT NULL,
    type      TEXT    NOT NULL,
    user_id   TEXT,
    client_id TEXT,
    body      TEXT    NOT NULL
) STRICT;

-- A user's events, and the events of some types, in `log_id` order.
CREATE INDEX events_by_user ON events (user_id, log_id);
CREATE INDEX events_by_type ON events (type, log_id);
-- A time range, and the purge of events past their retention.
CREATE INDEX events_by_date ON events (date_ms);
