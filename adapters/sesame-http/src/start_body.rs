//! The bodies of `POST /passwordless/start`: the request, read leniently
//! (each property checked by name in the handler), and the answer.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sesame_domain::Recipient;
use sesame_domain::service::Started;
use utoipa::ToSchema;

use crate::param::{Param, type_name};

/// The body of a start request, as Auth0 accepts it (JSON, or a form whose
/// `authParams[scope]`-style keys make the `authParams` object). Every other
/// property is refused, by name.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = StartRequest)]
pub(crate) struct StartParams {
    /// The application. Required, here or as the `Basic` user name.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_id: Param,
    /// A confidential application's secret (or `Basic` credentials).
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_secret: Param,
    /// `email` or `sms`. Required.
    #[schema(value_type = String, example = "email")]
    #[serde(default)]
    pub(crate) connection: Param,
    /// The address, for the `email` connection.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) email: Param,
    /// The E.164 number, for the `sms` connection.
    #[schema(value_type = String, example = "+14155550100")]
    #[serde(default)]
    pub(crate) phone_number: Param,
    /// `link` or `code`: a link by default for email, always a code for SMS.
    #[schema(value_type = String, example = "code")]
    #[serde(default)]
    pub(crate) send: Param,
    /// The OAuth parameters the link's redirect (or the code's grant) uses.
    #[serde(rename = "authParams")]
    #[schema(value_type = AuthParamsParams)]
    #[serde(default)]
    pub(crate) auth_params: AuthParamsField,
    /// Whatever else was sent: only the names matter.
    #[serde(flatten)]
    #[schema(ignore)]
    pub(crate) unknown: BTreeMap<String, IgnoredAny>,
}

/// `authParams`: absent, an object, or a value of another type.
#[derive(Debug, Default)]
pub(crate) enum AuthParamsField {
    #[default]
    Absent,
    Object(AuthParamsParams),
    Wrong(&'static str),
}

impl<'de> Deserialize<'de> for AuthParamsField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Absent,
            v @ Value::Object(_) => {
                Self::Object(serde_json::from_value(v).map_err(serde::de::Error::custom)?)
            }
            other => Self::Wrong(type_name(&other)),
        })
    }
}

/// The keys of `authParams` that mean something here; others are ignored,
/// as at Auth0. Empty strings count as absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = AuthParams)]
pub(crate) struct AuthParamsParams {
    /// The scopes asked for, space-separated.
    #[schema(value_type = String, example = "openid email offline_access")]
    #[serde(default)]
    pub(crate) scope: Param,
    /// Returned to the callback as is.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) state: Param,
    /// The callback the link redirects to; one of the application's.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) redirect_uri: Param,
    /// `code` (the default) or `token`, `id_token`, `id_token token`.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) response_type: Param,
    /// Carried into the ID token.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) nonce: Param,
    /// The API the access token is for.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) audience: Param,
    /// PKCE (RFC 7636).
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) code_challenge: Param,
    /// `S256`.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) code_challenge_method: Param,
}

/// A started login: the request's id and its recipient, never verified yet.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = StartResponse)]
pub(crate) enum StartBody {
    /// The `email` connection.
    Email {
        /// An opaque id for the request.
        #[serde(rename = "_id")]
        id: String,
        /// The canonical address.
        email: String,
        /// `false`.
        email_verified: bool,
    },
    /// The `sms` connection.
    Sms {
        /// An opaque id for the request.
        #[serde(rename = "_id")]
        id: String,
        /// The number, E.164.
        phone_number: String,
        /// `false`.
        phone_verified: bool,
    },
}

impl From<&Started> for StartBody {
    fn from(started: &Started) -> Self {
        let id = started.id.clone();
        match &started.recipient {
            Recipient::Email(e) => Self::Email {
                id,
                email: e.as_str().to_owned(),
                email_verified: false,
            },
            Recipient::Sms(p) => Self::Sms {
                id,
                phone_number: p.as_str().to_owned(),
                phone_verified: false,
            },
        }
    }
}
