//! The [`EventStore`] checks.
//!
//! Each check dates its events in a window of its own, [`fresh_window`],
//! which starts at or after the real current time and after every window
//! before it in this process. Since a `log_id` starts with its event's
//! time, the check's events are then the newest in the store, so a
//! listing finds them first; a filter naming a fresh user or client finds
//! them alone. A filter alone that other events match too (`types`,
//! `until`) is checked on the head of a newest-first listing, and on every
//! event it returns.
//!
//! The purge check removes every event dated before its window, other
//! checks' included. So two runs of these checks on one store at the same
//! time would see (and purge) each other's events; one run at a time is
//! fine beside every other suite, which writes no events.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sesame_domain::event::{EventFilter, EventPage, EventQuery, EventType, LogEvent};
use sesame_domain::ports::EventStore;
use sesame_domain::{Connection, Timestamp};

use super::support::{fail, ok};
use crate::fixtures::{fresh_client_id, fresh_user_id, random_bytes, real_now, unique_hex};

/// The length of a check's window, in milliseconds: room for its events,
/// each a millisecond or so after the one before.
const WINDOW_MS: i64 = 1_000;

/// The page size of the listings that should hold every match.
const LIMIT: u32 = 100;

/// The start of a fresh window of a second: at or after the real current
/// time, and at least a second after the start of every window before it
/// in this process.
#[must_use]
pub fn fresh_window() -> Timestamp {
    static LAST: AtomicI64 = AtomicI64::new(i64::MIN);
    let clock = real_now().unix_millis();
    let next = |last: i64| clock.max(last.saturating_add(WINDOW_MS));
    match LAST.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| Some(next(last))) {
        Ok(last) | Err(last) => Timestamp::from_unix_millis(next(last)),
    }
}

/// `ms` milliseconds after `t`.
fn at(t: Timestamp, ms: u64) -> Timestamp {
    t.plus(Duration::from_millis(ms))
}

/// The last instant of the window starting at `start`.
fn window_end(start: Timestamp) -> Timestamp {
    Timestamp::from_unix_millis(start.unix_millis().saturating_add(WINDOW_MS - 1))
}

/// A fresh user id, as events hold it.
fn fresh_user() -> String {
    fresh_user_id(Connection::Email).as_str().to_owned()
}

/// A fresh client id, as events hold it.
fn fresh_client() -> String {
    fresh_client_id().as_str().to_owned()
}

/// A bare event of `kind` at `date` with a fresh `log_id`: no user, client,
/// IP, user agent, connection or details.
#[must_use]
pub fn bare_event(kind: EventType, date: Timestamp) -> LogEvent {
    LogEvent {
        log_id: LogEvent::make_id(date, u16::from_be_bytes(random_bytes()), random_bytes()),
        date,
        kind,
        description: format!("event {}", unique_hex()),
        client_id: None,
        ip: None,
        user_agent: None,
        user_id: None,
        connection: None,
        details: BTreeMap::new(),
    }
}

/// An event of `kind` at `date` for `user_id`, with a fresh `log_id` and
/// client and nothing else.
fn user_event(kind: EventType, date: Timestamp, user_id: &str) -> LogEvent {
    LogEvent {
        user_id: Some(user_id.to_owned()),
        client_id: Some(fresh_client()),
        ..bare_event(kind, date)
    }
}

/// An event of `kind` at `date` with every field filled (an IPv6
/// address), with values that trip naive escaping: quotes, backslashes,
/// `"\0"`, newlines, non-ASCII.
#[must_use]
pub fn full_event(kind: EventType, date: Timestamp) -> LogEvent {
    let details = [
        (
            "grant_type",
            "http://auth0.com/oauth/grant-type/passwordless/otp",
        ),
        ("masked", "j***@e***.com"),
        ("reason", "quote \" backslash \\ nul \0 newline \n tab \t ✓"),
        ("empty", ""),
    ];
    LogEvent {
        description: format!("Sïgn-in \"{}\" ✓ '; -- \\ \n", unique_hex()),
        client_id: Some(fresh_client()),
        ip: Some(IpAddr::from(random_bytes::<16>())),
        user_agent: Some(format!(
            "Mozilla/5.0 (X11; Linux x86_64) \"Sesame\" ✓ {}",
            unique_hex()
        )),
        user_id: Some(fresh_user()),
        connection: Some("email".to_owned()),
        details: details
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ..bare_event(kind, date)
    }
}

