//! Minting a token set once a user has proved who they are.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use sha2::{Digest as _, Sha256, Sha512};

use super::Passwordless;
use super::keyring::KeyError;
use crate::client::{Api, Client, GrantType, SigningAlg};
use crate::dpop::Jkt;
use crate::ports::{StoreError, random_array};
use crate::profile::Profile;
use crate::refresh::RefreshTokenRecord;
use crate::scope::Scope;
use crate::time::Timestamp;
use crate::token::{AccessClaims, Confirmation, IdClaims, SigningKey, TokenSet};
use crate::user::User;

/// What to do about a refresh token.
pub(crate) enum RefreshPlan {
    /// Start a new family if the scope and client allow it.
    NewFamilyIfAllowed,
    /// Return this already-stored replacement token.
    Rotated(String),
    /// No refresh token, whatever the scope says.
    None,
}

/// A minted token set, and the refresh family it started, if any.
pub(crate) struct Minted {
    pub tokens: TokenSet,
    pub family_id: Option<String>,
}

/// The inputs to one mint.
pub(crate) struct Mint<'a> {
    pub client: &'a Client,
    pub user: &'a User,
    pub scope: Scope,
    pub api: Option<&'a Api>,
    pub nonce: Option<&'a str>,
    pub refresh: RefreshPlan,
    /// Whether the id token carries the access token's `at_hash`: it
    /// travels next to it in a URL fragment.
    pub at_hash: bool,
    /// The DPoP key the tokens are bound to: `cnf.jkt` in the access
    /// token, token type `DPoP`, and a new refresh family remembers it.
    pub jkt: Option<&'a Jkt>,
    /// Whether a second factor passed: `amr: ["mfa"]` in the id token, and
    /// a new refresh family remembers it.
    pub mfa: bool,
}

/// What one access token says.
pub(crate) struct AccessFor<'a> {
    pub client: &'a Client,
    /// The user's id, or `{client_id}@clients` for the client's own token.
    pub sub: String,
    pub aud: Vec<String>,
    pub scope: &'a Scope,
    pub lifetime: std::time::Duration,
    pub alg: SigningAlg,
    pub jkt: Option<&'a Jkt>,
    /// Auth0's `gty` marker, for the client's own token.
    pub gty: Option<&'static str>,
}

/// Minting failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MintError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Token(#[from] crate::ports::SigningError),
}

impl Passwordless {
    pub(crate) async fn mint(&self, m: Mint<'_>) -> Result<Minted, MintError> {
        let now = self.ports.clock.now();
        let issuer = &self.config.issuer;
        let lifetime = m
            .api
            .map_or(self.config.default_access_token_lifetime, |a| {
                a.token_lifetime
            });
        let alg = m
            .api
            .map_or(self.config.default_signing_alg, |a| a.signing_alg);
        let mut aud = Vec::with_capacity(2);
        if let Some(api) = m.api {
            aud.push(api.identifier.clone());
        }
        aud.push(issuer.userinfo_audience());
        let (access_token, access_key) = self
            .sign_access_token(AccessFor {
                client: m.client,
                sub: m.user.id.as_str().to_owned(),
                aud,
                scope: &m.scope,
                lifetime,
                alg,
                jkt: m.jkt,
                gty: None,
            })
            .await?;

        let id_token = if m.scope.contains("openid") {
            let mut claims = self.id_claims(m.client, m.user, m.nonce, now);
            if m.mfa {
                claims.amr = Some(vec!["mfa".to_owned()]);
            }
            if m.at_hash {
                claims.at_hash = Some(at_hash(self.config.default_signing_alg, &access_token));
            }
            let key = if alg == self.config.default_signing_alg {
                access_key
            } else {
                self.current_key(self.config.default_signing_alg).await?
            };
            Some(SecretString::from(
                self.ports.minter.sign_id(&key, &claims).await?,
            ))
        } else {
            None
        };

        let mut family_id = None;
        let refresh_token = match &m.refresh {
            RefreshPlan::Rotated(token) => Some(SecretString::from(token.clone())),
            RefreshPlan::NewFamilyIfAllowed
                if m.scope.contains("offline_access")
                    && m.client.allows_grant(GrantType::RefreshToken) =>
            {
                let (token, family) = self.new_refresh_family(&m, now).await?;
                family_id = Some(family);
                Some(SecretString::from(token))
            }
            RefreshPlan::NewFamilyIfAllowed | RefreshPlan::None => None,
        };

        let tokens = TokenSet {
            access_token: SecretString::from(access_token),
            id_token,
            refresh_token,
            token_type: if m.jkt.is_some() { "DPoP" } else { "Bearer" },
            expires_in: lifetime.as_secs(),
            scope: m.scope.into(),
            recovery_code: None,
        };
        Ok(Minted { tokens, family_id })
    }

