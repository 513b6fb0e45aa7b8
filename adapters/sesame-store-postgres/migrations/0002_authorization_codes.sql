-- Authorization codes from magic links, one row per code, keyed by its MAC
-- (the code itself is never stored). A spent code keeps its row, marked, so
-- a replay is recognised as one: it sets `replayed` and reads the refresh
-- family the first exchange recorded. Rows go once the purger finds them
-- expired for longer than AUTHORIZATION_CODE_RETENTION.
--
-- `nonce` is the one free-form value a client sends that reaches this
-- table unchecked; TEXT refuses "\u0000", so it is kept as its UTF-8 bytes.
CREATE TABLE authorization_codes (
    code_mac       BYTEA   PRIMARY KEY,
    client_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    audience       TEXT,
    nonce          BYTEA,
    code_challenge TEXT,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    spent          BOOLEAN NOT NULL DEFAULT false,
    replayed       BOOLEAN NOT NULL DEFAULT false,
    family_id      TEXT
);
CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);
