//! A user's `user_metadata` and `app_metadata`, and the change the
//! Management API's `PATCH /api/v2/users/{id}` makes to a profile: the
//! verified flag, and each metadata object merged as Auth0 merges it.
//!
//! Auth0 merges metadata at the root only: each top-level property of the
//! patch replaces the stored one (a nested object is replaced whole, never
//! merged), a top-level property set to `null` is removed, and an empty
//! object removes every property. This is not JSON Merge Patch (RFC 7396,
//! SQLite's `json_patch`, Postgres' `||` with `jsonb_strip_nulls`): there a
//! nested object is merged and a nested `null` removes, here a nested `null`
//! is a value like any other.

use std::fmt;
use std::io;

use serde_json::{Map, Value};

use super::User;
use crate::time::Timestamp;

/// A metadata object: property names to any JSON values.
pub type Metadata = Map<String, Value>;

/// The most a stored metadata object may take, as compact JSON: 16 KB,
/// Auth0's limit for each of `user_metadata` and `app_metadata`.
pub const METADATA_MAX_BYTES: usize = 16 * 1024;

/// Which of a user's two metadata objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataKind {
    /// `user_metadata`.
    User,
    /// `app_metadata`.
    App,
}

impl MetadataKind {
    /// The property's name, as the Management API spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user_metadata",
            Self::App => "app_metadata",
        }
    }
}