async fn append(store: &dyn EventStore, events: &[LogEvent]) {
    ok(store.append(events).await, "append");
}

async fn search(store: &dyn EventStore, query: &EventQuery) -> EventPage {
    ok(store.search(query).await, "search")
}

/// The first page of up to [`LIMIT`] events `filter` matches, without a
/// total.
fn listing(filter: EventFilter, newest_first: bool) -> EventQuery {
    EventQuery {
        filter,
        newest_first,
        offset: 0,
        limit: LIMIT,
        with_total: false,
    }
}

/// The events of `user_id`.
fn of_user(user_id: &str) -> EventFilter {
    EventFilter {
        user_id: Some(user_id.to_owned()),
        ..EventFilter::default()
    }
}

/// The events dated in the window starting at `start`.
fn in_window(start: Timestamp) -> EventFilter {
    EventFilter {
        since: Some(start),
        until: Some(window_end(start)),
        ..EventFilter::default()
    }
}

/// `events` ordered by `log_id`.
fn sorted(events: &[LogEvent]) -> Vec<LogEvent> {
    let mut events = events.to_vec();
    events.sort_by(|a, b| a.log_id.cmp(&b.log_id));
    events
}

/// `events` newest first: by `log_id`, descending.
fn newest_first(events: &[LogEvent]) -> Vec<LogEvent> {
    let mut events = sorted(events);
    events.reverse();
    events
}

fn ids(events: &[LogEvent]) -> Vec<&str> {
    events.iter().map(|e| e.log_id.as_str()).collect()
}

/// Asserts that `got` is exactly `want`, in that order, every field.
#[track_caller]
fn assert_events(got: &[LogEvent], want: &[LogEvent], what: &str) {
    assert_eq!(
        ids(got),
        ids(want),
        "search {what}: the events (by log_id) in order"
    );
    assert!(
        got == want,
        "search {what}: the events came back changed (ip and user_agent included)"
    );
}

/// Asserts that `got` starts with exactly `head`, in that order.
#[track_caller]
fn assert_head(got: &[LogEvent], head: &[LogEvent], what: &str) {
    let n = head.len().min(got.len());
    assert_events(&got[..n], head, what);
}

/// Every event appended comes back from `search` unchanged, every field:
/// each type, every optional field present and absent, IPv4 and IPv6,
/// values that trip naive escaping; and a user or client id holding
/// `"\0"` and quotes finds its event.
pub async fn every_field_round_trips(store: &dyn EventStore) {
    let start = fresh_window();
    let mut events: Vec<LogEvent> = EventType::ALL
        .into_iter()
        .zip(0..)
        .map(|(kind, i)| {
            let mut event = full_event(kind, at(start, i));
            if i % 2 == 1 {
                event.ip = Some(IpAddr::from(random_bytes::<4>()));
                event.connection = Some("sms".to_owned());
            }
            event
        })
        .collect();
    events.push(bare_event(EventType::Success, at(start, 20)));
    let mut odd = full_event(EventType::Failed, at(start, 21));
    odd.user_id = Some(format!("email|{}\0'\"\\ ✓", unique_hex()));
    odd.client_id = Some(format!("client-{}\0'\"\\ ✓", unique_hex()));
    events.push(odd.clone());
    append(store, &events).await;

    let page = search(store, &listing(in_window(start), false)).await;
    assert_events(&page.events, &sorted(&events), "of every field");
    assert_eq!(page.total, None, "a search that did not ask for a total");
    let by_user = of_user(odd.user_id.as_deref().unwrap_or_default());
    let page = search(store, &listing(by_user, true)).await;
    assert_events(
        &page.events,
        std::slice::from_ref(&odd),
        "by a user id holding \"\\0\" and quotes",
    );
    let by_client = EventFilter {
        client_id: odd.client_id.clone(),
        ..EventFilter::default()
    };
    let page = search(store, &listing(by_client, true)).await;
    assert_events(
        &page.events,
        std::slice::from_ref(&odd),
        "by a client id holding \"\\0\" and quotes",
    );
}

