//! The server secret that keys every code MAC and, through a key derived
//! from it, seals the signing keys at rest.
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
use secrecy::{ExposeSecret as _, SecretBox};
use sesame_domain::code::MacKey;
use sesame_domain::ports::{CodeGenerator, random_array};
use sesame_token_jwt::AesGcmKeySealer;

use crate::config::{Resolved, StoreKind};

/// The MAC key and the signing-key sealer for `resolved`, from one server
/// secret, creating the SQLite secret file on first start.
///
/// # Errors
/// A configured secret shorter than 32 bytes; Postgres without a secret; a
/// secret file that cannot be read or written.
pub fn keys(
    resolved: &Resolved,
    rng: &dyn CodeGenerator,
) -> anyhow::Result<(MacKey, AesGcmKeySealer)> {
    let secret = server_secret(resolved, rng)?;
    let mac_key = MacKey::new(secret.expose_secret()).context("secret")?;
    let sealer = AesGcmKeySealer::from_secret(secret.expose_secret())
        .context("deriving the key that seals signing keys")?;
    Ok((mac_key, sealer))
}

fn server_secret(resolved: &Resolved, rng: &dyn CodeGenerator) -> anyhow::Result<SecretBox<[u8]>> {
    if let Some(secret) = &resolved.settings.secret {
        return Ok(SecretBox::new(Box::from(secret.expose_secret().as_bytes())));
    }
    match &resolved.store {
        StoreKind::Sqlite(db) if db != ":memory:" => from_file(&secret_path(db), rng),
        StoreKind::Sqlite(_) | StoreKind::Memory => Ok(SecretBox::new(Box::from(
            random_array::<32>(rng).as_slice(),
        ))),
        // `resolve` refuses a postgres store without a secret.
        StoreKind::Postgres => bail!("secret: required with a postgres store"),
    }
}

/// `sesame.db` keeps its secret in `sesame.db.secret`.
fn secret_path(db: &str) -> PathBuf {
    PathBuf::from(format!("{db}.secret"))
}

fn from_file(path: &Path, rng: &dyn CodeGenerator) -> anyhow::Result<SecretBox<[u8]>> {
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
    // Checked here so that a short file names itself.
    MacKey::new(&bytes).with_context(|| format!("the secret in {}", path.display()))?;
    Ok(SecretBox::new(bytes.into_boxed_slice()))
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
        let first = MacKey::new(from_file(&path, &OsRandom).unwrap().expose_secret()).unwrap();
        let second = MacKey::new(from_file(&path, &OsRandom).unwrap().expose_secret()).unwrap();
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
