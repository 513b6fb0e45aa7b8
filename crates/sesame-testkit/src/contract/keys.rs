//! The [`KeyStore`] checks.
//!
//! Apart from [`an_empty_store_takes_a_first_key_only_when_expecting_none`],
//! which needs an empty store, each check reads the current state first and
//! works from there, so they may run in any order on one store. They may not
//! run at the same time: keys are global, not per test.

use std::sync::Arc;

use sesame_domain::ports::KeyStore;
use sesame_domain::{KeyStatus, SigningAlg, SigningKey};

use super::support::{fail, ok, race};
use crate::fixtures::{fresh_signing_key, real_now};

/// How many rotations race in [`concurrent_rotations_elect_exactly_one`].
const RACERS: usize = 20;

/// Every active key, sorted so two listings compare equal.
async fn active(store: &dyn KeyStore) -> Vec<SigningKey> {
    let mut keys = ok(store.active().await, "active");
    keys.sort_by(|a, b| {
        (a.alg.as_str(), a.status == KeyStatus::Previous, &a.kid).cmp(&(
            b.alg.as_str(),
            b.status == KeyStatus::Previous,
            &b.kid,
        ))
    });
    keys
}

/// The active keys of `alg`: current first.
async fn of_alg(store: &dyn KeyStore, alg: SigningAlg) -> Vec<SigningKey> {
    active(store)
        .await
        .into_iter()
        .filter(|k| k.alg == alg)
        .collect()
}

fn with_status(key: &SigningKey, status: KeyStatus) -> SigningKey {
    SigningKey {
        status,
        ..key.clone()
    }
}

/// Fails unless `got` equals `want`, naming the first fields that differ
/// (never showing key bytes).
#[track_caller]
fn assert_keys(got: &[SigningKey], want: &[SigningKey], what: &str) {
    if got.len() != want.len() {
        fail(&format!("{what}: got {got:?}, want {want:?}"));
    }
    for (g, w) in got.iter().zip(want) {
        let fields = [
            ("kid", g.kid == w.kid),
            ("alg", g.alg == w.alg),
            ("private key bytes", g.private_der() == w.private_der()),
            ("public_jwk", g.public_jwk == w.public_jwk),
            ("created_at", g.created_at == w.created_at),
            ("status", g.status == w.status),
        ];
        let differ: Vec<&str> = fields.iter().filter(|f| !f.1).map(|f| f.0).collect();
        if !differ.is_empty() {
            fail(&format!(
                "{what}: fields {differ:?} differ\n got: {got:?}\nwant: {want:?}"
            ));
        }
    }
}

/// Installs a current `alg` key if there is none; returns the current one.
async fn ensure_current(store: &dyn KeyStore, alg: SigningAlg) -> SigningKey {
    if let Some(k) = of_alg(store, alg).await.into_iter().next() {
        return k;
    }
    let k = fresh_signing_key(alg, real_now());
    assert!(
        ok(store.rotate(&k, None).await, "rotate"),
        "rotate expecting no current key refused on a store without one"
    );
    k
}

/// On an empty store: nothing is active, a rotation expecting some key is
/// refused, the first rotation expecting `None` wins and stores the key
/// unchanged, and a second one expecting `None` is refused.
pub async fn an_empty_store_takes_a_first_key_only_when_expecting_none(store: &dyn KeyStore) {
    assert_keys(&active(store).await, &[], "active keys of an empty store");
    let now = real_now();
    let first = fresh_signing_key(SigningAlg::RS256, now);
    assert!(
        !ok(store.rotate(&first, Some("no-such-kid")).await, "rotate"),
        "rotate expecting a current key succeeded on an empty store"
    );
    assert_keys(&active(store).await, &[], "after a refused rotation");
    assert!(
        ok(store.rotate(&first, None).await, "rotate"),
        "the first rotation expecting None was refused"
    );
    assert_keys(
        &active(store).await,
        std::slice::from_ref(&first),
        "after the first key",
    );
    let second = fresh_signing_key(SigningAlg::RS256, now);
    assert!(
        !ok(store.rotate(&second, None).await, "rotate"),
        "rotate expecting None succeeded although a current key exists"
    );
    assert_keys(&active(store).await, &[first], "after a refused second key");
}

/// A rotation expecting the wrong current key, or none, returns `false` and
/// changes nothing.
pub async fn a_wrong_expectation_changes_nothing(store: &dyn KeyStore) {
    ensure_current(store, SigningAlg::ES256).await;
    let before = active(store).await;
    let new = fresh_signing_key(SigningAlg::ES256, real_now());
    assert!(
        !ok(
            store.rotate(&new, Some("not-the-current-kid")).await,
            "rotate"
        ),
        "rotate expecting a stale kid succeeded"
    );
    assert!(
        !ok(store.rotate(&new, None).await, "rotate"),
        "rotate expecting None succeeded although a current key exists"
    );
    assert_keys(&active(store).await, &before, "after refused rotations");
}

