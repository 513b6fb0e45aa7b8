//! MFA: the policy step of the pipeline, the MFA API and the three MFA
//! grants, on the testkit harness (steppable clock, capturing outbox).

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::time::Duration;

use sesame_domain::ports::Clock as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::mfa::{Factor, MfaPolicy, Requirements, Totp};
use sesame_domain::service::{
    AssociateRequest, ChallengeAnswer, ChallengeRequest, Enrollment, GrantError, MfaApiError,
    MfaGrantError, MfaOobGrant, MfaOtpGrant, MfaRecoveryGrant, TokenError,
};
use sesame_domain::{Recipient, TokenSet};
use sesame_testkit::{Harness, fixtures};

async fn harness(policy: MfaPolicy) -> Harness {
    Harness::builder()
        .configure(move |c| c.mfa.require = policy)
        .build()
        .await
        .unwrap()
}

/// A passwordless login that must answer `mfa_required`.
async fn mfa_token(h: &Harness, who: &Recipient) -> (String, Requirements) {
    match h.login(who).await {
        Err(e) => match e.downcast::<TokenError>().unwrap() {
            TokenError::MfaRequired(m) => (m.mfa_token.expose_secret().to_owned(), m.requirements),
            other => panic!("expected mfa_required, got {other:?}"),
        },
        Ok(_) => panic!("expected mfa_required, got tokens"),
    }
}

fn associate(bearer: &str, factor: Factor) -> AssociateRequest {
    AssociateRequest {
        bearer: SecretString::from(bearer.to_owned()),
        client_id: None,
        factor,
        phone_number: None,
        email: None,
        ip: None,
    }
}

/// Enrolls TOTP with `token`; returns the app's secret and the recovery code.
async fn enroll_totp(h: &Harness, token: &str) -> (Totp, Option<String>) {
    match h
        .service
        .associate(associate(token, Factor::Otp))
        .await
        .unwrap()
    {
        Enrollment::Otp {
            secret,
            recovery_code,
            barcode_uri,
            ..
        } => {
            assert!(barcode_uri.expose_secret().starts_with("otpauth://totp/"));
            (
                Totp::from_base32(secret.expose_secret()).unwrap(),
                recovery_code.map(|c| c.expose_secret().to_owned()),
            )
        }
        other => panic!("{other:?}"),
    }
}

fn totp_now(h: &Harness, totp: &Totp) -> String {
    totp.code_at_step(Totp::step_of(h.clock.now()))
}

async fn mfa_otp(h: &Harness, token: &str, otp: &str) -> Result<TokenSet, TokenError> {
    h.exchange(MfaOtpGrant {
        mfa_token: SecretString::from(token.to_owned()),
        otp: SecretString::from(otp.to_owned()),
    })
    .await
}

fn mfa_refusal(e: &TokenError) -> &MfaGrantError {
    match e {
        TokenError::Grant(GrantError::MfaOtp(m)) => &m.0,
        TokenError::Grant(GrantError::MfaOob(m)) => &m.0,
        TokenError::Grant(GrantError::MfaRecoveryCode(m)) => &m.0,
        other => panic!("expected an MFA grant refusal, got {other:?}"),
    }
}

fn amr(tokens: &TokenSet) -> serde_json::Value {
    let id = tokens.id_token().unwrap();
    let payload = id.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["amr"].clone()
}

/// A user of `h` with TOTP enrolled and confirmed.
async fn enrolled(h: &Harness) -> (Recipient, Totp, String) {
    let who = fixtures::fresh_email();
    let (token, _) = mfa_token(h, &who).await;
    let (totp, recovery) = enroll_totp(h, &token).await;
    mfa_otp(h, &token, &totp_now(h, &totp)).await.unwrap();
    // The next code step, so later logins do not replay this one.
    h.clock.advance(Duration::from_secs(30));
    (who, totp, recovery.unwrap())
}

#[tokio::test]
async fn with_always_a_user_without_a_factor_is_asked_to_enroll_one() {
    let h = harness(MfaPolicy::Always).await;
    let (_, requirements) = mfa_token(&h, &fixtures::fresh_email()).await;
    assert_eq!(
        requirements,
        Requirements::Enroll(vec![Factor::Otp, Factor::Sms, Factor::Email])
    );
}

#[tokio::test]
async fn never_answers_tokens_as_before() {
    let h = harness(MfaPolicy::Never).await;
    assert!(h.login(&fixtures::fresh_email()).await.is_ok());
}