/// An event whose `log_id` is kept already is skipped, not an error: in a
/// later batch (a retried one, even with other contents), and twice in one
/// batch. An empty batch is fine and changes nothing.
pub async fn an_event_kept_already_is_skipped(store: &dyn EventStore) {
    let start = fresh_window();
    let user = fresh_user();
    let a = user_event(EventType::CodeSent, at(start, 0), &user);
    let b = user_event(EventType::Success, at(start, 1), &user);
    append(store, &[a.clone(), b.clone()]).await;
    let mut a_again = a.clone();
    a_again.description = format!("a different description {}", unique_hex());
    a_again
        .details
        .insert("retried".to_owned(), "yes".to_owned());
    let c = user_event(EventType::SuccessRefresh, at(start, 2), &user);
    append(store, &[a_again, b.clone(), c.clone()]).await;
    let d = user_event(EventType::Failed, at(start, 3), &user);
    append(store, &[d.clone(), d.clone()]).await;
    append(store, &[]).await;

    let page = search(store, &listing(of_user(&user), false)).await;
    assert_events(
        &page.events,
        &[a, b, c, d],
        "after appending kept log_ids again (the first kept unchanged)",
    );
}

/// How many events of [`listings_follow_the_log_id_both_ways`] share one
/// instant.
const TIES: usize = 3;

/// Listings follow the `log_id` both ways, whatever the order the events
/// were appended in, ties on `date` included (their `log_id`s differ in
/// their random part).
pub async fn listings_follow_the_log_id_both_ways(store: &dyn EventStore) {
    let start = fresh_window();
    let user = fresh_user();
    let mut events = vec![user_event(EventType::CodeSent, at(start, 0), &user)];
    for _ in 0..TIES {
        events.push(user_event(EventType::Success, at(start, 1), &user));
    }
    events.push(user_event(EventType::SuccessRefresh, at(start, 2), &user));
    events.push(user_event(EventType::FailedRefresh, at(start, 3), &user));
    let order = sorted(&events);
    // Appended in an order that is neither, ties out of order too.
    let shuffled: Vec<LogEvent> = [3, 1, 5, 0, 4, 2]
        .iter()
        .map(|&i| order[i].clone())
        .collect();
    append(store, &shuffled).await;

    let page = search(store, &listing(of_user(&user), false)).await;
    assert_events(&page.events, &order, "oldest first");
    let page = search(store, &listing(of_user(&user), true)).await;
    assert_events(&page.events, &newest_first(&events), "newest first");
}

/// `types` alone finds events of any of the types: newest first, the
/// check's own events of those types lead (they are the newest in the
/// store), and every event returned is of one of them.
pub async fn types_alone_find_any_of_them(store: &dyn EventStore) {
    let start = fresh_window();
    let kinds = [
        EventType::Success,
        EventType::Failed,
        EventType::CodeSent,
        EventType::SuccessRefresh,
        EventType::Success,
        EventType::SuccessApi,
    ];
    let events: Vec<LogEvent> = kinds
        .into_iter()
        .zip(0..)
        .map(|(kind, i)| full_event(kind, at(start, i)))
        .collect();
    append(store, &events).await;

    for wanted in [
        vec![EventType::Success],
        vec![EventType::Success, EventType::CodeSent],
        vec![
            EventType::SuccessApi,
            EventType::Failed,
            EventType::SuccessRefresh,
        ],
    ] {
        let filter = EventFilter {
            types: wanted.clone(),
            ..EventFilter::default()
        };
        let page = search(store, &listing(filter, true)).await;
        if let Some(e) = page.events.iter().find(|e| !wanted.contains(&e.kind)) {
            fail(&format!(
                "search by types {wanted:?} returned an event of type {}",
                e.kind
            ));
        }
        let mine: Vec<LogEvent> = events
            .iter()
            .filter(|e| wanted.contains(&e.kind))
            .cloned()
            .collect();
        assert_head(
            &page.events,
            &newest_first(&mine),
            &format!("by types {wanted:?}: the newest events"),
        );
    }
}

