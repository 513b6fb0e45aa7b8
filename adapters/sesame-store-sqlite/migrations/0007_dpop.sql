-- DPoP (RFC 9449): a refresh family bound to a client key remembers its
-- RFC 7638 thumbprint (NULL: issued without DPoP, unbound), and proof ids
-- already used are held until they can no longer be replayed. Keys are
-- MACs: the table holds nothing a client sent.
ALTER TABLE refresh_tokens ADD COLUMN jkt TEXT;

CREATE TABLE dpop_jtis (
    key TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX dpop_jtis_expires_at ON dpop_jtis (expires_at);
