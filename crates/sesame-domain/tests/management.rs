//! The Management API subset on the testkit harness: a client's own token
//! for `{issuer}api/v2/` (client_credentials), each call's scope, reading,
//! finding by email, blocking (after which the user gets no token),
//! patching the verified flag and the metadata, ending a user's sessions,
//! and the per-client budget.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::time::Duration;

use sesame_domain::ports::Clock as _;

use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::service::{
    ClientCredentials, ClientCredentialsGrant, ManagementError, TokenError, TokenRequest, UserPatch,
};
use sesame_domain::{ApiGrant, ClientId, ClientSecretHash, RateLimit};
use sesame_testkit::harness::defaults::confidential_client;
use sesame_testkit::{Harness, fixtures};

const OPS: &str = "ops-backend";
const OPS_SECRET: &str = "the operator's secret, long enough";
const AUDIENCE: &str = "https://sesame.test/api/v2/";

async fn harness(scopes: &[&str], per_minute: u32) -> Harness {
    let mut c = confidential_client();
    c.id = ClientId::parse(OPS).unwrap();
    c.secret = Some(ClientSecretHash::of(OPS_SECRET));
    c.api_grants = vec![ApiGrant {
        audience: AUDIENCE.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }];
    Harness::builder()
        .with_client(c)
        .configure(move |c| {
            c.management_requests_per_client = RateLimit::new(per_minute, Duration::from_secs(60));
        })
        .build()
        .await
        .unwrap()
}

async fn ops_token(h: &Harness) -> String {
    let creds = ClientCredentials {
        client_id: ClientId::parse(OPS).unwrap(),
        client_secret: Some(SecretString::from(OPS_SECRET)),
    };
    let grant = ClientCredentialsGrant {
        audience: Some(AUDIENCE.into()),
        scope: None,
    };
    h.service
        .token(TokenRequest::new(creds, grant))
        .await
        .unwrap()
        .access_token()
        .to_owned()
}

const ALL: [&str; 3] = ["read:users", "update:users", "delete:refresh_tokens"];

#[tokio::test]
async fn an_operator_reads_finds_and_blocks_a_user_who_then_gets_no_token() {
    let h = harness(&ALL, 600).await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let found = h
        .service
        .management_users_by_email(&caller, &who.as_str().to_uppercase())
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "matched on the normalised address");
    let id = found[0].id.as_str().to_owned();
    let user = h.service.management_user(&caller, &id).await.unwrap();
    assert_eq!(user.logins_count, 1);
    let blocked = h
        .service
        .management_update_user(
            &caller,
            &id,
            &UserPatch {
                blocked: Some(true),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    assert!(blocked.blocked);
    h.codes.push("999999");
    h.start(&who).await.unwrap();
    let refused = h.redeem(&who, "999999").await.unwrap_err();
    assert!(matches!(refused, TokenError::Blocked), "{refused:?}");
}

#[tokio::test]
async fn ending_a_users_sessions_kills_their_refresh_tokens() {
    let h = harness(&ALL, 600).await;
    let who = fixtures::fresh_email();
    h.codes.push("121212");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "121212");
    grant.scope = Some("openid offline_access".into());
    let tokens = h.exchange(grant).await.unwrap();
    let refresh = tokens.refresh_token.unwrap().expose_secret().to_owned();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let user = h.users().find(&who).await.unwrap().unwrap();
    h.service
        .management_revoke_refresh_tokens(&caller, user.id.as_str())
        .await
        .unwrap();
    assert!(h.refresh(&refresh).await.is_err());
}

#[tokio::test]
async fn each_call_needs_its_scope_and_an_unknown_user_is_not_found() {
    let h = harness(&["read:users"], 600).await;
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let user = h.users().find(&who).await.unwrap().unwrap();
    let err = h
        .service
        .management_update_user(
            &caller,
            user.id.as_str(),
            &UserPatch {
                blocked: Some(true),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Insufficient scope, expected any of: update:users"
    );
    let err = h
        .service
        .management_revoke_refresh_tokens(&caller, user.id.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::InsufficientScope(_)));
    let err = h
        .service
        .management_user(&caller, "email|000000000000000000000000")
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::NoSuchUser));
    let err = h
        .service
        .management_users_by_email(&caller, "not an address")
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::InvalidQuery(_)));
}

#[tokio::test]
async fn a_user_token_or_another_apis_token_is_not_a_management_token() {
    let h = harness(&ALL, 600).await;
    let tokens = h.login(&fixtures::fresh_email()).await.unwrap();
    let err = h
        .service
        .management_caller(tokens.access_token())
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::InvalidToken));
    let err = h.service.management_caller("a.b.c").await.unwrap_err();
    assert!(matches!(err, ManagementError::InvalidToken));
}

