//! Keys at rest: sealed in every table, sealed in place when an older
//! version left them in clear, and never replaced because of a wrong secret.

use std::sync::Arc;

use secrecy::ExposeSecret as _;
use sesame_domain::SigningAlg;
use sesame_domain::ports::{KeySealer as _, Opened};
use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};
use sesame_token_jwt::AesGcmKeySealer;
use sqlx::Connection as _;

use crate::scan::{columns_with_keys, postgres_cells, sqlite_cells};
use crate::support::{access_token, kid_of, sesame, succeeded};

/// Servers that stand for one deployment share it.
const ISSUER: &str = "http://127.0.0.1:9/";

fn options() -> Options {
    Options {
        issuer: Some(ISSUER.to_owned()),
        ..Options::default()
    }
}

/// Keys of two algorithms, one of them rotated (so a previous key too), and
/// a login: every kind of row exists.
async fn populated(backend: Backend) -> Arc<Storage> {
    let storage = Arc::new(Storage::create(backend).await);
    let app = TestApp::spawn_on(Arc::clone(&storage), options()).await;
    app.login(&fresh_email()).await;
    succeeded(&sesame(&storage, &options(), &["keys", "rotate", "--alg", "ES256"]).await);
    app.shutdown().await;
    storage
}

async fn no_column_holds_a_private_key(cells: &[(String, Vec<u8>)]) {
    assert!(
        cells
            .iter()
            .any(|(name, _)| name == "signing_keys.private_der"),
        "the scan did not reach the signing keys"
    );
    assert_eq!(columns_with_keys(cells), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_column_of_any_sqlite_table_holds_a_private_key() {
    let storage = populated(Backend::Sqlite).await;
    let path = storage.sqlite_path().expect("a sqlite file");
    no_column_holds_a_private_key(&sqlite_cells(&path).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_column_of_any_postgres_table_holds_a_private_key() {
    let storage = populated(Backend::PostgresRedis).await;
    let url = storage.postgres_url().expect("a postgres database");
    no_column_holds_a_private_key(&postgres_cells(url).await).await;
}

/// Writes every key back in clear, as versions before sealing stored them.
async fn unseal_in_place(storage: &Storage) {
    let secret = storage.secret().expect("the server made its secret");
    let sealer = AesGcmKeySealer::from_secret(&secret).expect("a sealer");
    let path = storage.sqlite_path().expect("a sqlite file");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("opening the database");
    let rows: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT kid, alg, private_der FROM signing_keys")
            .fetch_all(&mut db)
            .await
            .expect("reading the keys");
    for (kid, alg, sealed) in rows {
        let alg: SigningAlg = alg.parse().expect("an algorithm");
        let Ok(Opened::Sealed(clear)) = sealer.open(&kid, alg, &sealed) else {
            panic!("key {kid} is not sealed");
        };
        sqlx::query("UPDATE signing_keys SET private_der = ?1 WHERE kid = ?2")
            .bind(clear.expose_secret())
            .bind(&kid)
            .execute(&mut db)
            .await
            .expect("writing the key in clear");
    }
}

async fn kids(app: &TestApp) -> Vec<String> {
    let mut kids: Vec<String> = app
        .jwks()
        .await
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    kids.sort();
    kids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_an_older_version_stored_in_clear_is_sealed_in_place_and_its_tokens_still_verify() {
    let storage = Arc::new(Storage::create(Backend::Sqlite).await);
    let first = TestApp::spawn_on(Arc::clone(&storage), options()).await;
    let who = fresh_email();
    let token = access_token(&first.login(&who).await);
    let published = kids(&first).await;
    first.shutdown().await;
    unseal_in_place(&storage).await;
    let path = storage.sqlite_path().expect("a sqlite file");
    assert_eq!(
        columns_with_keys(&sqlite_cells(&path).await).len(),
        published.len(),
        "the seeded rows hold keys in clear, as the old version wrote them"
    );

    let second = TestApp::spawn_on(Arc::clone(&storage), options()).await;
    second.userinfo(&token).await.expect_status(200);
    assert_eq!(kids(&second).await, published, "a kid changed");
    assert_eq!(
        kid_of(&access_token(&second.login(&who).await)),
        kid_of(&token)
    );
    assert_eq!(
        columns_with_keys(&sqlite_cells(&path).await),
        Vec::<String>::new()
    );
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_stops_the_start_with_a_clear_error_and_makes_no_key() {
    let storage = Arc::new(Storage::create(Backend::Sqlite).await);
    let first = TestApp::spawn_on(Arc::clone(&storage), options()).await;
    let published = kids(&first).await;
    first.shutdown().await;
    let secret_file = {
        let mut name = storage
            .sqlite_path()
            .expect("a sqlite file")
            .into_os_string();
        name.push(".secret");
        std::path::PathBuf::from(name)
    };
    let right = std::fs::read(&secret_file).expect("the secret file");
    std::fs::write(&secret_file, "ab".repeat(32)).expect("replacing the secret");

    let refused = sesame(&storage, &options(), &["keys", "list"]).await;
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(
        refused.status.code(),
        Some(1),
        "not a clean failure: {said}"
    );
    assert!(said.contains("cannot unwrap signing key "), "{said}");
    assert!(
        said.contains("is `secret` the one this store was created with?"),
        "{said}"
    );
    assert!(!said.contains("panicked"), "{said}");
    let text = sesame_e2e::toml(&storage, ISSUER, &options());
    let resolved = sesame_server::config::resolve(
        sesame_server::config::from_toml(&text).expect("the configuration"),
    )
    .expect("a resolved configuration");
    let Err(error) = sesame_server::build(resolved).await else {
        panic!("the server started with the wrong secret");
    };
    assert!(
        format!("{error:#}").contains("is `secret` the one this store was created with?"),
        "{error:#}"
    );

    std::fs::write(&secret_file, right).expect("restoring the secret");
    let again = TestApp::spawn_on(Arc::clone(&storage), options()).await;
    assert_eq!(kids(&again).await, published, "a key was made or lost");
    again.shutdown().await;
}