#[tokio::test]
async fn a_totp_enrollment_is_confirmed_by_its_first_code_and_the_tokens_say_mfa() {
    let h = harness(MfaPolicy::Always).await;
    let who = fixtures::fresh_email();
    let (token, _) = mfa_token(&h, &who).await;
    let (totp, recovery) = enroll_totp(&h, &token).await;
    assert!(
        recovery.is_some(),
        "the first enrollment gives a recovery code"
    );
    let tokens = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap();
    assert_eq!(amr(&tokens), serde_json::json!(["mfa"]));
    // The next login is asked to pass the confirmed factor.
    h.clock.advance(Duration::from_secs(30));
    let (_, requirements) = mfa_token(&h, &who).await;
    assert_eq!(
        requirements,
        Requirements::Challenge(vec![Factor::Otp, Factor::RecoveryCode])
    );
}

#[tokio::test]
async fn an_mfa_token_is_single_use() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap();
    h.clock.advance(Duration::from_secs(30));
    let again = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap_err();
    assert!(
        matches!(mfa_refusal(&again), MfaGrantError::MalformedToken),
        "{again:?}"
    );
    assert_eq!(again.to_string(), "Malformed mfa_token");
}

#[tokio::test]
async fn a_totp_code_is_not_accepted_twice() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let code = totp_now(&h, &totp);
    let (first, _) = mfa_token(&h, &who).await;
    mfa_otp(&h, &first, &code).await.unwrap();
    let (second, _) = mfa_token(&h, &who).await;
    let replay = mfa_otp(&h, &second, &code).await.unwrap_err();
    assert_eq!(replay.to_string(), "Invalid otp_code.");
}

#[tokio::test]
async fn an_expired_mfa_token_is_refused_as_expired() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    h.clock.advance(Duration::from_secs(600));
    let err = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap_err();
    assert_eq!(err.to_string(), "mfa_token is expired");
}

