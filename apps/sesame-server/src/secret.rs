//! The server secret that keys every code MAC.
//!
//! Every instance must share it, or a code issued by one cannot be redeemed
//! through another. So: taken from the configuration when given; generated
//! once and kept beside a SQLite database (one node, one file); random per
//! process for `memory://`; and required with Postgres, where a secret made
//! up by one instance would not reach the others.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use secrecy::ExposeSecret as _;
use sesame_domain::code::MacKey;
use sesame_domain::ports::{CodeGenerator, random_array};

use crate::config::{Resolved, StoreKind};

/// The MAC key for `resolved`, creating the SQLite secret file on first start.
///
/// # Errors
/// A configured secret shorter than 32 bytes; Postgres without a secret; a
/// secret file that cannot be read or written.
pub fn mac_key(resolved: &Resolved, rng: &dyn CodeGenerator) -> anyhow::Result<MacKey> {
    if let Some(secret) = &resolved.settings.secret {
        return MacKey::new(secret.expose_secret().as_bytes()).context("secret");
    }
    match &resolved.store {
        StoreKind::Sqlite(db) if db != ":memory:" => from_file(&secret_path(db), rng),
        StoreKind::Sqlite(_) | StoreKind::Memory => {
            MacKey::new(&random_array::<32>(rng)).context("generating a secret")
        }
        // `resolve` refuses a postgres store without a secret.
        StoreKind::Postgres => bail!("secret: required with a postgres store"),
    }
}

/// `sesame.db` keeps its secret in `sesame.db.secret`.
fn secret_path(db: &str) -> PathBuf {
    PathBuf::from(format!("{db}.secret"))
}

fn from_file(path: &Path, rng: &dyn CodeGenerator) -> anyhow::Result<MacKey> {
    let fresh = hex::encode(random_array::<32>(rng));
    // create_new: if two processes start at once, one writes and both read it.
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(fresh.as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("writing the server secret to {}", path.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    }
    let stored = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let bytes =
        hex::decode(stored.trim()).with_context(|| format!("{} is not hex", path.display()))?;
    MacKey::new(&bytes).with_context(|| format!("the secret in {}", path.display()))
}

#[cfg(test)]
mod tests {
    use sesame_domain::code::MacPurpose;
    use sesame_system::OsRandom;

    use super::*;

    #[test]
    fn the_generated_secret_is_kept_and_reused_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db.secret");
        let first = from_file(&path, &OsRandom).unwrap();
        let second = from_file(&path, &OsRandom).unwrap();
        let a = first.mac(MacPurpose::Otp, "c", "1");
        assert!(a.matches(&second.mac(MacPurpose::Otp, "c", "1")));
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_corrupt_secret_file_is_an_error_not_a_new_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db.secret");
        fs::write(&path, "not hex").unwrap();
        assert!(from_file(&path, &OsRandom).is_err());
    }
}
