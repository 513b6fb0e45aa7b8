//! The [`ClientRegistry`] and [`ApiRegistry`] checks.
//!
//! The ports only read, so each check takes a function that builds a
//! registry holding the records given (from a list, by registering them one
//! by one, from a configuration file…), and checks what `get` must answer.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{ApiRegistry, ClientRegistry};
use sesame_domain::{Api, Client, MagicLinkSettings, SigningAlg};

use super::support::ok;
use crate::fixtures::{fresh_api, fresh_client, fresh_client_id, unique_hex};

/// Builds a client registry holding the clients given.
pub type ClientRegistryOf<'a> = &'a (dyn Fn(Vec<Client>) -> Arc<dyn ClientRegistry> + Sync);

/// Builds an API registry holding the APIs given.
pub type ApiRegistryOf<'a> = &'a (dyn Fn(Vec<Api>) -> Arc<dyn ApiRegistry> + Sync);

/// `get` returns each registered client with every field unchanged, list
/// order included: a confidential client with everything filled (magic-link
/// settings that differ from the defaults in every field), and a public one
/// with empty lists and default magic-link settings.
pub async fn clients_round_trip_every_field(registry_of: ClientRegistryOf<'_>) {
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
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    };
    assert_ne!(
        full.magic_link,
        MagicLinkSettings::default(),
        "the full client must carry non-default magic-link settings"
    );
    let registry = registry_of(vec![full.clone(), bare.clone()]);
    for client in [&full, &bare] {
        let got = ok(registry.get(&client.id).await, "get");
        assert_eq!(got.as_deref(), Some(client), "a client read back");
    }
}

/// `get` of an id never registered returns `None`, from an empty registry
/// and from one holding other clients.
pub async fn an_unknown_client_is_not_found(registry_of: ClientRegistryOf<'_>) {
    for registered in [Vec::new(), vec![fresh_client(), fresh_client()]] {
        let registry = registry_of(registered);
        assert!(
            ok(registry.get(&fresh_client_id()).await, "get").is_none(),
            "get of an unknown client id returned a client"
        );
    }
}

/// `ids` lists every registered client once, and nothing else.
pub async fn ids_list_every_registered_client_once(registry_of: ClientRegistryOf<'_>) {
    let registry = registry_of(Vec::new());
    assert!(
        ok(registry.ids().await, "ids").is_empty(),
        "an empty registry"
    );
    let (a, b) = (fresh_client(), fresh_client());
    let registry = registry_of(vec![a.clone(), b.clone()]);
    let mut got = ok(registry.ids().await, "ids");
    got.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    let mut want = vec![a.id, b.id];
    want.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    assert_eq!(got, want, "ids of two registered clients");
}

/// `get` returns each registered API unchanged, for every signing algorithm
/// and lifetimes from one second to past a month.
pub async fn apis_round_trip_every_field(registry_of: ApiRegistryOf<'_>) {
    let apis: Vec<Api> = [
        (SigningAlg::RS256, Duration::from_secs(86_400)),
        (SigningAlg::ES256, Duration::from_secs(1)),
        (SigningAlg::EdDSA, Duration::new(2_592_001, 123_456_789)),
    ]
    .into_iter()
    .map(|(alg, lifetime)| Api {
        signing_alg: alg,
        token_lifetime: lifetime,
        ..fresh_api()
    })
    .collect();
    let registry = registry_of(apis.clone());
    for api in apis {
        let got = ok(registry.get(&api.identifier).await, "get");
        assert_eq!(got.as_deref(), Some(&api), "an API read back");
    }
}

/// `get` compares identifiers exactly: unknown, case-changed and
/// slash-changed identifiers are not found.
pub async fn apis_are_found_by_their_exact_identifier(registry_of: ApiRegistryOf<'_>) {
    let api = Api {
        identifier: format!("https://API-{}.example.com/", unique_hex()),
        ..fresh_api()
    };
    let registry = registry_of(vec![api.clone()]);
    let unknown = format!("https://never-{}.example.com/", unique_hex());
    let lower = api.identifier.to_lowercase();
    let unslashed = api.identifier.trim_end_matches('/').to_owned();
    for other in [unknown, lower, unslashed] {
        assert!(
            ok(registry.get(&other).await, "get").is_none(),
            "get found an API under an identifier that is not exactly its own"
        );
    }
    assert_eq!(
        ok(registry.get(&api.identifier).await, "get").as_deref(),
        Some(&api),
        "get of the exact identifier"
    );
}
