//! Scenarios on the harness: the service, wired on the testkit's pieces.

use std::sync::Arc;

use sesame_domain::ports::{DeliveryError, UserStore};
use sesame_domain::service::{
    GrantError, OtpError, RefreshError, StartError, TokenError, TokenRequest,
};
use sesame_domain::{ChallengeKey, Connection};
use sesame_testkit::harness::defaults;
use sesame_testkit::{
    Harness, MemoryHealth, MemoryTokenMinter, MemoryUserStore, ScriptedCodes, StepClock, fixtures,
};

#[tokio::test]
async fn a_whole_login_yields_tokens_that_verify() {
    let h = Harness::new().await.unwrap();
    let alice = fixtures::fresh_email();
    let tokens = h.login(&alice).await.unwrap();
    assert!(tokens.refresh_token().is_some());
    let keys = h.opened_keys().await.unwrap();
    let claims = h
        .minter()
        .verify_access(tokens.access_token(), &keys, defaults::ISSUER)
        .unwrap();
    let user = h.users().find(&alice).await.unwrap().unwrap();
    assert_eq!(claims.sub, user.id.as_str());
    assert_eq!(claims.azp, defaults::CONFIDENTIAL_CLIENT_ID);
    let id = MemoryTokenMinter
        .verify_id(tokens.id_token().unwrap(), &keys, defaults::ISSUER)
        .unwrap();
    assert_eq!(id.email.as_deref(), Some(alice.as_str()));
    assert_eq!(id.email_verified, Some(true));
    let profile = h.service.userinfo(tokens.access_token()).await.unwrap();
    assert_eq!(profile.sub, user.id.as_str());
}

#[tokio::test]
async fn a_public_client_logs_in_by_sms_without_a_secret() {
    let h = Harness::new().await.unwrap();
    let bob = fixtures::fresh_phone();
    let mut start = Harness::start_request(&bob);
    start.client = Harness::public();
    h.service.start(start).await.unwrap();
    let code = h.outbox.last_code_for(&bob).unwrap();
    let mut redeem = Harness::otp_grant(&bob, &code);
    redeem.audience = Some(defaults::API_IDENTIFIER.to_owned());
    let tokens = h
        .service
        .token(TokenRequest::new(Harness::public(), redeem))
        .await
        .unwrap();
    assert_eq!(tokens.expires_in, defaults::API_TOKEN_LIFETIME.as_secs());
    assert_eq!(
        h.outbox.last_sms_to(bob.as_str()).map(|m| m.to),
        Some(match bob {
            sesame_domain::Recipient::Sms(p) => p,
            sesame_domain::Recipient::Email(_) => unreachable!(),
        })
    );
}

#[tokio::test]
async fn a_refresh_rotates_and_a_replayed_token_kills_the_family() {
    let h = Harness::new().await.unwrap();
    let tokens = h.login(&fixtures::fresh_email()).await.unwrap();
    let first = tokens.refresh_token().unwrap().to_owned();
    let second = h.refresh(&first).await.unwrap();
    let second = second.refresh_token().unwrap().to_owned();
    assert_ne!(first, second);
    assert!(matches!(
        h.refresh(&first).await,
        Err(TokenError::Grant(GrantError::RefreshToken(
            RefreshError::InvalidToken
        )))
    ));
    assert!(matches!(
        h.refresh(&second).await,
        Err(TokenError::Grant(GrantError::RefreshToken(
            RefreshError::InvalidToken
        )))
    ));
}

#[tokio::test]
async fn scripted_codes_are_the_ones_sent() {
    let h = Harness::builder()
        .with_codes(ScriptedCodes::seeded(1).with_codes(["424242"]))
        .build()
        .await
        .unwrap();
    let carol = fixtures::fresh_email();
    h.start(&carol).await.unwrap();
    assert_eq!(h.code_for(&carol).as_deref(), Some("424242"));
    h.start(&carol).await.unwrap();
    assert_eq!(h.code_for(&carol).as_deref(), Some("142857"));
}

