//! Users' second factors in memory.

use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret};
use sesame_domain::ports::{AuthenticatorStore, StoreError};
use sesame_domain::{Timestamp, UserId};

use crate::sync::lock;

/// An [`AuthenticatorStore`] in memory: one list, in enrollment order, under
/// one lock, so every check-and-set is atomic.
#[derive(Default)]
pub struct MemoryAuthenticatorStore {
    all: Mutex<Vec<Authenticator>>,
}

impl std::fmt::Debug for MemoryAuthenticatorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryAuthenticatorStore")
    }
}

#[async_trait]
impl AuthenticatorStore for MemoryAuthenticatorStore {
    async fn list(&self, user: &UserId) -> Result<Vec<Authenticator>, StoreError> {
        let all = lock(&self.all);
        Ok(all.iter().filter(|a| &a.user_id == user).cloned().collect())
    }

    async fn insert(&self, authenticator: &Authenticator) -> Result<(), StoreError> {
        lock(&self.all).push(authenticator.clone());
        Ok(())
    }

    async fn delete_inactive(&self, user: &UserId) -> Result<u64, StoreError> {
        let mut all = lock(&self.all);
        let before = all.len();
        all.retain(|a| &a.user_id != user || a.active);
        Ok((before - all.len()) as u64)
    }

    async fn delete(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        let mut all = lock(&self.all);
        let before = all.len();
        all.retain(|a| !(&a.user_id == user && &a.id == id));
        Ok(all.len() < before)
    }

    async fn activate(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        let mut all = lock(&self.all);
        Ok(
            match all.iter_mut().find(|a| &a.user_id == user && &a.id == id) {
                Some(a) => {
                    a.active = true;
                    true
                }
                None => false,
            },
        )
    }

    async fn record_use(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        step: Option<i64>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut all = lock(&self.all);
        let Some(a) = all.iter_mut().find(|a| &a.user_id == user && &a.id == id) else {
            return Ok(false);
        };
        if let Some(step) = step {
            if a.last_step.is_some_and(|last| last >= step) {
                return Ok(false);
            }
            a.last_step = Some(step);
        }
        a.active = true;
        a.last_used = Some(at);
        Ok(true)
    }

    async fn replace_secret(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        current: &AuthenticatorSecret,
        next: &AuthenticatorSecret,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut all = lock(&self.all);
        let Some(a) = all
            .iter_mut()
            .find(|a| &a.user_id == user && &a.id == id && &a.secret == current)
        else {
            return Ok(false);
        };
        a.secret = next.clone();
        a.active = true;
        a.last_used = Some(at);
        Ok(true)
    }
}
