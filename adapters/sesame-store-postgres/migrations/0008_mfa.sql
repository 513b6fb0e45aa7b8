-- Multi-factor authentication.
--
-- A refresh family remembers whether its login passed a second factor
-- (false for every family issued before: none did).
ALTER TABLE refresh_tokens ADD COLUMN mfa BOOLEAN NOT NULL DEFAULT false;

-- Users' second factors. An id is unique per user only: every statement
-- names the user, so an id never reaches another user's authenticator.
-- `secret` is sealed (otp, sms, email) or a MAC (recovery-code), never in
-- clear; `last_step` is the last TOTP time step accepted. `seq` orders
-- enrollments of one instant as they were stored.
CREATE TABLE authenticators (
    user_id    TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    seq        BIGINT  GENERATED ALWAYS AS IDENTITY,
    factor     TEXT    NOT NULL CHECK (factor IN ('otp', 'sms', 'email', 'recovery-code')),
    name       TEXT,
    secret     BYTEA   NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    last_used  BIGINT,
    last_step  BIGINT,
    PRIMARY KEY (user_id, id)
);
-- A user's authenticators, oldest first.
CREATE INDEX authenticators_by_user ON authenticators (user_id, created_at, seq);

-- `mfa_token`s and out-of-band challenges, under the MAC of the token that
-- names them: the ticket as JSON text (see 0001), and its expiry for reads
-- and purging.
CREATE TABLE mfa_tickets (
    key        BYTEA  PRIMARY KEY,
    ticket     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX mfa_tickets_expires_at ON mfa_tickets (expires_at);
