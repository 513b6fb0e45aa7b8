//! A user's profile claims, as `/userinfo` and the id token carry them.

use std::fmt;

use serde::Serialize;

use crate::recipient::Recipient;
use crate::user::User;

/// The profile claims of a passwordless user, filled as Auth0 fills them.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// The user id.
    pub sub: String,
    /// The email address, for the email connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the address is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The phone number, for the sms connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the number is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// The address or number.
    pub name: String,
    /// The local part of the address, or the number.
    pub nickname: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl Profile {
    /// The profile of `user`.
    #[must_use]
    pub fn of(user: &User) -> Self {
        let (email, email_verified, phone_number, phone_verified, nickname) = match &user.recipient
        {
            Recipient::Email(e) => (
                Some(e.as_str().to_owned()),
                Some(user.verified),
                None,
                None,
                e.local_part().to_owned(),
            ),
            Recipient::Sms(p) => (
                None,
                None,
                Some(p.as_str().to_owned()),
                Some(user.verified),
                p.as_str().to_owned(),
            ),
        };
        Self {
            sub: user.id.as_str().to_owned(),
            email,
            email_verified,
            phone_number,
            phone_verified,
            name: user.recipient.as_str().to_owned(),
            nickname,
            updated_at: user.updated_at().to_rfc3339(),
        }
    }
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("sub", &self.sub)
            .finish_non_exhaustive()
    }
}
