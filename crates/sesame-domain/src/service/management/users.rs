//! `/api/v2/users/{id}`, `/api/v2/users-by-email` and
//! `/api/v2/users/{id}/refresh-tokens`.

use crate::ports::StoreError;
use crate::recipient::{EmailAddress, Recipient};
use crate::service::Passwordless;
use crate::user::{User, UserId};

use super::{ManagementCaller, ManagementError};

/// What `PATCH /api/v2/users/{id}` may change here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    /// Block or unblock the user.
    pub blocked: Option<bool>,
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
    /// user as it now is. A blocked user gets no code and no token.
    ///
    /// # Errors
    /// [`ManagementError::NoSuchUser`].
    pub async fn management_update_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
        patch: &UserPatch,
    ) -> Result<User, ManagementError> {
        caller.needs("update:users")?;
        let user = self.existing_user(id).await?;
        if let Some(blocked) = patch.blocked {
            if !self.ports.users.set_blocked(&user.id, blocked).await? {
                return Err(ManagementError::NoSuchUser);
            }
            tracing::info!(
                target: "sesame::events",
                event = "sapi",
                client_id = caller.client_id.as_str(),
                user_id = %user.id,
                blocked,
                "management API: user updated"
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
        tracing::info!(
            target: "sesame::events",
            event = "sapi",
            client_id = caller.client_id.as_str(),
            user_id = %user.id,
            "management API: refresh tokens revoked"
        );
        Ok(())
    }

    /// Deletes user `id` (scope `delete:users`): their refresh families
    /// are revoked and their authenticators removed first, so nothing of
    /// theirs outlives them. Their pending codes die with their TTL; a new
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
        tracing::info!(
            target: "sesame::events",
            event = "sdu",
            client_id = caller.client_id.as_str(),
            user_id = %user.id,
            "management API: user deleted"
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
        self.ports.refresh_tokens.revoke_user(id).await?;
        for a in self.ports.authenticators.list(id).await? {
            self.ports.authenticators.delete(id, &a.id).await?;
        }
        self.ports.users.delete(id).await
    }

    async fn existing_user(&self, id: &str) -> Result<User, ManagementError> {
        let id = UserId::parse(id).map_err(|_| ManagementError::NoSuchUser)?;
        self.ports
            .users
            .get(&id)
            .await?
            .ok_or(ManagementError::NoSuchUser)
    }
}