/// Each rotation makes the old current key previous and drops the old
/// previous one; private bytes survive unchanged throughout.
pub async fn rotation_keeps_one_previous_key(store: &dyn KeyStore) {
    let alg = SigningAlg::EdDSA;
    let mut current = ensure_current(store, alg).await;
    let now = real_now();
    for _ in 0..3 {
        let new = fresh_signing_key(alg, now);
        assert!(
            ok(store.rotate(&new, Some(&current.kid)).await, "rotate"),
            "rotate expecting the current kid was refused"
        );
        let want = [new.clone(), with_status(&current, KeyStatus::Previous)];
        assert_keys(&of_alg(store, alg).await, &want, "keys after a rotation");
        current = new;
    }
}

/// Rotating one algorithm leaves the keys of the others untouched.
pub async fn algorithms_are_independent(store: &dyn KeyStore) {
    for alg in SigningAlg::ALL {
        ensure_current(store, alg).await;
    }
    for alg in SigningAlg::ALL {
        let others_before: Vec<SigningKey> = active(store)
            .await
            .into_iter()
            .filter(|k| k.alg != alg)
            .collect();
        let current = ensure_current(store, alg).await;
        let new = fresh_signing_key(alg, real_now());
        assert!(
            ok(store.rotate(&new, Some(&current.kid)).await, "rotate"),
            "rotate expecting the current kid was refused"
        );
        let others_after: Vec<SigningKey> = active(store)
            .await
            .into_iter()
            .filter(|k| k.alg != alg)
            .collect();
        assert_keys(&others_after, &others_before, "other algorithms' keys");
    }
}

/// Of concurrent rotations expecting the same current key, exactly one
/// returns `true`, and its key is current afterwards.
pub async fn concurrent_rotations_elect_exactly_one(store: &Arc<dyn KeyStore>) {
    let alg = SigningAlg::RS256;
    let current = ensure_current(store.as_ref(), alg).await;
    let now = real_now();
    let candidates: Vec<SigningKey> = (0..RACERS).map(|_| fresh_signing_key(alg, now)).collect();
    let results = race(RACERS, |i| {
        let store = Arc::clone(store);
        let key = candidates[i].clone();
        let expected = current.kid.clone();
        async move { ok(store.rotate(&key, Some(&expected)).await, "rotate") }
    })
    .await;
    let winners: Vec<&SigningKey> = candidates
        .iter()
        .zip(&results)
        .filter(|(_, won)| **won)
        .map(|(k, _)| k)
        .collect();
    let [winner] = winners.as_slice() else {
        fail(&format!(
            "{RACERS} concurrent rotations: {} returned true",
            winners.len()
        ));
    };
    let want = [
        (*winner).clone(),
        with_status(&current, KeyStatus::Previous),
    ];
    assert_keys(&of_alg(store.as_ref(), alg).await, &want, "after the race");
}

/// `reseal` replaces a key's private bytes only while they are still the
/// expected ones, touches nothing else, and of concurrent reseals from the
/// same bytes exactly one wins.
pub async fn reseal_is_a_compare_and_set_on_the_private_bytes(store: &Arc<dyn KeyStore>) {
    let alg = SigningAlg::ES256;
    let current = ensure_current(store.as_ref(), alg).await;
    let others = active(store.as_ref()).await;
    let sealed = fresh_signing_key(alg, real_now());
    let to = sealed.private_der();
    assert!(
        !ok(
            store.reseal("no-such-kid", current.private_der(), to).await,
            "reseal"
        ),
        "reseal of an unknown kid succeeded"
    );
    assert!(
        !ok(store.reseal(&current.kid, to, to).await, "reseal"),
        "reseal from bytes the key does not have succeeded"
    );
    assert_keys(
        &active(store.as_ref()).await,
        &others,
        "after refused reseals",
    );
    let results = race(RACERS, |_| {
        let store = Arc::clone(store);
        let kid = current.kid.clone();
        let from = current.private_der().to_vec();
        let to = to.to_vec();
        async move { ok(store.reseal(&kid, &from, &to).await, "reseal") }
    })
    .await;
    let winners = results.iter().filter(|won| **won).count();
    if winners != 1 {
        fail(&format!(
            "{winners} of {RACERS} concurrent reseals won, want 1"
        ));
    }
    let want: Vec<SigningKey> = others
        .iter()
        .map(|k| {
            if k.kid == current.kid {
                SigningKey {
                    private_der: Arc::clone(&sealed.private_der),
                    ..k.clone()
                }
            } else {
                k.clone()
            }
        })
        .collect();
    assert_keys(&active(store.as_ref()).await, &want, "after the reseal");
}
