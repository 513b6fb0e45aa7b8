//! Log events on the testkit harness: each sign-in step makes the event
//! Auth0 would log (`cs`, `s`, `fepotpft`, `sertft`, `ferrt`, `limit_*`,
//! `seccft`), naming the user and client but never a code, a token or a
//! full address; and `/api/v2/logs` lists them by user, type and date.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use secrecy::SecretString;
use sesame_domain::service::{
    ClientCredentials, ClientCredentialsGrant, ListLogs, ManagementError, TokenRequest, UserPatch,
};
use sesame_domain::{ApiGrant, ClientId, ClientSecretHash, EventType, Recipient};
use sesame_testkit::harness::defaults::confidential_client;
use sesame_testkit::{Harness, fixtures};

const OPS: &str = "ops-backend";
const OPS_SECRET: &str = "the operator's secret, long enough";

async fn harness() -> Harness {
    let mut c = confidential_client();
    c.id = ClientId::parse(OPS).unwrap();
    c.secret = Some(ClientSecretHash::of(OPS_SECRET));
    c.api_grants = vec![ApiGrant {
        audience: "https://sesame.test/api/v2/".into(),
        scopes: ["read:logs", "read:users", "update:users", "delete:users"]
            .map(str::to_owned)
            .to_vec(),
    }];
    Harness::builder().with_client(c).build().await.unwrap()
}

async fn ops(h: &Harness) -> sesame_domain::service::ManagementCaller {
    let creds = ClientCredentials {
        client_id: ClientId::parse(OPS).unwrap(),
        client_secret: Some(SecretString::from(OPS_SECRET)),
    };
    let grant = ClientCredentialsGrant {
        audience: Some("https://sesame.test/api/v2/".into()),
        scope: None,
    };
    let token = h
        .service
        .token(TokenRequest::new(creds, grant))
        .await
        .unwrap();
    h.service
        .management_caller(token.access_token())
        .await
        .unwrap()
}

async fn user_id_of(h: &Harness, who: &Recipient) -> String {
    let user = h.users().find(who).await.unwrap().unwrap();
    user.id.as_str().to_owned()
}

#[tokio::test]
async fn a_login_logs_the_code_sent_then_the_success_naming_user_and_client() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let id = user_id_of(&h, &who).await;
    let events = h.events.all();
    let types: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(types, vec![EventType::CodeSent, EventType::Success]);
    let s = &events[1];
    assert_eq!(s.user_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        s.client_id.as_deref(),
        Some(sesame_testkit::harness::defaults::CONFIDENTIAL_CLIENT_ID)
    );
    assert_eq!(s.connection.as_deref(), Some("email"));
    assert!(events[0].log_id < events[1].log_id, "ids sort as made");
    // The address is masked, the code and tokens are nowhere.
    let text: String = events.iter().map(|e| e.to_json().unwrap()).collect();
    assert!(!text.contains(who.as_str()), "{text}");
    assert!(text.contains("***@"), "masked user_name: {text}");
}

#[tokio::test]
async fn a_wrong_code_is_fepotpft_naming_the_user_and_never_the_code() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    h.start(&who).await.unwrap();
    let code = h.code_for(&who).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.events.clear();
    assert!(h.redeem(&who, wrong).await.is_err());
    let failed = h.events.of_type(EventType::FailedPasswordlessExchange);
    assert_eq!(failed.len(), 1, "{:?}", h.events.types());
    assert_eq!(failed[0].user_id, Some(user_id_of(&h, &who).await));
    assert_eq!(failed[0].description, "Wrong email or verification code.");
    // The id and date are digits of their own; every other field is checked.
    let mut shown = failed[0].clone();
    shown.log_id.clear();
    shown.date = sesame_domain::Timestamp::from_unix_millis(0);
    let text = shown.to_json().unwrap();
    assert!(!text.contains(wrong) && !text.contains(&code), "{text}");

    // A stranger's address gets the same event, naming nobody.
    let stranger = fixtures::fresh_email();
    h.events.clear();
    assert!(h.redeem(&stranger, "123456").await.is_err());
    let failed = h.events.of_type(EventType::FailedPasswordlessExchange);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].user_id, None);
}

#[tokio::test]
async fn refreshing_logs_sertft_and_a_reused_token_logs_ferrt() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    let tokens = h.login(&who).await.unwrap();
    let first = tokens.refresh_token().unwrap().to_owned();
    h.events.clear();
    h.refresh(&first).await.unwrap();
    assert_eq!(h.events.types(), vec![EventType::SuccessRefresh]);
    assert!(h.refresh(&first).await.is_err());
    assert_eq!(
        h.events.types(),
        vec![EventType::SuccessRefresh, EventType::RefreshReuse]
    );
    assert_eq!(
        h.events.all()[1].user_id,
        Some(user_id_of(&h, &who).await),
        "the reused family's user"
    );
}

#[tokio::test]
async fn a_refused_client_makes_no_event_and_client_credentials_make_seccft() {
    let h = harness().await;
    let creds = ClientCredentials {
        client_id: ClientId::parse("nobody-at-all").unwrap(),
        client_secret: None,
    };
    let grant = Harness::otp_grant(&fixtures::fresh_email(), "123456");
    assert!(
        h.service
            .token(TokenRequest::new(creds, grant))
            .await
            .is_err()
    );
    assert!(h.events.all().is_empty(), "{:?}", h.events.types());
    let _ = ops(&h).await;
    assert_eq!(h.events.types(), vec![EventType::SuccessClientCredentials]);
    assert_eq!(h.events.all()[0].client_id.as_deref(), Some(OPS));
}

