//! What an MFA bearer is: an `mfa_token` (the transaction it names) or an
//! access token for the built-in MFA API (its user and scope).
//!
//! An `mfa_token` is `{expiry in unix seconds}.{256 random bits}`: the
//! store keeps its MAC, and the expiry in clear lets an expired token be
//! told from a malformed one after the store forgot it. Changing the
//! expiry changes the MAC, so it cannot be extended.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

use super::MfaGrantError;
use crate::client::ClientId;
use crate::code::CodeMac;
use crate::mfa::{MfaTicket, MfaTransaction};
use crate::ports::{StoreError, random_array};
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::time::Timestamp;
use crate::user::{User, UserId};

/// A resolved MFA bearer.
pub(crate) enum Credential {
    /// An `mfa_token`, live, with the MAC it is stored under.
    Transaction {
        /// Its key in the store.
        key: CodeMac,
        /// What it names.
        txn: MfaTransaction,
    },
    /// An access token for the MFA API.
    Access {
        /// The client it was issued to.
        client_id: ClientId,
        /// Its user.
        user_id: UserId,
        /// Its scope.
        scope: Scope,
    },
}

impl Credential {
    /// The client the bearer was issued to.
    pub(crate) const fn client_id(&self) -> &ClientId {
        match self {
            Self::Transaction { txn, .. } => &txn.client_id,
            Self::Access { client_id, .. } => client_id,
        }
    }

    /// The user the bearer speaks for.
    pub(crate) const fn user_id(&self) -> &UserId {
        match self {
            Self::Transaction { txn, .. } => &txn.user_id,
            Self::Access { user_id, .. } => user_id,
        }
    }
}

impl Passwordless {
    /// A new `mfa_token` for `txn`, stored; returns the token.
    pub(crate) async fn issue_mfa_token(
        &self,
        txn: MfaTransaction,
    ) -> Result<SecretString, StoreError> {
        let random = URL_SAFE_NO_PAD.encode(random_array::<32>(self.ports.rng.as_ref()));
        let token = format!("{}.{random}", txn.expires_at.unix_seconds());
        let key = self.macs.mfa_token(&token);
        self.ports
            .mfa_transactions
            .put(&key, &MfaTicket::Transaction(txn))
            .await?;
        Ok(SecretString::from(token))
    }

    /// The live transaction `token` names, or why there is none.
    pub(crate) async fn mfa_transaction(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Result<(CodeMac, MfaTransaction), MfaGrantError>, StoreError> {
        let Some((expiry, random)) = token.split_once('.') else {
            return Ok(Err(MfaGrantError::MalformedToken));
        };
        let Ok(expiry) = expiry.parse::<i64>() else {
            return Ok(Err(MfaGrantError::MalformedToken));
        };
        if random.len() != 43 {
            return Ok(Err(MfaGrantError::MalformedToken));
        }
        let key = self.macs.mfa_token(token);
        if expiry <= now.unix_seconds() {
            return Ok(Err(MfaGrantError::ExpiredToken));
        }
        Ok(match self.ports.mfa_transactions.get(&key, now).await? {
            Some(MfaTicket::Transaction(txn)) => Ok((key, txn)),
            _ => Err(MfaGrantError::MalformedToken),
        })
    }

    /// What `bearer` is: a live `mfa_token`, or an unbound access token for
    /// the MFA API that verifies and has not expired.
    pub(crate) async fn mfa_credential(
        &self,
        bearer: &str,
        now: Timestamp,
    ) -> Result<Result<Credential, MfaGrantError>, StoreError> {
        if bearer.matches('.').count() != 2 {
            return Ok(self
                .mfa_transaction(bearer, now)
                .await?
                .map(|(key, txn)| Credential::Transaction { key, txn }));
        }
        let keys = self.active_keys().await?;
        let Ok(claims) =
            self.ports
                .minter
                .verify_access(bearer, &keys, self.config.issuer.as_str())
        else {
            return Ok(Err(MfaGrantError::MalformedToken));
        };
        if claims.exp <= now.unix_seconds() {
            return Ok(Err(MfaGrantError::ExpiredToken));
        }
        let audience = self.mfa_audience();
        // A DPoP-bound token is good only with a proof, which this API does
        // not take.
        if !claims.aud.contains(&audience) || claims.cnf.is_some() {
            return Ok(Err(MfaGrantError::MalformedToken));
        }
        let (Ok(client_id), Ok(user_id), Ok(scope)) = (
            ClientId::parse(&claims.azp),
            UserId::parse(&claims.sub),
            Scope::parse(&claims.scope),
        ) else {
            return Ok(Err(MfaGrantError::MalformedToken));
        };
        Ok(Ok(Credential::Access {
            client_id,
            user_id,
            scope,
        }))
    }

    /// The user a credential speaks for, unless gone; blocked users are
    /// returned as such for the caller to refuse.
    pub(crate) async fn mfa_user(&self, cred: &Credential) -> Result<Option<User>, StoreError> {
        self.ports.users.get(cred.user_id()).await
    }
}
