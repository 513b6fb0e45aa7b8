//! Authorization codes in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::ports::{AuthorizationCodeStore, Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{AUTHORIZATION_CODE_RETENTION, cutoff};
use sesame_domain::{AuthorizationCode, CodeMac, Redemption, Timestamp};

use crate::sync::lock;

/// An [`AuthorizationCodeStore`] in memory. Spent codes stay (marked) until
/// [`Housekeeping::purge_once`] finds them past
/// [`AUTHORIZATION_CODE_RETENTION`], so replays are recognised.
#[derive(Default)]
pub struct MemoryAuthorizationCodeStore {
    inner: Mutex<HashMap<CodeMac, Entry>>,
}

struct Entry {
    code: AuthorizationCode,
    spent: bool,
    replayed: bool,
    family_id: Option<String>,
}

impl MemoryAuthorizationCodeStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many codes are held, spent ones included.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
    }

    /// Whether no code is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl AuthorizationCodeStore for MemoryAuthorizationCodeStore {
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        lock(&self.inner).insert(
            code.code_mac.clone(),
            Entry {
                code: code.clone(),
                spent: false,
                replayed: false,
                family_id: None,
            },
        );
        Ok(())
    }

    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError> {
        let mut map = lock(&self.inner);
        let Some(e) = map.get_mut(mac) else {
            return Ok(Redemption::Invalid);
        };
        if e.spent {
            e.replayed = true;
            return Ok(Redemption::Reused {
                family_id: e.family_id.clone(),
            });
        }
        if now >= e.code.expires_at {
            return Ok(Redemption::Invalid);
        }
        e.spent = true;
        Ok(Redemption::Redeemed(e.code.clone()))
    }

    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError> {
        let mut map = lock(&self.inner);
        match map.get_mut(mac) {
            Some(e) if !e.replayed => {
                e.family_id = Some(family_id.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl Housekeeping for MemoryAuthorizationCodeStore {
    fn name(&self) -> &'static str {
        "memory-authorization-codes"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let before = cutoff(now, AUTHORIZATION_CODE_RETENTION);
        let mut map = lock(&self.inner);
        let n = map.len();
        map.retain(|_, e| e.code.expires_at >= before);
        Ok(PurgeReport {
            authorization_codes: (n - map.len()) as u64,
            ..PurgeReport::default()
        })
    }
}
