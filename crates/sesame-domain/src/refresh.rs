//! Refresh tokens: rotating, in families, with reuse detection.
//!
//! Every use of a refresh token replaces it with a new one in the same
//! family. Presenting a token that was already replaced means it leaked, so
//! the whole family is revoked (OAuth 2.0 Security BCP, section 4.14).

use serde::{Deserialize, Serialize};

use crate::client::ClientId;
use crate::code::CodeMac;
use crate::dpop::Jkt;
use crate::scope::Scope;
use crate::time::Timestamp;
use crate::user::UserId;

/// One refresh token, stored only as its MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshTokenRecord {
    /// MAC of the token.
    pub token_mac: CodeMac,
    /// The family: every token rotated from one login.
    pub family_id: String,
    /// The client it was issued to.
    pub client_id: ClientId,
    /// The user it speaks for.
    pub user_id: UserId,
    /// The scope granted at login; a refresh cannot widen it.
    pub scope: Scope,
    /// The API it was issued for.
    pub audience: Option<String>,
    /// When this token was issued.
    pub created_at: Timestamp,
    /// When this token stops working if unused (idle lifetime).
    pub expires_at: Timestamp,
    /// When every token of the family stops working (absolute lifetime).
    pub family_expires_at: Timestamp,
    /// The DPoP key the family is bound to: every refresh must prove it.
    /// `None` for a family issued without DPoP.
    #[serde(default)]
    pub jkt: Option<Jkt>,
    /// Whether the login that started the family passed a second factor:
    /// its refreshes are not asked for one again.
    #[serde(default)]
    pub mfa: bool,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is now spent, and the replacement is stored.
    /// Holds the record of the spent token.
    Rotated(RefreshTokenRecord),
    /// The token was already spent: the family has now been revoked.
    Reused {
        /// The family that was revoked.
        family_id: String,
    },
    /// No such token, or its family was revoked, or it expired.
    Invalid,
}
