//! The [`StepStore`] checks: a start's limits and challenge together, a
//! redemption's reservation and read, and its consume and settlement.
//!
//! Each check looks at the effects through the plain ports the store works
//! on ([`RateLimiter::peek`], [`ChallengeStore::latest`]), so a store that
//! answers right but writes wrong is caught too.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, RateLimiter, Settlement, StepStore};
use sesame_domain::{
    AuthParams, Challenge, ChallengeId, PkceChallenge, PkceMethod, RateKey, RateLimit, Refuser,
    Reservation, ResponseType, SendMode, Timestamp,
};

use super::challenges::{ago, assert_same};
use super::support::{fail, ok, race, some};
use crate::fixtures::{
    fresh_challenge, fresh_email, fresh_mac, fresh_phone, random_bytes, real_now, redirect_uri,
    scope, unique_hex,
};

/// How many tasks race in the concurrency checks.
const RACERS: usize = 50;

/// The [`StepStore`] under test and the two ports it works on, through which
/// the checks look at its effects.
#[derive(Clone)]
pub struct StepsUnderTest {
    /// The store under test.
    pub steps: Arc<dyn StepStore>,
    /// The rate limiter whose counters `steps` takes and settles.
    pub limiter: Arc<dyn RateLimiter>,
    /// The challenge store whose challenges `steps` stores, reads and
    /// consumes.
    pub challenges: Arc<dyn ChallengeStore>,
}

/// No counter to give back or start over.
const NOTHING: Settlement<'static> = Settlement {
    release: &[],
    reset: &[],
};

fn fresh_key() -> String {
    format!("contract:steps:{}", unique_hex())
}

fn hour(limit: u32) -> RateLimit {
    RateLimit::new(limit, Duration::from_secs(3_600))
}

async fn remaining(t: &StepsUnderTest, key: &str, rule: RateLimit, now: Timestamp) -> u32 {
    ok(t.limiter.peek(key, rule, now).await, "peek").remaining
}

/// Takes `n` units of `key` through the plain limiter.
async fn take_units(t: &StepsUnderTest, key: &str, rule: RateLimit, n: u32, now: Timestamp) {
    for _ in 0..n {
        let d = ok(t.limiter.reserve(key, rule, now).await, "reserve");
        if !d.allowed {
            fail("filling a counter: a reservation below its limit was refused");
        }
    }
}

async fn latest(t: &StepsUnderTest, ch: &Challenge) -> Option<Challenge> {
    ok(t.challenges.latest(&ch.key()).await, "latest")
}

