-- The server registers clients and APIs from its configuration and never
-- read these tables, so they go, with the magic_link column that
-- 0003_client_magic_link added to clients. Embedders keep registrations in
-- sesame-store-memory's registries or implement the ports themselves.
--
-- The migrations that created them stay: sqlx checks the checksum of every
-- migration a database has applied, so deleting or editing one would stop
-- every existing database from opening.
DROP TABLE IF EXISTS clients;
DROP TABLE IF EXISTS apis;
