//! The short-lived records of an MFA transaction, kept by the
//! [`MfaTransactionStore`](crate::ports::MfaTransactionStore) under the MAC
//! of the token that names them: the `mfa_token` a first factor earned,
//! and each out-of-band challenge (`oob_code`).

use serde::{Deserialize, Serialize};

use super::{AuthenticatorId, Factor};
use crate::client::ClientId;
use crate::code::CodeMac;
use crate::scope::Scope;
use crate::time::Timestamp;
use crate::user::UserId;

/// What an `mfa_token` stands for: a user who passed the first factor,
/// and what the grant that asked for the second one would have minted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaTransaction {
    /// The client that asked; only it may redeem the token.
    pub client_id: ClientId,
    /// The user.
    pub user_id: UserId,
    /// The API the first grant asked for.
    pub audience: Option<String>,
    /// The scope the first grant asked for.
    pub scope: Option<Scope>,
    /// The nonce for the id token.
    pub nonce: Option<String>,
    /// When the first factor passed.
    pub auth_time: Timestamp,
    /// When the token stops working.
    pub expires_at: Timestamp,
}

/// An out-of-band code sent for an authenticator: the grant presents the
/// `oob_code` (the record's key) with the code the user received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OobChallenge {
    /// The client that asked.
    pub client_id: ClientId,
    /// The user.
    pub user_id: UserId,
    /// The authenticator the code went to.
    pub authenticator_id: AuthenticatorId,
    /// The MAC of the code sent (`binding_code`), bound to this challenge.
    pub binding_mac: CodeMac,
    /// The MAC of the `mfa_token` it was made under, or `None` when an
    /// access token with scope `enroll` made it.
    pub transaction: Option<CodeMac>,
    /// When the code stops working.
    pub expires_at: Timestamp,
}

/// One record of the MFA transaction store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MfaTicket {
    /// An `mfa_token`.
    Transaction(MfaTransaction),
    /// An `oob_code`.
    Oob(OobChallenge),
}

impl MfaTicket {
    /// When the record stops working; the store may forget it then.
    #[must_use]
    pub const fn expires_at(&self) -> Timestamp {
        match self {
            Self::Transaction(t) => t.expires_at,
            Self::Oob(o) => o.expires_at,
        }
    }
}

/// What an `mfa_required` answer asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirements {
    /// Pass one of these enrolled factors.
    Challenge(Vec<Factor>),
    /// Enroll one of these first.
    Enroll(Vec<Factor>),
}