impl fmt::Display for MetadataKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A merged metadata object would be larger than [`METADATA_MAX_BYTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} would exceed {METADATA_MAX_BYTES} bytes")]
pub struct MetadataTooLarge(pub MetadataKind);

/// Merges `patch` into `stored` as Auth0 does: each top-level property of
/// `patch` replaces the stored one whole (nested objects are not merged), a
/// top-level `null` removes the property, and an empty `patch` removes
/// every property.
pub fn merge_metadata(stored: &mut Metadata, patch: &Metadata) {
    if patch.is_empty() {
        stored.clear();
        return;
    }
    for (key, value) in patch {
        if value.is_null() {
            stored.remove(key);
        } else {
            stored.insert(key.clone(), value.clone());
        }
    }
}

/// The size of `metadata` as compact JSON, in bytes: what
/// [`METADATA_MAX_BYTES`] limits.
#[must_use]
pub fn metadata_size(metadata: &Metadata) -> usize {
    let mut counter = ByteCounter(0);
    // Writing a map of strings to values into a counter cannot fail; were
    // it to, the object counts as too large rather than as empty.
    match serde_json::to_writer(&mut counter, metadata) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

/// Counts the bytes written to it, and keeps none.
struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A change to a user's profile, as
/// [`UserStore::update_profile`](crate::ports::UserStore::update_profile)
/// applies it: see [`ProfileChange::apply`].
#[derive(Clone, PartialEq, Eq)]
pub struct ProfileChange {
    /// The new `verified` flag (`email_verified` or `phone_verified`), if
    /// it changes.
    pub verified: Option<bool>,
    /// Merged into `user_metadata` by [`merge_metadata`], if sent.
    pub user_metadata: Option<Metadata>,
    /// Merged into `app_metadata` by [`merge_metadata`], if sent.
    pub app_metadata: Option<Metadata>,
    /// When the change is made: the user's new `profile_updated_at`.
    pub at: Timestamp,
}

impl ProfileChange {
    /// `user` with this change applied: `verified` set when given, each
    /// metadata object given merged into the stored one, `profile_updated_at`
    /// set to `at`; every other field as it was.
    ///
    /// # Errors
    /// [`MetadataTooLarge`] naming the first merged object (`user_metadata`
    /// first) larger than [`METADATA_MAX_BYTES`]. An object the change does
    /// not touch is not measured.
    pub fn apply(&self, user: &User) -> Result<User, MetadataTooLarge> {
        let mut next = user.clone();
        if let Some(verified) = self.verified {
            next.verified = verified;
        }
        let objects = [
            (
                MetadataKind::User,
                &self.user_metadata,
                &mut next.user_metadata,
            ),
            (
                MetadataKind::App,
                &self.app_metadata,
                &mut next.app_metadata,
            ),
        ];
        for (kind, patch, stored) in objects {
            if let Some(patch) = patch {
                merge_metadata(stored, patch);
                if metadata_size(stored) > METADATA_MAX_BYTES {
                    return Err(MetadataTooLarge(kind));
                }
            }
        }
        next.profile_updated_at = Some(self.at);
        Ok(next)
    }
}

impl fmt::Debug for ProfileChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileChange")
            .field("verified", &self.verified)
            .field("user_metadata", &self.user_metadata.as_ref().map(Keys))
            .field("app_metadata", &self.app_metadata.as_ref().map(Keys))
            .field("at", &self.at)
            .finish()
    }
}

/// What [`UserStore::update_profile`](crate::ports::UserStore::update_profile)
/// did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileUpdate {
    /// The change is stored; the user as it now is.
    Applied(User),
    /// A merged metadata object would be too large; nothing changed.
    TooLarge(MetadataKind),
    /// No user has that id.
    NoSuchUser,
}

/// A metadata object's property names, for `Debug`: the values may hold
/// personal data, and never reach a log.
pub(super) struct Keys<'a>(pub(super) &'a Metadata);

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::recipient::{EmailAddress, Recipient};
    use crate::user::UserId;

    fn object(v: Value) -> Metadata {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn merged(stored: Value, patch: Value) -> Value {
        let mut stored = object(stored);
        merge_metadata(&mut stored, &object(patch));
        Value::Object(stored)
    }

    #[test]
    fn top_level_properties_are_added_and_replaced_and_others_kept() {
        assert_eq!(
            merged(
                json!({"hobby": "surfing", "plan": "free"}),
                json!({"plan": "full", "color": "red"})
            ),
            json!({"hobby": "surfing", "plan": "full", "color": "red"})
        );
    }

    #[test]
    fn a_nested_object_is_replaced_whole_not_merged() {
        assert_eq!(
            merged(
                json!({"addresses": {"home": "1 Main St", "work": "2 Side St"}}),
                json!({"addresses": {"home": "3 New St"}})
            ),
            json!({"addresses": {"home": "3 New St"}})
        );
    }

    #[test]
    fn a_top_level_null_removes_the_property_and_a_nested_null_is_kept() {
        assert_eq!(
            merged(
                json!({"color": "red", "hobby": "surfing", "prefs": {"a": 1}}),
                json!({"color": null, "missing": null, "prefs": {"a": null}})
            ),
            json!({"hobby": "surfing", "prefs": {"a": null}})
        );
    }

    #[test]
    fn an_empty_patch_removes_every_property() {
        assert_eq!(merged(json!({"a": 1, "b": [2]}), json!({})), json!({}));
    }

    #[test]
    fn arrays_and_scalars_replace_whatever_was_there() {
        assert_eq!(
            merged(
                json!({"tags": ["a", "b"], "n": {"x": 1}}),
                json!({"tags": ["c"], "n": 2})
            ),
            json!({"tags": ["c"], "n": 2})
        );
    }

    #[test]
    fn the_size_is_that_of_compact_json() {
        let m = object(json!({"a": "b", "c": [1, 2]}));
        assert_eq!(metadata_size(&m), r#"{"a":"b","c":[1,2]}"#.len());
        assert_eq!(metadata_size(&Metadata::new()), 2);
    }

    fn user() -> User {
        User {
            id: UserId::from_random(crate::recipient::Connection::Email, [7; 12]),
            recipient: Recipient::Email(EmailAddress::parse("a@example.com").unwrap()),
            verified: true,
            created_at: Timestamp::from_unix_seconds(10),
            last_login: Some(Timestamp::from_unix_seconds(20)),
            logins_count: 3,
            blocked: true,
            user_metadata: object(json!({"hobby": "surfing"})),
            app_metadata: object(json!({"plan": "full"})),
            profile_updated_at: None,
        }
    }

    fn change() -> ProfileChange {
        ProfileChange {
            verified: None,
            user_metadata: None,
            app_metadata: None,
            at: Timestamp::from_unix_seconds(30),
        }
    }

    #[test]
    fn apply_changes_only_what_was_given_and_stamps_the_change() {
        let before = user();
        let after = change().apply(&before).unwrap();
        assert_eq!(
            after,
            User {
                profile_updated_at: Some(Timestamp::from_unix_seconds(30)),
                ..before.clone()
            }
        );
        let after = ProfileChange {
            verified: Some(false),
            app_metadata: Some(object(json!({"plan": null, "roles": ["admin"]}))),
            ..change()
        }
        .apply(&before)
        .unwrap();
        assert!(!after.verified);
        assert_eq!(after.user_metadata, before.user_metadata);
        assert_eq!(
            Value::Object(after.app_metadata),
            json!({"roles": ["admin"]})
        );
        assert_eq!(after.logins_count, 3);
        assert!(after.blocked);
    }

    #[test]
    fn apply_refuses_a_merged_object_over_16_kb_and_accepts_one_at_it() {
        let before = user();
        // {"big":"…"} is 10 bytes around the string.
        let at_limit = "x".repeat(METADATA_MAX_BYTES - 10);
        let fits = ProfileChange {
            app_metadata: Some(object(json!({"plan": null, "big": at_limit}))),
            ..change()
        };
        let after = fits.apply(&before).unwrap();
        assert_eq!(metadata_size(&after.app_metadata), METADATA_MAX_BYTES);
        // The same string next to the stored `hobby`: over.
        let over = ProfileChange {
            user_metadata: Some(object(json!({"big": "x".repeat(METADATA_MAX_BYTES - 10)}))),
            ..change()
        };
        assert_eq!(
            over.apply(&before),
            Err(MetadataTooLarge(MetadataKind::User))
        );
        // Growing one object does not make the other one's patch fail.
        let over_app = ProfileChange {
            user_metadata: Some(object(json!({"a": 1}))),
            ..fits
        };
        let grown = over_app.apply(&after).unwrap();
        assert_eq!(Value::Object(grown.user_metadata)["a"], json!(1));
    }

    #[test]
    fn debug_names_the_keys_and_never_the_values() {
        let c = ProfileChange {
            user_metadata: Some(object(json!({"ssn": "123-45-6789"}))),
            ..change()
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("ssn"), "{shown}");
        assert!(!shown.contains("6789"), "{shown}");
    }
}
