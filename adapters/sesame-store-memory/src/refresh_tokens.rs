//! Refresh-token families in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::{Housekeeping, PurgeReport, RefreshTokenStore, StoreError};
use sesame_domain::retention::{EXPIRED_REFRESH_FAMILY_RETENTION, cutoff};
use sesame_domain::{RefreshTokenRecord, Rotation, Timestamp, UserId};

use crate::sync::lock;

/// A [`RefreshTokenStore`] in memory.
///
/// Spent tokens are kept, even after their family is revoked, so that every
/// loser of a concurrent rotation is told [`Rotation::Reused`]. Whole
/// families go, through [`Housekeeping::purge_once`], once their absolute
/// lifetime has been over for [`EXPIRED_REFRESH_FAMILY_RETENTION`].
#[derive(Default)]
pub struct MemoryRefreshTokenStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<CodeMac, Token>,
    families: HashMap<String, Family>,
}

struct Token {
    record: RefreshTokenRecord,
    spent: bool,
}

struct Family {
    revoked: bool,
    expires_at: Timestamp,
    members: Vec<CodeMac>,
}

impl Inner {
    fn add(&mut self, record: RefreshTokenRecord) {
        if let Some(old) = self.tokens.get(&record.token_mac)
            && old.record.family_id != record.family_id
            && let Some(family) = self.families.get_mut(&old.record.family_id)
        {
            family.members.retain(|m| m != &record.token_mac);
        }
        let family = self
            .families
            .entry(record.family_id.clone())
            .or_insert_with(|| Family {
                revoked: false,
                expires_at: record.family_expires_at,
                members: Vec::new(),
            });
        family.expires_at = family.expires_at.max(record.family_expires_at);
        if !family.members.contains(&record.token_mac) {
            family.members.push(record.token_mac.clone());
        }
        self.tokens.insert(
            record.token_mac.clone(),
            Token {
                record,
                spent: false,
            },
        );
    }

    fn is_revoked(&self, family_id: &str) -> bool {
        self.families.get(family_id).is_none_or(|f| f.revoked)
    }

    fn revoke(&mut self, family_id: &str) {
        if let Some(f) = self.families.get_mut(family_id) {
            f.revoked = true;
        }
    }
}

impl MemoryRefreshTokenStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many tokens are held, spent and revoked ones included.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).tokens.len()
    }

    /// Whether no token is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl Housekeeping for MemoryRefreshTokenStore {
    fn name(&self) -> &'static str {
        "memory-refresh-tokens"
    }

    /// Forgets every family past its retention with all its tokens, none of
    /// which can work any more.
    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let before = cutoff(now, EXPIRED_REFRESH_FAMILY_RETENTION);
        let mut inner = lock(&self.inner);
        let doomed: Vec<String> = inner
            .families
            .iter()
            .filter(|(_, f)| f.expires_at < before)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &doomed {
            if let Some(family) = inner.families.remove(id) {
                for mac in family.members {
                    inner.tokens.remove(&mac);
                }
            }
        }
        Ok(PurgeReport {
            refresh_families: doomed.len() as u64,
            ..PurgeReport::default()
        })
    }
}

impl fmt::Debug for MemoryRefreshTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = lock(&self.inner);
        f.debug_struct("MemoryRefreshTokenStore")
            .field("tokens", &inner.tokens.len())
            .field("families", &inner.families.len())
            .finish()
    }
}

#[async_trait]
impl RefreshTokenStore for MemoryRefreshTokenStore {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        lock(&self.inner).add(record.clone());
        Ok(())
    }

    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .tokens
            .get(mac)
            .filter(|t| !inner.is_revoked(&t.record.family_id))
            .map(|t| t.record.clone()))
    }

    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        let mut inner = lock(&self.inner);
        let Some(token) = inner.tokens.get(presented) else {
            return Ok(Rotation::Invalid);
        };
        let old = token.record.clone();
        // Spent comes first: a loser of a concurrent rotation must hear
        // `Reused` even when an earlier loser already revoked the family.
        if token.spent {
            inner.revoke(&old.family_id);
            return Ok(Rotation::Reused {
                family_id: old.family_id,
            });
        }
        if inner.is_revoked(&old.family_id) || now >= old.expires_at || now >= old.family_expires_at
        {
            return Ok(Rotation::Invalid);
        }
        if inner.tokens.contains_key(replacement) {
            return Err(StoreError::Unknown(anyhow::anyhow!(
                "the replacement refresh token is already stored"
            )));
        }
        if let Some(t) = inner.tokens.get_mut(presented) {
            t.spent = true;
        }
        inner.add(RefreshTokenRecord {
            token_mac: replacement.clone(),
            created_at: now,
            expires_at: now.plus(idle).min(old.family_expires_at),
            ..old.clone()
        });
        Ok(Rotation::Rotated(old))
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        lock(&self.inner).revoke(family_id);
        Ok(())
    }

    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        let mut inner = lock(&self.inner);
        let families: Vec<String> = inner
            .tokens
            .values()
            .filter(|t| &t.record.user_id == user)
            .map(|t| t.record.family_id.clone())
            .collect();
        for f in families {
            inner.revoke(&f);
        }
        Ok(())
    }
}