#[tokio::test]
async fn a_client_past_its_budget_per_minute_is_refused() {
    let h = harness(&ALL, 2).await;
    let token = ops_token(&h).await;
    assert!(h.service.management_caller(&token).await.is_ok());
    assert!(h.service.management_caller(&token).await.is_ok());
    let err = h.service.management_caller(&token).await.unwrap_err();
    assert!(matches!(err, ManagementError::RateLimited(_)), "{err:?}");
    h.clock.advance(Duration::from_secs(60));
    assert!(
        h.service.management_caller(&token).await.is_ok(),
        "a new minute"
    );
}

#[tokio::test]
async fn users_are_listed_by_q_paged_and_sorted() {
    use sesame_domain::Connection;
    use sesame_domain::service::ListUsers;
    let h = harness(&ALL, 600).await;
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let who = fixtures::fresh_email();
        h.login(&who).await.unwrap();
        ids.push(h.users().find(&who).await.unwrap().unwrap().id);
    }
    // Narrowed to these users by id; two of them log in once more.
    for id in &ids[1..] {
        let user = h.users().get(id).await.unwrap().unwrap();
        h.login(&user.recipient).await.unwrap();
    }
    let list = |q: String, page: u32, sort: Option<&str>| ListUsers {
        q: Some(q),
        page: Some(page),
        per_page: Some(1),
        sort: sort.map(str::to_owned),
        connection: Some(Connection::Email),
    };
    let q = format!("user_id:\"{}\"", ids[1]);
    let (_, page) = h
        .service
        .management_list_users(&caller, &list(q, 0, None))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.users[0].id, ids[1]);
    let q = format!("user_id:\"{}\" AND logins_count:[2 TO *]", ids[0]);
    let (_, page) = h
        .service
        .management_list_users(&caller, &list(q, 0, None))
        .await
        .unwrap();
    assert_eq!(page.total, 0, "the first user logged in once");
    let err = h
        .service
        .management_list_users(
            &caller,
            &ListUsers {
                per_page: Some(101),
                ..ListUsers::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::InvalidQuery(_)));
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions_and_a_new_login_signs_up_afresh() {
    let h = harness(&["delete:users", "read:users"], 600).await;
    let who = fixtures::fresh_email();
    h.codes.push("343434");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "343434");
    grant.scope = Some("openid offline_access".into());
    let tokens = h.exchange(grant).await.unwrap();
    let refresh = tokens.refresh_token.unwrap().expose_secret().to_owned();
    let old = h.users().find(&who).await.unwrap().unwrap();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    h.service
        .management_delete_user(&caller, old.id.as_str())
        .await
        .unwrap();
    assert!(h.users().get(&old.id).await.unwrap().is_none());
    assert!(h.refresh(&refresh).await.is_err(), "their sessions ended");
    let err = h
        .service
        .management_delete_user(&caller, old.id.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::NoSuchUser));
    h.login(&who).await.unwrap();
    let new = h.users().find(&who).await.unwrap().unwrap();
    assert_ne!(new.id, old.id);
}

#[tokio::test]
async fn a_user_who_logs_in_gets_no_management_scope_but_reading_themselves() {
    let h = harness(&ALL, 600).await;
    let who = fixtures::fresh_email();
    h.codes.push("565656");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "565656");
    grant.audience = Some(AUDIENCE.into());
    grant.scope = Some("openid read:users update:users delete:users read:current_user".into());
    let tokens = h.exchange(grant).await.unwrap();
    assert_eq!(tokens.scope, "openid read:current_user");
    let caller = h
        .service
        .management_caller(tokens.access_token())
        .await
        .unwrap();
    let me = h.users().find(&who).await.unwrap().unwrap();
    assert!(
        h.service
            .management_user(&caller, me.id.as_str())
            .await
            .is_ok()
    );
    // Someone else: not with this token.
    let other = fixtures::fresh_email();
    h.login(&other).await.unwrap();
    let them = h.users().find(&other).await.unwrap().unwrap();
    let err = h
        .service
        .management_user(&caller, them.id.as_str())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManagementError::InsufficientScope(_)),
        "{err:?}"
    );
    let err = h
        .service
        .management_delete_user(&caller, them.id.as_str())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ManagementError::InsufficientScope(_)),
        "{err:?}"
    );
}

/// `v` as a metadata object.
fn object(v: serde_json::Value) -> sesame_domain::user::Metadata {
    v.as_object().cloned().unwrap()
}

