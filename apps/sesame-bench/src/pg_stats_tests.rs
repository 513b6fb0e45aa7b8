use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Executor as _;

use super::*;

fn reading(transactions: Result<u64, &str>, statements: Result<u64, &str>) -> PgReading {
    PgReading {
        transactions: transactions.map_err(str::to_owned),
        statements: statements.map_err(str::to_owned),
    }
}

#[test]
fn counts_are_differences_per_completed_flow() {
    let c = PgCounts::between(
        "db",
        &reading(Ok(100), Ok(1000)),
        &reading(Ok(600), Ok(2200)),
        100,
    );
    assert_eq!(
        (c.transactions, c.transactions_per_flow),
        (Some(500), Some(5.0))
    );
    assert_eq!(
        (c.statements, c.statements_per_flow),
        (Some(1200), Some(12.0))
    );
    assert_eq!(c.transactions_unavailable, None);
    assert_eq!(c.statements_unavailable, None);
    assert_eq!((c.database.as_str(), c.flows), ("db", 100));
}

#[test]
fn statements_that_cannot_be_read_are_unavailable_with_the_reason() {
    let why = "pg_stat_statements is not in the server's shared_preload_libraries (\"\")";
    let c = PgCounts::between(
        "db",
        &reading(Ok(1), Err(why)),
        &reading(Ok(9), Err(why)),
        4,
    );
    assert_eq!(c.transactions_per_flow, Some(2.0));
    assert_eq!((c.statements, c.statements_per_flow), (None, None));
    assert_eq!(c.statements_unavailable.as_deref(), Some(why));
}

#[test]
fn unsettled_transactions_at_either_end_are_unavailable() {
    let c = PgCounts::between(
        "db",
        &reading(Ok(1), Ok(1)),
        &reading(Err("busy"), Ok(5)),
        4,
    );
    assert_eq!((c.transactions, c.transactions_per_flow), (None, None));
    assert_eq!(c.transactions_unavailable.as_deref(), Some("busy"));
    assert_eq!(c.statements, Some(4));
}

#[test]
fn zero_flows_count_but_have_no_per_flow_share() {
    let c = PgCounts::between("db", &reading(Ok(1), Ok(1)), &reading(Ok(3), Ok(4)), 0);
    assert_eq!((c.transactions, c.statements), (Some(2), Some(3)));
    assert_eq!(
        (c.transactions_per_flow, c.statements_per_flow),
        (None, None)
    );
}

#[test]
fn the_statement_library_is_found_in_any_preload_list() {
    assert!(preloads_statements("pg_stat_statements"));
    assert!(preloads_statements("auto_explain, \"pg_stat_statements\""));
    assert!(!preloads_statements(""));
    assert!(!preloads_statements("auto_explain,pg_stat_statements_x"));
}

fn server_url() -> String {
    std::env::var("SESAME_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `server_url()` with its database replaced by `database`.
fn with_database(database: &str) -> String {
    let url = server_url();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    format!("{base}/{database}")
}

#[tokio::test]
async fn the_statistics_database_itself_is_refused() {
    let e = PgWatch::connect(&with_database("postgres"), "postgres")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("--pg-stats-db"), "{e:#}");
}

#[tokio::test]
async fn a_missing_database_is_refused() {
    let e = PgWatch::connect(&with_database("sesame_bench_no_such_db"), "postgres")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no database"), "{e:#}");
}

#[tokio::test]
async fn a_real_database_counts_the_transactions_of_a_client_that_left() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!(
        "sesame_bench_test_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000
    );
    let mut admin = PgConnection::connect(&server_url()).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();

    let mut watch = PgWatch::connect(&with_database(&name), "postgres")
        .await
        .unwrap();
    assert_eq!(watch.database(), name);
    let before = watch.settled_reading().await.unwrap();
    let mut client = PgConnection::connect(&with_database(&name)).await.unwrap();
    for _ in 0..5 {
        client.execute("SELECT 1").await.unwrap();
    }
    // A client that has gone has published everything it counted.
    client.close().await.unwrap();
    let after = watch.settled_reading().await.unwrap();
    let c = PgCounts::between(&name, &before, &after, 5);
    watch.close().await;
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await;

    assert!(c.transactions >= Some(5), "{c:?}");
    assert!(c.transactions_per_flow >= Some(1.0), "{c:?}");
    match (c.statements, &c.statements_unavailable) {
        (Some(n), None) => assert!(n >= 5, "{c:?}"),
        (None, Some(why)) => assert!(why.contains("pg_stat_statements"), "{c:?}"),
        _ => panic!("statements are either counted or unavailable: {c:?}"),
    }
}