async fn admit(
    t: &StepsUnderTest,
    take: &[RateKey<'_>],
    ch: &Challenge,
    now: Timestamp,
) -> Reservation {
    ok(
        t.steps.admit_challenge(take, ch, now).await,
        "admit_challenge",
    )
}

async fn reserve_and_read(
    t: &StepsUnderTest,
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    ch: &Challenge,
    now: Timestamp,
) -> (Reservation, Option<Challenge>) {
    ok(
        t.steps.reserve_and_read(take, need, &ch.key(), now).await,
        "reserve_and_read",
    )
}

async fn consume_and_settle(
    t: &StepsUnderTest,
    ch: &Challenge,
    id: &ChallengeId,
    now: Timestamp,
    won: Settlement<'_>,
    lost: Settlement<'_>,
) -> bool {
    ok(
        t.steps
            .consume_and_settle(&ch.key(), id, now, won, lost)
            .await,
        "consume_and_settle",
    )
}

/// A challenge with every optional field set, so a store that writes it
/// its own way must keep them all.
fn full_challenge(now: Timestamp) -> Challenge {
    let mut ch = fresh_challenge(fresh_email(), now);
    ch.send = SendMode::Link;
    ch.auth_params = AuthParams {
        scope: Some(scope("openid profile email offline_access")),
        state: Some("st@te with spaces & \"quotes\" / ünïcødé ✓".to_owned()),
        redirect_uri: Some(redirect_uri("https://app.example.com/cb?x=1&y=%2F")),
        response_type: Some(ResponseType::IdTokenToken),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        audience: Some("https://api.example.com/".to_owned()),
        code_challenge: PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").ok(),
        code_challenge_method: Some(PkceMethod::S256),
    };
    ch.link_mac = Some(fresh_mac());
    ch.attempts_left = 7;
    ch
}

/// A second challenge for `ch`'s key, as a new start makes.
fn successor(ch: &Challenge, now: Timestamp) -> Challenge {
    let mut next = fresh_challenge(ch.recipient.clone(), now);
    next.client_id = ch.client_id.clone();
    next
}

/// An admitted start takes one unit of each counter, answering each
/// decision in order, and stores the challenge with every field unchanged,
/// replacing the key's earlier challenge (whose id is then unknown). An
/// empty `take` admits.
pub async fn an_admitted_start_stores_the_challenge_and_takes_a_unit_of_each_counter(
    t: &StepsUnderTest,
) {
    let (a, b) = (fresh_key(), fresh_key());
    let now = real_now();
    let old = full_challenge(now);
    ok(t.challenges.put(&old).await, "put");
    let mut ch = successor(&old, now);
    ch.auth_params = old.auth_params.clone();
    ch.link_mac = Some(fresh_mac());
    let take = [RateKey::new(&a, hour(1)), RateKey::new(&b, hour(5))];
    match admit(t, &take, &ch, now).await {
        Reservation::Taken(d) => {
            let got: Vec<_> = d
                .iter()
                .map(|d| (d.allowed, d.remaining, d.limit))
                .collect();
            assert_eq!(
                got,
                [(true, 0, 1), (true, 4, 5)],
                "decisions of an admitted start, in the order given"
            );
        }
        refused @ Reservation::Refused { .. } => fail(&format!(
            "a start on fresh counters was refused: {refused:?}"
        )),
    }
    assert_eq!(
        (
            remaining(t, &a, hour(1), now).await,
            remaining(t, &b, hour(5), now).await
        ),
        (0, 4),
        "the counters after an admitted start"
    );
    let got = some(latest(t, &ch).await, "latest after an admitted start");
    assert_same(&got, &ch, "the challenge of an admitted start");
    assert!(
        !ok(
            t.challenges.consume(&old.key(), &old.id, now).await,
            "consume(old)"
        ),
        "an admitted start must replace the key's earlier challenge"
    );

    let bare = fresh_challenge(fresh_phone(), now);
    assert_eq!(
        admit(t, &[], &bare, now).await,
        Reservation::Taken(vec![]),
        "a start without counters"
    );
    let got = some(
        latest(t, &bare).await,
        "latest after a start without counters",
    );
    assert_same(&got, &bare, "the challenge of a start without counters");
}

/// A start refused by any of its counters takes nothing, stores nothing
/// and leaves the key's earlier challenge untouched; it names the counter
/// without room with a peek's decision.
pub async fn a_refused_start_stores_nothing_and_takes_nothing(t: &StepsUnderTest) {
    let (a, b) = (fresh_key(), fresh_key());
    let now = real_now();
    take_units(t, &b, hour(1), 1, now).await;
    let old = full_challenge(now);
    ok(t.challenges.put(&old).await, "put");
    let new = successor(&old, now);
    let take = [RateKey::new(&a, hour(3)), RateKey::new(&b, hour(1))];
    match admit(t, &take, &new, now).await {
        Reservation::Refused { by, decision } => {
            assert_eq!(by, Refuser::Take(1), "the counter without room");
            assert_eq!(
                (decision.allowed, decision.remaining, decision.limit),
                (false, 0, 1),
                "the refusing counter's decision"
            );
        }
        taken @ Reservation::Taken(_) => fail(&format!("a start over a limit was {taken:?}")),
    }
    assert_eq!(
        remaining(t, &a, hour(3), now).await,
        3,
        "a refused start took a unit of a counter that had room"
    );
    let got = some(latest(t, &old).await, "latest after a refused start");
    assert_same(
        &got,
        &old,
        "the earlier challenge after a refused start of its key",
    );

    let first = fresh_challenge(fresh_email(), now);
    let zero = [RateKey::new(&a, hour(0))];
    assert!(
        matches!(
            admit(t, &zero, &first, now).await,
            Reservation::Refused {
                by: Refuser::Take(0),
                ..
            }
        ),
        "a counter with a limit of zero has no room"
    );
    assert!(
        latest(t, &first).await.is_none(),
        "a refused start stored its challenge"
    );
}

/// Of `N` concurrent starts for one key over a counter with a budget of
/// `B < N` and a roomy one, at most `B` are admitted; each counter counts
/// exactly the admitted ones; and the challenge left is an admitted one.
pub async fn concurrent_starts_never_pass_a_limit(t: &StepsUnderTest) {
    let budget = 10_u32;
    let (tight, roomy) = (fresh_key(), fresh_key());
    let now = real_now();
    let first = fresh_challenge(fresh_email(), now);
    let racers: Vec<Challenge> = (0..RACERS).map(|_| successor(&first, now)).collect();
    let outcomes = race(RACERS, |i| {
        let t = t.clone();
        let (tight, roomy, ch) = (tight.clone(), roomy.clone(), racers[i].clone());
        async move {
            let take = [
                RateKey::new(&tight, hour(budget)),
                RateKey::new(&roomy, hour(1_000)),
            ];
            matches!(admit(&t, &take, &ch, now).await, Reservation::Taken(_))
        }
    })
    .await;
    let admitted: Vec<&Challenge> = racers
        .iter()
        .zip(&outcomes)
        .filter(|&(_, &taken)| taken)
        .map(|(ch, _)| ch)
        .collect();
    let n = u32::try_from(admitted.len()).unwrap_or(u32::MAX);
    assert!(
        n > 0 && n <= budget,
        "{RACERS} concurrent starts on a budget of {budget}: {n} admitted"
    );
    assert_eq!(
        remaining(t, &tight, hour(budget), now).await,
        budget - n,
        "the tight counter must count exactly the admitted starts"
    );
    assert_eq!(
        remaining(t, &roomy, hour(1_000), now).await,
        1_000 - n,
        "the roomy counter must count exactly the admitted starts"
    );
    let got = some(latest(t, &first).await, "latest after the race");
    if !admitted.iter().any(|ch| ch.id == got.id) {
        fail("the challenge left after concurrent starts is one of a refused start");
    }
}

/// A taken reservation reads the key's challenge as `latest` does, every
/// field unchanged, after counting the `take` counters and not the `need`
/// ones; a consumed challenge reads consumed. Empty batches are taken.
pub async fn a_taken_reservation_reads_the_latest_challenge(t: &StepsUnderTest) {
    let (a, g) = (fresh_key(), fresh_key());
    let now = real_now();
    let ch = full_challenge(now);
    ok(t.challenges.put(&ch).await, "put");
    let take = [RateKey::new(&a, hour(2))];
    let need = [RateKey::new(&g, hour(1))];
    match reserve_and_read(t, &take, &need, &ch, now).await {
        (Reservation::Taken(d), read) => {
            let got: Vec<_> = d
                .iter()
                .map(|d| (d.allowed, d.remaining, d.limit))
                .collect();
            assert_eq!(got, [(true, 1, 2)], "the decision of a taken reservation");
            let read = some(read, "the challenge of a taken reservation");
            assert_same(&read, &ch, "the challenge a taken reservation read");
        }
        refused => fail(&format!(
            "a reservation on fresh counters was refused: {refused:?}"
        )),
    }
    assert_eq!(
        (
            remaining(t, &a, hour(2), now).await,
            remaining(t, &g, hour(1), now).await
        ),
        (1, 1),
        "the `take` counter counts one unit, the `need` counter none"
    );

    ok(
        t.challenges.consume(&ch.key(), &ch.id, now).await,
        "consume",
    );
    let (reservation, read) = reserve_and_read(t, &[], &[], &ch, now).await;
    assert_eq!(reservation, Reservation::Taken(vec![]), "an empty batch");
    let read = some(read, "the challenge of an empty batch");
    let mut want = ch.clone();
    want.consumed = true;
    assert_same(&read, &want, "the challenge read after a consume");
}

/// A reservation refused by a `take` or a `need` counter reads nothing,
/// takes nothing and names the counter without room.
pub async fn a_refused_reservation_reads_nothing_and_takes_nothing(t: &StepsUnderTest) {
    let (a, b, g) = (fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    ok(t.challenges.put(&ch).await, "put");
    take_units(t, &b, hour(1), 1, now).await;
    let take = [RateKey::new(&a, hour(3)), RateKey::new(&b, hour(1))];
    match reserve_and_read(t, &take, &[], &ch, now).await {
        (Reservation::Refused { by, decision }, read) => {
            assert_eq!(by, Refuser::Take(1), "the `take` counter without room");
            assert_eq!(
                (decision.allowed, decision.remaining, decision.limit),
                (false, 0, 1),
                "the refusing counter's decision"
            );
            assert!(read.is_none(), "a refused reservation read the challenge");
        }
        taken => fail(&format!("a reservation over a limit was {taken:?}")),
    }

    ok(t.limiter.hit(&g, hour(1), now).await, "hit");
    let take = [RateKey::new(&a, hour(3))];
    let need = [RateKey::new(&a, hour(9)), RateKey::new(&g, hour(1))];
    match reserve_and_read(t, &take, &need, &ch, now).await {
        (Reservation::Refused { by, decision }, read) => {
            assert_eq!(by, Refuser::Need(1), "the `need` counter without room");
            assert!(!decision.allowed, "the refusing counter's decision");
            assert!(
                read.is_none(),
                "a reservation refused by a `need` counter read the challenge"
            );
        }
        taken => fail(&format!(
            "a reservation whose `need` counter is full was {taken:?}"
        )),
    }
    assert_eq!(
        (
            remaining(t, &a, hour(3), now).await,
            remaining(t, &a, hour(9), now).await,
            remaining(t, &g, hour(1), now).await,
        ),
        (3, 9, 0),
        "refused reservations changed a counter"
    );
    let got = some(latest(t, &ch).await, "latest after refused reservations");
    assert_same(&got, &ch, "the challenge after refused reservations");
}

/// A taken reservation for a key with no challenge reads `None`, and still
/// counts its unit.
pub async fn a_reservation_for_a_key_without_a_challenge_reads_none(t: &StepsUnderTest) {
    let a = fresh_key();
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    let take = [RateKey::new(&a, hour(4))];
    match reserve_and_read(t, &take, &[], &ch, now).await {
        (Reservation::Taken(d), read) => {
            assert_eq!(d.len(), 1, "one decision per `take` counter");
            assert!(read.is_none(), "a key with no challenge read one");
        }
        refused => fail(&format!(
            "a reservation on a fresh counter was refused: {refused:?}"
        )),
    }
    assert_eq!(
        remaining(t, &a, hour(4), now).await,
        3,
        "a taken reservation for a key without a challenge"
    );
}

/// A right code consumes the challenge once: the first call flips it
/// (`latest` shows it consumed, nothing else changed) and settles `won`,
/// giving back a unit of each `release` counter and starting each `reset`
/// counter over; the next call returns `false` and settles `lost`.
pub async fn consume_and_settle_flips_once_and_settles_won_then_lost(t: &StepsUnderTest) {
    let (failures, streak, other) = (fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let ch = full_challenge(now);
    ok(t.challenges.put(&ch).await, "put");
    take_units(t, &failures, hour(5), 2, now).await;
    take_units(t, &streak, hour(5), 3, now).await;
    take_units(t, &other, hour(5), 2, now).await;
    let counts = async || {
        (
            remaining(t, &failures, hour(5), now).await,
            remaining(t, &streak, hour(5), now).await,
            remaining(t, &other, hour(5), now).await,
        )
    };
    let won_release = [RateKey::new(&failures, hour(5))];
    let won_reset = [RateKey::new(&streak, hour(5))];
    let lost_release = [RateKey::new(&other, hour(5))];
    let won = Settlement {
        release: &won_release,
        reset: &won_reset,
    };
    let lost = Settlement {
        release: &lost_release,
        reset: &[],
    };
    assert!(
        consume_and_settle(t, &ch, &ch.id, now, won, lost).await,
        "consume_and_settle of a live challenge returned false"
    );
    assert_eq!(
        counts().await,
        (4, 5, 3),
        "after a flip, `won` is settled (a unit released, a count reset) and `lost` is not"
    );
    let got = some(latest(t, &ch).await, "latest after consume_and_settle");
    let mut want = ch.clone();
    want.consumed = true;
    assert_same(&got, &want, "the challenge after consume_and_settle");
    assert!(
        !consume_and_settle(t, &ch, &ch.id, now, won, lost).await,
        "a challenge was consumed twice"
    );
    assert_eq!(
        counts().await,
        (4, 5, 4),
        "after a call that did not flip, `lost` is settled and `won` is not"
    );
}

/// Of `N` concurrent calls on one challenge exactly one flips it; `won` is
/// settled once and `lost` by each of the others.
pub async fn of_concurrent_consumes_one_flips_and_each_settles_its_side(t: &StepsUnderTest) {
    let (won_key, lost_key, streak) = (fresh_key(), fresh_key(), fresh_key());
    let now = real_now();
    let racers = u32::try_from(RACERS).unwrap_or(u32::MAX);
    let rule = hour(1_000);
    let ch = fresh_challenge(fresh_email(), now);
    ok(t.challenges.put(&ch).await, "put");
    take_units(t, &won_key, rule, racers, now).await;
    take_units(t, &lost_key, rule, racers, now).await;
    take_units(t, &streak, rule, 3, now).await;
    let flips = race(RACERS, |_| {
        let t = t.clone();
        let (won_key, lost_key, streak, ch) = (
            won_key.clone(),
            lost_key.clone(),
            streak.clone(),
            ch.clone(),
        );
        async move {
            let won_release = [RateKey::new(&won_key, rule)];
            let won_reset = [RateKey::new(&streak, rule)];
            let lost_release = [RateKey::new(&lost_key, rule)];
            let won = Settlement {
                release: &won_release,
                reset: &won_reset,
            };
            let lost = Settlement {
                release: &lost_release,
                reset: &[],
            };
            consume_and_settle(&t, &ch, &ch.id, now, won, lost).await
        }
    })
    .await
    .into_iter()
    .filter(|&flipped| flipped)
    .count();
    assert_eq!(
        flips, 1,
        "{RACERS} concurrent consume_and_settle calls: {flips} flipped"
    );
    assert_eq!(
        (
            remaining(t, &won_key, rule, now).await,
            remaining(t, &lost_key, rule, now).await,
            remaining(t, &streak, rule, now).await,
        ),
        (1_000 - racers + 1, 1_000 - 1, 1_000),
        "`won` settled once, `lost` by each of the {} others",
        RACERS - 1
    );
}

/// `consume_and_settle` returns `false`, settling `lost` and changing the
/// challenge in no way, for an unknown, replaced, consumed, expired or
/// exhausted challenge.
pub async fn consume_and_settle_refuses_what_consume_refuses(t: &StepsUnderTest) {
    let (won_key, lost_key) = (fresh_key(), fresh_key());
    let now = real_now();
    let rule = hour(100);
    take_units(t, &won_key, rule, 10, now).await;
    take_units(t, &lost_key, rule, 10, now).await;
    let won_release = [RateKey::new(&won_key, rule)];
    let lost_release = [RateKey::new(&lost_key, rule)];
    let won = Settlement {
        release: &won_release,
        reset: &[],
    };
    let lost = Settlement {
        release: &lost_release,
        reset: &[],
    };

    let live = fresh_challenge(fresh_email(), now);
    ok(t.challenges.put(&live).await, "put");
    let unknown = ChallengeId::from_random(random_bytes());
    let replaced = fresh_challenge(fresh_email(), now);
    ok(t.challenges.put(&replaced).await, "put");
    let successor = successor(&replaced, now);
    ok(t.challenges.put(&successor).await, "put");
    let consumed = fresh_challenge(fresh_phone(), now);
    ok(t.challenges.put(&consumed).await, "put");
    ok(
        t.challenges
            .consume(&consumed.key(), &consumed.id, now)
            .await,
        "consume",
    );
    let mut expired = fresh_challenge(fresh_email(), ago(now, Duration::from_secs(240)));
    expired.expires_at = ago(now, Duration::from_secs(60));
    ok(t.challenges.put(&expired).await, "put");
    // Expiring at `now` itself, so every call is at `now` and settles the
    // counters of the same window.
    let at_expiry = fresh_challenge(fresh_email(), ago(now, Duration::from_secs(180)));
    ok(t.challenges.put(&at_expiry).await, "put");
    let mut exhausted = fresh_challenge(fresh_phone(), now);
    exhausted.attempts_left = 0;
    ok(t.challenges.put(&exhausted).await, "put");

    let cases: [(&str, &Challenge, &ChallengeId); 6] = [
        ("an unknown id", &live, &unknown),
        ("a replaced id", &replaced, &replaced.id),
        ("a consumed challenge", &consumed, &consumed.id),
        ("a challenge expired a minute ago", &expired, &expired.id),
        (
            "a challenge at exactly its expires_at",
            &at_expiry,
            &at_expiry.id,
        ),
        (
            "a challenge with no attempts left",
            &exhausted,
            &exhausted.id,
        ),
    ];
    for (n, (what, ch, id)) in (1_u32..).zip(cases) {
        assert!(
            !consume_and_settle(t, ch, id, now, won, lost).await,
            "consume_and_settle of {what} returned true"
        );
        assert_eq!(
            (
                remaining(t, &won_key, rule, now).await,
                remaining(t, &lost_key, rule, now).await,
            ),
            (90, 90 + n),
            "consume_and_settle of {what} must settle `lost` and not `won`"
        );
    }
    let unchanged = [
        (&live, &live),
        (&replaced, &successor),
        (&expired, &expired),
        (&at_expiry, &at_expiry),
        (&exhausted, &exhausted),
    ];
    for (key_of, want) in unchanged {
        let got = some(latest(t, key_of).await, "latest after a refused consume");
        assert_same(&got, want, "a challenge after a refused consume_and_settle");
    }
}

/// Empty settlements settle nothing: the call only consumes.
pub async fn consume_and_settle_with_empty_settlements_only_consumes(t: &StepsUnderTest) {
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    ok(t.challenges.put(&ch).await, "put");
    assert!(
        consume_and_settle(t, &ch, &ch.id, now, NOTHING, NOTHING).await,
        "consume_and_settle with empty settlements returned false"
    );
    assert!(
        !consume_and_settle(t, &ch, &ch.id, now, NOTHING, NOTHING).await,
        "a challenge was consumed twice"
    );
    let got = some(latest(t, &ch).await, "latest after consume_and_settle");
    assert!(got.consumed, "consume_and_settle did not mark it consumed");
}
