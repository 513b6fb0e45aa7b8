//! Every rule of issuing and redeeming codes, on the testkit harness: a
//! steppable clock, scripted codes and a capturing outbox.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::ports::DeliveryError;
use sesame_domain::service::{
    GrantError, OtpError, RefreshError, RefreshGrant, StartError, TokenError, TokenRequest,
};
use sesame_domain::{Client, ClientId, ClientSecretHash, Connection, GrantType, Recipient};
use sesame_testkit::harness::defaults;
use sesame_testkit::{Harness, fixtures};

const TTL: Duration = Duration::from_secs(180);

async fn started(h: &Harness, who: &Recipient, code: &str) {
    h.codes.push(code);
    h.start(who).await.unwrap();
}

fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn a_code_is_single_use() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "111111").await;
    h.redeem(&who, "111111").await.unwrap();
    let replay = h.redeem(&who, "111111").await.unwrap_err();
    assert!(
        matches!(
            replay,
            TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(
                Connection::Email
            )))
        ),
        "{replay:?}"
    );
}

#[tokio::test]
async fn a_code_redeemed_just_before_its_ttl_works() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "222222").await;
    h.clock.advance(TTL - Duration::from_millis(1));
    assert!(h.redeem(&who, "222222").await.is_ok());
}

#[tokio::test]
async fn a_code_presented_at_exactly_its_ttl_has_expired() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "333333").await;
    h.clock.advance(TTL);
    let err = h.redeem(&who, "333333").await.unwrap_err();
    assert!(
        matches!(
            err,
            TokenError::Grant(GrantError::PasswordlessOtp(OtpError::Expired))
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "The verification code has expired. Please try to login again."
    );
}

#[tokio::test]
async fn a_wrong_code_for_an_expired_challenge_is_just_a_wrong_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_phone();
    started(&h, &who, "444444").await;
    h.clock.advance(TTL * 2);
    let err = h.redeem(&who, "000000").await.unwrap_err();
    assert!(
        matches!(
            err,
            TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(
                Connection::Sms
            )))
        ),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Wrong phone number or verification code.");
}

#[tokio::test]
async fn the_third_wrong_code_exhausts_the_challenge_even_for_the_right_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "555555").await;
    for _ in 0..2 {
        assert!(matches!(
            h.redeem(&who, "000000").await,
            Err(TokenError::Grant(GrantError::PasswordlessOtp(
                OtpError::WrongCode(_)
            )))
        ));
    }
    let third = h.redeem(&who, "000001").await.unwrap_err();
    assert!(
        matches!(
            third,
            TokenError::Grant(GrantError::PasswordlessOtp(OtpError::MaxAttempts))
        ),
        "{third:?}"
    );
    assert_eq!(
        third.to_string(),
        "You've reached the maximum number of attempts. Please try to login again."
    );
    assert!(matches!(
        h.redeem(&who, "555555").await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::MaxAttempts
        )))
    ));
}

#[tokio::test]
async fn only_the_latest_code_is_valid() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "666666").await;
    started(&h, &who, "777777").await;
    assert!(matches!(
        h.redeem(&who, "666666").await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::WrongCode(_)
        )))
    ));
    assert!(h.redeem(&who, "777777").await.is_ok());
}

#[tokio::test]
async fn an_unknown_recipient_and_a_wrong_code_get_the_same_answer() {
    let h = Harness::new().await.unwrap();
    let known = fixtures::fresh_email();
    started(&h, &known, "888888").await;
    let wrong = h.redeem(&known, "123123").await.unwrap_err();
    let unknown = h
        .redeem(&fixtures::fresh_email(), "123123")
        .await
        .unwrap_err();
    let garbage = h
        .service
        .token(Harness::token_request(Harness::otp_grant(
            &fixtures::fresh_email(),
            "123123",
        )))
        .await
        .unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.to_string(), garbage.to_string());
    assert!(matches!(
        unknown,
        TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(
            Connection::Email
        )))
    ));
}

/// A redemption of `code` for `who` from `ip`.
async fn redeem_from(
    h: &Harness,
    who: &Recipient,
    code: &str,
    ip: &str,
) -> Result<sesame_domain::TokenSet, TokenError> {
    let mut req = Harness::token_request(Harness::otp_grant(who, code));
    req.ip = Some(ip.parse().unwrap());
    h.service.token(req).await
}

