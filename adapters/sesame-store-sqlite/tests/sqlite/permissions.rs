//! The database and its `-wal` and `-shm` files are readable by their owner
//! only, whatever the umask, and an older, looser file is tightened.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use sesame_domain::ports::UserStore;

use crate::common::{TempDb, email, now, user};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn companions(db: &TempDb) -> [std::path::PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = db.path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    [db.path.clone(), with("-wal"), with("-shm")]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_and_its_wal_and_shm_files_are_mode_0600() {
    let db = TempDb::new();
    let store = db.open().await;
    UserStore::create(&store, &user(email(), now()))
        .await
        .unwrap();
    for path in companions(&db) {
        assert!(path.exists(), "{} was not created", path.display());
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_an_older_version_left_readable_is_made_private_at_start() {
    let db = TempDb::new();
    {
        let store = db.open().await;
        UserStore::create(&store, &user(email(), now()))
            .await
            .unwrap();
    }
    for path in companions(&db).iter().filter(|p| p.exists()) {
        fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    }
    let _store = db.open().await;
    for path in companions(&db).iter().filter(|p| p.exists()) {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
}
