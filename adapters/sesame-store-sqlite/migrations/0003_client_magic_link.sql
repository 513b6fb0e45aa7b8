-- A client's magic-link settings, as the JSON of MagicLinkSettings. Every
-- field has a serde default, so the '{}' of rows written before this column
-- existed reads back as the default settings.

ALTER TABLE clients ADD COLUMN magic_link TEXT NOT NULL DEFAULT '{}';
