//! The [`UserStore::search`] and [`UserStore::delete`] checks.
//!
//! Stores are shared, so every search sees only the check's own users. A
//! search with an `Email`, `Phone` or `Id` filter names one of them. A
//! listing of several (`LoginsAtLeast` alone, pages, orders) gives its users
//! logins counts from a fresh floor up, and searches from that floor: the
//! floor grows with the clock, far above the few logins other checks count
//! and above every floor before it, so no other user reaches it. Two runs of
//! these checks on one store at the same time would see each other's users;
//! one run beside every other suite is fine.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sesame_domain::ports::UserStore;
use sesame_domain::{
    Connection, EmailAddress, PhoneNumber, Recipient, Timestamp, User, UserFilter, UserId,
    UserPage, UserQuery, UserSortField,
};

use super::support::{fail, ok, some};
use crate::fixtures::{
    fresh_email, fresh_email_address, fresh_phone, fresh_phone_number, fresh_user, fresh_user_id,
    real_now,
};

async fn create(store: &dyn UserStore, user: &User) -> User {
    ok(store.create(user).await, "create")
}

async fn search(store: &dyn UserStore, query: &UserQuery) -> UserPage {
    ok(store.search(query).await, "search")
}

/// The first page, in the default order, of the users matching `filters`.
async fn search_by(store: &dyn UserStore, filters: Vec<UserFilter>) -> UserPage {
    let query = UserQuery {
        filters,
        per_page: UserQuery::MAX_PER_PAGE,
        ..UserQuery::all()
    };
    search(store, &query).await
}

fn ids(users: &[User]) -> Vec<UserId> {
    users.iter().map(|u| u.id.clone()).collect()
}

fn email_of(user: &User) -> EmailAddress {
    match &user.recipient {
        Recipient::Email(address) => address.clone(),
        Recipient::Sms(_) => fail("the fixture should be an email user"),
    }
}

fn phone_of(user: &User) -> PhoneNumber {
    match &user.recipient {
        Recipient::Sms(number) => number.clone(),
        Recipient::Email(_) => fail("the fixture should be an sms user"),
    }
}

/// A logins count above every count stored before: the clock's
/// milliseconds times 2^20 (about 2^60 today, within a signed 64-bit
/// column), and more than the floor before it in this process.
fn fresh_logins_floor() -> u64 {
    /// Room above a floor for one check's users.
    const ROOM: u64 = 1 << 10;
    static LAST: AtomicU64 = AtomicU64::new(0);
    let from_clock = u64::try_from(real_now().unix_millis()).unwrap_or(0) << 20;
    let next = |last: u64| from_clock.max(last.saturating_add(ROOM));
    match LAST.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| Some(next(last))) {
        Ok(last) | Err(last) => next(last),
    }
}

/// Asserts that `page` is exactly `want`, in that order, and counts `total`.
#[track_caller]
fn assert_page(page: &UserPage, want: &[&User], total: u64, what: &str) {
    let want: Vec<User> = want.iter().map(|&u| u.clone()).collect();
    assert_eq!(
        ids(&page.users),
        ids(&want),
        "search {what}: the users (by id) in order"
    );
    assert_eq!(page.users, want, "search {what}: every field of each user");
    assert_eq!(page.total, total, "search {what}: total");
}

/// An `Email`, `Phone` or `Id` filter alone finds exactly the user it
/// names, every field as stored, and nobody for a value no user has.
pub async fn a_filter_naming_a_user_finds_only_that_user(store: &dyn UserStore) {
    let now = real_now();
    let mut by_email = fresh_user(fresh_email(), now);
    by_email.logins_count = 3;
    by_email.last_login = Some(now);
    by_email.verified = true;
    let by_email = create(store, &by_email).await;
    let mut by_phone = fresh_user(fresh_phone(), now);
    by_phone.blocked = true;
    let by_phone = create(store, &by_phone).await;

    let found = search_by(store, vec![UserFilter::Email(email_of(&by_email))]).await;
    assert_page(&found, &[&by_email], 1, "by email");
    let found = search_by(store, vec![UserFilter::Phone(phone_of(&by_phone))]).await;
    assert_page(&found, &[&by_phone], 1, "by phone");
    for user in [&by_email, &by_phone] {
        let found = search_by(store, vec![UserFilter::Id(user.id.clone())]).await;
        assert_page(&found, &[user], 1, "by id");
    }
    let nobody = [
        UserFilter::Email(fresh_email_address()),
        UserFilter::Phone(fresh_phone_number()),
        UserFilter::Id(fresh_user_id(Connection::Email)),
    ];
    for filter in nobody {
        let found = search_by(store, vec![filter]).await;
        assert_page(&found, &[], 0, "by a value no user has");
    }
}