#[tokio::test]
async fn failures_count_per_recipient_and_ip_across_challenges_and_unknown_recipients() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    // No challenge at all: the failures still count, so probing an address
    // without a code is throttled exactly like guessing one.
    for _ in 0..10 {
        assert!(matches!(
            redeem_from(&h, &who, "000000", "203.0.113.5").await,
            Err(TokenError::Grant(GrantError::PasswordlessOtp(
                OtpError::WrongCode(_)
            )))
        ));
    }
    started(&h, &who, "999999").await;
    let err = redeem_from(&h, &who, "999999", "203.0.113.5")
        .await
        .unwrap_err();
    assert!(
        matches!(err, TokenError::Grant(GrantError::PasswordlessOtp(OtpError::TooManyAttempts(d))) if !d.allowed),
        "{err:?}"
    );
    h.clock.advance(Duration::from_secs(15 * 60));
    started(&h, &who, "989898").await;
    assert!(
        redeem_from(&h, &who, "989898", "203.0.113.5").await.is_ok(),
        "the limit lifts when its window ends"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_double_submitted_right_code_does_not_count_as_a_failure() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "171717").await;
    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let h = h.clone();
            let who = who.clone();
            tokio::spawn(async move { h.redeem(&who, "171717").await })
        })
        .collect();
    let mut wins = 0;
    for a in attempts {
        if a.await.unwrap().is_ok() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
    started(&h, &who, "181818").await;
    assert!(
        h.redeem(&who, "181818").await.is_ok(),
        "the losers did not lock the recipient out"
    );
}

#[tokio::test]
async fn asking_a_refresh_for_a_wider_scope_leaves_the_token_usable() {
    let h = Harness::new().await.unwrap();
    let t = h.login(&fixtures::fresh_email()).await.unwrap();
    let rt = t.refresh_token().unwrap().to_owned();
    let wider = h
        .service
        .token(Harness::token_request(RefreshGrant {
            refresh_token: SecretString::from(rt.clone()),
            scope: Some("openid offline_access admin".into()),
        }))
        .await
        .unwrap_err();
    assert!(
        matches!(
            wider,
            TokenError::Grant(GrantError::RefreshToken(RefreshError::ScopeNotGranted(_)))
        ),
        "{wider:?}"
    );
    let narrower = h
        .service
        .token(Harness::token_request(RefreshGrant {
            refresh_token: SecretString::from(rt),
            scope: Some("openid".into()),
        }))
        .await
        .unwrap();
    assert_eq!(narrower.scope, "openid");
}

#[tokio::test]
async fn starts_are_limited_per_recipient_and_ip_and_per_recipient_from_every_ip() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let start_from = |ip: String| {
        let mut req = Harness::start_request(&who);
        req.ip = Some(ip.parse().unwrap());
        h.service.start(req)
    };
    for _ in 0..5 {
        start_from("203.0.113.1".into()).await.unwrap();
    }
    let err = start_from("203.0.113.1".into()).await.unwrap_err();
    assert!(
        matches!(&err, StartError::RateLimited(d) if d.remaining == 0 && d.limit == 5),
        "the sixth code from one IP: {err:?}"
    );
    // Other IPs still get codes, up to 20 for the recipient in the hour.
    for i in 0..15 {
        start_from(format!("198.51.100.{i}")).await.unwrap();
    }
    let err = start_from("192.0.2.1".into()).await.unwrap_err();
    assert!(
        matches!(&err, StartError::RateLimited(d) if d.remaining == 0 && d.limit == 20),
        "the twenty-first code from every IP: {err:?}"
    );
    assert_eq!(h.outbox.count(), 20);
}

#[tokio::test]
async fn a_failed_delivery_leaves_no_redeemable_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    h.outbox
        .fail_next(DeliveryError::Unavailable(anyhow::anyhow!("smtp down")));
    h.codes.push("121212");
    let err = h.start(&who).await.unwrap_err();
    assert!(
        matches!(
            err,
            StartError::Delivery {
                connection: Connection::Email,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        h.redeem(&who, "121212").await,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::WrongCode(_)
        )))
    ));
}

#[tokio::test]
async fn a_blocked_user_gets_no_code_but_the_same_answer() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let user = h.service.ports().users.find(&who).await.unwrap().unwrap();
    h.service
        .ports()
        .users
        .set_blocked(&user.id, true)
        .await
        .unwrap();
    let sent_before = h.outbox.count();
    let answer = h.start(&who).await.unwrap();
    assert!(answer.id.starts_with("ch_"));
    assert_eq!(h.outbox.count(), sent_before, "nothing was sent");
}

