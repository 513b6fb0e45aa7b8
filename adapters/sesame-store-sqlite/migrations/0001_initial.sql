-- Sesame's whole state in one SQLite file. Times are INTEGER unix millis,
-- MACs are 32-byte BLOBs, structured values are TEXT JSON. No table refers
-- to another: each port is usable (and tested) on its own.

CREATE TABLE challenges (
    id            TEXT    NOT NULL PRIMARY KEY,
    client_id     TEXT    NOT NULL,
    connection    TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    send          TEXT    NOT NULL,
    auth_params   TEXT    NOT NULL,
    code_mac      BLOB    NOT NULL,
    link_mac      BLOB,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    attempts_left INTEGER NOT NULL CHECK (attempts_left >= 0),
    consumed      INTEGER NOT NULL CHECK (consumed IN (0, 1)),
    -- One live challenge per client, connection and recipient.
    UNIQUE (client_id, connection, recipient)
) STRICT;

CREATE INDEX challenges_by_expiry ON challenges (expires_at);

CREATE TABLE users (
    id           TEXT    NOT NULL PRIMARY KEY,
    connection   TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    created_at   INTEGER NOT NULL,
    last_login   INTEGER,
    logins_count INTEGER NOT NULL CHECK (logins_count >= 0),
    blocked      INTEGER NOT NULL CHECK (blocked IN (0, 1)),
    UNIQUE (connection, recipient)
) STRICT;

CREATE TABLE clients (
    id                  TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    secret_hash         TEXT,
    callbacks           TEXT    NOT NULL,
    grant_types         TEXT    NOT NULL,
    connections         TEXT    NOT NULL,
    trust_forwarded_for INTEGER NOT NULL CHECK (trust_forwarded_for IN (0, 1)),
    web_origins         TEXT    NOT NULL
) STRICT;

CREATE TABLE apis (
    identifier           TEXT    NOT NULL PRIMARY KEY,
    token_lifetime_secs  INTEGER NOT NULL CHECK (token_lifetime_secs >= 0),
    token_lifetime_nanos INTEGER NOT NULL CHECK (token_lifetime_nanos BETWEEN 0 AND 999999999),
    signing_alg          TEXT    NOT NULL
) STRICT;

CREATE TABLE signing_keys (
    kid         TEXT    NOT NULL PRIMARY KEY,
    alg         TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('current', 'previous')),
    private_der BLOB    NOT NULL,
    public_jwk  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- At most one current and one previous key per algorithm.
CREATE UNIQUE INDEX signing_keys_one_per_status ON signing_keys (alg, status);

CREATE TABLE refresh_tokens (
    token_mac         BLOB    NOT NULL PRIMARY KEY,
    family_id         TEXT    NOT NULL,
    client_id         TEXT    NOT NULL,
    user_id           TEXT    NOT NULL,
    scope             TEXT    NOT NULL,
    audience          TEXT,
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    family_expires_at INTEGER NOT NULL,
    spent             INTEGER NOT NULL DEFAULT 0 CHECK (spent IN (0, 1)),
    revoked           INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_family_expiry ON refresh_tokens (family_expires_at);

-- One fixed-window counter per key, window length and window start.
CREATE TABLE rate_limits (
    key          TEXT    NOT NULL,
    window_ms    INTEGER NOT NULL CHECK (window_ms > 0),
    window_start INTEGER NOT NULL,
    reset_at     INTEGER NOT NULL,
    count        INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (key, window_ms, window_start)
) STRICT, WITHOUT ROWID;

CREATE INDEX rate_limits_by_reset ON rate_limits (reset_at);
