//! The MFA API's answers, each operation's success and every refusal,
//! through [`send`] and so checked against `/openapi.json`.

use http::Method;
use secrecy::SecretString;
use serde_json::json;
use sesame_domain::mfa::{AuthenticatorId, Factor};
use sesame_domain::ports::DeliveryError;
use sesame_domain::recipient::Connection;
use sesame_domain::service::{
    AuthenticatorView, ChallengeAnswer, Enrollment, MfaApiError, StartError,
};

use crate::answers::call;
use crate::common::*;

fn views() -> Vec<AuthenticatorView> {
    Factor::ALL
        .into_iter()
        .map(|factor| AuthenticatorView {
            id: AuthenticatorId::new(factor, [7; 12]),
            factor,
            name: (factor == Factor::Sms).then(|| "XXXXXXXX0100".to_owned()),
            active: factor != Factor::Email,
        })
        .collect()
}

fn enrollments() -> Vec<Enrollment> {
    let s = SecretString::from;
    vec![
        Enrollment::Otp {
            id: AuthenticatorId::new(Factor::Otp, [1; 12]),
            secret: s("JBSWY3DPEHPK3PXP"),
            barcode_uri: s("otpauth://totp/Sesame:a?secret=JBSWY3DPEHPK3PXP"),
            recovery_code: Some(s("RC")),
        },
        Enrollment::Oob {
            id: AuthenticatorId::new(Factor::Sms, [2; 12]),
            channel: Factor::Sms,
            oob_code: s("oob"),
            recovery_code: None,
        },
        Enrollment::Oob {
            id: AuthenticatorId::new(Factor::Email, [3; 12]),
            channel: Factor::Email,
            oob_code: s("oob"),
            recovery_code: Some(s("RC")),
        },
    ]
}

/// Every refusal of the MFA API.
fn mfa_errors() -> Vec<MfaApiError> {
    let delivery = |connection| StartError::Delivery {
        connection,
        source: DeliveryError::Rejected("no".into()),
    };
    vec![
        MfaApiError::InvalidToken("mfa_token"),
        MfaApiError::InvalidClient,
        MfaApiError::InsufficientScope("enroll"),
        MfaApiError::Forbidden("not allowed"),
        MfaApiError::InvalidRequest("bad".into()),
        MfaApiError::UnsupportedChallengeType("otp"),
        MfaApiError::NotFound,
        MfaApiError::Blocked,
        MfaApiError::Send(StartError::RateLimited(decision(false))),
        MfaApiError::Send(delivery(Connection::Sms)),
        MfaApiError::Send(delivery(Connection::Email)),
        MfaApiError::Unavailable(anyhow::anyhow!("down")),
        MfaApiError::Unknown(anyhow::anyhow!("bug")),
    ]
}

#[tokio::test]
async fn the_mfa_api_answers_each_operation_and_refusal_as_documented() {
    let associate = json!({"authenticator_types": ["oob"], "oob_channels": ["sms"],
        "phone_number": "+14155550100"});
    let challenge = json!({"client_id": "app", "mfa_token": "mt", "challenge_type": "oob"});
    for n in 0..mfa_errors().len() + 3 {
        // Successes first (three of each where there are three), then each refusal.
        let outcome = move || n.checked_sub(3).map(|i| mfa_errors().swap_remove(i));
        let mut m = mock();
        m.mfa
            .expect_list_authenticators()
            .returning(move |_| match outcome() {
                Some(e) => Err(e),
                None => Ok(views()),
            });
        m.mfa
            .expect_delete_authenticator()
            .returning(move |_, _| outcome().map_or(Ok(()), Err));
        m.mfa
            .expect_associate()
            .returning(move |_| match outcome() {
                Some(e) => Err(e),
                None => Ok(enrollments().swap_remove(n)),
            });
        m.mfa
            .expect_challenge()
            .returning(move |_| match outcome() {
                Some(e) => Err(e),
                None if n == 0 => Ok(ChallengeAnswer::Otp),
                None => Ok(ChallengeAnswer::Oob {
                    oob_code: SecretString::from("oob"),
                }),
            });
        let app = app(m);
        let t = Some("mt");
        let answers = |op: &str| {
            let Some(e) = outcome() else { return true };
            match e {
                MfaApiError::InvalidClient => op == "challenge",
                MfaApiError::InsufficientScope(_) => op != "challenge",
                MfaApiError::UnsupportedChallengeType(_) => op == "challenge",
                MfaApiError::NotFound => op == "delete" || op == "challenge",
                MfaApiError::Send(_) => op == "associate" || op == "challenge",
                _ => true,
            }
        };
        if answers("list") {
            send(
                app.clone(),
                call(&Method::GET, "/mfa/authenticators", t, None),
            )
            .await;
        }
        if answers("delete") {
            send(
                app.clone(),
                call(&Method::DELETE, "/mfa/authenticators/x", t, None),
            )
            .await;
        }
        if answers("associate") {
            send(
                app.clone(),
                call(&Method::POST, "/mfa/associate", t, Some(&associate)),
            )
            .await;
        }
        if answers("challenge") {
            send(
                app,
                call(&Method::POST, "/mfa/challenge", None, Some(&challenge)),
            )
            .await;
        }
    }
    // No bearer token at all.
    send(app(mock()), get("/mfa/authenticators")).await;
}
