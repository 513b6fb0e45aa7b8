//! The file's own record shape, and its mapping to and from the domain's
//! [`User`].
//!
//! A team's user table has its own columns; the adapter's job is the
//! translation. The domain types validate on the way back in, so a row that
//! no longer parses is reported as [`StoreError::Corrupt`] rather than
//! handed to the domain half-formed.

use serde::{Deserialize, Serialize};
use sesame_domain::ports::StoreError;
use sesame_domain::user::Metadata;
use sesame_domain::{Connection, Recipient, Timestamp, User, UserId};

/// One user, as the file stores it.
// No `Debug`: a row holds an address.
#[derive(Serialize, Deserialize)]
pub(super) struct Account {
    /// `email|…` or `sms|…`: the `sub` of every token.
    id: String,
    /// `email` or `sms`.
    connection: String,
    /// The canonical address or number.
    address: String,
    /// Whether a code sent to `address` was ever redeemed.
    verified: bool,
    /// Unix milliseconds.
    created_at_ms: i64,
    /// Unix milliseconds of the last completed login.
    last_login_ms: Option<i64>,
    /// Completed logins.
    logins: u64,
    /// Blocked users get no code and no token.
    blocked: bool,
    /// Auth0's `user_metadata`; absent from the file when empty (and in
    /// files written before it existed).
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    user_metadata: Metadata,
    /// Auth0's `app_metadata`, likewise.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    app_metadata: Metadata,
    /// Unix milliseconds of the last Management API change to the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    profile_updated_at_ms: Option<i64>,
}

impl Account {
    /// The user id, as stored.
    pub(super) fn id(&self) -> &str {
        &self.id
    }
}

impl From<&User> for Account {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.as_str().to_owned(),
            connection: user.connection().as_str().to_owned(),
            address: user.recipient.as_str().to_owned(),
            verified: user.verified,
            created_at_ms: user.created_at.unix_millis(),
            last_login_ms: user.last_login.map(Timestamp::unix_millis),
            logins: user.logins_count,
            blocked: user.blocked,
            user_metadata: user.user_metadata.clone(),
            app_metadata: user.app_metadata.clone(),
            profile_updated_at_ms: user.profile_updated_at.map(Timestamp::unix_millis),
        }
    }
}

impl TryFrom<Account> for User {
    type Error = StoreError;

    fn try_from(row: Account) -> Result<Self, StoreError> {
        // Errors name the field, never the address: it is personal data.
        let corrupt = |field: &str| StoreError::Corrupt(format!("account {}: bad {field}", row.id));
        let id = UserId::parse(&row.id).map_err(|_| corrupt("id"))?;
        let connection: Connection = row.connection.parse().map_err(|_| corrupt("connection"))?;
        let recipient =
            Recipient::parse(connection, &row.address).map_err(|_| corrupt("address"))?;
        Ok(Self {
            id,
            recipient,
            verified: row.verified,
            created_at: Timestamp::from_unix_millis(row.created_at_ms),
            last_login: row.last_login_ms.map(Timestamp::from_unix_millis),
            logins_count: row.logins,
            blocked: row.blocked,
            user_metadata: row.user_metadata,
            app_metadata: row.app_metadata,
            profile_updated_at: row.profile_updated_at_ms.map(Timestamp::from_unix_millis),
        })
    }
}
