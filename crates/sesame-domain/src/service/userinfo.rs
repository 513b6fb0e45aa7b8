//! `/userinfo`: the profile behind an access token, presented as `Bearer`,
//! or as `DPoP` with a proof of the key it is bound to (RFC 9449 §7).

use super::Passwordless;
use super::dpop::Expect;
use super::errors::UserinfoError;
use crate::dpop::{DpopError, DpopProof};
use crate::profile::Profile;
use crate::token::AccessClaims;
use crate::user::UserId;

/// `/userinfo` under the issuer: a proof's `htu`.
const USERINFO_PATH: &str = "userinfo";

impl Passwordless {
    /// The profile of the user a `Bearer` access token speaks for.
    ///
    /// # Errors
    /// [`UserinfoError::InvalidToken`] when the token does not verify, has
    /// expired, lacks the userinfo audience, or its user is gone or blocked;
    /// [`UserinfoError::InvalidDpopToken`] when it is bound to a DPoP key,
    /// and so is only good with a proof.
    pub async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError> {
        let claims = self
            .access_claims(access_token)
            .await?
            .ok_or(UserinfoError::InvalidToken)?;
        if claims.cnf.is_some() {
            return Err(UserinfoError::InvalidDpopToken);
        }
        self.profile_of(&claims)
            .await?
            .ok_or(UserinfoError::InvalidToken)
    }

    /// The profile of the user a DPoP-bound access token speaks for, with
    /// `proof` of its key (`ath`, `htm`, `htu` of `/userinfo`; no nonce).
    ///
    /// # Errors
    /// [`UserinfoError::InvalidDpopToken`] as [`Passwordless::userinfo`]'s
    /// `InvalidToken`, and for a token bound to no key;
    /// [`UserinfoError::InvalidDpopProof`] when the proof is refused or was
    /// signed by another key.
    pub async fn userinfo_dpop(
        &self,
        access_token: &str,
        proof: &DpopProof,
    ) -> Result<Profile, UserinfoError> {
        let claims = self
            .access_claims(access_token)
            .await?
            .ok_or(UserinfoError::InvalidDpopToken)?;
        let bound = claims.cnf.as_ref().ok_or(UserinfoError::InvalidDpopToken)?;
        if proof.headers.is_empty() {
            return Err(UserinfoError::InvalidDpopProof(DpopError::invalid(
                "DPoP proof required",
            )));
        }
        let expect = Expect {
            path: USERINFO_PATH,
            nonce: false,
            access_token: Some(access_token),
        };
        let jkt = self.check_dpop(proof, &expect).await?;
        if jkt.as_str() != bound.jkt {
            return Err(UserinfoError::InvalidDpopProof(DpopError::invalid(
                "DPoP proof key does not match the access token",
            )));
        }
        self.profile_of(&claims)
            .await?
            .ok_or(UserinfoError::InvalidDpopToken)
    }

    /// The claims of `access_token` when it verifies, has not expired and
    /// has the userinfo audience.
    async fn access_claims(
        &self,
        access_token: &str,
    ) -> Result<Option<AccessClaims>, UserinfoError> {
        let keys = self.active_keys().await?;
        let Ok(claims) =
            self.ports
                .minter
                .verify_access(access_token, &keys, self.config.issuer.as_str())
        else {
            return Ok(None);
        };
        let now = self.ports.clock.now();
        let audience = self.config.issuer.userinfo_audience();
        Ok((claims.exp > now.unix_seconds() && claims.aud.contains(&audience)).then_some(claims))
    }

    /// The profile of the token's user, unless gone or blocked.
    async fn profile_of(&self, claims: &AccessClaims) -> Result<Option<Profile>, UserinfoError> {
        let Ok(id) = UserId::parse(&claims.sub) else {
            return Ok(None);
        };
        Ok(match self.ports.users.get(&id).await? {
            Some(user) if !user.blocked => Some(Profile::of(&user)),
            _ => None,
        })
    }
}
