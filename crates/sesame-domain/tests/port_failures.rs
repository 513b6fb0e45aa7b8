//! The services when a port fails: every failure surfaces as a typed error,
//! and nothing usable is left behind. Ports are mockall mocks, so any call a
//! test did not expect fails it.

mod mocks;

use std::sync::{Arc, Mutex};

use mocks::{Mocks, OTP, confidential_client, email, otp_request, start_request};
use sesame_domain::ports::{DeliveryError, StoreError};
use sesame_domain::service::{GrantError, OtpError, StartError, TokenError};
use sesame_domain::{ChallengeId, RateDecision, Timestamp};

fn allowed() -> RateDecision {
    RateDecision {
        allowed: true,
        limit: 50,
        remaining: 49,
        reset_at: Timestamp::from_unix_seconds(3600),
    }
}

fn unavailable() -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("connection refused"))
}

#[tokio::test]
async fn a_failed_email_send_fails_the_start_and_removes_the_new_challenge() {
    let mut m = Mocks::with_client(confidential_client());
    m.rate_limiter
        .expect_reserve()
        .returning(|_, _, _| Ok(allowed()));
    m.users.expect_find().returning(|_| Ok(None));
    let stored: Arc<Mutex<Option<ChallengeId>>> = Arc::default();
    let put_id = Arc::clone(&stored);
    m.challenges.expect_put().times(1).returning(move |c| {
        *put_id.lock().unwrap() = Some(c.id.clone());
        Ok(())
    });
    m.email
        .expect_send_email()
        .times(1)
        .returning(|_| Err(DeliveryError::Unavailable(anyhow::anyhow!("smtp down"))));
    let deleted = Arc::clone(&stored);
    m.challenges
        .expect_delete()
        .times(1)
        .withf(move |_, id| Some(id) == deleted.lock().unwrap().as_ref())
        .returning(|_, _| Ok(()));

    let err = m.service().start(start_request(email())).await.unwrap_err();

    assert!(
        matches!(
            err,
            StartError::Delivery {
                source: DeliveryError::Unavailable(_),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_failed_send_still_fails_cleanly_when_the_cleanup_fails_too() {
    let mut m = Mocks::with_client(confidential_client());
    m.rate_limiter
        .expect_reserve()
        .returning(|_, _, _| Ok(allowed()));
    m.users.expect_find().returning(|_| Ok(None));
    m.challenges.expect_put().returning(|_| Ok(()));
    m.email
        .expect_send_email()
        .returning(|_| Err(DeliveryError::Rejected("bad mailbox".into())));
    m.challenges
        .expect_delete()
        .times(1)
        .returning(|_, _| Err(unavailable()));

    let err = m.service().start(start_request(email())).await.unwrap_err();

    assert!(
        matches!(
            err,
            StartError::Delivery {
                source: DeliveryError::Rejected(_),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_challenge_store_fails_the_start_before_anything_is_sent() {
    let mut m = Mocks::with_client(confidential_client());
    m.rate_limiter
        .expect_reserve()
        .returning(|_, _, _| Ok(allowed()));
    m.users.expect_find().returning(|_| Ok(None));
    m.challenges.expect_put().returning(|_| Err(unavailable()));
    m.email.expect_send_email().never();

    let err = m.service().start(start_request(email())).await.unwrap_err();

    assert!(matches!(err, StartError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_rate_limiter_fails_the_start_closed() {
    let mut m = Mocks::with_client(confidential_client());
    m.rate_limiter
        .expect_reserve()
        .returning(|_, _, _| Err(unavailable()));
    m.challenges.expect_put().never();
    m.email.expect_send_email().never();

    let err = m.service().start(start_request(email())).await.unwrap_err();

    assert!(matches!(err, StartError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_consume_that_fails_mints_no_token() {
    let mut m = Mocks::with_client(confidential_client());
    m.expect_a_live_challenge_under_the_limit();
    m.challenges
        .expect_consume()
        .times(1)
        .returning(|_, _, _| Err(unavailable()));
    m.minter.expect_sign_access().never();
    m.users.expect_create().never();

    let err = m
        .service()
        .token(otp_request(email(), OTP))
        .await
        .unwrap_err();

    assert!(matches!(err, TokenError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_failing_signer_gives_an_unknown_error_not_a_token() {
    let mut m = Mocks::with_client(confidential_client());
    m.expect_a_live_challenge_under_the_limit();
    m.challenges.expect_consume().returning(|_, _, _| Ok(true));
    m.expect_first_login();
    m.expect_one_key();
    m.minter.expect_sign_access().returning(|_, _| {
        Err(sesame_domain::ports::SigningError::Key(
            "hsm offline".into(),
        ))
    });

    let err = m
        .service()
        .token(otp_request(email(), OTP))
        .await
        .unwrap_err();

    assert!(matches!(err, TokenError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_losing_concurrent_redemption_is_a_wrong_code_that_does_not_count_as_a_failure() {
    let mut m = Mocks::with_client(confidential_client());
    m.rate_limiter
        .expect_reserve()
        .times(1)
        .returning(|_, _, _| Ok(allowed()));
    // The reserved failure is given back: a double submit is not a guess.
    m.rate_limiter
        .expect_release()
        .times(1)
        .returning(|_, _, _| Ok(()));
    m.rate_limiter.expect_reset().never();
    m.rate_limiter.expect_hit().never();
    let challenge = m.live_challenge_for(email(), OTP);
    m.challenges
        .expect_latest()
        .returning(move |_| Ok(Some(challenge.clone())));
    m.challenges.expect_consume().returning(|_, _, _| Ok(false));
    m.minter.expect_sign_access().never();
    // The wrong-code log event looks the recipient's user up, once.
    m.users.expect_find().times(1).returning(|_| Ok(None));

    let err = m
        .service()
        .token(otp_request(email(), OTP))
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(_)))
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_user_store_after_a_good_code_is_unavailable() {
    let mut m = Mocks::with_client(confidential_client());
    m.expect_a_live_challenge_under_the_limit();
    m.challenges.expect_consume().returning(|_, _, _| Ok(true));
    m.users.expect_find().returning(|_| Err(unavailable()));
    m.minter.expect_sign_access().never();

    let err = m
        .service()
        .token(otp_request(email(), OTP))
        .await
        .unwrap_err();

    assert!(matches!(err, TokenError::Unavailable(_)), "{err:?}");
}