/// `Blocked` alone returns only users in that state: the blocked user of
/// the check for `Blocked(true)`, the other for `Blocked(false)`.
pub async fn blocked_alone_returns_only_users_in_that_state(store: &dyn UserStore) {
    let now = real_now();
    let mut blocked = fresh_user(fresh_email(), now);
    blocked.blocked = true;
    let blocked = create(store, &blocked).await;
    let unblocked = create(store, &fresh_user(fresh_phone(), now)).await;
    for (state, member, outsider) in [(true, &blocked, &unblocked), (false, &unblocked, &blocked)] {
        let found = search_by(store, vec![UserFilter::Blocked(state)]).await;
        assert!(
            found.users.iter().all(|u| u.blocked == state),
            "search by Blocked({state}) returned a user with blocked = {}",
            !state
        );
        assert!(
            found.total >= found.users.len() as u64,
            "search by Blocked({state}): a total below the page's length"
        );
        // Other checks' users match too; on a page that holds every match,
        // this check's own are there, or not, as they must be.
        if found.total <= u64::from(UserQuery::MAX_PER_PAGE) {
            assert_eq!(
                found.users.len() as u64,
                found.total,
                "search by Blocked({state}): one page of at most {} holds every match",
                UserQuery::MAX_PER_PAGE
            );
            let found_ids: HashSet<UserId> = ids(&found.users).into_iter().collect();
            assert!(
                found_ids.contains(&member.id),
                "search by Blocked({state}) missed a user in that state"
            );
            assert!(
                !found_ids.contains(&outsider.id),
                "search by Blocked({state}) returned a user in the other state"
            );
        }
    }
}

/// `LoginsAtLeast(n)` alone counts from `n` inclusive; a count above any
/// a store can hold finds nobody.
pub async fn logins_at_least_alone_counts_from_n_inclusive(store: &dyn UserStore) {
    let now = real_now();
    let floor = fresh_logins_floor();
    let mut users = Vec::new();
    for i in 0..3_u64 {
        let mut user = fresh_user(fresh_email(), now.plus(Duration::from_millis(i)));
        user.logins_count = floor + i;
        users.push(create(store, &user).await);
    }
    let [fewest, middle, most] = [&users[0], &users[1], &users[2]];
    let at_least = |n| vec![UserFilter::LoginsAtLeast(n)];
    let found = search_by(store, at_least(floor)).await;
    assert_page(&found, &[fewest, middle, most], 3, "by LoginsAtLeast(n)");
    let found = search_by(store, at_least(floor + 1)).await;
    assert_page(&found, &[middle, most], 2, "by LoginsAtLeast(n + 1)");
    let found = search_by(store, at_least(floor + 2)).await;
    assert_page(&found, &[most], 1, "by LoginsAtLeast of the largest count");
    let found = search_by(store, at_least(floor + 3)).await;
    assert_page(&found, &[], 0, "by LoginsAtLeast above every count");
    let found = search_by(store, at_least(u64::MAX)).await;
    assert_page(&found, &[], 0, "by LoginsAtLeast(u64::MAX)");
}

/// `LastLoginSince(t)` alone finds users whose last login is at or after
/// `t`, inclusive; a user who never logged in never matches.
pub async fn last_login_since_counts_from_t_inclusive(store: &dyn UserStore) {
    // A century ahead, so only this check's users are that recent.
    let base = real_now().plus(Duration::from_secs(100 * 365 * 24 * 60 * 60));
    let now = real_now();
    let mut users = Vec::new();
    for i in 0..3_u64 {
        let mut user = fresh_user(fresh_email(), now.plus(Duration::from_millis(i)));
        user.last_login = Some(base.plus(Duration::from_millis(i)));
        user.logins_count = 1;
        users.push(create(store, &user).await);
    }
    let [oldest, middle, newest] = [&users[0], &users[1], &users[2]];
    let since = |ms| {
        vec![UserFilter::LastLoginSince(
            base.plus(Duration::from_millis(ms)),
        )]
    };
    let found = search_by(store, since(0)).await;
    assert_page(&found, &[oldest, middle, newest], 3, "by LastLoginSince(t)");
    let found = search_by(store, since(1)).await;
    assert_page(&found, &[middle, newest], 2, "by LastLoginSince(t + 1 ms)");
    let found = search_by(store, since(3)).await;
    assert_page(&found, &[], 0, "by LastLoginSince after every login");
}

