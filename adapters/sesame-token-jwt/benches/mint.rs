//! What minting costs: key generation, one access + id token pair per
//! algorithm, verification, a DPoP proof's check, the saving of the parsed-key cache over
//! jsonwebtoken's `encode` (which parses the key on every call), and whether
//! RS256 signing should move to `spawn_blocking` on a tokio runtime.
//!
//! `cargo bench -p sesame-token-jwt --features tokio` (add `-- --quick` for
//! a fast pass); without the feature the `rs256_on_tokio` group is skipped.

#![expect(
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark: a failed setup step should stop it loudly"
)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::executor::block_on;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sesame_domain::ports::{DpopProofVerifier as _, TokenMinter};
use sesame_domain::{AccessClaims, IdClaims, SigningAlg, SigningKey, Timestamp};
use sesame_testkit::dpop::DpopKey;
use sesame_token_jwt::{JwtDpopVerifier, JwtMinter};

const ISSUER: &str = "https://sesame.bench/";

fn now() -> Timestamp {
    Timestamp::from_unix_seconds(1_790_000_000)
}

fn access_claims() -> AccessClaims {
    AccessClaims {
        iss: ISSUER.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: vec![
            "https://api.example.com".to_owned(),
            format!("{ISSUER}userinfo"),
        ],
        azp: "client-1".to_owned(),
        scope: "openid email offline_access".to_owned(),
        iat: now().unix_seconds(),
        exp: now().unix_seconds() + 86_400,
        jti: "00112233445566778899aabbccddeeff".to_owned(),
        cnf: None,
        gty: None,
    }
}

fn id_claims() -> IdClaims {
    IdClaims {
        iss: ISSUER.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: "client-1".to_owned(),
        iat: now().unix_seconds(),
        exp: now().unix_seconds() + 36_000,
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        at_hash: None,
        amr: None,
        email: Some("ada@example.com".to_owned()),
        email_verified: Some(true),
        phone_number: None,
        phone_verified: None,
        name: "ada@example.com".to_owned(),
        nickname: "ada".to_owned(),
        updated_at: now().to_rfc3339(),
    }
}

/// Mints what the token endpoint mints for an `openid` request.
fn mint_pair(minter: &JwtMinter, key: &SigningKey) -> (String, String) {
    let access = block_on(minter.sign_access(key, &access_claims())).unwrap();
    let id = block_on(minter.sign_id(key, &id_claims())).unwrap();
    (access, id)
}

fn keygen(c: &mut Criterion) {
    let minter = JwtMinter::new();
    let mut group = c.benchmark_group("keygen");
    group.sample_size(10);
    for alg in SigningAlg::ALL {
        group.bench_function(BenchmarkId::from_parameter(alg.as_str()), |b| {
            b.iter(|| minter.generate_key(black_box(alg), now()).unwrap());
        });
    }
    group.finish();
}

