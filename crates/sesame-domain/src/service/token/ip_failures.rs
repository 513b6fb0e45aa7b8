//! The token endpoint's per-IP failure budget (Auth0's suspicious-IP
//! throttling): an IP whose token requests failed `failures_per_ip` times
//! this hour is refused before any code, link or refresh token is looked
//! at, so guessing across many addresses from one IP stops there.
//!
//! The IP is the transport's, or `auth0-forwarded-for` when a confidential
//! client that authenticated is trusted to relay it (as at start). IPv6
//! clients count by their prefix. A refused request writes nothing: the
//! budget is only peeked before, and hit after a failure. The OTP grant
//! peeks it in the same call that reserves its own failure budgets; the
//! pipeline peeks it for the other grants.

use std::net::IpAddr;

use super::{Refusal, TokenError, TokenRequest};
use crate::rate_limit::RateKey;
use crate::service::Passwordless;
use crate::service::client_auth::ClientAuth;
use crate::time::Timestamp;
use crate::token::TokenSet;

/// Auth0's words when suspicious-IP throttling blocks a token request.
pub const SUSPICIOUS_IP_MESSAGE: &str = "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";

/// An IP's failure counter at the token endpoint.
pub(crate) struct IpBudget {
    key: String,
    now: Timestamp,
}

impl IpBudget {
    /// The counter, for a batch of the limiter.
    pub(super) fn as_key(&self, svc: &Passwordless) -> RateKey<'_> {
        RateKey::new(&self.key, svc.config.failures_per_ip)
    }
}

impl Passwordless {
    /// The IP whose failures this request counts against: the relayed one
    /// only for a trusted confidential client that authenticated.
    pub(super) async fn token_ip(&self, req: &TokenRequest) -> Option<IpAddr> {
        if req.forwarded_for.is_some()
            && let Ok(ClientAuth::Ok {
                client,
                with_secret: true,
            }) = self.authenticate(&req.client).await
            && client.trust_forwarded_for
        {
            return req.forwarded_for;
        }
        req.ip
    }

    /// The failure budget of the request's IP, if it has one. Touches no
    /// store: a grant checks it with its own reservations, or the pipeline
    /// with [`Self::check_ip_budget`].
    pub(super) fn ip_budget(&self, ip: Option<IpAddr>) -> Option<IpBudget> {
        let ip = ip?;
        let key = self
            .macs
            .ip_rate_key("token:ipfail", ip, self.config.ipv6_prefix_len);
        Some(IpBudget {
            key,
            now: self.ports.clock.now(),
        })
    }

    /// Refuses the request when its IP has used up its failure budget.
    ///
    /// # Errors
    /// [`TokenError::SuspiciousIp`] over the budget; the limiter's error.
    pub(super) async fn check_ip_budget(
        &self,
        budget: Option<&IpBudget>,
    ) -> Result<(), TokenError> {
        let Some(budget) = budget else {
            return Ok(());
        };
        let d = self
            .ports
            .rate_limiter
            .peek(&budget.key, self.config.failures_per_ip, budget.now)
            .await?;
        if !d.allowed {
            tracing::warn!("token request from an IP over its failure budget: refused");
            return Err(TokenError::SuspiciousIp(d));
        }
        Ok(())
    }

    /// Counts `result` against the budget when it is a failed proof (a
    /// wrong, spent or expired credential, or a failure limit).
    pub(super) async fn spend_ip_budget(
        &self,
        budget: Option<IpBudget>,
        result: &Result<TokenSet, TokenError>,
    ) {
        let failed = matches!(
            result
                .as_ref()
                .err()
                .and_then(TokenError::grant)
                .map(|g| g.refusal()),
            Some(Refusal::InvalidGrant | Refusal::TooManyAttempts(_))
        );
        let Some(budget) = budget.filter(|_| failed) else {
            return;
        };
        let hit = self
            .ports
            .rate_limiter
            .hit(&budget.key, self.config.failures_per_ip, budget.now)
            .await;
        if let Err(e) = hit {
            tracing::warn!(error = %e, "could not count a failed token request against its IP");
        }
    }
}