/// `user_id` alone finds exactly that user's events, and nothing for a user
/// without events.
pub async fn user_id_alone_finds_only_that_users_events(store: &dyn EventStore) {
    let start = fresh_window();
    let (alice, bob) = (fresh_user(), fresh_user());
    let events = vec![
        user_event(EventType::CodeSent, at(start, 0), &alice),
        user_event(EventType::CodeSent, at(start, 1), &bob),
        bare_event(EventType::LimitIp, at(start, 2)),
        user_event(EventType::Success, at(start, 3), &alice),
        user_event(EventType::Success, at(start, 4), &bob),
    ];
    append(store, &events).await;

    let page = search(store, &listing(of_user(&alice), true)).await;
    assert_events(
        &page.events,
        &[events[3].clone(), events[0].clone()],
        "by user_id",
    );
    let page = search(store, &listing(of_user(&bob), false)).await;
    assert_events(
        &page.events,
        &[events[1].clone(), events[4].clone()],
        "by another user_id",
    );
    let page = search(store, &listing(of_user(&fresh_user()), true)).await;
    assert_events(&page.events, &[], "by the user_id of a user without events");
}

/// `client_id` alone finds exactly that application's events, whoever the
/// user, and nothing for an application without events.
pub async fn client_id_alone_finds_only_that_clients_events(store: &dyn EventStore) {
    let start = fresh_window();
    let (app, other) = (fresh_client(), fresh_client());
    let mut events = Vec::new();
    for (i, client) in [&app, &other, &app, &other, &app].into_iter().enumerate() {
        let mut event = full_event(EventType::SuccessClientCredentials, at(start, i as u64));
        event.client_id = Some(client.clone());
        if i == 2 {
            event.user_id = None;
        }
        events.push(event);
    }
    append(store, &events).await;

    let by = |client_id: &str| EventFilter {
        client_id: Some(client_id.to_owned()),
        ..EventFilter::default()
    };
    let page = search(store, &listing(by(&app), false)).await;
    assert_events(
        &page.events,
        &[events[0].clone(), events[2].clone(), events[4].clone()],
        "by client_id",
    );
    let page = search(store, &listing(by(&other), true)).await;
    assert_events(
        &page.events,
        &[events[3].clone(), events[1].clone()],
        "by another client_id",
    );
    let page = search(store, &listing(by(&fresh_client()), true)).await;
    assert_events(
        &page.events,
        &[],
        "by the client_id of an application without events",
    );
}

/// The check's events, one a millisecond from the start of its window, and
/// that start.
async fn four_in_a_row(store: &dyn EventStore) -> (Timestamp, Vec<LogEvent>) {
    let start = fresh_window();
    let events: Vec<LogEvent> = (0..4)
        .map(|i| full_event(EventType::Success, at(start, i)))
        .collect();
    append(store, &events).await;
    (start, events)
}

/// `since` alone is inclusive: it finds the events dated at it and after
/// (the check's are the newest in the store), and nothing after them.
pub async fn since_alone_is_inclusive(store: &dyn EventStore) {
    let (start, events) = four_in_a_row(store).await;
    let since = |ms| EventFilter {
        since: Some(at(start, ms)),
        ..EventFilter::default()
    };
    let page = search(store, &listing(since(2), false)).await;
    assert_events(&page.events, &events[2..], "by since (an event's date)");
    let page = search(store, &listing(since(3), true)).await;
    assert_events(&page.events, &events[3..], "by since of the newest event");
    let page = search(store, &listing(since(4), true)).await;
    assert_events(&page.events, &[], "by since after every event");
}

/// `until` alone is inclusive: newest first, the check's events dated at
/// it and before lead, and no event returned is dated after it.
pub async fn until_alone_is_inclusive(store: &dyn EventStore) {
    let (start, events) = four_in_a_row(store).await;
    for ms in [1, 0] {
        let until = at(start, ms);
        let filter = EventFilter {
            until: Some(until),
            ..EventFilter::default()
        };
        let page = search(store, &listing(filter, true)).await;
        if let Some(e) = page.events.iter().find(|e| e.date > until) {
            fail(&format!(
                "search by until {until:?} returned an event dated {:?}",
                e.date
            ));
        }
        let mine = &events[..=usize::try_from(ms).unwrap_or(0)];
        assert_head(
            &page.events,
            &newest_first(mine),
            "by until (an event's date): the newest events",
        );
    }
}

