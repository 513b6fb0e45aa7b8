-- Log events, for `/api/v2/logs`. `body` is the whole event as JSON text
-- (see 0001), read back unchanged; the other columns are copies of its
-- fields for the filters. `log_id` starts with the zero-padded creation
-- time, so its order is the order the events were made in, and every
-- listing follows it: under the `C` collation, byte by byte as Rust
-- compares strings, whatever the database's own collation, for the order,
-- the checkpoint (`log_id > …`) and the indexes alike.
--
-- `user_id` and `client_id` are their UTF-8 bytes: an event may name a
-- client as the caller sent it, and TEXT refuses "\u0000" (see 0002).
CREATE TABLE events (
    log_id    TEXT COLLATE "C" PRIMARY KEY,
    date_ms   BIGINT NOT NULL,
    type      TEXT   NOT NULL,
    user_id   BYTEA,
    client_id BYTEA,
    body      TEXT   NOT NULL
);
-- A user's events, and the events of some types, in `log_id` order.
CREATE INDEX events_by_user ON events (user_id, log_id);
CREATE INDEX events_by_type ON events (type, log_id);
-- A time range, and the purge of events past their retention.
CREATE INDEX events_by_date ON events (date_ms);