#[tokio::test]
async fn the_management_api_lists_a_users_events_by_type_newest_first() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    h.start(&who).await.unwrap();
    assert!(h.redeem(&who, "not-a-code").await.is_err());
    let other = fixtures::fresh_email();
    h.login(&other).await.unwrap();
    let caller = ops(&h).await;
    let id = user_id_of(&h, &who).await;

    let mine = ListLogs {
        include_totals: true,
        ..ListLogs::default()
    };
    let (_, page) = h
        .service
        .management_logs(&caller, &mine, Some(&id))
        .await
        .unwrap();
    // The first code went to an address with no user yet: it names nobody.
    let types: Vec<_> = page.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        types,
        vec![
            EventType::FailedPasswordlessExchange,
            EventType::CodeSent,
            EventType::Success,
        ]
    );
    assert_eq!(page.total, Some(3));

    let by_type = ListLogs {
        q: Some(format!(r#"type:(s OR fepotpft) AND user_id:"{id}""#)),
        sort: Some("date:1".into()),
        ..ListLogs::default()
    };
    let (_, page) = h
        .service
        .management_logs(&caller, &by_type, None)
        .await
        .unwrap();
    let types: Vec<_> = page.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        types,
        vec![EventType::Success, EventType::FailedPasswordlessExchange]
    );

    // Checkpoint paging: after the first event, oldest first.
    let first = h.events.all()[0].log_id.clone();
    let after = ListLogs {
        from: Some(first.clone()),
        take: Some(2),
        ..ListLogs::default()
    };
    let (_, page) = h
        .service
        .management_logs(&caller, &after, None)
        .await
        .unwrap();
    assert_eq!(page.events.len(), 2);
    assert!(page.events.iter().all(|e| e.log_id > first));
    assert!(page.events[0].log_id < page.events[1].log_id);
}

#[tokio::test]
async fn reading_logs_needs_read_logs_and_a_bad_query_is_named() {
    let h = harness().await;
    let caller = ops(&h).await;
    let bad = ListLogs {
        q: Some("ip:10.0.0.1".into()),
        ..ListLogs::default()
    };
    let err = h
        .service
        .management_logs(&caller, &bad, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ManagementError::InvalidQuery(m) if m.contains("\"ip\"")),
        "{err:?}"
    );
    let mut narrow = caller.clone();
    narrow.scope = narrow.scope.retain(|s| s == "read:users");
    let err = h
        .service
        .management_logs(&narrow, &ListLogs::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ManagementError::InsufficientScope("read:logs")
    ));
    let err = h
        .service
        .management_logs(
            &caller,
            &ListLogs::default(),
            Some("email|000000000000000000000000"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ManagementError::NoSuchUser));
}

#[tokio::test]
async fn management_writes_log_sapi_and_a_delete_logs_sdu_naming_the_caller() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let id = user_id_of(&h, &who).await;
    let caller = ops(&h).await;
    h.events.clear();
    let patch = UserPatch {
        blocked: Some(true),
        ..UserPatch::default()
    };
    h.service
        .management_update_user(&caller, &id, &patch)
        .await
        .unwrap();
    h.service
        .management_delete_user(&caller, &id)
        .await
        .unwrap();
    assert_eq!(
        h.events.types(),
        vec![EventType::SuccessApi, EventType::UserDeleted]
    );
    for e in h.events.all() {
        assert_eq!(e.client_id.as_deref(), Some(OPS));
        assert_eq!(e.user_id.as_deref(), Some(id.as_str()));
    }
    assert_eq!(h.events.all()[0].details["blocked"], "true");
}

#[tokio::test]
async fn a_start_logs_the_transports_ip_unless_a_trusted_client_forwards_one() {
    let h = harness().await;
    let who = fixtures::fresh_email();
    let mut req = Harness::start_request(&who);
    req.client = Harness::public();
    req.ip = Some("198.51.100.7".parse().unwrap());
    req.forwarded_for = Some("203.0.113.99".parse().unwrap());
    req.user_agent = Some("probe/1".into());
    h.service.start(req).await.unwrap();
    let sent = h.events.of_type(EventType::CodeSent);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].ip,
        Some("198.51.100.7".parse().unwrap()),
        "a public client's auth0-forwarded-for is not believed"
    );
    assert_eq!(sent[0].user_agent.as_deref(), Some("probe/1"));
}

#[tokio::test]
async fn a_flood_of_refused_codes_logs_its_limit_once_per_window() {
    let h = Harness::builder()
        .configure(|c| {
            c.failures_per_ip =
                sesame_domain::RateLimit::new(3, std::time::Duration::from_secs(3600));
        })
        .build()
        .await
        .unwrap();
    for _ in 0..20 {
        let mut req =
            Harness::token_request(Harness::otp_grant(&fixtures::fresh_email(), "123456"));
        req.ip = Some("203.0.113.50".parse().unwrap());
        assert!(h.service.token(req).await.is_err());
    }
    let types = h.events.types();
    assert_eq!(
        types.iter().filter(|t| **t == EventType::LimitIp).count(),
        1,
        "{types:?}"
    );
    assert!(
        types.len() <= 4,
        "three wrong codes and one limit: {types:?}"
    );
}
