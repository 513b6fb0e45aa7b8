-- Multi-factor authentication.
--
-- A refresh family remembers whether its login passed a second factor
-- (0 for every family issued before: none did).
ALTER TABLE refresh_tokens ADD COLUMN mfa INTEGER NOT NULL DEFAULT 0 CHECK (mfa IN (0, 1));

-- Users' second factors. An id is unique per user only: every statement
-- names the user, so an id never reaches another user's authenticator.
-- `secret` is sealed (otp, sms, email) or a MAC (recovery-code), never in
-- clear; `last_step` is the last TOTP time step accepted.
CREATE TABLE authenticators (
    user_id    TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    factor     TEXT    NOT NULL CHECK (factor IN ('otp', 'sms', 'email', 'recovery-code')),
    name       TEXT,
    secret     BLOB    NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    last_used  INTEGER,
    last_step  INTEGER,
    PRIMARY KEY (user_id, id)
) STRICT;

-- A user's authenticators, oldest first.
CREATE INDEX authenticators_by_user ON authenticators (user_id, created_at);

-- `mfa_token`s and out-of-band challenges, under the MAC of the token that
-- names them: the ticket as JSON, and its expiry for reads and purging.
CREATE TABLE mfa_tickets (
    key        BLOB    NOT NULL PRIMARY KEY,
    ticket     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX mfa_tickets_by_expiry ON mfa_tickets (expires_at);
