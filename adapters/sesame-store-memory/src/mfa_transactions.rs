//! `mfa_token`s and out-of-band challenges in memory.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::MfaTicket;
use sesame_domain::ports::{Housekeeping, MfaTransactionStore, PurgeReport, StoreError};

use crate::sync::lock;

/// An [`MfaTransactionStore`] in memory. Expired tickets are never
/// returned, and [`Housekeeping::purge_once`] drops them.
#[derive(Default)]
pub struct MemoryMfaTransactionStore {
    tickets: Mutex<HashMap<CodeMac, MfaTicket>>,
}

impl std::fmt::Debug for MemoryMfaTransactionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryMfaTransactionStore")
    }
}

#[async_trait]
impl MfaTransactionStore for MemoryMfaTransactionStore {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        lock(&self.tickets).insert(key.clone(), ticket.clone());
        Ok(())
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let tickets = lock(&self.tickets);
        Ok(tickets.get(key).filter(|t| t.expires_at() > now).cloned())
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let mut tickets = lock(&self.tickets);
        Ok(tickets.remove(key).filter(|t| t.expires_at() > now))
    }
}

#[async_trait]
impl Housekeeping for MemoryMfaTransactionStore {
    fn name(&self) -> &'static str {
        "memory-mfa"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let mut tickets = lock(&self.tickets);
        let before = tickets.len();
        tickets.retain(|_, t| t.expires_at() > now);
        Ok(PurgeReport {
            mfa_tickets: (before - tickets.len()) as u64,
            ..PurgeReport::default()
        })
    }
}
