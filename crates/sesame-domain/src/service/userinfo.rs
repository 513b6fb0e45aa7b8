//! `/userinfo`: the profile behind an access token.

use super::Passwordless;
use super::errors::UserinfoError;
use crate::profile::Profile;
use crate::user::UserId;

impl Passwordless {
    /// The profile of the user an access token speaks for.
    ///
    /// # Errors
    /// [`UserinfoError::InvalidToken`] when the token does not verify, has
    /// expired, lacks the userinfo audience, or its user is gone or blocked.
    pub async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError> {
        let keys = self.active_keys().await?;
        let claims = self
            .ports
            .minter
            .verify_access(access_token, &keys, self.config.issuer.as_str())
            .map_err(|_| UserinfoError::InvalidToken)?;
        let now = self.ports.clock.now();
        let audience = self.config.issuer.userinfo_audience();
        if claims.exp <= now.unix_seconds() || !claims.aud.contains(&audience) {
            return Err(UserinfoError::InvalidToken);
        }
        let id = UserId::parse(&claims.sub).map_err(|_| UserinfoError::InvalidToken)?;
        match self.ports.users.get(&id).await? {
            Some(user) if !user.blocked => Ok(Profile::of(&user)),
            _ => Err(UserinfoError::InvalidToken),
        }
    }
}
