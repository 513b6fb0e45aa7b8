//! The MFA API's bodies, as Auth0 sends and takes them: authenticators,
//! enrollments, challenges, and the bodies of `POST /mfa/associate` and
//! `POST /mfa/challenge`.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sesame_domain::mfa::Factor;
use sesame_domain::service::{AuthenticatorView, ChallengeAnswer, Enrollment};
use utoipa::ToSchema;

use crate::param::Param;

/// What kind of authenticator, as Auth0 names it.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum AuthenticatorType {
    /// A TOTP app.
    Otp,
    /// Out of band: a code by SMS or email.
    Oob,
    /// A recovery code.
    RecoveryCode,
}

/// How an out-of-band authenticator is reached.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OobChannel {
    /// A text message.
    Sms,
    /// An email.
    Email,
}

/// How the user proves an out-of-band code: by typing it (`binding_code`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BindingMethod {
    /// The user types the code they received.
    Prompt,
}

/// `authenticator_type` and `oob_channel` as Auth0 names a factor.
const fn wire(factor: Factor) -> (AuthenticatorType, Option<OobChannel>) {
    match factor {
        Factor::Otp => (AuthenticatorType::Otp, None),
        Factor::Sms => (AuthenticatorType::Oob, Some(OobChannel::Sms)),
        Factor::Email => (AuthenticatorType::Oob, Some(OobChannel::Email)),
        Factor::RecoveryCode => (AuthenticatorType::RecoveryCode, None),
    }
}

/// An enrolled (or pending) authenticator.
#[derive(Serialize, ToSchema)]
#[schema(as = Authenticator)]
pub(crate) struct AuthenticatorBody {
    /// Its id, as `DELETE /mfa/authenticators/{id}` takes it.
    id: String,
    /// What kind.
    authenticator_type: AuthenticatorType,
    /// For `oob`: how it is reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    oob_channel: Option<OobChannel>,
    /// The masked number or address, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    name: Option<String>,
    /// Whether its enrollment was confirmed.
    active: bool,
}

impl From<AuthenticatorView> for AuthenticatorBody {
    fn from(v: AuthenticatorView) -> Self {
        let (authenticator_type, oob_channel) = wire(v.factor);
        Self {
            id: v.id.to_string(),
            authenticator_type,
            oob_channel,
            name: v.name,
            active: v.active,
        }
    }
}

/// The body of `POST /mfa/associate`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = AssociateRequest)]
pub(crate) struct AssociateParams {
    /// The application.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_id: Param,
    /// One of `otp`, `oob` (or `email`), as a one-element array or a string.
    /// Required.
    #[schema(value_type = Vec<String>, example = json!(["oob"]))]
    #[serde(default)]
    pub(crate) authenticator_types: Value,
    /// For `oob`: `sms` (the default) or `email`, likewise.
    #[schema(value_type = Vec<String>, example = json!(["sms"]))]
    #[serde(default)]
    pub(crate) oob_channels: Value,
    /// For `oob` by SMS: the number, E.164.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) phone_number: Param,
    /// For `oob` by email: the address.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) email: Param,
}

/// A new authenticator, to confirm with the MFA grant of its kind.
#[derive(Serialize, ToSchema)]
#[schema(as = Enrollment)]
pub(crate) struct EnrollmentBody {
    /// The authenticator's id.
    id: String,
    /// `otp` or `oob`.
    authenticator_type: AuthenticatorType,
    /// For `otp`: the TOTP secret, base32.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    secret: Option<String>,
    /// For `otp`: the `otpauth://` URI to show as a QR code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    barcode_uri: Option<String>,
    /// For `oob`: `prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    binding_method: Option<BindingMethod>,
    /// For `oob`: how the code was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    oob_channel: Option<OobChannel>,
    /// For `oob`: the code for the `mfa-oob` grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    oob_code: Option<String>,
    /// On the first enrollment: the recovery code, shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    recovery_codes: Option<Vec<String>>,
}

fn codes(c: Option<&SecretString>) -> Option<Vec<String>> {
    c.map(|c| vec![c.expose_secret().to_owned()])
}

impl From<&Enrollment> for EnrollmentBody {
    fn from(e: &Enrollment) -> Self {
        match e {
            Enrollment::Otp {
                id,
                secret,
                barcode_uri,
                recovery_code,
            } => Self {
                id: id.to_string(),
                authenticator_type: AuthenticatorType::Otp,
                secret: Some(secret.expose_secret().to_owned()),
                barcode_uri: Some(barcode_uri.expose_secret().to_owned()),
                binding_method: None,
                oob_channel: None,
                oob_code: None,
                recovery_codes: codes(recovery_code.as_ref()),
            },
            Enrollment::Oob {
                id,
                channel,
                oob_code,
                recovery_code,
            } => Self {
                id: id.to_string(),
                authenticator_type: AuthenticatorType::Oob,
                secret: None,
                barcode_uri: None,
                binding_method: Some(BindingMethod::Prompt),
                oob_channel: wire(*channel).1,
                oob_code: Some(oob_code.expose_secret().to_owned()),
                recovery_codes: codes(recovery_code.as_ref()),
            },
        }
    }
}

/// The body of `POST /mfa/challenge`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ChallengeRequest)]
pub(crate) struct ChallengeParams {
    /// The application, here or as the `Basic` user name.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_id: Param,
    /// A confidential application's secret (or `Basic` credentials).
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_secret: Param,
    /// The `mfa_token` of the `mfa_required` answer. Required.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) mfa_token: Param,
    /// `otp`, `oob` or both, space-separated: the kinds the client handles.
    #[schema(value_type = String, example = "oob otp")]
    #[serde(default)]
    pub(crate) challenge_type: Param,
    /// The authenticator to challenge; the first active one otherwise.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) authenticator_id: Param,
}

/// What kind of challenge was made.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChallengeType {
    /// Ask the user for their TOTP code.
    Otp,
    /// A code was sent out of band.
    Oob,
}

/// The challenge made: for `oob`, the code to redeem with the `mfa-oob` grant.
#[derive(Serialize, ToSchema)]
#[schema(as = Challenge)]
pub(crate) struct ChallengeBody {
    /// `otp` or `oob`.
    challenge_type: ChallengeType,
    /// For `oob`: `prompt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    binding_method: Option<BindingMethod>,
    /// For `oob`: the code for the `mfa-oob` grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    oob_code: Option<String>,
}

impl From<ChallengeAnswer> for ChallengeBody {
    fn from(answer: ChallengeAnswer) -> Self {
        match answer {
            ChallengeAnswer::Otp => Self {
                challenge_type: ChallengeType::Otp,
                binding_method: None,
                oob_code: None,
            },
            ChallengeAnswer::Oob { oob_code } => Self {
                challenge_type: ChallengeType::Oob,
                binding_method: Some(BindingMethod::Prompt),
                oob_code: Some(oob_code.expose_secret().to_owned()),
            },
        }
    }
}
