-- Whether the exchange of a code must name its redirect_uri: the start
-- sent one (RFC 6749 §4.1.3), or a public client's code carries no PKCE
-- and its callback is what binds it. Codes issued before live at most a
-- minute and keep the old rule (false: the exchange may omit it).
ALTER TABLE authorization_codes
    ADD COLUMN redirect_uri_required BOOLEAN NOT NULL DEFAULT false;
