//! How registrations are made and replaced; what `get` answers is the
//! contract's business (tests/contract.rs).

use std::time::Duration;

use sesame_domain::ports::{ApiRegistry, ClientRegistry};
use sesame_domain::{Client, Connection, GrantType, MagicLinkSettings, SigningAlg};
use sesame_store_memory::{
    MemoryApiRegistry, MemoryClientRegistry, StaticApiRegistry, StaticClientRegistry,
};
use sesame_testkit::fixtures::{fresh_api, fresh_client};

/// `first` with every field changed.
fn renamed(first: &Client) -> Client {
    Client {
        id: first.id.clone(),
        name: "Renamed".to_owned(),
        secret: None,
        callbacks: vec!["https://other.example.com/cb".to_owned()],
        grant_types: vec![GrantType::PasswordlessOtp],
        connections: vec![Connection::Sms],
        trust_forwarded_for: false,
        web_origins: Vec::new(),
        magic_link: MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    }
}

#[tokio::test]
async fn upserting_a_client_replaces_every_field_and_leaves_the_others_alone() {
    let (first, bystander) = (fresh_client(), fresh_client());
    let registry = MemoryClientRegistry::new();
    registry.upsert(first.clone());
    registry.upsert(bystander.clone());
    let second = renamed(&first);
    registry.upsert(second.clone());
    assert_eq!(
        registry.get(&first.id).await.unwrap().as_deref(),
        Some(&second)
    );
    assert_eq!(
        registry.get(&bystander.id).await.unwrap().as_deref(),
        Some(&bystander)
    );
}

#[tokio::test]
async fn upserting_an_api_replaces_every_field() {
    let first = fresh_api();
    let mut second = first.clone();
    second.token_lifetime = Duration::from_secs(60);
    second.signing_alg = SigningAlg::EdDSA;
    let registry = MemoryApiRegistry::new();
    registry.upsert(first.clone());
    registry.upsert(second.clone());
    assert_eq!(
        registry.get(&first.identifier).await.unwrap().as_deref(),
        Some(&second)
    );
}

#[tokio::test]
async fn of_two_clients_listed_with_one_id_the_later_is_registered() {
    let first = fresh_client();
    let second = renamed(&first);
    let listed = vec![first.clone(), second.clone()];
    let fixed = StaticClientRegistry::new(listed.clone());
    let mutable = MemoryClientRegistry::with_clients(listed);
    assert_eq!(fixed.len(), 1);
    assert_eq!(
        fixed.get(&first.id).await.unwrap().as_deref(),
        Some(&second.clone())
    );
    assert_eq!(
        mutable.get(&first.id).await.unwrap().as_deref(),
        Some(&second)
    );
}

#[tokio::test]
async fn of_two_apis_listed_with_one_identifier_the_later_is_registered() {
    let first = fresh_api();
    let mut second = first.clone();
    second.signing_alg = SigningAlg::RS256;
    let listed = vec![first.clone(), second.clone()];
    let fixed = StaticApiRegistry::new(listed.clone());
    let mutable = MemoryApiRegistry::with_apis(listed);
    assert_eq!(fixed.len(), 1);
    assert_eq!(
        fixed.get(&first.identifier).await.unwrap().as_deref(),
        Some(&second.clone())
    );
    assert_eq!(
        mutable.get(&first.identifier).await.unwrap().as_deref(),
        Some(&second)
    );
}

#[test]
fn debug_shows_how_many_clients_are_registered_never_their_secrets() {
    let client = fresh_client();
    let shown = format!("{:?}", StaticClientRegistry::new([client.clone()]));
    assert_eq!(shown, "StaticClientRegistry { len: 1 }");
    assert!(!shown.contains(client.id.as_str()));
}
