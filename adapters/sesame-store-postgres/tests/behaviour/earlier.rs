//! A database as an earlier release left it, for the upgrade tests.

use sesame_testkit::fixtures::unique_hex;

use crate::common::TestDb;

/// A pool on `db` migrated with every migration whose file name sorts
/// before `first_not_applied` (e.g. `"0005"`): the schema of the release
/// before that migration.
pub async fn migrated_before(db: &TestDb, first_not_applied: &str) -> sqlx::PgPool {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let earlier = std::env::temp_dir().join(format!("sesame-pg-earlier-{}", unique_hex()));
    std::fs::create_dir(&earlier).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".sql") && name.as_str() < first_not_applied {
            std::fs::copy(&path, earlier.join(name)).unwrap();
        }
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let migrated = sqlx::migrate::Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await;
    std::fs::remove_dir_all(&earlier).unwrap();
    migrated.unwrap();
    pool
}
