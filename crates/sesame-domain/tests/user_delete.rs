//! Deleting a user takes their pending codes with them: a code sent before
//! the delete, of any client, is refused after it, and does not sign the
//! address up again.

use sesame_domain::service::{OtpError, TokenError};
use sesame_testkit::{Harness, fixtures};

#[tokio::test]
async fn a_code_sent_before_the_user_was_deleted_is_refused_after() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    h.login(&who).await.unwrap();
    h.start(&who).await.unwrap();
    let code = h.code_for(&who).unwrap();
    let user = h.users().find(&who).await.unwrap().unwrap();

    assert!(h.service.delete_user(&user.id).await.unwrap());

    let err = h.redeem(&who, &code).await.unwrap_err();
    assert!(
        matches!(
            err.grant(),
            Some(sesame_domain::service::GrantError::PasswordlessOtp(
                OtpError::WrongCode(_)
            ))
        ),
        "{err:?}"
    );
    assert!(!matches!(err, TokenError::Blocked));
    assert!(
        h.users().find(&who).await.unwrap().is_none(),
        "not signed up again"
    );
}
