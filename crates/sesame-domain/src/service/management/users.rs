//! `/api/v2/users/{id}`, `/api/v2/users-by-email` and
//! `/api/v2/users/{id}/refresh-tokens`.

use std::fmt;

use crate::challenge::ChallengeKey;
use crate::event::EventType;
use crate::ports::StoreError;
use crate::recipient::{Connection, EmailAddress, Recipient};
use crate::service::Passwordless;
use crate::user::{METADATA_MAX_BYTES, Metadata, ProfileChange, ProfileUpdate, User, UserId};

use super::{ManagementCaller, ManagementError};

/// What `PATCH /api/v2/users/{id}` may change here. The edge has checked
/// the types; which verified flag fits the user is checked here.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// Block or unblock the user.
    pub blocked: Option<bool>,
    /// The verified flag of an email user.
    pub email_verified: Option<bool>,
    /// The verified flag of an sms user.
    pub phone_verified: Option<bool>,
    /// Merged into the user's `user_metadata` at the root (a top-level
    /// `null` removes a property, `{}` removes them all).
    pub user_metadata: Option<Metadata>,
    /// Merged into the user's `app_metadata`, as `user_metadata` is.
    pub app_metadata: Option<Metadata>,
}

impl UserPatch {
    /// The profile part of the patch for `user`, at `at`; `None` when the
    /// patch changes no profile field.
    ///
    /// # Errors
    /// [`ManagementError::InvalidBody`] for `email_verified` on an sms user
    /// or `phone_verified` on an email user.
    fn profile_change(
        &self,
        user: &User,
        at: crate::time::Timestamp,
    ) -> Result<Option<ProfileChange>, ManagementError> {
        let (own, other, other_name) = match user.connection() {
            Connection::Email => (self.email_verified, self.phone_verified, "phone_verified"),
            Connection::Sms => (self.phone_verified, self.email_verified, "email_verified"),
        };
        if other.is_some() {
            return Err(ManagementError::InvalidBody(format!(
                "'{other_name}' is not allowed for a user of the {} connection",
                user.connection().as_str()
            )));
        }
        if own.is_none() && self.user_metadata.is_none() && self.app_metadata.is_none() {
            return Ok(None);
        }
        Ok(Some(ProfileChange {
            verified: own,
            user_metadata: self.user_metadata.clone(),
            app_metadata: self.app_metadata.clone(),
            at,
        }))
    }
}

impl fmt::Debug for UserPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Metadata values may be personal data: names only.
        let keys = |m: &Option<Metadata>| m.as_ref().map(|m| m.keys().cloned().collect::<Vec<_>>());
        f.debug_struct("UserPatch")
            .field("blocked", &self.blocked)
            .field("email_verified", &self.email_verified)
            .field("phone_verified", &self.phone_verified)
            .field("user_metadata", &keys(&self.user_metadata))
            .field("app_metadata", &keys(&self.app_metadata))
            .finish()
    }
}

impl Passwordless {
    /// The user `id` (scope `read:users`, or `read:current_user` for the
    /// caller's own id).
    ///
    /// # Errors
    /// [`ManagementError::InsufficientScope`], [`ManagementError::NoSuchUser`].
    pub async fn management_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<User, ManagementError> {
        let own = caller.sub == id && caller.scope.contains("read:current_user");
        if !own {
            caller.needs("read:users")?;
        }
        self.existing_user(id).await
    }

    /// Users by email address, matched on the normalised address (scope
    /// `read:users`): none or one.
    ///
    /// # Errors
    /// [`ManagementError::InvalidQuery`] for something that is not an
    /// address.
    pub async fn management_users_by_email(
        &self,
        caller: &ManagementCaller,
        email: &str,
    ) -> Result<Vec<User>, ManagementError> {
        caller.needs("read:users")?;
        let address = EmailAddress::parse(email).map_err(|_| {
            ManagementError::InvalidQuery("Object didn't pass validation for format email".into())
        })?;
        Ok(self
            .ports
            .users
            .find(&Recipient::Email(address))
            .await?
            .into_iter()
            .collect())
    }

