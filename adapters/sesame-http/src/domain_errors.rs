//! Each domain error, as Auth0 answers it: status, `error` code,
//! `error_description` and headers. Causes of 5xx answers are logged here,
//! never sent; recipients, codes, tokens and secrets never reach either.

use std::time::SystemTime;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, StatusCode};
use secrecy::ExposeSecret as _;
use sesame_domain::DpopError;
use sesame_domain::mfa::Requirements;
use sesame_domain::ports::{DeliveryError, StoreError};
use sesame_domain::recipient::Connection;
use sesame_domain::service::{
    GrantError, MfaApiError, MfaRequired, Refusal, RevokeError, StartError, TokenError,
    UserinfoError,
};

use crate::error::{ApiError, MfaChallenge, MfaRequirements, RequiredFactor, chain, clip};
use crate::ratelimit_headers::refusal_headers;

/// 401 `access_denied` "Unauthorized": Auth0's answer to a bad client at the
/// token and revocation endpoints.
fn access_denied() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized")
}

fn grant_not_allowed(grant: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "unauthorized_client",
        format!("Grant type '{grant}' not allowed for the client."),
    )
}

fn user_blocked() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "user is blocked")
}

/// 503 for a backend that is down, 500 (with the cause logged) otherwise.
fn infrastructure(
    unavailable: bool,
    e: &(dyn std::error::Error + 'static),
    what: &str,
) -> ApiError {
    if unavailable {
        tracing::warn!(error = %chain(e), "{what}: a backend is unavailable");
        ApiError::unavailable()
    } else {
        tracing::error!(error = %chain(e), "{what} failed");
        ApiError::internal()
    }
}

/// `POST /passwordless/start`. `client_id` is what the caller sent, for the
/// unknown-client message.
pub(crate) fn start_error(e: StartError, client_id: &str) -> ApiError {
    match e {
        StartError::UnknownClient => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.client_id",
            format!("Unknown client: {}", clip(client_id, 64)),
        ),
        StartError::InvalidClient => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
        }
        StartError::ConnectionDisabled(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.connection",
            "Connection is disabled",
        ),
        StartError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        e @ StartError::LinksDisabled => {
            ApiError::new(StatusCode::BAD_REQUEST, "bad.request", e.to_string())
        }
        StartError::InvalidAuthParams(why) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.authParams",
            format!("error in authParams - {why}"),
        ),
        e @ StartError::SmsCountryNotAllowed => {
            ApiError::new(StatusCode::BAD_REQUEST, "bad.phone_number", e.to_string())
        }
        StartError::RateLimited(d) => {
            crate::metrics::rate_limited("start");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and \
             X-RateLimit-Reset headers.",
            )
            .with_headers(refusal_headers(&d, SystemTime::now()))
        }
        StartError::Delivery { connection, source } => delivery_error(connection, &source),
        StartError::QueueFull => {
            tracing::warn!("start: the delivery queue is full");
            ApiError::unavailable()
        }
        e @ StartError::Unavailable(_) => infrastructure(true, &e, "start"),
        e @ StartError::Unknown(_) => infrastructure(false, &e, "start"),
    }
}

fn delivery_error(connection: Connection, source: &DeliveryError) -> ApiError {
    tracing::warn!(%connection, error = %chain(source), "delivery failed");
    // Rejected texts are written for callers (the port forbids recipients
    // and codes in them); other causes are described, not echoed.
    let detail = match source {
        DeliveryError::Rejected(text) => clip(text, 200),
        DeliveryError::Unavailable(_) => "the provider is unavailable".to_owned(),
        DeliveryError::Unknown(_) => "unexpected error".to_owned(),
    };
    match connection {
        Connection::Sms => ApiError::new(
            StatusCode::BAD_REQUEST,
            "sms_provider_error",
            format!("Unexpected response while calling the SMS gateway: {detail}"),
        ),
        Connection::Email => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "email_provider_error",
            format!("Unexpected response while calling the email provider: {detail}"),
        ),
    }
}

/// `POST /oauth/token`, every grant: the core once, then the grant's own
/// refusal by its class, described in its own (Auth0's) words.
pub(crate) fn token_error(e: TokenError) -> ApiError {
    match e {
        TokenError::InvalidClient => access_denied(),
        TokenError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        TokenError::UnknownAudience(aud) => ApiError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!("Service not found: {}", clip(&aud, 200)),
        ),
        e @ TokenError::InvalidScope(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_scope", e.to_string())
        }
        TokenError::Blocked => user_blocked(),
        e @ TokenError::SignupDisabled => {
            ApiError::new(StatusCode::FORBIDDEN, "access_denied", e.to_string())
        }
        e @ TokenError::SuspiciousIp(d) => {
            crate::metrics::rate_limited("token_ip_failures");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                e.to_string(),
            )
            .with_headers(refusal_headers(&d, SystemTime::now()))
        }
        TokenError::Dpop(d) => dpop_error(&d),
        TokenError::MfaRequired(m) => mfa_required(&m),
        TokenError::Grant(g) => refusal(&g),
        e @ TokenError::Unavailable(_) => infrastructure(true, &e, "token request"),
        e @ TokenError::Unknown(_) => infrastructure(false, &e, "token request"),
    }
}