    /// Signs an access token as `a` describes it, with the current key of
    /// its algorithm; returns the token and the key.
    pub(crate) async fn sign_access_token(
        &self,
        a: AccessFor<'_>,
    ) -> Result<(String, SigningKey), MintError> {
        let now = self.ports.clock.now();
        let access = AccessClaims {
            iss: self.config.issuer.as_str().to_owned(),
            sub: a.sub,
            aud: a.aud,
            azp: a.client.id.as_str().to_owned(),
            scope: a.scope.as_str().to_owned(),
            iat: now.unix_seconds(),
            exp: now.plus(a.lifetime).unix_seconds(),
            jti: hex::encode(random_array::<16>(self.ports.rng.as_ref())),
            cnf: a.jkt.map(|j| Confirmation {
                jkt: j.as_str().to_owned(),
            }),
            gty: a.gty.map(str::to_owned),
        };
        let key = self.current_key(a.alg).await?;
        let token = self.ports.minter.sign_access(&key, &access).await?;
        Ok((token, key))
    }

    /// A fresh opaque refresh token (256 random bits) and its MAC.
    pub(crate) fn new_refresh_token(&self) -> (String, crate::code::CodeMac) {
        let token = URL_SAFE_NO_PAD.encode(random_array::<32>(self.ports.rng.as_ref()));
        let mac = self.macs.refresh_token(&token);
        (token, mac)
    }

    /// Stores the first token of a new family; returns it and the family id.
    async fn new_refresh_family(
        &self,
        m: &Mint<'_>,
        now: Timestamp,
    ) -> Result<(String, String), StoreError> {
        let (token, token_mac) = self.new_refresh_token();
        let family_expires_at = now.plus(self.config.refresh_absolute_lifetime);
        let record = RefreshTokenRecord {
            token_mac,
            family_id: format!(
                "rtf_{}",
                hex::encode(random_array::<16>(self.ports.rng.as_ref()))
            ),
            client_id: m.client.id.clone(),
            user_id: m.user.id.clone(),
            scope: m.scope.clone(),
            audience: m.api.map(|a| a.identifier.clone()),
            created_at: now,
            expires_at: now
                .plus(self.config.refresh_idle_lifetime)
                .min(family_expires_at),
            family_expires_at,
            jkt: m.jkt.cloned(),
            mfa: m.mfa,
        };
        self.ports.refresh_tokens.insert(&record).await?;
        Ok((token, record.family_id))
    }

    fn id_claims(
        &self,
        client: &Client,
        user: &User,
        nonce: Option<&str>,
        now: Timestamp,
    ) -> IdClaims {
        let p = Profile::of(user);
        IdClaims {
            iss: self.config.issuer.as_str().to_owned(),
            sub: p.sub,
            aud: client.id.as_str().to_owned(),
            iat: now.unix_seconds(),
            exp: now.plus(self.config.id_token_lifetime).unix_seconds(),
            nonce: nonce.map(str::to_owned),
            at_hash: None,
            amr: None,
            email: p.email,
            email_verified: p.email_verified,
            phone_number: p.phone_number,
            phone_verified: p.phone_verified,
            name: p.name,
            nickname: p.nickname,
            updated_at: p.updated_at,
        }
    }
}

/// OIDC Core §3.2.2.10: base64url of the left half of the access token's
/// hash, with the hash of the id token's algorithm (SHA-512 for Ed25519,
/// as for its signatures).
fn at_hash(alg: SigningAlg, access_token: &str) -> String {
    let digest = match alg {
        SigningAlg::RS256 | SigningAlg::ES256 => Sha256::digest(access_token).to_vec(),
        SigningAlg::EdDSA => Sha512::digest(access_token).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

impl From<MintError> for super::token::TokenError {
    fn from(e: MintError) -> Self {
        match e {
            MintError::Store(s) => s.into(),
            MintError::Key(k) => Self::Unknown(k.into()),
            MintError::Token(t) => t.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_the_access_tokens_hash() {
        // OIDC Core's example: the hash of this token, for RS256.
        let token = "jHkWEdUXMU1BwAsC4vtUsZwnNXmJLUn8kLjM0kr6wGvD4OvaUF5Ulmzxs";
        let h = at_hash(SigningAlg::RS256, token);
        assert_eq!(h.len(), 22, "16 bytes in base64url");
        assert_eq!(h, URL_SAFE_NO_PAD.encode(&Sha256::digest(token)[..16]));
        assert_eq!(at_hash(SigningAlg::ES256, token), h);
        let ed = at_hash(SigningAlg::EdDSA, token);
        assert_eq!(ed, URL_SAFE_NO_PAD.encode(&Sha512::digest(token)[..32]));
        assert_ne!(at_hash(SigningAlg::RS256, "another"), h);
    }
}