/// `after_log_id` alone is exclusive: it finds the events whose `log_id`
/// sorts after it, not the event it names. A checkpoint need not be a kept
/// `log_id`: a prefix of one, or one followed by `"\0"`, works too.
pub async fn after_log_id_alone_is_exclusive(store: &dyn EventStore) {
    let (_, events) = four_in_a_row(store).await;
    let after = |id: String| EventFilter {
        after_log_id: Some(id),
        ..EventFilter::default()
    };
    let second = events[1].log_id.clone();
    let page = search(store, &listing(after(second.clone()), false)).await;
    assert_events(&page.events, &events[2..], "by after_log_id");
    let page = search(store, &listing(after(second.clone()), true)).await;
    assert_events(
        &page.events,
        &newest_first(&events[2..]),
        "by after_log_id, newest first",
    );
    let page = search(store, &listing(after(format!("{second}\0")), false)).await;
    assert_events(
        &page.events,
        &events[2..],
        "by after_log_id of a log_id followed by \"\\0\"",
    );
    // The time part of the third event's id: the third sorts after it.
    let prefix = events[2].log_id.chars().take(15).collect::<String>();
    let page = search(store, &listing(after(prefix), false)).await;
    assert_events(
        &page.events,
        &events[2..],
        "by after_log_id of the time part of a log_id",
    );
    let page = search(store, &listing(after(events[3].log_id.clone()), false)).await;
    assert_events(&page.events, &[], "by after_log_id of the newest event");
}

/// Every field of the filter together must all hold: each event that fails
/// just one of them is left out.
pub async fn filters_together_must_all_hold(store: &dyn EventStore) {
    let start = fresh_window();
    let (user, client) = (fresh_user(), fresh_client());
    let matching = |kind, ms| {
        let mut e = user_event(kind, at(start, ms), &user);
        e.client_id = Some(client.clone());
        e
    };
    let first = matching(EventType::Success, 0);
    let hit = matching(EventType::Success, 2);
    let other_type = matching(EventType::Failed, 3);
    let mut other_user = matching(EventType::Success, 4);
    other_user.user_id = Some(fresh_user());
    let mut other_client = matching(EventType::Success, 5);
    other_client.client_id = Some(fresh_client());
    let too_late = matching(EventType::Success, 9);
    let events = [
        first.clone(),
        hit.clone(),
        other_type,
        other_user,
        other_client,
        too_late,
    ];
    append(store, &events).await;

    let filter = EventFilter {
        types: vec![EventType::Success, EventType::CodeSent],
        user_id: Some(user),
        client_id: Some(client),
        since: Some(at(start, 1)),
        until: Some(at(start, 8)),
        after_log_id: None,
    };
    let page = search(store, &listing(filter.clone(), true)).await;
    assert_events(
        &page.events,
        std::slice::from_ref(&hit),
        "by every field but after_log_id",
    );
    let everything = EventFilter {
        since: Some(start),
        after_log_id: Some(first.log_id.clone()),
        ..filter.clone()
    };
    let page = search(store, &listing(everything, true)).await;
    assert_events(&page.events, std::slice::from_ref(&hit), "by every field");
    let past_hit = EventFilter {
        after_log_id: Some(hit.log_id),
        ..filter
    };
    let page = search(store, &listing(past_hit, true)).await;
    assert_events(
        &page.events,
        &[],
        "by every field, after_log_id past the only match",
    );
}

/// How many events [`offset_and_limit_slice_after_ordering`] pages over.
const PAGED: usize = 7;

/// The offset and the limit slice the listing after ordering, both ways: a
/// page in the middle, the last (short) page, past the end, and a limit of
/// zero.
pub async fn offset_and_limit_slice_after_ordering(store: &dyn EventStore) {
    let start = fresh_window();
    let user = fresh_user();
    let events: Vec<LogEvent> = (0..PAGED as u64)
        .map(|i| user_event(EventType::Success, at(start, i % 3), &user))
        .collect();
    // Appended newest first: the order of appending is not the order of
    // either listing.
    let mut appended = sorted(&events);
    appended.swap(0, PAGED - 1);
    appended.swap(2, 4);
    append(store, &appended).await;

    for newest in [false, true] {
        let all = if newest {
            newest_first(&events)
        } else {
            sorted(&events)
        };
        let page_of = |offset: u64, limit: u32| EventQuery {
            offset,
            limit,
            ..listing(of_user(&user), newest)
        };
        let way = if newest {
            "newest first"
        } else {
            "oldest first"
        };
        let page = search(store, &page_of(2, 3)).await;
        assert_events(
            &page.events,
            &all[2..5],
            &format!("{way}, offset 2, limit 3"),
        );
        let page = search(store, &page_of(5, 3)).await;
        assert_events(&page.events, &all[5..], &format!("{way}, the last page"));
        let page = search(store, &page_of(0, 1)).await;
        assert_events(&page.events, &all[..1], &format!("{way}, limit 1"));
        for offset in [PAGED as u64, u64::MAX] {
            let page = search(store, &page_of(offset, 3)).await;
            assert_events(&page.events, &[], &format!("{way}, offset {offset}"));
        }
        let page = search(store, &page_of(0, 0)).await;
        assert_events(&page.events, &[], &format!("{way}, limit 0"));
    }
}