    /// Applies `patch` to user `id` (scope `update:users`) and returns the
    /// user as it now is. A blocked user gets no code and no token. The
    /// verified flag and the metadata change in one atomic store call
    /// (concurrent patches of different properties all survive), before
    /// `blocked`, so a refused patch changes nothing.
    ///
    /// # Errors
    /// [`ManagementError::NoSuchUser`]; [`ManagementError::InvalidBody`]
    /// for the verified flag of the other connection, or a metadata object
    /// larger than 16 KB once merged.
    pub async fn management_update_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
        patch: &UserPatch,
    ) -> Result<User, ManagementError> {
        caller.needs("update:users")?;
        let user = self.existing_user(id).await?;
        if let Some(change) = patch.profile_change(&user, self.ports.clock.now())? {
            match self.ports.users.update_profile(&user.id, &change).await? {
                ProfileUpdate::Applied(_) => {}
                ProfileUpdate::NoSuchUser => return Err(ManagementError::NoSuchUser),
                ProfileUpdate::TooLarge(kind) => {
                    return Err(ManagementError::InvalidBody(format!(
                        "'{kind}' would exceed {METADATA_MAX_BYTES} bytes once merged"
                    )));
                }
            }
            let mut changed = Vec::new();
            if let Some(v) = change.verified {
                changed.push(("verified", v.to_string()));
            }
            for (name, set) in [
                ("user_metadata", change.user_metadata.is_some()),
                ("app_metadata", change.app_metadata.is_some()),
            ] {
                if set {
                    changed.push((name, "changed".to_owned()));
                }
            }
            self.api_event(
                EventType::SuccessApi,
                "Update a user (profile)",
                caller,
                &user.id,
                &changed,
            );
        }
        if let Some(blocked) = patch.blocked {
            if !self.ports.users.set_blocked(&user.id, blocked).await? {
                return Err(ManagementError::NoSuchUser);
            }
            self.api_event(
                EventType::SuccessApi,
                if blocked {
                    "Block a user"
                } else {
                    "Unblock a user"
                },
                caller,
                &user.id,
                &[("blocked", blocked.to_string())],
            );
        }
        self.existing_user(id).await
    }

    /// Ends every session of user `id`: each refresh family is revoked
    /// (scope `delete:refresh_tokens`).
    ///
    /// # Errors
    /// [`ManagementError::NoSuchUser`].
    pub async fn management_revoke_refresh_tokens(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError> {
        caller.needs("delete:refresh_tokens")?;
        let user = self.existing_user(id).await?;
        self.ports.refresh_tokens.revoke_user(&user.id).await?;
        self.api_event(
            EventType::SuccessApi,
            "Revoke a user's refresh tokens",
            caller,
            &user.id,
            &[],
        );
        Ok(())
    }

    /// Deletes user `id` (scope `delete:users`): their refresh families
    /// are revoked and their authenticators removed first, so nothing of
    /// theirs outlives them, and their pending codes are deleted; a new
    /// login with the same address signs up afresh.
    ///
    /// # Errors
    /// [`ManagementError::NoSuchUser`].
    pub async fn management_delete_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError> {
        caller.needs("delete:users")?;
        let user = self.existing_user(id).await?;
        if !self.delete_user(&user.id).await? {
            return Err(ManagementError::NoSuchUser);
        }
        self.api_event(
            EventType::UserDeleted,
            "Delete a user",
            caller,
            &user.id,
            &[],
        );
        Ok(())
    }

    /// Deletes user `id` and what would outlive them: their refresh
    /// families are revoked and their authenticators removed first. `false`
    /// when there was no such user. (The Management API and `sesame users
    /// delete` both come here.)
    ///
    /// # Errors
    /// Storage; what was removed before a failure stays removed, and the
    /// user row goes last, so a retry finishes the job.
    pub async fn delete_user(&self, id: &UserId) -> Result<bool, StoreError> {
        // Pending codes and links first: redeemed after the delete, one
        // would sign the address up again as a new user.
        if let Some(user) = self.ports.users.get(id).await? {
            self.delete_challenges(&user.recipient).await?;
        }
        self.ports.refresh_tokens.revoke_user(id).await?;
        for a in self.ports.authenticators.list(id).await? {
            self.ports.authenticators.delete(id, &a.id).await?;
        }
        self.ports.users.delete(id).await
    }

    /// Deletes every challenge of `recipient`, of every client. Challenges
    /// are kept per client and recipient, so each client's are asked for;
    /// a store keeps at most a few per key, and the loop is bounded.
    async fn delete_challenges(&self, recipient: &Recipient) -> Result<(), StoreError> {
        for client_id in self.ports.clients.ids().await? {
            let key = ChallengeKey {
                client_id,
                recipient: recipient.clone(),
            };
            for _ in 0..16 {
                match self.ports.challenges.latest(&key).await? {
                    Some(ch) => self.ports.challenges.delete(&key, &ch.id).await?,
                    None => break,
                }
            }
        }
        Ok(())
    }

    pub(super) async fn existing_user(&self, id: &str) -> Result<User, ManagementError> {
        let id = UserId::parse(id).map_err(|_| ManagementError::NoSuchUser)?;
        self.ports
            .users
            .get(&id)
            .await?
            .ok_or(ManagementError::NoSuchUser)
    }
}
