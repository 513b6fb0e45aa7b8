//! A service-level check: concurrent redemptions of one code.

use std::sync::Arc;

use sesame_domain::Recipient;
use sesame_domain::ports::{ChallengeStore, UserStore};
use sesame_domain::service::{GrantError, OtpError, TokenError};

use super::support::{fail, ok, race, some};
use crate::Harness;
use crate::fixtures::{fresh_email, fresh_phone};

/// How many redemptions race.
const RACERS: usize = 50;

/// 50 tasks redeem the same code at once through the real service, for an
/// email and an sms recipient: exactly one gets tokens, the others are
/// refused as a wrong code (or, once the failures add up, as too many
/// attempts), one user exists with one login, and the challenge is consumed.
pub async fn one_code_redeemed_by_many_yields_one_token_set(
    challenges: &Arc<dyn ChallengeStore>,
    users: &Arc<dyn UserStore>,
) {
    let harness = ok(
        Harness::builder()
            .with_challenges(Arc::clone(challenges))
            .with_users(Arc::clone(users))
            .build()
            .await,
        "building the harness",
    );
    for recipient in [fresh_email(), fresh_phone()] {
        redeem_concurrently(&harness, &recipient).await;
    }
}

async fn redeem_concurrently(h: &Harness, recipient: &Recipient) {
    ok(h.start(recipient).await, "start");
    let code = some(h.code_for(recipient), "the code in the outbox");
    let results = race(RACERS, |_| {
        let service = Arc::clone(&h.service);
        let req = Harness::token_request(Harness::otp_grant(recipient, &code));
        async move { service.token(req).await }
    })
    .await;
    let mut winners = 0;
    for r in results {
        match r {
            Ok(_) => winners += 1,
            Err(
                TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(_)))
                | TokenError::Grant(GrantError::PasswordlessOtp(OtpError::TooManyAttempts(_))),
            ) => {}
            Err(e) => fail(&format!("a losing redemption failed with {e:?}")),
        }
    }
    assert_eq!(
        winners, 1,
        "{RACERS} concurrent redemptions: {winners} got tokens"
    );
    let user = some(
        ok(h.users().find(recipient).await, "find"),
        "the user created by the redemption",
    );
    assert_eq!(user.logins_count, 1, "logins recorded");
    assert!(user.verified, "the redeeming user must be verified");
    let key = sesame_domain::ChallengeKey {
        client_id: Harness::confidential().client_id,
        recipient: recipient.clone(),
    };
    let challenge = some(ok(h.challenges().latest(&key).await, "latest"), "latest");
    assert!(
        challenge.consumed,
        "the redeemed challenge must be consumed"
    );
}