#[tokio::test]
async fn with_signups_disabled_unknown_recipients_get_no_code() {
    let h = Harness::builder()
        .configure(|c| c.disable_signup = true)
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_phone();
    assert!(h.start(&who).await.is_ok());
    assert_eq!(h.outbox.count(), 0);
}

#[tokio::test]
async fn the_first_login_creates_a_verified_user_and_later_ones_reuse_it() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let first = h.login(&who).await.unwrap();
    let second = h.login(&who).await.unwrap();
    let sub = |t: &sesame_domain::TokenSet| {
        claims(t.id_token().unwrap())["sub"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(sub(&first), sub(&second));
    assert!(sub(&first).starts_with("email|"));
    let user = h.service.ports().users.find(&who).await.unwrap().unwrap();
    assert!(user.verified);
    assert_eq!(user.logins_count, 2);
    assert_eq!(claims(first.id_token().unwrap())["email_verified"], true);
}

#[tokio::test]
async fn tokens_follow_the_scope_and_the_api() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "131313").await;
    let mut req = Harness::otp_grant(&who, "131313");
    req.audience = Some(defaults::API_IDENTIFIER.to_owned());
    req.scope = Some("email".to_owned());
    let t = h.exchange(req).await.unwrap();
    assert!(t.id_token().is_none(), "no openid, no id token");
    assert!(
        t.refresh_token().is_none(),
        "no offline_access, no refresh token"
    );
    assert_eq!(t.expires_in, defaults::API_TOKEN_LIFETIME.as_secs());
    let aud = claims(t.access_token())["aud"].clone();
    assert_eq!(
        aud,
        serde_json::json!([
            defaults::API_IDENTIFIER,
            format!("{}userinfo", defaults::ISSUER)
        ])
    );
}

#[tokio::test]
async fn an_unknown_audience_is_refused() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "141414").await;
    let mut req = Harness::otp_grant(&who, "141414");
    req.audience = Some("https://nope.example.com".to_owned());
    let err = h.exchange(req).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Service not found: https://nope.example.com"
    );
}

#[tokio::test]
async fn a_client_without_the_refresh_grant_gets_no_refresh_token() {
    let no_refresh = Client {
        id: ClientId::parse("no-refresh").unwrap(),
        name: "No Refresh".into(),
        secret: Some(ClientSecretHash::of("no-refresh-secret-long-enough")),
        callbacks: vec![],
        grant_types: vec![GrantType::PasswordlessOtp],
        connections: vec![Connection::Email],
        trust_forwarded_for: false,
        web_origins: vec![],
        magic_link: sesame_domain::MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    };
    let h = Harness::builder()
        .with_client(no_refresh.clone())
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    let mut start = Harness::start_request(&who);
    start.client.client_id = no_refresh.id.clone();
    start.client.client_secret = Some(SecretString::from("no-refresh-secret-long-enough"));
    h.codes.push("151515");
    h.service.start(start.clone()).await.unwrap();
    let mut req = Harness::otp_grant(&who, "151515");
    req.scope = Some("openid offline_access".into());
    let t = h
        .service
        .token(TokenRequest::new(start.client, req))
        .await
        .unwrap();
    assert!(t.refresh_token().is_none());
    assert_eq!(t.scope, "openid");
}

#[tokio::test]
async fn a_refresh_token_rotates_and_its_reuse_revokes_the_family() {
    let h = Harness::new().await.unwrap();
    let first = h.login(&fixtures::fresh_email()).await.unwrap();
    let r1 = first.refresh_token().unwrap().to_owned();
    let second = h.refresh(&r1).await.unwrap();
    let r2 = second.refresh_token().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert!(
        matches!(
            h.refresh(&r1).await,
            Err(TokenError::Grant(GrantError::RefreshToken(
                RefreshError::InvalidToken
            )))
        ),
        "reuse is refused"
    );
    assert!(
        matches!(
            h.refresh(&r2).await,
            Err(TokenError::Grant(GrantError::RefreshToken(
                RefreshError::InvalidToken
            )))
        ),
        "and the family is revoked"
    );
}

