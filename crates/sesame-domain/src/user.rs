//! End users, identified by the address or number they log in with.

use std::fmt;

use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl User {
    /// The connection the user belongs to.
    #[must_use]
    pub const fn connection(&self) -> Connection {
        self.recipient.connection()
    }

    /// When the profile last changed: the last login, else creation.
    #[must_use]
    pub fn updated_at(&self) -> Timestamp {
        self.last_login.unwrap_or(self.created_at)
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
}
