//! [`ClientRegistry`] and [`ApiRegistry`] on the `clients` and `apis`
//! tables. Lists and a client's magic-link settings are JSON; an API's
//! token lifetime is kept as whole seconds plus nanoseconds so any
//! `Duration` reads back unchanged.

use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::ports::{ApiRegistry, ClientRegistry, StoreError};
use sesame_domain::{Api, Client, ClientId, ClientSecretHash};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{flag, get, int, json, to_json};
use crate::error::{corrupt, store_error};

const GET_CLIENT: &str = "SELECT id, name, secret_hash, callbacks, grant_types, connections, \
     trust_forwarded_for, web_origins, magic_link FROM clients WHERE id = ?1";

const UPSERT_CLIENT: &str = "INSERT INTO clients (id, name, secret_hash, callbacks, grant_types, \
     connections, trust_forwarded_for, web_origins, magic_link) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash, \
     callbacks = excluded.callbacks, grant_types = excluded.grant_types, \
     connections = excluded.connections, trust_forwarded_for = excluded.trust_forwarded_for, \
     web_origins = excluded.web_origins, magic_link = excluded.magic_link";

const GET_API: &str = "SELECT identifier, token_lifetime_secs, token_lifetime_nanos, signing_alg \
     FROM apis WHERE identifier = ?1";

const UPSERT_API: &str = "INSERT INTO apis (identifier, token_lifetime_secs, \
     token_lifetime_nanos, signing_alg) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (identifier) DO UPDATE SET token_lifetime_secs = excluded.token_lifetime_secs, \
     token_lifetime_nanos = excluded.token_lifetime_nanos, signing_alg = excluded.signing_alg";

fn decode_client(row: &SqliteRow) -> Result<Client, StoreError> {
    const T: &str = "clients";
    Ok(Client {
        id: ClientId::new(get::<String>(row, "id")?),
        name: get(row, "name")?,
        secret: get::<Option<String>>(row, "secret_hash")?.map(ClientSecretHash::from_stored),
        callbacks: json(row, T, "callbacks")?,
        grant_types: json(row, T, "grant_types")?,
        connections: json(row, T, "connections")?,
        trust_forwarded_for: flag(row, T, "trust_forwarded_for")?,
        web_origins: json(row, T, "web_origins")?,
        magic_link: json(row, T, "magic_link")?,
    })
}

fn decode_api(row: &SqliteRow) -> Result<Api, StoreError> {
    const T: &str = "apis";
    let secs = u64::try_from(get::<i64>(row, "token_lifetime_secs")?)
        .map_err(|_| corrupt(T, "token_lifetime_secs", "negative"))?;
    let nanos = u32::try_from(get::<i64>(row, "token_lifetime_nanos")?)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or_else(|| corrupt(T, "token_lifetime_nanos", "out of range"))?;
    Ok(Api {
        identifier: get(row, "identifier")?,
        token_lifetime: Duration::new(secs, nanos),
        signing_alg: get::<String>(row, "signing_alg")?
            .parse()
            .map_err(|_| corrupt(T, "signing_alg", "not a supported algorithm"))?,
    })
}

#[async_trait]
impl ClientRegistry for SqliteStore {
    async fn get(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let row = sqlx::query(GET_CLIENT)
            .bind(id.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode_client).transpose()
    }

    async fn upsert(&self, client: &Client) -> Result<(), StoreError> {
        sqlx::query(UPSERT_CLIENT)
            .bind(client.id.as_str())
            .bind(client.name.as_str())
            .bind(client.secret.as_ref().map(ClientSecretHash::as_stored))
            .bind(to_json(&client.callbacks, "callbacks")?)
            .bind(to_json(&client.grant_types, "grant_types")?)
            .bind(to_json(&client.connections, "connections")?)
            .bind(client.trust_forwarded_for)
            .bind(to_json(&client.web_origins, "web_origins")?)
            .bind(to_json(&client.magic_link, "magic_link")?)
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

#[async_trait]
impl ApiRegistry for SqliteStore {
    async fn get(&self, identifier: &str) -> Result<Option<Api>, StoreError> {
        let row = sqlx::query(GET_API)
            .bind(identifier)
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode_api).transpose()
    }

    async fn upsert(&self, api: &Api) -> Result<(), StoreError> {
        sqlx::query(UPSERT_API)
            .bind(api.identifier.as_str())
            .bind(int(api.token_lifetime.as_secs(), "token_lifetime")?)
            .bind(i64::from(api.token_lifetime.subsec_nanos()))
            .bind(api.signing_alg.as_str())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
