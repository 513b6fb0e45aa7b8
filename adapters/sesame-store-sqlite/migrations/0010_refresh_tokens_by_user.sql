-- An operator ends a user's sessions: revoke_user finds the user's families
-- through this index instead of scanning every token. `family_id` makes it
-- covering for that lookup.
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id, family_id);
