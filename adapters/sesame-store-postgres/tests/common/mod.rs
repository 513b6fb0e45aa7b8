//! Shared test support: a fresh database per test on the server named by
//! `SESAME_TEST_PG_URL`, dropped (best effort) when the test ends.
//!
//! Every test binary uses every item here, so nothing is dead code.

use std::time::Duration;

use sesame_store_postgres::{PgConfig, PgStore};
use sqlx::{Connection, Executor, PgConnection};

/// The server the tests use, with trust auth by default.
pub fn server_url() -> String {
    std::env::var("SESAME_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `base` with its database replaced by `database`.
pub fn with_database(base: &str, database: &str) -> String {
    let mut url = url::Url::parse(base).expect("SESAME_TEST_PG_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

/// A database created for one test and dropped when this is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// Creates `sesame_test_<random>` on the test server.
    pub async fn create() -> Self {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("random bytes");
        let name = format!("sesame_test_{}", hex(&bytes));
        let mut admin = PgConnection::connect(&server_url())
            .await
            .expect("cannot reach the test PostgreSQL (set SESAME_TEST_PG_URL)");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("CREATE DATABASE");
        let _ = admin.close().await;
        let url = with_database(&server_url(), &name);
        Self { name, url }
    }

    /// The configuration of a store on this database.
    pub fn config(&self) -> PgConfig {
        let mut config = PgConfig::new(self.url.clone());
        config.max_connections = 20;
        config
    }

    /// A connected, migrated store on this database.
    pub async fn store(&self) -> PgStore {
        PgStore::connect(&self.config())
            .await
            .expect("PgStore::connect on the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs outside async code, so a short-lived runtime on its own
        // thread does the clean-up; failures only leave a stray database.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let work = async {
                    let mut admin = PgConnection::connect(&server_url()).await.ok()?;
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    admin.execute(sql.as_str()).await.ok()?;
                    admin.close().await.ok()
                };
                let _ = tokio::time::timeout(Duration::from_secs(10), work).await;
            });
        })
        .join();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