/// Filters together all hold: each combination finds its user only when
/// every filter holds for that same user.
pub async fn combined_filters_must_all_hold(store: &dyn UserStore) {
    use UserFilter::{Blocked, Connection as Conn, Email, Id, LoginsAtLeast, Phone};
    let now = real_now();
    let mut mail = fresh_user(fresh_email(), now);
    mail.logins_count = 3;
    let mail = create(store, &mail).await;
    let mut sms = fresh_user(fresh_phone(), now);
    sms.logins_count = 7;
    sms.blocked = true;
    let sms = create(store, &sms).await;
    let (address, number) = (email_of(&mail), phone_of(&sms));
    let cases: Vec<(&str, Vec<UserFilter>, Option<&User>)> = vec![
        (
            "id and not blocked",
            vec![Id(mail.id.clone()), Blocked(false)],
            Some(&mail),
        ),
        (
            "id and blocked, of an unblocked user",
            vec![Id(mail.id.clone()), Blocked(true)],
            None,
        ),
        (
            "email and logins at least its count",
            vec![Email(address.clone()), LoginsAtLeast(3)],
            Some(&mail),
        ),
        (
            "email and logins at least one more",
            vec![Email(address.clone()), LoginsAtLeast(4)],
            None,
        ),
        (
            "phone, blocked and logins at least 7",
            vec![Phone(number.clone()), Blocked(true), LoginsAtLeast(7)],
            Some(&sms),
        ),
        (
            "phone and not blocked, of a blocked user",
            vec![Phone(number.clone()), Blocked(false)],
            None,
        ),
        (
            "phone, blocked and logins at least 8",
            vec![Phone(number.clone()), Blocked(true), LoginsAtLeast(8)],
            None,
        ),
        (
            "email of one user and id of another",
            vec![Email(address.clone()), Id(sms.id.clone())],
            None,
        ),
        (
            "id and its connection",
            vec![Id(mail.id.clone()), Conn(Connection::Email)],
            Some(&mail),
        ),
        (
            "id and the other connection",
            vec![Id(mail.id.clone()), Conn(Connection::Sms)],
            None,
        ),
        (
            "phone and its connection",
            vec![Phone(number.clone()), Conn(Connection::Sms)],
            Some(&sms),
        ),
    ];
    for (what, filters, want) in cases {
        let found = search_by(store, filters).await;
        match want {
            Some(user) => assert_page(&found, &[user], 1, what),
            None => assert_page(&found, &[], 0, what),
        }
    }
}

/// `Blocked` with `LoginsAtLeast` finds the intersection: among several
/// users over the floor, only the blocked (or only the unblocked) ones.
pub async fn blocked_with_logins_at_least_finds_the_intersection(store: &dyn UserStore) {
    let now = real_now();
    let floor = fresh_logins_floor();
    let mut users = Vec::new();
    for i in 0..4_u64 {
        let mut user = fresh_user(fresh_email(), now.plus(Duration::from_millis(i)));
        user.logins_count = floor + i;
        user.blocked = i % 2 == 1;
        users.push(create(store, &user).await);
    }
    let query = |blocked| {
        vec![
            UserFilter::LoginsAtLeast(floor),
            UserFilter::Blocked(blocked),
        ]
    };
    let found = search_by(store, query(true)).await;
    assert_page(&found, &[&users[1], &users[3]], 2, "blocked over the floor");
    let found = search_by(store, query(false)).await;
    assert_page(
        &found,
        &[&users[0], &users[2]],
        2,
        "not blocked over the floor",
    );
}

