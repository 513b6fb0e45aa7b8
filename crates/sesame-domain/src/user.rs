//! End users, identified by the address or number they log in with.

mod metadata;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use metadata::{
    METADATA_MAX_BYTES, Metadata, MetadataKind, MetadataTooLarge, ProfileChange, ProfileUpdate,
    merge_metadata, metadata_size,
};

use crate::recipient::{Connection, Recipient};
use crate::time::Timestamp;

/// A user id in Auth0's form: `email|<24 hex>` or `sms|<24 hex>`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

/// A string that is not `<connection>|<24 lower-case hex>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a user id is 'email|' or 'sms|' followed by 24 lower-case hex digits")]
pub struct InvalidUserId;

impl UserId {
    /// A new id for `connection` from 12 random bytes.
    #[must_use]
    pub fn from_random(connection: Connection, bytes: [u8; 12]) -> Self {
        Self(format!("{}|{}", connection.as_str(), hex::encode(bytes)))
    }

    /// Parses a stored id.
    ///
    /// # Errors
    /// [`InvalidUserId`] when it is not in Auth0's form.
    pub fn parse(s: &str) -> Result<Self, InvalidUserId> {
        let (conn, hex_part) = s.split_once('|').ok_or(InvalidUserId)?;
        let conn_ok = conn.parse::<Connection>().is_ok();
        let hex_ok = hex_part.len() == 24
            && hex_part
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if conn_ok && hex_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidUserId)
        }
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = InvalidUserId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> Self {
        id.0
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // User ids are pseudonymous and safe to log; they are how an operator
        // follows one user's requests without seeing an address.
        write!(f, "UserId({})", self.0)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user of a passwordless connection.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable identifier, the `sub` of every token.
    pub id: UserId,
    /// The address or number the user logs in with.
    pub recipient: Recipient,
    /// Whether the user has proved control of `recipient` by redeeming a code.
    pub verified: bool,
    /// When the user was created.
    pub created_at: Timestamp,
    /// When the user last logged in.
    pub last_login: Option<Timestamp>,
    /// How many logins have completed.
    pub logins_count: u64,
    /// A blocked user gets no code and no token.
    pub blocked: bool,
    /// Auth0's `user_metadata`: what the user may see and change about
    /// themselves (preferences). Empty when none was set.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub user_metadata: Metadata,
    /// Auth0's `app_metadata`: what only the back end changes (plans,
    /// roles, external ids). Empty when none was set. Never in a token.
    #[serde(default, skip_serializing_if = "Metadata::is_empty")]
    pub app_metadata: Metadata,
    /// When the Management API last changed the profile (the verified flag
    /// or the metadata); `None` when it never did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_updated_at: Option<Timestamp>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Metadata may hold anything, personal data included: its keys only.
        f.debug_struct("User")
            .field("id", &self.id)
            .field("recipient", &self.recipient)
            .field("verified", &self.verified)
            .field("created_at", &self.created_at)
            .field("last_login", &self.last_login)
            .field("logins_count", &self.logins_count)
            .field("blocked", &self.blocked)
            .field("user_metadata", &metadata::Keys(&self.user_metadata))
            .field("app_metadata", &metadata::Keys(&self.app_metadata))
            .field("profile_updated_at", &self.profile_updated_at)
            .finish()
    }
}

impl User {
    /// The connection the user belongs to.
    #[must_use]
    pub const fn connection(&self) -> Connection {
        self.recipient.connection()
    }

    /// When the profile last changed: the later of the last login and the
    /// last Management API change, else creation.
    #[must_use]
    pub fn updated_at(&self) -> Timestamp {
        match (self.last_login, self.profile_updated_at) {
            (Some(login), Some(change)) => login.max(change),
            (Some(at), None) | (None, Some(at)) => at,
            (None, None) => self.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_have_auth0s_shape() {
        let id = UserId::from_random(Connection::Sms, [0xab; 12]);
        assert_eq!(id.as_str(), "sms|abababababababababababab");
        assert_eq!(UserId::parse(id.as_str()), Ok(id));
        assert!(UserId::parse("email|ABABABABABABABABABABABAB").is_err());
        assert!(UserId::parse("auth0|abababababababababababab").is_err());
        assert!(UserId::parse("email|abab").is_err());
    }

    fn user() -> User {
        User {
            id: UserId::from_random(Connection::Sms, [1; 12]),
            recipient: Recipient::Sms(
                crate::recipient::PhoneNumber::parse("+14155550100").unwrap(),
            ),
            verified: false,
            created_at: Timestamp::from_unix_seconds(100),
            last_login: None,
            logins_count: 0,
            blocked: false,
            user_metadata: Metadata::new(),
            app_metadata: Metadata::new(),
            profile_updated_at: None,
        }
    }

    #[test]
    fn updated_at_is_the_latest_login_or_management_change_else_creation() {
        let mut u = user();
        assert_eq!(u.updated_at(), Timestamp::from_unix_seconds(100));
        u.last_login = Some(Timestamp::from_unix_seconds(200));
        assert_eq!(u.updated_at(), Timestamp::from_unix_seconds(200));
        u.profile_updated_at = Some(Timestamp::from_unix_seconds(300));
        assert_eq!(u.updated_at(), Timestamp::from_unix_seconds(300));
        u.last_login = Some(Timestamp::from_unix_seconds(400));
        assert_eq!(u.updated_at(), Timestamp::from_unix_seconds(400));
        u.last_login = None;
        assert_eq!(u.updated_at(), Timestamp::from_unix_seconds(300));
    }

    #[test]
    fn debug_shows_metadata_keys_but_never_their_values() {
        let mut u = user();
        u.user_metadata
            .insert("hobby".into(), serde_json::json!("secret-surfing"));
        let shown = format!("{u:?}");
        assert!(shown.contains("hobby"), "{shown}");
        assert!(!shown.contains("secret-surfing"), "{shown}");
        assert!(!shown.contains("4155550100"), "{shown}");
    }

    #[test]
    fn a_user_serialized_before_metadata_existed_reads_with_none() {
        let mut value = serde_json::to_value(user()).unwrap();
        assert!(value.get("user_metadata").is_none(), "empty is omitted");
        value.as_object_mut().unwrap().remove("profile_updated_at");
        let back: User = serde_json::from_value(value).unwrap();
        assert_eq!(back, user());
    }
}
