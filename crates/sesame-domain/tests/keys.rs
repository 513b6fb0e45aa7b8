//! Signing keys: sealed at rest, clear rows sealed in place, a wrong secret
//! refused, rotation, retirement and pick-up of a rotation made elsewhere.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::ExposeSecret as _;
use sesame_domain::SigningAlg;
use sesame_domain::ports::{Clock as _, KeySealer, KeyStore, Opened, TokenMinter as _};
use sesame_domain::service::{KeyError, KeyState};
use sesame_testkit::{
    Harness, MemoryKeySealer, MemoryKeyStore, MemoryTokenMinter, StepClock, fixtures,
};

const ALG: SigningAlg = SigningAlg::RS256;

fn kid_of(jwt: &str) -> String {
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

async fn harness_on(
    keys: Arc<MemoryKeyStore>,
    sealer: MemoryKeySealer,
    clock: StepClock,
) -> Harness {
    Harness::builder()
        .with_keys(keys)
        .with_sealer(Arc::new(sealer))
        .with_clock(clock)
        .build()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_store_holds_only_sealed_keys_that_open_to_the_signing_key() {
    let keys = Arc::new(MemoryKeyStore::new());
    let sealer = MemoryKeySealer::new(b"secret one");
    let h = harness_on(Arc::clone(&keys), sealer.clone(), StepClock::starting_now()).await;
    h.service.ensure_signing_keys(&[ALG]).await.unwrap();
    let stored = keys.active().await.unwrap();
    assert_eq!(stored.len(), 1);
    let key = &stored[0];
    assert!(key.private_der().starts_with(b"TKS1"), "stored in clear");
    let Opened::Sealed(clear) = sealer.open(&key.kid, key.alg, key.private_der()).unwrap() else {
        panic!("not sealed");
    };
    assert_ne!(clear.expose_secret(), key.private_der());
    let tokens = h.login(&fixtures::fresh_email()).await.unwrap();
    assert_eq!(kid_of(tokens.access_token()), key.kid);
    assert!(h.service.userinfo(tokens.access_token()).await.is_ok());
}

#[tokio::test]
async fn a_key_stored_in_clear_is_sealed_in_place_and_keeps_its_kid_and_its_tokens() {
    let keys = Arc::new(MemoryKeyStore::new());
    let clock = StepClock::starting_now();
    // As the old version wrote it: the minter's key, bytes in clear.
    let old = MemoryTokenMinter::new()
        .generate_key(ALG, clock.now())
        .unwrap();
    assert!(keys.rotate(&old, None).await.unwrap());
    let sealer = MemoryKeySealer::new(b"secret one");
    let h = harness_on(Arc::clone(&keys), sealer.clone(), clock.clone()).await;
    let before = h.login(&fixtures::fresh_email()).await.unwrap();
    assert_eq!(kid_of(before.access_token()), old.kid);

    // A restart: a fresh service on the same store and secret.
    let again = harness_on(Arc::clone(&keys), sealer.clone(), clock).await;
    again.service.ensure_signing_keys(&[ALG]).await.unwrap();
    let stored = keys.active().await.unwrap();
    assert_eq!(stored.len(), 1, "no new key");
    assert_eq!(stored[0].kid, old.kid);
    assert_ne!(stored[0].private_der(), old.private_der(), "still clear");
    let Opened::Sealed(clear) = sealer.open(&old.kid, ALG, stored[0].private_der()).unwrap() else {
        panic!("not sealed");
    };
    assert_eq!(clear.expose_secret(), old.private_der());
    h.service.refresh_signing_keys().await.unwrap();
    assert!(h.service.userinfo(before.access_token()).await.is_ok());
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_error_and_makes_no_new_key() {
    let keys = Arc::new(MemoryKeyStore::new());
    let clock = StepClock::starting_now();
    let first = harness_on(
        Arc::clone(&keys),
        MemoryKeySealer::new(b"right"),
        clock.clone(),
    )
    .await;
    first.service.ensure_signing_keys(&[ALG]).await.unwrap();
    let before = keys.active().await.unwrap();

    let wrong = harness_on(Arc::clone(&keys), MemoryKeySealer::new(b"wrong"), clock).await;
    let err = wrong
        .service
        .ensure_signing_keys(&[ALG, SigningAlg::ES256])
        .await
        .unwrap_err();
    assert!(matches!(err, KeyError::CannotUnwrap { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot unwrap signing key "),
        "{message}"
    );
    assert!(
        message.ends_with("is `secret` the one this store was created with?"),
        "{message}"
    );
    assert!(wrong.service.rotate_signing_key(ALG).await.is_err());
    assert!(wrong.login(&fixtures::fresh_email()).await.is_err());
    assert_eq!(keys.active().await.unwrap(), before, "the store changed");
}

#[tokio::test]
async fn the_previous_key_stays_published_for_the_longest_token_lifetime_then_retires() {
    let keys = Arc::new(MemoryKeyStore::new());
    let clock = StepClock::starting_now();
    let h = harness_on(Arc::clone(&keys), MemoryKeySealer::default(), clock.clone()).await;
    let who = fixtures::fresh_email();
    let before = h.login(&who).await.unwrap();
    let old = kid_of(before.access_token());
    let new = h.service.rotate_signing_key(ALG).await.unwrap();
    assert_eq!(kid_of(h.login(&who).await.unwrap().access_token()), new);
    let refused = h.service.rotate_signing_key(ALG).await.unwrap_err();
    assert!(
        matches!(refused, KeyError::PreviousStillPublished { .. }),
        "{refused:?}"
    );

    let lifetime = h.service.config().previous_key_lifetime();
    assert!(lifetime >= Duration::from_secs(86_400), "{lifetime:?}");
    clock.advance(lifetime - Duration::from_secs(1));
    let published = h.service.jwks().await.unwrap().to_string();
    assert!(published.contains(&old) && published.contains(&new));
    let listed = h.service.list_signing_keys().await.unwrap();
    let state = |kid: &str| listed.iter().find(|k| k.kid == kid).unwrap().state;
    assert_eq!(
        (state(&new), state(&old)),
        (KeyState::Current, KeyState::Previous)
    );

    clock.advance(Duration::from_secs(1));
    let published = h.service.jwks().await.unwrap().to_string();
    assert!(
        published.contains(&new) && !published.contains(&old),
        "{published}"
    );
    let listed = h.service.list_signing_keys().await.unwrap();
    let state = |kid: &str| listed.iter().find(|k| k.kid == kid).unwrap().state;
    assert_eq!(state(&old), KeyState::Retired);
    assert!(!format!("{listed:?}").contains("TKS1"));
    let third = h.service.rotate_signing_key(ALG).await.unwrap();
    assert_ne!(third, new);
}

#[tokio::test]
async fn a_rotation_made_elsewhere_is_seen_after_a_refresh_and_within_the_cache_period() {
    let keys = Arc::new(MemoryKeyStore::new());
    let clock = StepClock::starting_now();
    let here = harness_on(Arc::clone(&keys), MemoryKeySealer::default(), clock.clone()).await;
    let there = harness_on(Arc::clone(&keys), MemoryKeySealer::default(), clock.clone()).await;
    let who = fixtures::fresh_email();
    let old = kid_of(here.login(&who).await.unwrap().access_token());
    let new = there.service.rotate_signing_key(ALG).await.unwrap();
    // `here` still signs with its snapshot until it refreshes …
    assert_eq!(kid_of(here.login(&who).await.unwrap().access_token()), old);
    here.service.refresh_signing_keys().await.unwrap();
    assert_eq!(kid_of(here.login(&who).await.unwrap().access_token()), new);

    // … or, without a refresh, once its snapshot is `key_cache_ttl` old.
    let elsewhere = harness_on(Arc::clone(&keys), MemoryKeySealer::default(), clock.clone()).await;
    assert_eq!(
        kid_of(elsewhere.login(&who).await.unwrap().access_token()),
        new
    );
    clock.advance(here.service.config().previous_key_lifetime());
    assert_eq!(
        kid_of(elsewhere.login(&who).await.unwrap().access_token()),
        new
    );
    let newest = there.service.rotate_signing_key(ALG).await.unwrap();
    assert_eq!(
        kid_of(elsewhere.login(&who).await.unwrap().access_token()),
        new
    );
    clock.advance(elsewhere.service.config().key_cache_ttl);
    assert_eq!(
        kid_of(elsewhere.login(&who).await.unwrap().access_token()),
        newest
    );
}
