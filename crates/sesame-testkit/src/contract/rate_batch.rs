//! The [`RateLimiter`] checks of batches: `reserve_all` (all or nothing)
//! and `settle`, which let a step touch all its counters in one call.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::RateLimiter;
use sesame_domain::{RateKey, RateLimit, Refuser, Reservation, Timestamp};

use super::support::{fail, ok, race};
use crate::fixtures::{real_now, unique_hex};

/// How many batches race in [`concurrent_batches_take_all_or_nothing`].
const RACERS: usize = 50;

fn fresh_key() -> String {
    format!("contract:batch:{}", unique_hex())
}

fn hour(limit: u32) -> RateLimit {
    RateLimit::new(limit, Duration::from_secs(3_600))
}

async fn remaining(l: &dyn RateLimiter, key: &str, rule: RateLimit, now: Timestamp) -> u32 {
    ok(l.peek(key, rule, now).await, "peek").remaining
}

async fn reserve_all(
    l: &dyn RateLimiter,
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    now: Timestamp,
) -> Reservation {
    ok(l.reserve_all(take, need, now).await, "reserve_all")
}

/// A batch with room everywhere takes one unit of each `take` counter and
/// answers each counter's decision in order; `need` counters are not
/// counted. Fresh counters with a limit of one are all taken: a store that
/// checked each row after writing the one before would refuse the second.
pub async fn a_batch_with_room_takes_one_unit_of_each_counter(limiter: &dyn RateLimiter) {
    let (a, b, c, g) = (fresh_key(), fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let take = [
        RateKey::new(&a, hour(1)),
        RateKey::new(&b, hour(1)),
        RateKey::new(&c, hour(5)),
    ];
    let need = [RateKey::new(&g, hour(1))];
    match reserve_all(limiter, &take, &need, now).await {
        Reservation::Taken(d) => {
            let got: Vec<_> = d
                .iter()
                .map(|d| (d.allowed, d.remaining, d.limit))
                .collect();
            assert_eq!(
                got,
                [(true, 0, 1), (true, 0, 1), (true, 4, 5)],
                "decisions of a batch on fresh counters, in the order given"
            );
        }
        refused @ Reservation::Refused { .. } => fail(&format!(
            "a batch on fresh counters was refused: {refused:?}"
        )),
    }
    assert_eq!(
        remaining(limiter, &g, hour(1), now).await,
        1,
        "a `need` counter was counted"
    );
    assert_eq!(
        reserve_all(limiter, &[], &[], now).await,
        Reservation::Taken(vec![]),
        "an empty batch"
    );
}

/// When one counter has no room, the batch takes nothing, and names that
/// counter with a peek's decision.
pub async fn a_batch_without_room_somewhere_takes_nothing(limiter: &dyn RateLimiter) {
    let (a, b, g) = (fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let full = [RateKey::new(&b, hour(1))];
    assert!(
        matches!(
            reserve_all(limiter, &full, &[], now).await,
            Reservation::Taken(_)
        ),
        "the first unit of a counter of limit 1"
    );
    let take = [RateKey::new(&a, hour(3)), RateKey::new(&b, hour(1))];
    match reserve_all(limiter, &take, &[], now).await {
        Reservation::Refused { by, decision } => {
            assert_eq!(by, Refuser::Take(1), "the counter without room");
            assert_eq!(
                (decision.allowed, decision.remaining, decision.limit),
                (false, 0, 1),
                "the refusing counter's decision"
            );
        }
        taken @ Reservation::Taken(_) => fail(&format!("a batch over a limit was {taken:?}")),
    }
    assert_eq!(
        remaining(limiter, &a, hour(3), now).await,
        3,
        "a refused batch took a unit of a counter that had room"
    );

    ok(limiter.hit(&g, hour(1), now).await, "hit");
    let take = [RateKey::new(&a, hour(3))];
    let need = [RateKey::new(&a, hour(9)), RateKey::new(&g, hour(1))];
    match reserve_all(limiter, &take, &need, now).await {
        Reservation::Refused { by, decision } => {
            assert_eq!(by, Refuser::Need(1), "the `need` counter without room");
            assert!(!decision.allowed, "the refusing counter's decision");
        }
        taken @ Reservation::Taken(_) => fail(&format!(
            "a batch whose `need` counter is full was {taken:?}"
        )),
    }
    assert_eq!(
        remaining(limiter, &a, hour(3), now).await,
        3,
        "a batch refused by a `need` counter took a unit"
    );
    let zero = [RateKey::new(&a, hour(0))];
    assert!(
        matches!(
            reserve_all(limiter, &zero, &[], now).await,
            Reservation::Refused { .. }
        ),
        "a counter with a limit of zero has no room"
    );
}

/// One key under two window lengths is two counters in a batch too.
pub async fn a_batch_keeps_window_lengths_apart(limiter: &dyn RateLimiter) {
    let k = fresh_key();
    let now = real_now();
    let day = RateLimit::new(3, Duration::from_secs(86_400));
    let take = [RateKey::new(&k, day), RateKey::new(&k, hour(1))];
    assert!(
        matches!(
            reserve_all(limiter, &take, &[], now).await,
            Reservation::Taken(_)
        ),
        "one key under a day and an hour"
    );
    assert!(
        matches!(
            reserve_all(limiter, &take, &[], now).await,
            Reservation::Refused {
                by: Refuser::Take(1),
                ..
            }
        ),
        "the hour's counter is full"
    );
    assert_eq!(
        remaining(limiter, &k, day, now).await,
        2,
        "the day's counter after one batch taken and one refused"
    );
}

/// Of `N` concurrent batches over a counter with a budget of `B < N` and a
/// roomy one, exactly `B` are taken, and the roomy counter is counted
/// exactly `B` times: refused batches leave nothing behind.
pub async fn concurrent_batches_take_all_or_nothing(limiter: &Arc<dyn RateLimiter>) {
    let budget = 10_u32;
    let (tight, roomy) = (fresh_key(), fresh_key());
    let now = real_now();
    let taken = race(RACERS, |i| {
        let limiter = Arc::clone(limiter);
        let (tight, roomy) = (tight.clone(), roomy.clone());
        async move {
            // Half the racers name the counters the other way round, so a
            // store that locks them in the given order could deadlock.
            let (first, second) = (
                RateKey::new(&tight, hour(budget)),
                RateKey::new(&roomy, hour(1_000)),
            );
            let take = if i % 2 == 0 {
                [first, second]
            } else {
                [second, first]
            };
            matches!(
                ok(limiter.reserve_all(&take, &[], now).await, "reserve_all"),
                Reservation::Taken(_)
            )
        }
    })
    .await
    .into_iter()
    .filter(|&t| t)
    .count();
    assert_eq!(
        taken, budget as usize,
        "{RACERS} concurrent batches on a budget of {budget}: taken"
    );
    assert_eq!(
        remaining(limiter.as_ref(), &tight, hour(budget), now).await,
        0,
        "the tight counter after the race"
    );
    assert_eq!(
        remaining(limiter.as_ref(), &roomy, hour(1_000), now).await,
        1_000 - budget,
        "the roomy counter must count only the batches taken"
    );
}

/// `settle` gives back one unit of each `release` counter and starts each
/// `reset` counter over, and changes nothing on counters it has never seen.
pub async fn settle_releases_and_resets_together(limiter: &dyn RateLimiter) {
    let (a, b, fresh) = (fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let take = [RateKey::new(&a, hour(5)), RateKey::new(&b, hour(5))];
    for _ in 0..3 {
        reserve_all(limiter, &take, &[], now).await;
    }
    ok(
        limiter
            .settle(
                &[RateKey::new(&a, hour(5)), RateKey::new(&fresh, hour(5))],
                &[RateKey::new(&b, hour(5)), RateKey::new(&fresh, hour(7))],
                now,
            )
            .await,
        "settle",
    );
    assert_eq!(
        remaining(limiter, &a, hour(5), now).await,
        3,
        "three taken, one released"
    );
    assert_eq!(
        remaining(limiter, &b, hour(5), now).await,
        5,
        "after a reset the whole budget is left"
    );
    assert_eq!(
        remaining(limiter, &fresh, hour(5), now).await,
        5,
        "a release of a fresh counter went below zero"
    );
    ok(limiter.settle(&[], &[], now).await, "an empty settle");
}