#[tokio::test]
async fn trusted_forwarding_rate_limits_the_end_users_ip() {
    let h = Harness::builder()
        .configure(|c| c.start_per_ip = sesame_domain::RateLimit::new(2, Duration::from_secs(3600)))
        .with_client(Client {
            trust_forwarded_for: true,
            ..defaults::confidential_client()
        })
        .build()
        .await
        .unwrap();
    let peer = "10.0.0.1".parse().unwrap();
    for i in 0..3 {
        let mut req = Harness::start_request(&fixtures::fresh_email());
        req.ip = Some(peer);
        req.forwarded_for = Some(format!("198.51.100.{i}").parse().unwrap());
        h.service.start(req).await.unwrap();
    }
}

#[tokio::test]
async fn untrusted_forwarding_is_ignored_and_the_peer_is_limited() {
    let h = Harness::builder()
        .configure(|c| c.start_per_ip = sesame_domain::RateLimit::new(2, Duration::from_secs(3600)))
        .build()
        .await
        .unwrap();
    let peer = "10.0.0.2".parse().unwrap();
    let mut results = Vec::new();
    for i in 0..3 {
        let mut req = Harness::start_request(&fixtures::fresh_email());
        req.client = Harness::public();
        req.ip = Some(peer);
        req.forwarded_for = Some(format!("198.51.100.{i}").parse().unwrap());
        results.push(h.service.start(req).await);
    }
    assert!(results[0].is_ok() && results[1].is_ok());
    assert!(matches!(results[2], Err(StartError::RateLimited(_))));
}

#[tokio::test]
async fn a_confidential_client_must_present_its_secret() {
    let h = Harness::new().await.unwrap();
    let mut req = Harness::start_request(&fixtures::fresh_email());
    req.client.client_secret = None;
    assert!(matches!(
        h.service.start(req.clone()).await,
        Err(StartError::InvalidClient)
    ));
    req.client.client_secret = Some(SecretString::from("wrong"));
    assert!(matches!(
        h.service.start(req).await,
        Err(StartError::InvalidClient)
    ));
}

#[tokio::test]
async fn codes_have_the_configured_length() {
    let h = Harness::builder()
        .configure(|c| c.code_length = sesame_domain::CodeLength::new(8).unwrap())
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_phone();
    h.start(&who).await.unwrap();
    let code = h.code_for(&who).unwrap();
    assert_eq!(code.len(), 8);
    assert!(h.redeem(&who, &code).await.is_ok());
}

#[tokio::test]
async fn userinfo_answers_for_a_live_access_token_only() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_phone();
    let t = h.login(&who).await.unwrap();
    let profile = h.service.userinfo(t.access_token()).await.unwrap();
    assert_eq!(profile.phone_number.as_deref(), Some(who.as_str()));
    assert_eq!(profile.phone_verified, Some(true));
    h.clock.advance(Duration::from_secs(86_400 + 1));
    assert!(h.service.userinfo(t.access_token()).await.is_err());
    assert!(h.service.userinfo("not.a.token").await.is_err());
}

#[tokio::test]
async fn a_rotated_key_signs_new_tokens_and_both_stay_published() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let before = h.login(&who).await.unwrap();
    let kid = h
        .service
        .rotate_signing_key(sesame_domain::SigningAlg::RS256)
        .await
        .unwrap();
    let after = h.login(&who).await.unwrap();
    let header = |jwt: &str| -> serde_json::Value {
        serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(jwt.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(header(after.access_token())["kid"], kid.as_str());
    assert_ne!(header(before.access_token())["kid"], kid.as_str());
    let jwks = h.service.jwks().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert!(
        h.service.userinfo(before.access_token()).await.is_ok(),
        "old tokens still verify"
    );
    let _ = before.access_token.expose_secret();
}

#[tokio::test]
async fn a_link_start_is_refused_clearly_while_magic_links_are_off() {
    let h = Harness::builder()
        .configure(|c| c.magic_links = false)
        .build()
        .await
        .unwrap();
    let mut req = Harness::start_request(&fixtures::fresh_email());
    req.send = sesame_domain::SendMode::Link;
    assert!(matches!(
        h.service.start(req).await,
        Err(StartError::LinksDisabled)
    ));
    assert_eq!(h.outbox.count(), 0);
}

#[tokio::test]
async fn a_code_email_carries_no_link() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    h.start(&who).await.unwrap();
    assert!(h.outbox.last_link_for(&who).is_none());
}

#[tokio::test]
async fn an_sms_start_always_sends_a_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_phone();
    let mut req = Harness::start_request(&who);
    req.send = sesame_domain::SendMode::Link;
    h.service.start(req).await.unwrap();
    let code = h.code_for(&who).unwrap();
    assert!(h.redeem(&who, &code).await.is_ok());
}

