//! The key layout: every key name this adapter reads or writes.
//!
//! Key names show up in `MONITOR`, `SCAN`, slow logs and dashboards, so none
//! carries an email address or phone number: a challenge's key is named by
//! the SHA-256 of its recipient instead.
//!
//! Every script touches one key, so every script is single-slot on Redis
//! Cluster whatever the names. The `{…}` hash tags still say which part of a
//! name picks the slot: the recipient's digest for challenges (so anything
//! ever stored next to a recipient's challenge lands on the same node), the
//! code's MAC for authorization codes, the token's MAC for MFA tickets.

use sha2::{Digest, Sha256};

use sesame_domain::challenge::ChallengeKey;
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

    /// `{prefix}ch:{<sha256(recipient)>}:{connection}:{client_id}`: the hash
    /// holding the one current challenge for `key`, its id included.
    ///
    /// The digest has a fixed length and the connection a fixed set of
    /// names, so a client id containing `:` (or braces) cannot make two
    /// keys collide or move the hash tag.
    pub(crate) fn challenge(&self, key: &ChallengeKey) -> String {
        let digest = hex::encode(Sha256::digest(key.recipient.as_str().as_bytes()));
        format!(
            "{}ch:{{{digest}}}:{}:{}",
            self.prefix,
            key.connection().as_str(),
            key.client_id.as_str(),
        )
    }

    /// `{prefix}ac:{<hex(mac)>}`: the hash holding one authorization code.
    /// The name carries the code's MAC, never the code.
    pub(crate) fn authorization_code(&self, mac: &CodeMac) -> String {
        format!("{}ac:{{{}}}", self.prefix, mac.to_hex())
    }

    /// `{prefix}mfa:{<hex(mac)>}`: one MFA ticket (an `mfa_token` or an
    /// out-of-band challenge), named by the MAC of its token.
    pub(crate) fn mfa_ticket(&self, mac: &CodeMac) -> String {
        format!("{}mfa:{{{}}}", self.prefix, mac.to_hex())
    }

    /// `{prefix}rl:{window_ms}:{window_index}:{key}`: the counter for one
    /// rate-limit window. The window length is part of the name so rules
    /// with different windows on the same key never share a counter.
    pub(crate) fn rate(&self, key: &str, window_ms: i64, window_index: i64) -> String {
        format!("{}rl:{window_ms}:{window_index}:{key}", self.prefix)
    }

    /// `{prefix}jti:{key}`: one used DPoP proof id (the key is a MAC).
    pub(crate) fn dpop_jti(&self, key: &str) -> String {
        format!("{}jti:{key}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::client::ClientId;
    use sesame_domain::recipient::{Connection, Recipient};

    use super::*;

    fn key(client: &str, raw: &str) -> ChallengeKey {
        ChallengeKey {
            client_id: ClientId::parse(client).unwrap(),
            recipient: Recipient::parse(Connection::Email, raw).unwrap(),
        }
    }

    /// The hash tag Redis Cluster hashes: between the first `{` and the
    /// first `}` after it.
    fn tag(name: &str) -> &str {
        let open = name.find('{').unwrap();
        let close = open + name[open..].find('}').unwrap();
        &name[open + 1..close]
    }

    #[test]
    fn challenge_keys_do_not_contain_the_recipient() {
        let k = Keys::new("sesame:").challenge(&key("app", "alice@example.com"));
        assert!(!k.contains("alice"));
        assert!(!k.contains("example"));
        assert!(k.starts_with("sesame:ch:{"));
        assert!(k.ends_with("}:email:app"));
        assert_eq!(tag(&k).len(), 64);
    }

    #[test]
    fn the_same_recipient_spelled_differently_finds_the_same_challenge() {
        let keys = Keys::new("p:");
        assert_eq!(
            keys.challenge(&key("app", "bob@EXAMPLE.com")),
            keys.challenge(&key("app", " bob@example.com "))
        );
        assert_ne!(
            keys.challenge(&key("app", "bob@example.com")),
            keys.challenge(&key("app", "rob@example.com"))
        );
        assert_ne!(
            keys.challenge(&key("app", "bob@example.com")),
            keys.challenge(&key("other", "bob@example.com"))
        );
    }

    #[test]
    fn braces_in_a_client_id_do_not_move_the_hash_tag() {
        let keys = Keys::new("p:");
        let plain = keys.challenge(&key("app", "bob@example.com"));
        let braced = keys.challenge(&key("{x}", "bob@example.com"));
        assert_eq!(tag(&plain), tag(&braced));
    }

    #[test]
    fn authorization_code_keys_are_tagged_with_the_mac_in_hex() {
        let mac = CodeMac::from_bytes([0xab; 32]);
        let k = Keys::new("p:").authorization_code(&mac);
        assert_eq!(k, format!("p:ac:{{{}}}", "ab".repeat(32)));
        assert_eq!(tag(&k), "ab".repeat(32));
    }

    #[test]
    fn mfa_ticket_keys_are_tagged_with_the_mac_in_hex() {
        let mac = CodeMac::from_bytes([0x0c; 32]);
        let k = Keys::new("p:").mfa_ticket(&mac);
        assert_eq!(k, format!("p:mfa:{{{}}}", "0c".repeat(32)));
        assert_eq!(tag(&k), "0c".repeat(32));
    }

    #[test]
    fn rate_keys_carry_the_window() {
        assert_eq!(Keys::new("p:").rate("k:1", 60_000, 7), "p:rl:60000:7:k:1");
    }
}
