//! Start + exchange on in-memory adapters: the domain's own cost per login,
//! without I/O or real signatures (the testkit's HMAC minter stands in for
//! JWT signing, which `sesame-token-jwt`'s `mint` benchmark measures).

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark whose setup fails should stop loudly"
)]

use criterion::{Criterion, criterion_main};
use sesame_domain::RateLimit;
use sesame_testkit::{Harness, fixtures};

fn flows(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let h = rt.block_on(async {
        Harness::builder()
            // Benchmarks log in as many recipients from one "IP": lift the
            // limits so the limiter's bookkeeping is measured, not refusals.
            .configure(|c| {
                c.start_per_ip = RateLimit::new(u32::MAX, c.start_per_ip.window);
                c.start_per_recipient = RateLimit::new(u32::MAX, c.start_per_recipient.window);
            })
            .build()
            .await
            .unwrap()
    });

    c.bench_function("start (email, code)", |b| {
        b.to_async(&rt).iter(|| async {
            h.start(&fixtures::fresh_email()).await.unwrap();
        });
    });

    c.bench_function(
        "start + exchange, first login (openid offline_access)",
        |b| {
            b.to_async(&rt).iter(|| async {
                h.login(&fixtures::fresh_email()).await.unwrap();
            });
        },
    );

    let returning = fixtures::fresh_email();
    c.bench_function("start + exchange, returning user", |b| {
        b.to_async(&rt).iter(|| async {
            h.login(&returning).await.unwrap();
        });
    });

    h.outbox.clear();
}

// Private, so the undocumented functions criterion's macros generate are
// not public items.
mod group {
    use criterion::{Criterion, criterion_group};

    criterion_group! {
        name = benches;
        config = Criterion::default();
        targets = super::flows
    }
}

criterion_main!(group::benches);
