//! Data outlives the connection that wrote it, and carries its expiry.

use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, RateLimiter};
use sesame_domain::rate_limit::RateLimit;
use sesame_testkit::fixtures::{fresh_email, real_now};

use crate::scope::Scope;
use crate::support::{cmd, full_challenge, keys_under};

#[tokio::test]
async fn data_survives_a_new_connection_with_its_expiry_set() {
    let scope = Scope::new();
    let now = real_now();
    let ch = full_challenge(fresh_email(), now);
    let rule = RateLimit::new(5, Duration::from_secs(3_600));
    {
        let writer = scope.store().await;
        writer.put(&ch).await.unwrap();
        writer.record_failure(&ch.key(), &ch.id).await.unwrap();
        writer.hit("otp:fail:email:abc", rule, now).await.unwrap();
    }

    let reader = scope.store().await;
    let mut want = ch.clone();
    want.attempts_left -= 1;
    assert_eq!(reader.latest(&ch.key()).await.unwrap(), Some(want));
    assert_eq!(
        reader
            .peek("otp:fail:email:abc", rule, now)
            .await
            .unwrap()
            .remaining,
        4
    );

    for key in keys_under(&scope.config.key_prefix).await {
        let ttl: i64 = cmd(&["PTTL", &key]).await;
        assert!(ttl > 0, "PTTL {ttl} of {key}");
    }
    scope.cleanup().await;
}