fn mint(c: &mut Criterion) {
    let minter = JwtMinter::new();
    let mut group = c.benchmark_group("mint_access_and_id");
    for alg in SigningAlg::ALL {
        let key = minter.generate_key(alg, now()).unwrap();
        mint_pair(&minter, &key);
        group.bench_function(BenchmarkId::from_parameter(alg.as_str()), |b| {
            b.iter(|| mint_pair(&minter, black_box(&key)));
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let minter = JwtMinter::new();
    let mut group = c.benchmark_group("verify_access");
    for alg in SigningAlg::ALL {
        let keys = [minter.generate_key(alg, now()).unwrap()];
        let token = block_on(minter.sign_access(&keys[0], &access_claims())).unwrap();
        group.bench_function(BenchmarkId::from_parameter(alg.as_str()), |b| {
            b.iter(|| {
                minter
                    .verify_access(black_box(&token), &keys, ISSUER)
                    .unwrap()
            });
        });
    }
    group.finish();
}

/// A DPoP proof's check (header, `jwk`, one ES256 signature, claims, RFC
/// 7638 thumbprint): what `--dpop` adds to a token request besides the
/// replay store's write.
fn dpop_verify(c: &mut Criterion) {
    let verifier = JwtDpopVerifier;
    let proof = DpopKey::es256_test_key(0)
        .proof("POST", "https://sesame.bench/oauth/token")
        .nonce(Some("0123456789abcdef0123456789abcdef"))
        .sign();
    let mut group = c.benchmark_group("dpop_proof");
    group.bench_function("verify_ES256", |b| {
        b.iter(|| verifier.verify(black_box(&proof)).unwrap());
    });
    group.finish();
}

/// jsonwebtoken's `EncodingKey` for `key`. RSA goes through PKCS#8 PEM,
/// from which jsonwebtoken takes the PKCS#1 key its aws-lc-rs backend wants.
fn jsonwebtoken_key(key: &SigningKey) -> EncodingKey {
    match key.alg {
        SigningAlg::RS256 => {
            let pem = format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                STANDARD.encode(key.private_der())
            );
            EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
        }
        SigningAlg::ES256 => EncodingKey::from_ec_der(key.private_der()),
        SigningAlg::EdDSA => EncodingKey::from_ed_der(key.private_der()),
    }
}

/// One access token: from the parsed-key cache, and through
/// `jsonwebtoken::encode` with an `EncodingKey` made once (which still
/// parses and checks the DER inside every call).
fn sign_paths(c: &mut Criterion) {
    let minter = JwtMinter::new();
    let mut group = c.benchmark_group("sign_access");
    for alg in SigningAlg::ALL {
        let key = minter.generate_key(alg, now()).unwrap();
        let encoding = jsonwebtoken_key(&key);
        let mut header = Header::new(match alg {
            SigningAlg::RS256 => Algorithm::RS256,
            SigningAlg::ES256 => Algorithm::ES256,
            SigningAlg::EdDSA => Algorithm::EdDSA,
        });
        header.kid = Some(key.kid.clone());
        let from_jsonwebtoken = jsonwebtoken::encode(&header, &access_claims(), &encoding).unwrap();
        minter
            .verify_access(&from_jsonwebtoken, std::slice::from_ref(&key), ISSUER)
            .unwrap();

        group.bench_function(BenchmarkId::new("cached_key", alg.as_str()), |b| {
            b.iter(|| block_on(minter.sign_access(black_box(&key), &access_claims())).unwrap());
        });
        group.bench_function(BenchmarkId::new("jsonwebtoken_encode", alg.as_str()), |b| {
            b.iter(|| {
                jsonwebtoken::encode(&header, &access_claims(), black_box(&encoding)).unwrap()
            });
        });
    }
    group.finish();
}

/// RS256 on a two-worker tokio runtime, signed inline or (feature `tokio`,
/// `offload_rs256`) on the blocking pool: the latency of one mint, the time
/// for 32 concurrent mints, and how long a trivial task spawned behind those
/// 32 waits to run.
#[cfg(feature = "tokio")]
fn rs256_on_tokio(c: &mut Criterion) {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    const BURST: usize = 32;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let key = Arc::new(
        JwtMinter::new()
            .generate_key(SigningAlg::RS256, now())
            .unwrap(),
    );
    let mut group = c.benchmark_group("rs256_on_tokio");
    for (name, minter) in [
        ("inline", JwtMinter::new()),
        ("spawn_blocking", JwtMinter::new().offload_rs256()),
    ] {
        let minter = Arc::new(minter);
        mint_pair(&minter, &key);
        let sign = |minter: Arc<JwtMinter>, key: Arc<SigningKey>| async move {
            minter.sign_access(&key, &access_claims()).await.unwrap()
        };
        let burst = || -> Vec<_> {
            (0..BURST)
                .map(|_| tokio::spawn(sign(Arc::clone(&minter), Arc::clone(&key))))
                .collect()
        };
        group.bench_function(BenchmarkId::new("one", name), |b| {
            b.to_async(&rt)
                .iter(|| sign(Arc::clone(&minter), Arc::clone(&key)));
        });
        group.bench_function(BenchmarkId::new("burst_of_32", name), |b| {
            b.to_async(&rt).iter(|| async {
                for t in burst() {
                    t.await.unwrap();
                }
            });
        });
        group.bench_function(BenchmarkId::new("task_wait_behind_burst", name), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut waited = Duration::ZERO;
                    for _ in 0..iters {
                        let tasks = burst();
                        let spawned = Instant::now();
                        waited += tokio::spawn(async move { spawned.elapsed() })
                            .await
                            .unwrap();
                        for t in tasks {
                            t.await.unwrap();
                        }
                    }
                    waited
                })
            });
        });
    }
    group.finish();
}

#[cfg(feature = "tokio")]
criterion_group!(
    benches,
    keygen,
    mint,
    verify,
    dpop_verify,
    sign_paths,
    rs256_on_tokio
);
#[cfg(not(feature = "tokio"))]
criterion_group!(benches, keygen, mint, verify, dpop_verify, sign_paths);
criterion_main!(benches);