/// Of 5 matching users, pages of 2 hold the first two, the next two, the
/// last one and then none, each counting all 5.
pub async fn pages_split_the_matches_and_each_counts_them_all(store: &dyn UserStore) {
    let now = real_now();
    let floor = fresh_logins_floor();
    let mut users = Vec::new();
    for i in 0..5_u64 {
        // Mixed connections, in creation order: the default order.
        let recipient = if i % 2 == 0 {
            fresh_email()
        } else {
            fresh_phone()
        };
        let mut user = fresh_user(recipient, now.plus(Duration::from_millis(i)));
        user.logins_count = floor + 4 - i;
        users.push(create(store, &user).await);
    }
    let page = |page, per_page| UserQuery {
        filters: vec![UserFilter::LoginsAtLeast(floor)],
        sort: None,
        page,
        per_page,
    };
    let found = search(store, &page(0, 2)).await;
    assert_page(&found, &[&users[0], &users[1]], 5, "page 0 of 2");
    let found = search(store, &page(1, 2)).await;
    assert_page(&found, &[&users[2], &users[3]], 5, "page 1 of 2");
    let found = search(store, &page(2, 2)).await;
    assert_page(&found, &[&users[4]], 5, "page 2 of 2, the last");
    let found = search(store, &page(3, 2)).await;
    assert_page(&found, &[], 5, "page 3 of 2, past the end");
    let found = search(store, &page(0, 5)).await;
    let all: Vec<&User> = users.iter().collect();
    assert_page(&found, &all, 5, "page 0 of 5");
    // The order comes before the page: by logins, descending, the last
    // created come first.
    let query = UserQuery {
        sort: Some((UserSortField::LoginsCount, true)),
        ..page(1, 2)
    };
    let found = search(store, &query).await;
    assert_page(
        &found,
        &[&users[2], &users[3]],
        5,
        "page 1 of 2 by logins, descending",
    );
    let query = UserQuery {
        sort: Some((UserSortField::LoginsCount, false)),
        ..page(0, 2)
    };
    let found = search(store, &query).await;
    assert_page(
        &found,
        &[&users[4], &users[3]],
        5,
        "page 0 of 2 by logins, ascending",
    );
}

/// Users over a fresh floor with ties in every field but the recipient, and
/// two who never logged in.
async fn sortable_users(store: &dyn UserStore, floor: u64) -> Vec<User> {
    let now = real_now();
    let at = |ms| now.plus(Duration::from_millis(ms));
    // (email?, created_at, last_login, logins over the floor)
    let shapes: [(bool, u64, Option<u64>, u64); 6] = [
        (true, 0, None, 2),
        (false, 0, Some(10), 2),
        (true, 1, None, 0),
        (false, 2, Some(10), 5),
        (true, 2, Some(5), 1),
        (false, 3, Some(20), 5),
    ];
    let mut users = Vec::new();
    for (email, created, last_login, logins) in shapes {
        let recipient = if email { fresh_email() } else { fresh_phone() };
        let mut user = fresh_user(recipient, at(created));
        user.last_login = last_login.map(at);
        user.verified = last_login.is_some();
        user.logins_count = floor + logins;
        users.push(create(store, &user).await);
    }
    users
}

/// Each sort field, ascending and descending, orders the matches as
/// [`UserQuery::sort`] does, ties going by id ascending either way; no sort
/// is creation order.
pub async fn every_sort_field_orders_both_ways_with_ids_breaking_ties(store: &dyn UserStore) {
    let floor = fresh_logins_floor();
    let users = sortable_users(store, floor).await;
    let fields = [
        UserSortField::CreatedAt,
        UserSortField::LastLogin,
        UserSortField::LoginsCount,
        UserSortField::Email,
    ];
    let sorts = fields
        .into_iter()
        .flat_map(|f| [Some((f, false)), Some((f, true))])
        .chain([None]);
    for sort in sorts {
        let query = UserQuery {
            filters: vec![UserFilter::LoginsAtLeast(floor)],
            sort,
            page: 0,
            per_page: UserQuery::MAX_PER_PAGE,
        };
        let mut want = users.clone();
        query.sort(&mut want);
        let want: Vec<&User> = want.iter().collect();
        let found = search(store, &query).await;
        assert_page(
            &found,
            &want,
            want.len() as u64,
            &format!("sorted by {sort:?}"),
        );
    }
}

