-- Auth0's user_metadata and app_metadata: JSON objects as TEXT, serde_json's
-- compact output kept as it is, '{}' when none was set. The store merges a
-- Management API patch into them itself, in a BEGIN IMMEDIATE transaction
-- (json_patch would merge nested objects and drop nested nulls, which Auth0
-- does not). profile_updated_at: when the Management API last changed the
-- profile, in unix milliseconds; NULL when it never did.
ALTER TABLE users ADD COLUMN user_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN app_metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN profile_updated_at INTEGER;