#[tokio::test]
async fn a_scope_with_a_nul_is_refused_before_any_code_is_checked() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "191919").await;
    let mut req = Harness::otp_grant(&who, "191919");
    req.scope = Some("openid \0".into());
    assert!(matches!(
        h.exchange(req).await,
        Err(TokenError::InvalidScope(_))
    ));
    assert!(
        h.redeem(&who, "191919").await.is_ok(),
        "the challenge was not touched"
    );
}

/// Records every key it is asked about, then counts like the memory limiter.
#[derive(Default)]
struct RecordingLimiter {
    keys: std::sync::Mutex<Vec<String>>,
    inner: sesame_testkit::MemoryRateLimiter,
}

#[async_trait::async_trait]
impl sesame_domain::ports::RateLimiter for RecordingLimiter {
    async fn hit(
        &self,
        key: &str,
        rule: sesame_domain::RateLimit,
        now: sesame_domain::Timestamp,
    ) -> Result<sesame_domain::RateDecision, sesame_domain::ports::StoreError> {
        self.keys.lock().unwrap().push(key.to_owned());
        self.inner.hit(key, rule, now).await
    }

    async fn peek(
        &self,
        key: &str,
        rule: sesame_domain::RateLimit,
        now: sesame_domain::Timestamp,
    ) -> Result<sesame_domain::RateDecision, sesame_domain::ports::StoreError> {
        self.keys.lock().unwrap().push(key.to_owned());
        self.inner.peek(key, rule, now).await
    }

    async fn reserve(
        &self,
        key: &str,
        rule: sesame_domain::RateLimit,
        now: sesame_domain::Timestamp,
    ) -> Result<sesame_domain::RateDecision, sesame_domain::ports::StoreError> {
        self.keys.lock().unwrap().push(key.to_owned());
        self.inner.reserve(key, rule, now).await
    }

    async fn release(
        &self,
        key: &str,
        rule: sesame_domain::RateLimit,
        now: sesame_domain::Timestamp,
    ) -> Result<(), sesame_domain::ports::StoreError> {
        self.keys.lock().unwrap().push(key.to_owned());
        self.inner.release(key, rule, now).await
    }

    async fn reset(
        &self,
        key: &str,
        rule: sesame_domain::RateLimit,
        now: sesame_domain::Timestamp,
    ) -> Result<(), sesame_domain::ports::StoreError> {
        self.keys.lock().unwrap().push(key.to_owned());
        self.inner.reset(key, rule, now).await
    }
}

#[tokio::test]
async fn rate_limit_keys_hold_neither_addresses_nor_ips() {
    let limiter = std::sync::Arc::new(RecordingLimiter::default());
    let h = Harness::builder()
        .with_rate_limiter(limiter.clone())
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    let mut req = Harness::start_request(&who);
    req.ip = Some("203.0.113.9".parse().unwrap());
    h.service.start(req).await.unwrap();
    let code = h.code_for(&who).unwrap();
    let mut req = Harness::token_request(Harness::otp_grant(&who, &code));
    req.ip = Some("203.0.113.9".parse().unwrap());
    h.service.token(req).await.unwrap();
    let mut keys = limiter.keys.lock().unwrap().clone();
    keys.sort();
    keys.dedup();
    assert_eq!(
        keys.len(),
        6,
        "IP, recipient and IP, recipient at start; the IP's token failure budget, failures per \
         recipient and IP, and per recipient, at redemption: {keys:?}"
    );
    for k in &keys {
        assert!(
            !k.contains("203.0.113") && !k.contains(who.as_str()) && !k.contains('@'),
            "{k}"
        );
    }
}

#[tokio::test]
async fn an_unknown_audience_is_refused_without_spending_the_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    started(&h, &who, "202020").await;
    let mut req = Harness::otp_grant(&who, "202020");
    req.audience = Some("https://typo.example.com".into());
    assert!(matches!(
        h.exchange(req).await,
        Err(TokenError::UnknownAudience(_))
    ));
    assert!(
        h.redeem(&who, "202020").await.is_ok(),
        "the code still works"
    );
}

#[test]
fn an_otp_request_does_not_show_the_username_in_debug() {
    let who = fixtures::fresh_email();
    let shown = format!("{:?}", Harness::otp_grant(&who, "212121"));
    assert!(
        !shown.contains(who.as_str()) && !shown.contains("212121"),
        "{shown}"
    );
}
