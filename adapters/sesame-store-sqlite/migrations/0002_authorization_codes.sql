-- Authorization codes from magic links, one row per code, keyed by its MAC
-- (the code itself is never stored). A spent code keeps its row, marked, so
-- a replay is recognised as one: it sets `replayed` and reads the refresh
-- family the first exchange recorded. Rows go once the purger finds them
-- expired for longer than AUTHORIZATION_CODE_RETENTION.

CREATE TABLE authorization_codes (
    code_mac       BLOB    NOT NULL PRIMARY KEY,
    client_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    audience       TEXT,
    nonce          TEXT,
    code_challenge TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    spent          INTEGER NOT NULL DEFAULT 0 CHECK (spent IN (0, 1)),
    replayed       INTEGER NOT NULL DEFAULT 0 CHECK (replayed IN (0, 1)),
    family_id      TEXT
) STRICT;

CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
