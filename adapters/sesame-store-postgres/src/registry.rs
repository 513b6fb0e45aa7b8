//! [`ClientRegistry`] and [`ApiRegistry`] on the `clients` and `apis` tables.
//!
//! Lists are `TEXT[]`, which keep order and duplicates, so a client reads
//! back exactly as written; a client's magic-link settings are their
//! serde_json `TEXT`.

use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::client::{
    Api, Client, ClientId, ClientSecretHash, GrantType, MagicLinkSettings, SigningAlg,
};
use sesame_domain::ports::{ApiRegistry, ClientRegistry, StoreError};
use sesame_domain::recipient::Connection;

use crate::codec::{bigint, parse, storable, unsigned};
use crate::error::{corrupt, from_sqlx, out_of_range};
use crate::store::PgStore;

/// A `clients` row as read.
struct ClientRow {
    id: String,
    name: String,
    secret_hash: Option<String>,
    callbacks: Vec<String>,
    grant_types: Vec<String>,
    connections: Vec<String>,
    trust_forwarded_for: bool,
    web_origins: Vec<String>,
    magic_link: String,
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;

    fn try_from(r: ClientRow) -> Result<Self, StoreError> {
        let magic_link: MagicLinkSettings = serde_json::from_str(&r.magic_link)
            .map_err(|_| corrupt("clients.magic_link is not valid magic-link settings"))?;
        Ok(Self {
            id: ClientId::new(r.id),
            name: r.name,
            secret: r.secret_hash.map(ClientSecretHash::from_stored),
            callbacks: r.callbacks,
            grant_types: r
                .grant_types
                .iter()
                .map(|g| parse::<GrantType>("grant_types", g))
                .collect::<Result<_, _>>()?,
            connections: r
                .connections
                .iter()
                .map(|c| parse::<Connection>("connections", c))
                .collect::<Result<_, _>>()?,
            trust_forwarded_for: r.trust_forwarded_for,
            web_origins: r.web_origins,
            magic_link,
        })
    }
}

#[async_trait]
impl ClientRegistry for PgStore {
    async fn get(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        if !storable(id.as_str()) {
            return Ok(None);
        }
        let row = self
            .bounded(async {
                sqlx::query_as!(
                    ClientRow,
                    r#"
                    SELECT id, name, secret_hash, callbacks, grant_types, connections,
                        trust_forwarded_for, web_origins, magic_link
                    FROM clients WHERE id = $1
                    "#,
                    id.as_str(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        row.map(Client::try_from).transpose()
    }

    async fn upsert(&self, client: &Client) -> Result<(), StoreError> {
        let grant_types: Vec<String> = client
            .grant_types
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect();
        let connections: Vec<String> = client
            .connections
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        let magic_link =
            serde_json::to_string(&client.magic_link).map_err(|e| StoreError::Unknown(e.into()))?;
        self.bounded(async {
            sqlx::query!(
                r#"
                INSERT INTO clients (id, name, secret_hash, callbacks, grant_types,
                    connections, trust_forwarded_for, web_origins, magic_link)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (id) DO UPDATE SET
                    name = EXCLUDED.name,
                    secret_hash = EXCLUDED.secret_hash,
                    callbacks = EXCLUDED.callbacks,
                    grant_types = EXCLUDED.grant_types,
                    connections = EXCLUDED.connections,
                    trust_forwarded_for = EXCLUDED.trust_forwarded_for,
                    web_origins = EXCLUDED.web_origins,
                    magic_link = EXCLUDED.magic_link
                "#,
                client.id.as_str(),
                client.name,
                client.secret.as_ref().map(ClientSecretHash::as_stored),
                &client.callbacks,
                &grant_types,
                &connections,
                client.trust_forwarded_for,
                &client.web_origins,
                magic_link,
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}

/// An `apis` row as read.
struct ApiRow {
    identifier: String,
    token_lifetime_secs: i64,
    token_lifetime_nanos: i32,
    signing_alg: String,
}

impl TryFrom<ApiRow> for Api {
    type Error = StoreError;

    fn try_from(r: ApiRow) -> Result<Self, StoreError> {
        let nanos: u32 = unsigned("token_lifetime_nanos", i64::from(r.token_lifetime_nanos))?;
        Ok(Self {
            identifier: r.identifier,
            token_lifetime: Duration::new(
                unsigned("token_lifetime_secs", r.token_lifetime_secs)?,
                nanos,
            ),
            signing_alg: parse::<SigningAlg>("signing_alg", &r.signing_alg)?,
        })
    }
}

#[async_trait]
impl ApiRegistry for PgStore {
    async fn get(&self, identifier: &str) -> Result<Option<Api>, StoreError> {
        if !storable(identifier) {
            return Ok(None);
        }
        let row = self
            .bounded(async {
                sqlx::query_as!(
                    ApiRow,
                    r#"
                    SELECT identifier, token_lifetime_secs, token_lifetime_nanos, signing_alg
                    FROM apis WHERE identifier = $1
                    "#,
                    identifier,
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        row.map(Api::try_from).transpose()
    }

    async fn upsert(&self, api: &Api) -> Result<(), StoreError> {
        let secs = bigint("token_lifetime", api.token_lifetime.as_secs())?;
        // Always below 10^9, so it fits.
        let nanos = i32::try_from(api.token_lifetime.subsec_nanos())
            .map_err(|_| out_of_range("token_lifetime"))?;
        self.bounded(async {
            sqlx::query!(
                r#"
                INSERT INTO apis (identifier, token_lifetime_secs, token_lifetime_nanos, signing_alg)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (identifier) DO UPDATE SET
                    token_lifetime_secs = EXCLUDED.token_lifetime_secs,
                    token_lifetime_nanos = EXCLUDED.token_lifetime_nanos,
                    signing_alg = EXCLUDED.signing_alg
                "#,
                api.identifier,
                secs,
                nanos,
                api.signing_alg.as_str(),
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}
