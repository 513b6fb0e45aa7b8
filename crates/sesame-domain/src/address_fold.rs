//! Folding stored email users onto normalised addresses, once, when a store
//! upgrades from the releases that kept the local part's case.
//!
//! Those releases made `Victim@corp.com` and `victim@corp.com` two users who
//! read the same mailbox. The stores' migrations read every email user, ask
//! [`plan`] what to change, and apply the plan in one transaction: the
//! earliest-created user of each mailbox keeps it under its normalised
//! address, the others are blocked and moved aside to an address no mailbox
//! has, their rows, ids and original addresses kept. The planning is here so
//! every store folds alike.

use crate::recipient::EmailAddress;
use crate::time::Timestamp;
use crate::user::UserId;

/// The domain no mailbox has (RFC 2606 reserves `.invalid`): moved-aside
/// users get an address there, so they leave the unique index to the user
/// who keeps the mailbox.
pub const MOVED_ASIDE_DOMAIN: &str = "moved-aside.invalid";

/// One stored email user, as the fold reads it.
#[derive(Clone)]
pub struct StoredEmailUser {
    /// The user's id.
    pub id: UserId,
    /// The address as stored, which an older release may not have
    /// normalised.
    pub recipient: String,
    /// When the user was created: the earliest keeps the mailbox.
    pub created_at: Timestamp,
    /// Whether the user is blocked.
    pub blocked: bool,
}

/// What becomes of one user whose row changes.
/// `Debug` shows the address redacted, as [`EmailAddress`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// The user.
    pub id: UserId,
    /// The address the row will hold.
    pub recipient: EmailAddress,
    /// Whether the user will be blocked.
    pub blocked: bool,
    /// The user who keeps the mailbox, when this one is moved aside because
    /// it folds onto an earlier user; `None` otherwise.
    pub merged_into: Option<UserId>,
    /// Whether the row is moved aside (to [`MOVED_ASIDE_DOMAIN`]).
    pub moved_aside: bool,
}

/// The changes [`plan`] found, in an order that never breaks the unique
/// index on the way: every move aside before any rename.
#[derive(Clone, Default)]
pub struct FoldPlan {
    /// The changed rows, moves aside first.
    pub folds: Vec<Fold>,
}

/// Which rows change and how.
///
/// - A user whose stored address normalises to one no other user shares
///   is renamed to the normalised form.
/// - Of users sharing a normalised address, the earliest-created (then the
///   smallest id) keeps it. It stays blocked if it was, and becomes blocked
///   if any user it absorbs was, so a block on any spelling of a mailbox
///   stays on that mailbox. The others are blocked and moved aside.
/// - A user whose stored address no longer parses is blocked and moved
///   aside, so no row is left that reads back as corrupt.
#[must_use]
pub fn plan(users: &[StoredEmailUser]) -> FoldPlan {
    let mut groups: std::collections::BTreeMap<String, Vec<&StoredEmailUser>> =
        std::collections::BTreeMap::new();
    let mut aside = Vec::new();
    let mut renames = Vec::new();
    for user in users {
        match EmailAddress::parse(&user.recipient) {
            Ok(address) => groups
                .entry(address.as_str().to_owned())
                .or_default()
                .push(user),
            Err(_) => aside.extend(moved_aside(user, None)),
        }
    }
    for (address, mut members) in groups {
        members.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let Some((keeper, others)) = members.split_first() else {
            continue;
        };
        let blocked = members.iter().any(|m| m.blocked);
        for other in others {
            aside.extend(moved_aside(other, Some(&keeper.id)));
        }
        if (keeper.recipient != address || blocked != keeper.blocked)
            && let Ok(recipient) = EmailAddress::parse(&address)
        {
            renames.push(Fold {
                id: keeper.id.clone(),
                recipient,
                blocked,
                merged_into: None,
                moved_aside: false,
            });
        }
    }
    aside.extend(renames);
    FoldPlan { folds: aside }
}

/// `user` blocked, at its own address under [`MOVED_ASIDE_DOMAIN`].
fn moved_aside(user: &StoredEmailUser, into: Option<&UserId>) -> Option<Fold> {
    // The id's hex part is unique per user, so no two moved-aside rows meet.
    let hex = user.id.as_str().rsplit_once('|').map_or("", |(_, h)| h);
    let recipient = EmailAddress::parse(&format!("{hex}@{MOVED_ASIDE_DOMAIN}")).ok()?;
    Some(Fold {
        id: user.id.clone(),
        recipient,
        blocked: true,
        merged_into: into.cloned(),
        moved_aside: true,
    })
}

impl FoldPlan {
    /// Logs what the fold changed, by user id only: the addresses are
    /// personal data and stay out of the log.
    pub fn log(&self) {
        for fold in &self.folds {
            match (&fold.merged_into, fold.moved_aside) {
                (Some(kept), _) => tracing::warn!(
                    user_id = %fold.id,
                    kept_by = %kept,
                    "email address fold: this user's address is another spelling of an earlier user's; blocked and moved aside"
                ),
                (None, true) => tracing::warn!(
                    user_id = %fold.id,
                    "email address fold: this user's address is no longer valid; blocked and moved aside"
                ),
                (None, false) => tracing::info!(
                    user_id = %fold.id,
                    blocked = fold.blocked,
                    "email address fold: address normalised"
                ),
            }
        }
        if !self.folds.is_empty() {
            tracing::info!(changed = self.folds.len(), "email address fold done");
        }
    }
}

#[cfg(test)]
#[path = "address_fold_tests.rs"]
mod tests;