/// By last login, users who never logged in come first ascending and last
/// descending, between themselves by id ascending.
pub async fn a_user_without_a_login_sorts_first_ascending_and_last_descending(
    store: &dyn UserStore,
) {
    let floor = fresh_logins_floor();
    let users = sortable_users(store, floor).await;
    let mut never: Vec<&User> = users.iter().filter(|u| u.last_login.is_none()).collect();
    never.sort_by(|a, b| a.id.cmp(&b.id));
    let never_ids: Vec<UserId> = never.iter().map(|u| u.id.clone()).collect();
    for descending in [false, true] {
        let query = UserQuery {
            filters: vec![UserFilter::LoginsAtLeast(floor)],
            sort: Some((UserSortField::LastLogin, descending)),
            page: 0,
            per_page: UserQuery::MAX_PER_PAGE,
        };
        let found = ids(&search(store, &query).await.users);
        assert_eq!(found.len(), users.len(), "search by last login: every user");
        let ends = if descending {
            &found[found.len() - never.len()..]
        } else {
            &found[..never.len()]
        };
        assert_eq!(
            ends,
            never_ids.as_slice(),
            "by last login (descending: {descending}), the users without a login, by id"
        );
    }
}

/// `delete` removes that user and no other: `get`, `find` and `search`
/// find it no more, a second delete and one of an unknown id return
/// `false`.
pub async fn delete_removes_exactly_that_user(store: &dyn UserStore) {
    let now = real_now();
    let doomed = create(store, &fresh_user(fresh_email(), now)).await;
    let neighbour = create(store, &fresh_user(fresh_email(), now)).await;
    let mut other = fresh_user(fresh_phone(), now);
    other.logins_count = 2;
    let other = create(store, &other).await;
    assert!(
        ok(store.delete(&doomed.id).await, "delete"),
        "delete of an existing user returned false"
    );
    assert!(
        ok(store.get(&doomed.id).await, "get").is_none(),
        "get found a deleted user"
    );
    assert!(
        ok(store.find(&doomed.recipient).await, "find").is_none(),
        "find found a deleted user"
    );
    let found = search_by(store, vec![UserFilter::Id(doomed.id.clone())]).await;
    assert_page(&found, &[], 0, "by the id of a deleted user");
    let found = search_by(store, vec![UserFilter::Email(email_of(&doomed))]).await;
    assert_page(&found, &[], 0, "by the address of a deleted user");
    for kept in [&neighbour, &other] {
        assert_eq!(
            ok(store.get(&kept.id).await, "get").as_ref(),
            Some(kept),
            "delete changed another user"
        );
        assert_eq!(
            ok(store.find(&kept.recipient).await, "find").as_ref(),
            Some(kept),
            "delete changed another user"
        );
    }
    assert!(
        !ok(store.delete(&doomed.id).await, "delete"),
        "a second delete of a user returned true"
    );
    assert!(
        !ok(
            store.delete(&fresh_user_id(Connection::Sms)).await,
            "delete"
        ),
        "delete of an unknown id returned true"
    );
}

/// After `delete`, the recipient is unknown: a login without a candidate
/// gets nothing, and one with a candidate signs up a new user, with a new
/// id and only that login counted.
pub async fn a_deleted_users_recipient_signs_up_afresh(store: &dyn UserStore) {
    let now = real_now();
    let recipient = fresh_email();
    let first = fresh_user(recipient.clone(), now);
    let at = |s| now.plus(Duration::from_secs(s));
    let login = |fresh: Option<User>, at: Timestamp| {
        let recipient = recipient.clone();
        async move {
            ok(
                store
                    .record_login_or_create(&recipient, fresh.as_ref(), at)
                    .await,
                "record_login_or_create",
            )
        }
    };
    let old = some(login(Some(first.clone()), at(1)).await, "a first login");
    some(login(None, at(2)).await, "a second login");
    assert!(
        ok(store.delete(&old.id).await, "delete"),
        "delete of a user"
    );
    assert!(
        login(None, at(3)).await.is_none(),
        "a login without a candidate found a deleted user"
    );
    let second = fresh_user(recipient.clone(), at(4));
    let new = some(
        login(Some(second.clone()), at(5)).await,
        "a login after delete",
    );
    assert_ne!(
        new.id, old.id,
        "a login after delete revived the deleted user"
    );
    let want = User {
        verified: true,
        last_login: Some(at(5)),
        logins_count: 1,
        ..second
    };
    assert_eq!(new, want, "the user of a login after delete: a new user");
    assert_eq!(
        ok(store.find(&recipient).await, "find"),
        Some(want),
        "find after a login after delete"
    );
    assert!(
        ok(store.get(&old.id).await, "get").is_none(),
        "get found the deleted user again"
    );
}