#[tokio::test]
async fn another_clients_mfa_token_is_malformed_to_it() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    let err = h
        .service
        .token(sesame_domain::service::TokenRequest::new(
            Harness::public(),
            MfaOtpGrant {
                mfa_token: SecretString::from(token),
                otp: SecretString::from(totp_now(&h, &totp)),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Malformed mfa_token");
}

#[tokio::test]
async fn the_sixth_attempt_after_five_wrong_factors_is_refused_even_when_right() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    for _ in 0..5 {
        let err = mfa_otp(&h, &token, "000000").await.unwrap_err();
        assert_eq!(err.to_string(), "Invalid otp_code.");
    }
    let err = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap_err();
    assert!(
        matches!(mfa_refusal(&err), MfaGrantError::TooManyAttempts(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_recovery_code_works_once_and_is_replaced() {
    let h = harness(MfaPolicy::Always).await;
    let (who, _, recovery) = enrolled(&h).await;
    let recover = |token: String, code: String| {
        h.exchange(MfaRecoveryGrant {
            mfa_token: SecretString::from(token),
            recovery_code: SecretString::from(code),
        })
    };
    let (token, _) = mfa_token(&h, &who).await;
    let tokens = recover(token, recovery.clone()).await.unwrap();
    let next = tokens
        .recovery_code
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_owned();
    assert_ne!(next, recovery);
    let (token, _) = mfa_token(&h, &who).await;
    let err = recover(token.clone(), recovery).await.unwrap_err();
    assert_eq!(err.to_string(), "MFA Authorization rejected.");
    assert!(recover(token, next.to_lowercase()).await.is_ok());
}

#[tokio::test]
async fn an_sms_factor_is_enrolled_and_passed_with_the_texted_code() {
    let h = harness(MfaPolicy::Always).await;
    let who = fixtures::fresh_email();
    let (token, _) = mfa_token(&h, &who).await;
    let phone = fixtures::fresh_phone();
    let mut req = associate(&token, Factor::Sms);
    req.phone_number = Some(phone.as_str().to_owned());
    let Enrollment::Oob { oob_code, .. } = h.service.associate(req).await.unwrap() else {
        panic!("expected an oob enrollment");
    };
    let texted = h.code_for(&phone).unwrap();
    let oob = |token: &str, oob: &SecretString, code: &str| {
        h.exchange(MfaOobGrant {
            mfa_token: SecretString::from(token.to_owned()),
            oob_code: oob.clone(),
            binding_code: Some(SecretString::from(code.to_owned())),
        })
    };
    let wrong = oob(&token, &oob_code, "999999x").await.unwrap_err();
    assert_eq!(wrong.to_string(), "Invalid binding_code.");
    let tokens = oob(&token, &oob_code, &texted).await.unwrap();
    assert_eq!(amr(&tokens), serde_json::json!(["mfa"]));
    // Next login: challenge the phone, then pass it.
    let (token, requirements) = mfa_token(&h, &who).await;
    assert!(matches!(requirements, Requirements::Challenge(f) if f.contains(&Factor::Sms)));
    let answer = h
        .service
        .challenge(ChallengeRequest {
            client: Harness::confidential(),
            mfa_token: SecretString::from(token.clone()),
            challenge_type: Some("oob".into()),
            authenticator_id: None,
            ip: None,
        })
        .await
        .unwrap();
    let ChallengeAnswer::Oob { oob_code } = answer else {
        panic!("expected an oob challenge");
    };
    let texted = h.code_for(&phone).unwrap();
    assert!(oob(&token, &oob_code, &texted).await.is_ok());
}

#[tokio::test]
async fn with_enrolled_only_users_with_a_factor_are_asked() {
    let h = harness(MfaPolicy::Enrolled).await;
    let who = fixtures::fresh_email();
    assert!(h.login(&who).await.is_ok(), "no factor: no MFA");
}

#[tokio::test]
async fn an_mfa_token_cannot_enroll_or_delete_once_a_factor_is_confirmed() {
    let h = harness(MfaPolicy::Always).await;
    let (who, _, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    let err = h
        .service
        .associate(associate(&token, Factor::Otp))
        .await
        .unwrap_err();
    assert!(matches!(err, MfaApiError::Forbidden(_)), "{err:?}");
    let list = h.service.list_authenticators(&token).await.unwrap();
    let totp = list.iter().find(|a| a.factor == Factor::Otp).unwrap();
    assert!(totp.active);
    let err = h
        .service
        .delete_authenticator(&token, totp.id.as_str())
        .await
        .unwrap_err();
    assert!(matches!(err, MfaApiError::Forbidden(_)), "{err:?}");
}

#[tokio::test]
async fn a_token_for_the_mfa_api_needs_the_second_factor_when_the_user_has_one() {
    let h = harness(MfaPolicy::Never).await;
    let who = fixtures::fresh_email();
    // Without a factor the MFA API token comes at once, and can enroll.
    h.codes.push("123456");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "123456");
    grant.audience = Some("https://sesame.test/mfa/".into());
    grant.scope = Some("enroll read:authenticators".into());
    let issuer = h.service.config().issuer.endpoint("mfa/");
    grant.audience = Some(issuer.clone());
    let api_token = h.exchange(grant.clone()).await.unwrap();
    assert!(api_token.scope.contains("enroll"));
    let (totp, _) = enroll_totp(&h, api_token.access_token()).await;
    mfa_otp(&h, api_token.access_token(), &totp_now(&h, &totp))
        .await
        .unwrap();
    // Now a factor is confirmed: the same request is asked for it.
    h.codes.push("654321");
    h.start(&who).await.unwrap();
    grant.otp = sesame_domain::Otp::new("654321");
    let err = h.exchange(grant).await.unwrap_err();
    assert!(matches!(err, TokenError::MfaRequired(_)), "{err:?}");
}

#[tokio::test]
async fn a_refresh_inside_a_family_that_passed_mfa_is_not_asked_again() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    h.codes.push("424242");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "424242");
    grant.scope = Some("openid offline_access".into());
    let token = match h.exchange(grant).await.unwrap_err() {
        TokenError::MfaRequired(m) => m.mfa_token.expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    let tokens = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap();
    assert!(
        tokens.scope.contains("offline_access"),
        "the first grant's scope"
    );
    let refreshed = h
        .refresh(tokens.refresh_token.as_ref().unwrap().expose_secret())
        .await
        .unwrap();
    // The id token speaks of the login the family started with.
    assert_eq!(amr(&refreshed), serde_json::json!(["mfa"]));
    assert!(
        h.refresh(refreshed.refresh_token.as_ref().unwrap().expose_secret())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_blocked_user_gets_nothing_from_the_mfa_api_or_grants() {
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    let (token, _) = mfa_token(&h, &who).await;
    let user = h.users().find(&who).await.unwrap().unwrap();
    h.users().set_blocked(&user.id, true).await.unwrap();
    let err = h.service.list_authenticators(&token).await.unwrap_err();
    assert!(matches!(err, MfaApiError::Blocked), "{err:?}");
    let err = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap_err();
    assert!(matches!(err, TokenError::Blocked), "{err:?}");
}

#[tokio::test]
async fn the_mfa_grant_mints_what_the_first_grant_asked_for() {
    use sesame_testkit::harness::defaults::API_IDENTIFIER;
    let h = harness(MfaPolicy::Always).await;
    let (who, totp, _) = enrolled(&h).await;
    h.codes.push("515151");
    h.start(&who).await.unwrap();
    let mut grant = Harness::otp_grant(&who, "515151");
    grant.audience = Some(API_IDENTIFIER.into());
    grant.scope = Some("openid read:messages".into());
    let token = match h.exchange(grant).await.unwrap_err() {
        TokenError::MfaRequired(m) => m.mfa_token.expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    let tokens = mfa_otp(&h, &token, &totp_now(&h, &totp)).await.unwrap();
    assert_eq!(tokens.scope, "openid read:messages");
    let payload = tokens.access_token().split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["aud"][0], API_IDENTIFIER);
}
