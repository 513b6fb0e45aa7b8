//! The database file and its `-wal` and `-shm` companions are private
//! (mode 0600): they hold users, refresh-token MACs and sealed signing keys.
//!
//! SQLite creates the `-wal` and `-shm` files with the permissions of the
//! database file, so creating the database file 0600 before SQLite opens it
//! makes all three private. Files an older version created under the umask
//! are tightened at start.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use sesame_domain::ports::StoreError;

/// Read and write for the owner only.
const PRIVATE: u32 = 0o600;

fn unavailable(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(
        anyhow::Error::new(e).context(format!("making {} private (mode 0600)", path.display())),
    )
}

fn companion(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates `db` empty with mode 0600 if it does not exist, and takes group
/// and other permissions off it and off its `-wal` and `-shm` files where
/// they exist.
///
/// # Errors
/// [`StoreError::Unavailable`] when a file cannot be created or changed
/// (e.g. its directory does not exist).
pub(crate) fn make_private(db: &Path) -> Result<(), StoreError> {
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE)
        .open(db)
    {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(unavailable(db, e)),
    }
    for path in [db.to_owned(), companion(db, "-wal"), companion(db, "-shm")] {
        let mode = match fs::metadata(&path) {
            Ok(meta) => meta.permissions().mode(),
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(unavailable(&path, e)),
        };
        if mode & 0o077 != 0 {
            fs::set_permissions(&path, fs::Permissions::from_mode(PRIVATE))
                .map_err(|e| unavailable(&path, e))?;
        }
    }
    Ok(())
}
