-- Sesame's PostgreSQL schema. Instants are BIGINT milliseconds since the Unix
-- epoch (the domain's Timestamp); MACs are the raw 32 bytes. JSON documents
-- are TEXT, not JSONB: JSONB cannot hold "\u0000" (which a client can put in
-- `state`) and rewrites numbers, while TEXT keeps serde_json's output as is.

-- One row per issued challenge; at most one per (client, connection,
-- recipient): a new challenge replaces the old one in place (upsert), so the
-- old id stops matching at once.
CREATE TABLE challenges (
    id            TEXT    PRIMARY KEY,
    client_id     TEXT    NOT NULL,
    connection    TEXT    NOT NULL CHECK (connection IN ('email', 'sms')),
    recipient     TEXT    NOT NULL,
    send_mode     TEXT    NOT NULL CHECK (send_mode IN ('code', 'link')),
    auth_params   TEXT    NOT NULL,
    code_mac      BYTEA   NOT NULL,
    link_mac      BYTEA,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    attempts_left BIGINT  NOT NULL CHECK (attempts_left BETWEEN 0 AND 4294967295),
    consumed      BOOLEAN NOT NULL,
    CONSTRAINT challenges_key UNIQUE (client_id, connection, recipient)
);
CREATE INDEX challenges_expires_at ON challenges (expires_at);

CREATE TABLE users (
    id           TEXT    PRIMARY KEY,
    connection   TEXT    NOT NULL CHECK (connection IN ('email', 'sms')),
    recipient    TEXT    NOT NULL,
    verified     BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_login   BIGINT,
    logins_count BIGINT  NOT NULL CHECK (logins_count >= 0),
    blocked      BOOLEAN NOT NULL,
    CONSTRAINT users_recipient UNIQUE (connection, recipient)
);

CREATE TABLE clients (
    id                  TEXT    PRIMARY KEY,
    name                TEXT    NOT NULL,
    secret_hash         TEXT,
    callbacks           TEXT[]  NOT NULL,
    grant_types         TEXT[]  NOT NULL,
    connections         TEXT[]  NOT NULL,
    trust_forwarded_for BOOLEAN NOT NULL,
    web_origins         TEXT[]  NOT NULL
);

-- A Duration is kept exactly: whole seconds plus the nanoseconds left over.
CREATE TABLE apis (
    identifier           TEXT    PRIMARY KEY,
    token_lifetime_secs  BIGINT  NOT NULL CHECK (token_lifetime_secs >= 0),
    token_lifetime_nanos INTEGER NOT NULL CHECK (token_lifetime_nanos BETWEEN 0 AND 999999999),
    signing_alg          TEXT    NOT NULL
);

-- One row per algorithm that ever had a key: rotations of that algorithm
-- lock it (SELECT ... FOR UPDATE), so compare-and-set is serialised.
CREATE TABLE signing_key_algs (
    alg TEXT PRIMARY KEY
);

-- The primary key enforces "one current and at most one previous key per
-- algorithm".
CREATE TABLE signing_keys (
    alg         TEXT   NOT NULL REFERENCES signing_key_algs (alg),
    status      TEXT   NOT NULL CHECK (status IN ('current', 'previous')),
    kid         TEXT   NOT NULL,
    private_der BYTEA  NOT NULL,
    public_jwk  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (alg, status)
);

-- Revocation lives on the family, so a token minted by a rotation that races
-- a revocation is revoked too.
CREATE TABLE refresh_families (
    family_id  TEXT    PRIMARY KEY,
    revoked    BOOLEAN NOT NULL DEFAULT false,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX refresh_families_expires_at ON refresh_families (expires_at);

CREATE TABLE refresh_tokens (
    token_mac         BYTEA   PRIMARY KEY,
    family_id         TEXT    NOT NULL REFERENCES refresh_families (family_id) ON DELETE CASCADE,
    client_id         TEXT    NOT NULL,
    user_id           TEXT    NOT NULL,
    scope             TEXT    NOT NULL,
    audience          TEXT,
    created_at        BIGINT  NOT NULL,
    expires_at        BIGINT  NOT NULL,
    family_expires_at BIGINT  NOT NULL,
    spent             BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Fixed-window counters: one row per (key, window length, window start), so
-- a new window is a new row and old ones are simply deleted.
CREATE TABLE rate_limits (
    key          TEXT   NOT NULL,
    window_ms    BIGINT NOT NULL CHECK (window_ms > 0),
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    reset_at     BIGINT NOT NULL,
    PRIMARY KEY (key, window_ms, window_start)
);
CREATE INDEX rate_limits_reset_at ON rate_limits (reset_at);