/// 403 `mfa_required` with the `mfa_token` and what to challenge or
/// enroll, as Auth0 answers it.
fn mfa_required(m: &MfaRequired) -> ApiError {
    let factors = |f: &[sesame_domain::mfa::Factor]| {
        f.iter()
            .map(|f| RequiredFactor {
                kind: f.requirement(),
            })
            .collect()
    };
    let requirements = match &m.requirements {
        Requirements::Challenge(f) => MfaRequirements::Challenge(factors(f)),
        Requirements::Enroll(f) => MfaRequirements::Enroll(factors(f)),
    };
    ApiError::new(
        StatusCode::FORBIDDEN,
        "mfa_required",
        "Multifactor authentication required",
    )
    .with_mfa(MfaChallenge {
        requirements,
        mfa_token: m.mfa_token.expose_secret().to_owned(),
    })
}

/// A grant's own refusal, by its class (Auth0 answers grant errors with 403,
/// and a bad scope with 400 as RFC 6749 §5.2 has it).
fn refusal(g: &GrantError) -> ApiError {
    let description = clip(&g.to_string(), 200);
    match g.refusal() {
        Refusal::InvalidGrant => ApiError::new(StatusCode::FORBIDDEN, "invalid_grant", description),
        Refusal::UnauthorizedClient => {
            ApiError::new(StatusCode::FORBIDDEN, "unauthorized_client", description)
        }
        Refusal::AccessDenied => ApiError::new(StatusCode::FORBIDDEN, "access_denied", description),
        Refusal::InvalidScope => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
        }
        Refusal::InvalidDpopProof => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
        }
        Refusal::TooManyAttempts(d) => {
            crate::metrics::rate_limited("token_failures");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                description,
            )
            .with_headers(refusal_headers(&d, SystemTime::now()))
        }
    }
}

/// A refused DPoP proof at the token endpoint (RFC 9449 §5, §8); the
/// handler adds the fresh `DPoP-Nonce`.
fn dpop_error(d: &DpopError) -> ApiError {
    let description = clip(&d.to_string(), 200);
    match d {
        DpopError::InvalidProof(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
        }
        DpopError::UseNonce => {
            ApiError::new(StatusCode::BAD_REQUEST, "use_dpop_nonce", description)
        }
        DpopError::Required => ApiError::invalid_request(description),
    }
}

/// 401 with the `DPoP` scheme's challenge (RFC 9449 §7.1), naming the
/// algorithms proofs may use.
fn dpop_challenge(error: &'static str, description: String) -> ApiError {
    let challenge = format!(
        r#"DPoP error="{error}", algs="{}""#,
        sesame_domain::dpop::SUPPORTED_ALGS.join(" ")
    );
    let e = ApiError::new(StatusCode::UNAUTHORIZED, error, description);
    match HeaderValue::from_str(&challenge) {
        Ok(v) => e.with_header(WWW_AUTHENTICATE, v),
        Err(_) => e,
    }
}

/// `POST /oauth/revoke`.
pub(crate) fn revoke_error(e: RevokeError) -> ApiError {
    match e {
        RevokeError::InvalidClient => access_denied(),
        e @ RevokeError::Unavailable(_) => infrastructure(true, &e, "revoke"),
        e @ RevokeError::Unknown(_) => infrastructure(false, &e, "revoke"),
    }
}

/// `GET /userinfo`. `None` means the token was refused: the caller answers
/// 401 with its `WWW-Authenticate` challenge.
pub(crate) fn userinfo_error(e: UserinfoError) -> Option<ApiError> {
    match e {
        UserinfoError::InvalidToken => None,
        UserinfoError::InvalidDpopToken => Some(dpop_challenge(
            "invalid_token",
            "The access token is invalid, has expired, or is bound to a DPoP key and was not \
             presented with the DPoP scheme."
                .to_owned(),
        )),
        UserinfoError::InvalidDpopProof(d) => Some(dpop_challenge(
            "invalid_dpop_proof",
            clip(&d.to_string(), 200),
        )),
        e @ UserinfoError::Unavailable(_) => Some(infrastructure(true, &e, "userinfo")),
        e @ UserinfoError::Unknown(_) => Some(infrastructure(false, &e, "userinfo")),
    }
}

/// A storage failure outside a use case (the JWKS).
pub(crate) fn store_error(e: StoreError) -> ApiError {
    let unavailable = matches!(e, StoreError::Unavailable(_));
    infrastructure(unavailable, &e, "reading keys")
}

/// The MFA API (`/mfa/…`): Auth0's codes; a send refused by the start's
/// abuse rules or a provider answers as `/passwordless/start` would.
pub(crate) fn mfa_error(e: MfaApiError) -> ApiError {
    match e {
        e @ MfaApiError::InvalidToken(_) => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_grant", e.to_string())
        }
        MfaApiError::InvalidClient => access_denied(),
        e @ MfaApiError::InsufficientScope(_) => {
            ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", e.to_string())
        }
        e @ MfaApiError::Forbidden(_) => {
            ApiError::new(StatusCode::FORBIDDEN, "access_denied", e.to_string())
        }
        e @ MfaApiError::InvalidRequest(_) => ApiError::invalid_request(e.to_string()),
        e @ MfaApiError::UnsupportedChallengeType(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_challenge_type",
            e.to_string(),
        ),
        e @ MfaApiError::NotFound => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
        }
        MfaApiError::Blocked => user_blocked(),
        MfaApiError::Send(s) => start_error(s, ""),
        e @ MfaApiError::Unavailable(_) => infrastructure(true, &e, "MFA API"),
        e @ MfaApiError::Unknown(_) => infrastructure(false, &e, "MFA API"),
    }
}
