//! The key layout: every key name this adapter reads or writes.
//!
//! Key names show up in `MONITOR`, `SCAN`, slow logs and dashboards, so none
//! carries an email address or phone number: the challenge index is keyed on
//! the SHA-256 of the recipient instead.

use sha2::{Digest, Sha256};

use sesame_domain::challenge::{ChallengeId, ChallengeKey};
use sesame_domain::code::CodeMac;

/// Builds key names under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    /// Key names under `prefix` (used verbatim, e.g. `sesame:`).
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The prefix every key starts with.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// What a challenge id is prefixed with to name its hash; the scripts
    /// use it to find the challenge an index entry points to.
    pub(crate) fn challenge_prefix(&self) -> String {
        format!("{}ch:", self.prefix)
    }

    /// `{prefix}ch:{id}`: the hash holding one challenge.
    pub(crate) fn challenge(&self, id: &ChallengeId) -> String {
        format!("{}ch:{}", self.prefix, id.as_str())
    }

    /// `{prefix}chk:{client_id}:{connection}:{sha256(recipient)}`: the id of
    /// the one current challenge for `key`.
    ///
    /// The digest has a fixed length and the connection a fixed set of
    /// names, so a client id containing `:` cannot make two keys collide.
    pub(crate) fn index(&self, key: &ChallengeKey) -> String {
        let digest = hex::encode(Sha256::digest(key.recipient.as_str().as_bytes()));
        format!(
            "{}chk:{}:{}:{}",
            self.prefix,
            key.client_id.as_str(),
            key.connection().as_str(),
            digest
        )
    }

    /// `{prefix}chx`: a sorted set of challenge ids scored by `expires_at`,
    /// so a purge finds expired challenges without scanning. It
    /// expires with the longest-lived challenge it lists.
    pub(crate) fn expiries(&self) -> String {
        format!("{}chx", self.prefix)
    }

    /// `{prefix}ac:{hex(mac)}`: the hash holding one authorization code.
    /// The name carries the code's MAC, never the code.
    pub(crate) fn authorization_code(&self, mac: &CodeMac) -> String {
        format!("{}ac:{}", self.prefix, mac.to_hex())
    }

    /// `{prefix}rl:{window_ms}:{window_index}:{key}`: the counter for one
    /// rate-limit window. The window length is part of the name so rules
    /// with different windows on the same key never share a counter.
    pub(crate) fn rate(&self, key: &str, window_ms: i64, window_index: i64) -> String {
        format!("{}rl:{window_ms}:{window_index}:{key}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::client::ClientId;
    use sesame_domain::recipient::{Connection, Recipient};

    use super::*;

    fn key(raw: &str) -> ChallengeKey {
        ChallengeKey {
            client_id: ClientId::parse("app").unwrap(),
            recipient: Recipient::parse(Connection::Email, raw).unwrap(),
        }
    }

    #[test]
    fn index_keys_do_not_contain_the_recipient() {
        let k = Keys::new("sesame:").index(&key("alice@example.com"));
        assert!(!k.contains("alice"));
        assert!(!k.contains("example"));
        assert!(k.starts_with("sesame:chk:app:email:"));
        assert_eq!(k.len(), "sesame:chk:app:email:".len() + 64);
    }

    #[test]
    fn the_same_recipient_spelled_differently_finds_the_same_index() {
        let keys = Keys::new("p:");
        assert_eq!(
            keys.index(&key("bob@EXAMPLE.com")),
            keys.index(&key(" bob@example.com "))
        );
        assert_ne!(
            keys.index(&key("bob@example.com")),
            keys.index(&key("rob@example.com"))
        );
    }

    #[test]
    fn challenge_keys_are_the_challenge_prefix_and_the_id() {
        let keys = Keys::new("p:");
        let id = ChallengeId::from_random([1; 16]);
        assert_eq!(
            keys.challenge(&id),
            format!("{}{}", keys.challenge_prefix(), id.as_str())
        );
    }

    #[test]
    fn authorization_code_keys_are_the_prefix_and_the_mac_in_hex() {
        let mac = CodeMac::from_bytes([0xab; 32]);
        assert_eq!(
            Keys::new("p:").authorization_code(&mac),
            format!("p:ac:{}", "ab".repeat(32))
        );
    }

    #[test]
    fn rate_keys_carry_the_window() {
        assert_eq!(Keys::new("p:").rate("k:1", 60_000, 7), "p:rl:60000:7:k:1");
    }
}
