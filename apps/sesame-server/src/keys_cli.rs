//! `sesame keys rotate` and `sesame keys list`: key administration against
//! the configured store, with the server's own secret and rules.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use sesame_domain::SigningAlg;
use sesame_domain::service::{KeyInfo, KeyState};

use crate::build;
use crate::config::Resolved;

/// Makes a new current `alg` key (default: `passwordless.default_signing_alg`)
/// and says what happened: the new `kid`, and until when the previous key
/// stays published.
///
/// # Errors
/// The store cannot be opened, a stored key does not open with the
/// configured secret, or the previous key is still published.
pub async fn rotate(resolved: Resolved, alg: Option<SigningAlg>) -> anyhow::Result<String> {
    let alg = alg.unwrap_or(resolved.passwordless.default_signing_alg);
    let app = build(resolved).await?;
    let kid = app
        .service
        .rotate_signing_key(alg)
        .await
        .with_context(|| format!("rotating the {} key", alg.as_str()))?;
    let lifetime = app.service.config().previous_key_lifetime();
    let keys = app.service.list_signing_keys().await?;
    let mut said = format!("rotated {}: {kid} signs new tokens", alg.as_str());
    if let Some(previous) = keys
        .iter()
        .find(|k| k.alg == alg && k.state == KeyState::Previous)
    {
        let _ = write!(
            said,
            "; {} stays in the JWKS for {} (the longest token lifetime), then is retired",
            previous.kid,
            age(lifetime)
        );
    }
    Ok(said)
}

/// The stored keys as a table: kid, algorithm, state and age. Never key
/// material.
///
/// # Errors
/// The store cannot be opened or read, or a stored key does not open with
/// the configured secret.
pub async fn list(resolved: Resolved) -> anyhow::Result<String> {
    let app = build(resolved).await?;
    let keys = app.service.list_signing_keys().await?;
    Ok(table(&keys))
}

fn table(keys: &[KeyInfo]) -> String {
    let width = keys.iter().map(|k| k.kid.len()).max().unwrap_or(3).max(3);
    let mut out = format!("{:<width$}  {:<5}  {:<8}  AGE\n", "KID", "ALG", "STATE");
    for k in keys {
        let _ = writeln!(
            out,
            "{:<width$}  {:<5}  {:<8}  {}",
            k.kid,
            k.alg.as_str(),
            k.state.as_str(),
            age(k.age)
        );
    }
    out
}

/// `3d 4h`, `5h 12m`, `42m`, `17s`: the two largest units.
fn age(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::Timestamp;

    use super::*;

    #[test]
    fn ages_read_in_their_two_largest_units() {
        assert_eq!(age(Duration::from_secs(17)), "17s");
        assert_eq!(age(Duration::from_secs(42 * 60 + 5)), "42m");
        assert_eq!(age(Duration::from_secs(5 * 3600 + 12 * 60)), "5h 12m");
        assert_eq!(age(Duration::from_secs(3 * 86_400 + 4 * 3600 + 9)), "3d 4h");
    }

    #[test]
    fn the_table_has_a_header_and_one_line_per_key() {
        let key = |kid: &str, state| KeyInfo {
            kid: kid.to_owned(),
            alg: SigningAlg::ES256,
            state,
            created_at: Timestamp::from_unix_seconds(0),
            age: Duration::from_secs(60),
        };
        let shown = table(&[key("a-kid", KeyState::Current), key("b", KeyState::Retired)]);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3, "{shown}");
        assert!(lines[0].starts_with("KID"), "{shown}");
        assert!(lines[1].contains("a-kid") && lines[1].contains("current"));
        assert!(lines[2].contains("retired") && lines[2].contains("1m"));
    }
}
