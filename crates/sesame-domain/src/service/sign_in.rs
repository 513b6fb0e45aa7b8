//! The sign-in policy, in one place for every path that signs a user in
//! (the token grants and the magic link): who may sign in, for which API,
//! with what scope.

use std::sync::Arc;

use super::Passwordless;
use super::token::TokenError;
use crate::client::{Api, Client, GrantType};
use crate::ports::random_array;
use crate::recipient::Recipient;
use crate::scope::{OIDC_SCOPES, Scope};
use crate::user::{User, UserId};

/// Who proved themselves.
pub(crate) enum Subject {
    /// Whoever receives at this address or number: found, or signed up on
    /// first login; the login is recorded.
    Recipient(Recipient),
    /// A user who signed in before (an authorization code, a refresh token).
    Known(User),
}

impl Passwordless {
    /// The user policy: the subject must exist (or may sign up) and must
    /// not be blocked.
    ///
    /// # Errors
    /// [`TokenError::SignupDisabled`], [`TokenError::Blocked`], or storage.
    pub(crate) async fn admit(&self, subject: Subject) -> Result<User, TokenError> {
        let user = match subject {
            Subject::Recipient(r) => self.find_or_sign_up(&r).await?,
            Subject::Known(user) => user,
        };
        if user.blocked {
            return Err(TokenError::Blocked);
        }
        Ok(user)
    }

    /// Finds or creates the user for `recipient` and records the login, in
    /// one call to the store. A blocked user's login is not recorded.
    async fn find_or_sign_up(&self, recipient: &Recipient) -> Result<User, TokenError> {
        let now = self.ports.clock.now();
        let fresh = (!self.config.disable_signup).then(|| User {
            id: UserId::from_random(
                recipient.connection(),
                random_array(self.ports.rng.as_ref()),
            ),
            recipient: recipient.clone(),
            verified: false,
            created_at: now,
            last_login: None,
            logins_count: 0,
            blocked: false,
            user_metadata: crate::user::Metadata::new(),
            app_metadata: crate::user::Metadata::new(),
            profile_updated_at: None,
        });
        self.ports
            .users
            .record_login_or_create(recipient, fresh.as_ref(), now)
            .await?
            .ok_or(TokenError::SignupDisabled)
    }

    /// The registered API `identifier`.
    ///
    /// # Errors
    /// [`TokenError::UnknownAudience`] when none is registered.
    pub(crate) async fn api(&self, identifier: &str) -> Result<Arc<Api>, TokenError> {
        if let Some(api) = self.builtin_api(identifier) {
            return Ok(Arc::new(api));
        }
        self.ports
            .apis
            .get(identifier)
            .await?
            .ok_or_else(|| TokenError::UnknownAudience(identifier.to_owned()))
    }

    /// The scope actually granted: of `requested` (default `openid`), the
    /// OIDC scopes and the permissions `api` defines, in the order asked;
    /// anything else is dropped silently, as Auth0 does. `offline_access`
    /// goes too when the client may not refresh.
    ///
    /// Every path that mints applies it, including a refresh and a code
    /// exchange, so a token stored before a permission was removed from the
    /// API (or before this rule) cannot carry it forward.
    pub(crate) fn granted_scope(
        &self,
        client: &Client,
        api: Option<&Api>,
        requested: Option<&Scope>,
    ) -> Scope {
        let refresh = client.allows_grant(GrantType::RefreshToken);
        // A user's own token for the Management API may read that user and
        // nothing more: its other scopes are for clients' own tokens, by
        // client grant (`client_credentials`), never for anyone who logs in.
        let management = api.is_some_and(|a| a.identifier == self.management_audience());
        requested
            .cloned()
            .unwrap_or_else(Scope::openid)
            .retain(|s| match s {
                "offline_access" => refresh,
                s if OIDC_SCOPES.contains(&s) => true,
                s if management => s == "read:current_user",
                s => api.is_some_and(|a| a.defines(s)),
            })
    }
}
