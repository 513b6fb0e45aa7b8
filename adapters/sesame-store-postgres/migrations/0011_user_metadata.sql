-- Auth0's user_metadata and app_metadata: JSON objects as TEXT (see 0001: not
-- JSONB, which cannot hold "\u0000" and rewrites numbers), serde_json's
-- compact output kept as it is, '{}' when none was set. The store merges a
-- Management API patch into them itself, with the row locked (SELECT ... FOR
-- UPDATE) from the read to the write: jsonb's || and jsonb_strip_nulls would
-- drop nested nulls, which Auth0 keeps. profile_updated_at: when the
-- Management API last changed the profile, in unix milliseconds; NULL when it
-- never did.
ALTER TABLE users
    ADD COLUMN user_metadata      TEXT   NOT NULL DEFAULT '{}',
    ADD COLUMN app_metadata       TEXT   NOT NULL DEFAULT '{}',
    ADD COLUMN profile_updated_at BIGINT;