#[tokio::test]
async fn a_code_redeemed_after_the_clock_passes_its_expiry_is_expired() {
    let clock = StepClock::starting_now();
    let h = Harness::builder()
        .with_clock(clock.clone())
        .build()
        .await
        .unwrap();
    let dave = fixtures::fresh_phone();
    h.start(&dave).await.unwrap();
    let code = h.code_for(&dave).unwrap();
    clock.advance(h.service.config().code_ttl);
    assert!(matches!(
        h.redeem(&dave, &code).await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::Expired
        )))
    ));
}

#[tokio::test]
async fn when_the_provider_is_down_start_fails_and_leaves_no_challenge() {
    let h = Harness::new().await.unwrap();
    h.outbox
        .go_down(|| DeliveryError::Unavailable(anyhow::anyhow!("connection refused")));
    let erin = fixtures::fresh_email();
    let err = h.start(&erin).await.unwrap_err();
    assert!(matches!(
        err,
        StartError::Delivery {
            connection: Connection::Email,
            source: DeliveryError::Unavailable(_)
        }
    ));
    assert_eq!(h.outbox.refused(), 1);
    let key = ChallengeKey {
        client_id: Harness::confidential().client_id,
        recipient: erin,
    };
    assert!(h.challenges().latest(&key).await.unwrap().is_none());
}

#[tokio::test]
async fn configuration_changes_reach_the_service() {
    let h = Harness::builder()
        .configure(|c| c.max_attempts = 1)
        .build()
        .await
        .unwrap();
    let frank = fixtures::fresh_email();
    h.start(&frank).await.unwrap();
    let code = h.code_for(&frank).unwrap();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert!(matches!(
        h.redeem(&frank, wrong).await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::MaxAttempts
        )))
    ));
    assert!(matches!(
        h.redeem(&frank, &code).await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::MaxAttempts
        )))
    ));
}

#[tokio::test]
async fn a_replaced_port_is_the_one_the_service_uses() {
    let users = Arc::new(MemoryUserStore::new());
    let h = Harness::builder()
        .with_users(users.clone() as Arc<dyn UserStore>)
        .build()
        .await
        .unwrap();
    assert!(users.is_empty());
    h.login(&fixtures::fresh_phone()).await.unwrap();
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn without_default_registrations_no_client_is_known() {
    let h = Harness::builder()
        .without_default_registrations()
        .build()
        .await
        .unwrap();
    assert!(matches!(
        h.start(&fixtures::fresh_email()).await,
        Err(StartError::UnknownClient)
    ));
    let extra = fixtures::fresh_client();
    let h = Harness::builder()
        .with_client(extra.clone())
        .build()
        .await
        .unwrap();
    assert_eq!(
        h.clients().get(&extra.id).await.unwrap().as_deref(),
        Some(&extra)
    );
}

#[tokio::test]
async fn two_harnesses_never_mint_the_same_ids() {
    let (a, b) = (Harness::new().await.unwrap(), Harness::new().await.unwrap());
    let (x, y) = (fixtures::fresh_email(), fixtures::fresh_email());
    let ids = [a.start(&x).await.unwrap().id, b.start(&y).await.unwrap().id];
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn readiness_reports_a_backend_marked_down() {
    use sesame_domain::service::Readiness as _;
    let health = MemoryHealth::new();
    let h = Harness::builder()
        .with_health_check(Arc::new(health.clone()))
        .build()
        .await
        .unwrap();
    let ready = |v: Vec<sesame_domain::service::BackendStatus>| {
        v.iter().map(|s| (s.name, s.ready)).collect::<Vec<_>>()
    };
    assert_eq!(ready(h.service.readiness().await), [("memory", true)]);
    health.set_down(true);
    assert_eq!(ready(h.service.readiness().await), [("memory", false)]);
}
