//! [`MfaTransactionStore`] as plain string keys that expire by themselves.
//!
//! Each ticket is its JSON under `{prefix}mfa:{<hex(mac)>}` (the MAC as the
//! hash tag, so tickets spread over a cluster's slots). `put` is a `SET`
//! with a relative time to live, `get` a `GET` and `take` a `GETDEL`: each
//! one command on one key, so `take` is atomic across instances and of
//! concurrent takes exactly one gets the value. The ticket's own
//! `expires_at`, not the key's TTL, decides whether it still counts, so a
//! key a lagging clock keeps alive a little longer is never returned late.
//! The store's [`Housekeeping`](sesame_domain::ports::Housekeeping) has
//! nothing to purge here.

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::MfaTicket;
use sesame_domain::ports::{MfaTransactionStore, StoreError};
use sesame_domain::time::Timestamp;

use crate::store::RedisStore;

/// How long a key outlives its ticket's expiry, measured by this process's
/// clock: instances whose clocks lag behind still find it (and then judge
/// it by its `expires_at`). It is also all a ticket already expired when
/// written gets.
const CLOCK_SKEW_GRACE_MS: i64 = 5_000;

/// This process's clock, in Unix milliseconds.
fn local_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The key's time to live: what is left of the ticket, by this process's
/// clock, plus the grace. Relative, so a Redis whose clock runs ahead does
/// not drop tickets early.
fn ttl_ms(ticket: &MfaTicket) -> i64 {
    ticket
        .expires_at()
        .unix_millis()
        .saturating_sub(local_now_ms())
        .max(0)
        .saturating_add(CLOCK_SKEW_GRACE_MS)
}

/// The ticket stored as `json`, if it has not expired at `now`.
fn live(json: Option<String>, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
    let Some(json) = json else {
        return Ok(None);
    };
    // serde_json's messages quote the input: only the fact is kept.
    let ticket: MfaTicket = serde_json::from_str(&json)
        .map_err(|_| StoreError::Corrupt("an MFA ticket is not valid ticket JSON".to_owned()))?;
    Ok((ticket.expires_at() > now).then_some(ticket))
}

#[async_trait]
impl MfaTransactionStore for RedisStore {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        let json = serde_json::to_string(ticket).map_err(|_| {
            StoreError::Unknown(anyhow::anyhow!("an MFA ticket cannot be written as JSON"))
        })?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.keys.mfa_ticket(key))
            .arg(json)
            .arg("PX")
            .arg(ttl_ms(ticket));
        let _: () = self.query(&cmd).await?;
        Ok(())
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.keys.mfa_ticket(key));
        live(self.query(&cmd).await?, now)
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let mut cmd = redis::cmd("GETDEL");
        cmd.arg(self.keys.mfa_ticket(key));
        live(self.query(&cmd).await?, now)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sesame_domain::ClientId;
    use sesame_domain::mfa::MfaTransaction;
    use sesame_domain::user::UserId;

    use super::*;

    fn expiring_at(expires_at: Timestamp) -> MfaTicket {
        MfaTicket::Transaction(MfaTransaction {
            client_id: ClientId::parse("app").unwrap(),
            user_id: UserId::parse("email|0123456789abcdef01234567").unwrap(),
            audience: None,
            scope: None,
            nonce: None,
            auth_time: expires_at,
            expires_at,
        })
    }

    #[test]
    fn a_key_lives_as_long_as_its_ticket_plus_the_grace() {
        let now = Timestamp::from_unix_millis(local_now_ms());
        let ttl = ttl_ms(&expiring_at(now.plus(Duration::from_secs(600))));
        assert!((600_000..=605_000).contains(&ttl), "{ttl}");
        let past = Timestamp::from_unix_seconds(1_000);
        assert_eq!(ttl_ms(&expiring_at(past)), CLOCK_SKEW_GRACE_MS);
    }

    #[test]
    fn a_ticket_counts_until_its_expiry_and_garbage_is_corrupt() {
        let at = Timestamp::from_unix_seconds(2_000_000_000);
        let json = serde_json::to_string(&expiring_at(at)).unwrap();
        let before = Timestamp::from_unix_millis(at.unix_millis() - 1);
        assert!(live(Some(json.clone()), before).unwrap().is_some());
        assert!(live(Some(json), at).unwrap().is_none());
        assert!(live(None, before).unwrap().is_none());
        assert!(matches!(
            live(Some("{\"kind\":".to_owned()), before),
            Err(StoreError::Corrupt(_))
        ));
    }
}