#[tokio::test]
async fn an_operator_patches_the_verified_flag_and_merges_metadata_at_the_root() {
    use serde_json::json;

    let h = harness(&ALL, 600).await;
    let who = fixtures::fresh_phone();
    h.login(&who).await.unwrap();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let user = h.users().find(&who).await.unwrap().unwrap();
    let id = user.id.as_str();
    assert!(user.verified && user.user_metadata.is_empty());
    h.clock.advance(Duration::from_secs(90));
    let first = h
        .service
        .management_update_user(
            &caller,
            id,
            &UserPatch {
                phone_verified: Some(false),
                user_metadata: Some(object(
                    json!({"addresses": {"home": "1 Main St", "work": "2 Side St"}, "color": "red"}),
                )),
                app_metadata: Some(object(json!({"plan": "full"}))),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    assert!(!first.verified, "phone_verified applies to an sms user");
    assert_eq!(
        first.updated_at(),
        h.clock.now(),
        "a patch bumps updated_at"
    );
    assert_eq!(first.logins_count, 1, "logins are kept");
    let second = h
        .service
        .management_update_user(
            &caller,
            id,
            &UserPatch {
                user_metadata: Some(object(
                    json!({"addresses": {"home": "3 New St"}, "color": null}),
                )),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    assert!(!second.verified, "verified kept when not sent");
    assert_eq!(
        serde_json::Value::Object(second.user_metadata.clone()),
        json!({"addresses": {"home": "3 New St"}}),
        "nested objects are replaced, a null removes"
    );
    assert_eq!(
        serde_json::Value::Object(second.app_metadata.clone()),
        json!({"plan": "full"})
    );
    assert_eq!(
        h.service.management_user(&caller, id).await.unwrap(),
        second
    );
    // The next login verifies the number again and keeps the metadata.
    h.login(&who).await.unwrap();
    let after = h.users().find(&who).await.unwrap().unwrap();
    assert!(after.verified);
    assert_eq!(after.user_metadata, second.user_metadata);
    assert_eq!(after.app_metadata, second.app_metadata);
}

#[tokio::test]
async fn the_verified_flag_of_the_other_connection_is_refused_and_nothing_changes() {
    let h = harness(&ALL, 600).await;
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    for (who, patch) in [
        (
            fixtures::fresh_phone(),
            UserPatch {
                email_verified: Some(false),
                blocked: Some(true),
                user_metadata: Some(object(serde_json::json!({"a": 1}))),
                ..UserPatch::default()
            },
        ),
        (
            fixtures::fresh_email(),
            UserPatch {
                phone_verified: Some(false),
                blocked: Some(true),
                app_metadata: Some(object(serde_json::json!({"a": 1}))),
                ..UserPatch::default()
            },
        ),
    ] {
        h.login(&who).await.unwrap();
        let before = h.users().find(&who).await.unwrap().unwrap();
        let err = h
            .service
            .management_update_user(&caller, before.id.as_str(), &patch)
            .await
            .unwrap_err();
        let other = if patch.email_verified.is_some() {
            "email_verified"
        } else {
            "phone_verified"
        };
        assert!(
            matches!(&err, ManagementError::InvalidBody(m) if m.contains(other)),
            "{err:?}"
        );
        let after = h.users().find(&who).await.unwrap().unwrap();
        assert_eq!(after, before, "a refused patch changes nothing");
    }
}

#[tokio::test]
async fn a_metadata_object_over_16_kb_once_merged_is_refused_and_nothing_changes() {
    use serde_json::json;
    use sesame_domain::user::METADATA_MAX_BYTES;

    let h = harness(&ALL, 600).await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let id = h.users().find(&who).await.unwrap().unwrap().id;
    let half = "x".repeat(METADATA_MAX_BYTES / 2);
    let fits = UserPatch {
        user_metadata: Some(object(json!({"a": half}))),
        ..UserPatch::default()
    };
    let before = h
        .service
        .management_update_user(&caller, id.as_str(), &fits)
        .await
        .unwrap();
    let too_much = UserPatch {
        blocked: Some(true),
        email_verified: Some(false),
        user_metadata: Some(object(json!({"b": half}))),
        ..UserPatch::default()
    };
    let err = h
        .service
        .management_update_user(&caller, id.as_str(), &too_much)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ManagementError::InvalidBody(m) if m.contains("user_metadata")),
        "{err:?}"
    );
    assert_eq!(
        h.users().get(&id).await.unwrap().unwrap(),
        before,
        "neither the flag, the block nor the metadata changed"
    );
}

#[tokio::test]
async fn patching_an_unknown_user_is_not_found() {
    let h = harness(&ALL, 600).await;
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let err = h
        .service
        .management_update_user(
            &caller,
            "sms|000000000000000000000000",
            &UserPatch {
                phone_verified: Some(true),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::NoSuchUser), "{err:?}");
}

#[tokio::test]
async fn active_users_counts_logins_of_the_last_30_days_and_needs_read_stats() {
    let h = harness(&["read:stats"], 600).await;
    let (old, recent) = (fixtures::fresh_email(), fixtures::fresh_email());
    h.login(&old).await.unwrap();
    h.clock.advance(Duration::from_secs(31 * 24 * 60 * 60));
    h.login(&recent).await.unwrap();
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    assert_eq!(h.service.management_active_users(&caller).await.unwrap(), 1);
    h.login(&old).await.unwrap();
    assert_eq!(h.service.management_active_users(&caller).await.unwrap(), 2);

    let h = harness(&["read:users"], 600).await;
    let caller = h
        .service
        .management_caller(&ops_token(&h).await)
        .await
        .unwrap();
    let err = h
        .service
        .management_active_users(&caller)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManagementError::InsufficientScope("read:stats")
    ));
}
