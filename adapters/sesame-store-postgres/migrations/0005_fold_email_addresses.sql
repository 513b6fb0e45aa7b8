-- Email addresses are now normalised whole (NFKC, a lower-cased local part,
-- an IDNA domain), so rows an older release wrote as `Alice@example.com`
-- must fold onto `alice@example.com`. The fold needs Unicode and IDNA rules
-- SQL does not have: this migration only makes room for it and leaves a
-- pending marker; the store runs the fold itself, in Rust, in one
-- transaction that clears the marker (src/fold.rs).
--
-- original_recipient: the address as stored before the fold changed it.
-- merged_into: for a user moved aside, the user who kept its mailbox.
ALTER TABLE users ADD COLUMN original_recipient TEXT;
ALTER TABLE users ADD COLUMN merged_into TEXT;

CREATE TABLE data_migrations (
    name TEXT    NOT NULL PRIMARY KEY,
    done BOOLEAN NOT NULL
);

INSERT INTO data_migrations (name, done) VALUES ('fold_email_addresses', FALSE);