/// `with_total` counts every match, whatever the page (the first, the
/// last, past the end, a limit of zero); it counts none for no match; and
/// the total is `None` when the query does not ask for it.
pub async fn with_total_counts_every_match_or_is_none(store: &dyn EventStore) {
    let start = fresh_window();
    let user = fresh_user();
    let kinds = [
        EventType::CodeSent,
        EventType::Success,
        EventType::CodeSent,
        EventType::Success,
        EventType::Failed,
    ];
    let events: Vec<LogEvent> = kinds
        .into_iter()
        .zip(0..)
        .map(|(kind, i)| user_event(kind, at(start, i), &user))
        .collect();
    append(store, &events).await;

    let counted = |filter: EventFilter, offset: u64, limit: u32| EventQuery {
        offset,
        limit,
        with_total: true,
        ..listing(filter, true)
    };
    for (offset, limit, len) in [(0, 2, 2), (4, 2, 1), (10, 2, 0), (0, 0, 0), (0, LIMIT, 5)] {
        let page = search(store, &counted(of_user(&user), offset, limit)).await;
        assert_eq!(
            (page.events.len(), page.total),
            (len, Some(5)),
            "search by user_id with a total, offset {offset} and limit {limit}: \
             the page's length and the total"
        );
    }
    let codes_sent = EventFilter {
        types: vec![EventType::CodeSent],
        ..of_user(&user)
    };
    let page = search(store, &counted(codes_sent, 0, 1)).await;
    assert_eq!(
        page.total,
        Some(2),
        "search by user_id and type with a total: the total"
    );
    let page = search(store, &counted(of_user(&fresh_user()), 0, LIMIT)).await;
    assert_eq!(
        (page.events.len(), page.total),
        (0, Some(0)),
        "search with a total of a user without events"
    );
    let page = search(store, &listing(of_user(&user), true)).await;
    assert_eq!(
        (page.events.len(), page.total),
        (5, None),
        "search without a total: the page's length and the total"
    );
}

/// `purge_before` removes every event dated before the cutoff, says how
/// many went, and keeps every event dated at or after it. Purging again
/// removes nothing.
pub async fn purge_before_removes_only_events_dated_before_the_cutoff(store: &dyn EventStore) {
    let start = fresh_window();
    // Everything before this check's window goes: the count is then this
    // check's own.
    ok(store.purge_before(start).await, "purge_before");
    let user = fresh_user();
    let events: Vec<LogEvent> = [0, 1, 1, 2, 2, 3]
        .into_iter()
        .map(|ms| user_event(EventType::Success, at(start, ms), &user))
        .collect();
    append(store, &events).await;

    let purged = ok(store.purge_before(start).await, "purge_before");
    assert_eq!(
        purged, 0,
        "purge_before of the oldest event's date removed events"
    );
    let purged = ok(store.purge_before(at(start, 2)).await, "purge_before");
    assert_eq!(
        purged, 3,
        "purge_before said how many events it removed: 3 were dated before the cutoff"
    );
    let page = search(store, &listing(of_user(&user), false)).await;
    assert_events(
        &page.events,
        &sorted(&events[3..]),
        "after purge_before: the events dated at or after the cutoff",
    );
    let purged = ok(store.purge_before(at(start, 2)).await, "purge_before");
    assert_eq!(purged, 0, "purge_before again removed events");
    let page = search(store, &listing(in_window(start), false)).await;
    assert_events(
        &page.events,
        &sorted(&events[3..]),
        "after purging again: the events of the window",
    );
}
