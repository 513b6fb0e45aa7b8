//! The [`ClientRegistry`] and [`ApiRegistry`] checks.

use std::time::Duration;

use sesame_domain::ports::{ApiRegistry, ClientRegistry};
use sesame_domain::{Client, Connection, GrantType, MagicLinkSettings, SigningAlg};

use super::support::ok;
use crate::fixtures::{fresh_api, fresh_client, fresh_client_id, unique_hex};

/// `upsert` then `get` returns the client with every field unchanged, list
/// order included: a confidential client with everything filled (magic-link
/// settings that differ from the defaults in every field), and a public one
/// with empty lists and default magic-link settings.
pub async fn clients_round_trip_every_field(store: &dyn ClientRegistry) {
    let full = fresh_client();
    let bare = Client {
        id: fresh_client_id(),
        name: String::new(),
        secret: None,
        callbacks: Vec::new(),
        grant_types: Vec::new(),
        connections: Vec::new(),
        trust_forwarded_for: false,
        web_origins: Vec::new(),
        magic_link: MagicLinkSettings::default(),
    };
    assert_ne!(
        full.magic_link,
        MagicLinkSettings::default(),
        "the full client must carry non-default magic-link settings"
    );
    for client in [&full, &bare] {
        ok(store.upsert(client).await, "upsert");
        let got = ok(store.get(&client.id).await, "get");
        assert_eq!(got.as_ref(), Some(client), "a client read back");
    }
}

/// `get` of an id never registered returns `None`.
pub async fn an_unknown_client_is_not_found(store: &dyn ClientRegistry) {
    assert!(
        ok(store.get(&fresh_client_id()).await, "get").is_none(),
        "get of an unknown client id returned a client"
    );
}

/// A second `upsert` with the same id replaces every field (magic-link
/// settings back to the defaults included), and leaves other clients alone.
pub async fn client_upsert_replaces_every_field(store: &dyn ClientRegistry) {
    let first = fresh_client();
    let bystander = fresh_client();
    ok(store.upsert(&first).await, "upsert");
    ok(store.upsert(&bystander).await, "upsert");
    let second = Client {
        id: first.id.clone(),
        name: "Renamed".to_owned(),
        secret: None,
        callbacks: vec!["https://other.example.com/cb".to_owned()],
        grant_types: vec![GrantType::PasswordlessOtp],
        connections: vec![Connection::Sms],
        trust_forwarded_for: false,
        web_origins: Vec::new(),
        magic_link: MagicLinkSettings::default(),
    };
    ok(store.upsert(&second).await, "upsert");
    let got = ok(store.get(&first.id).await, "get");
    assert_eq!(got, Some(second), "a client after being replaced");
    let other = ok(store.get(&bystander.id).await, "get");
    assert_eq!(other, Some(bystander), "replacing a client changed another");
}

/// `upsert` then `get` returns the API unchanged, for every signing
/// algorithm.
pub async fn apis_round_trip_every_field(store: &dyn ApiRegistry) {
    for (alg, secs) in [
        (SigningAlg::RS256, 86_400),
        (SigningAlg::ES256, 1),
        (SigningAlg::EdDSA, 2_592_001),
    ] {
        let mut api = fresh_api();
        api.signing_alg = alg;
        api.token_lifetime = Duration::from_secs(secs);
        ok(store.upsert(&api).await, "upsert");
        let got = ok(store.get(&api.identifier).await, "get");
        assert_eq!(got, Some(api), "an API read back");
    }
}

/// `get` compares identifiers exactly: unknown, case-changed and
/// slash-changed identifiers are not found.
pub async fn apis_are_found_by_their_exact_identifier(store: &dyn ApiRegistry) {
    let mut api = fresh_api();
    api.identifier = format!("https://API-{}.example.com/", unique_hex());
    ok(store.upsert(&api).await, "upsert");
    let unknown = format!("https://never-{}.example.com/", unique_hex());
    let lower = api.identifier.to_lowercase();
    let unslashed = api.identifier.trim_end_matches('/').to_owned();
    for other in [unknown, lower, unslashed] {
        assert!(
            ok(store.get(&other).await, "get").is_none(),
            "get found an API under an identifier that is not exactly its own"
        );
    }
    assert_eq!(
        ok(store.get(&api.identifier).await, "get"),
        Some(api),
        "get of the exact identifier"
    );
}

/// A second `upsert` with the same identifier replaces every field.
pub async fn api_upsert_replaces_every_field(store: &dyn ApiRegistry) {
    let first = fresh_api();
    let mut second = first.clone();
    second.token_lifetime = Duration::from_secs(60);
    second.signing_alg = SigningAlg::EdDSA;
    ok(store.upsert(&first).await, "upsert");
    ok(store.upsert(&second).await, "upsert");
    let got = ok(store.get(&first.identifier).await, "get");
    assert_eq!(got, Some(second), "an API after being replaced");
}
