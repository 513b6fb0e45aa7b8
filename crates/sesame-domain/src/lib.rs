//! # sesame-domain
//!
//! The pure domain of Sesame, an Auth0-compatible passwordless server: OTP
//! issuance, verification and token minting.
//!
//! It does no I/O. Storage, delivery, signing, time and randomness come in
//! through the traits in [`ports`], so a service embeds it with its own
//! adapters and tests drive it with a scripted clock and code generator.
//!
//! Start with [`service::Passwordless`].

pub mod address_fold;
pub mod authorization;
pub mod challenge;
pub mod client;
pub mod client_ip;
pub mod code;
pub mod dpop;
pub mod event;
pub mod message;
pub mod mfa;
pub mod page;
pub mod phone_region;
pub mod pkce;
pub mod ports;
pub mod profile;
pub mod rate_limit;
pub mod recipient;
pub mod redirect_uri;
pub mod refresh;
pub mod retention;
pub mod scope;
pub mod service;
pub mod time;
pub mod token;
pub mod user;
pub mod user_query;

pub use authorization::{AuthorizationCode, Redemption, ResponseType};
pub use challenge::{AuthParams, Challenge, ChallengeId, ChallengeKey, RawAuthParams, SendMode};
pub use client::{
    Api, ApiGrant, Client, ClientId, ClientSecretHash, GrantType, MagicLinkSettings, SigningAlg,
};
pub use client_ip::{Ipv6PrefixLen, rate_limit_ip};
pub use code::{CodeLength, CodeMac, MacKey, MacPurpose, Otp};
pub use dpop::{DpopConfig, DpopError, DpopProof, Jkt, NonceRule};
pub use event::{EventFilter, EventPage, EventQuery, EventType, LogEvent};
pub use message::{
    DeliveryReceipt, EmailMessage, MessageContext, MessageMeta, Operation, SmsMessage,
};
pub use page::{ConfirmPage, ErrorPage, LinkProblem, RenderedPage};
pub use phone_region::{CountryCode, UnknownCountry};
pub use pkce::{PkceChallenge, PkceMethod};
pub use profile::Profile;
pub use rate_limit::{FixedWindow, RateDecision, RateKey, RateLimit, Refuser, Reservation};
pub use recipient::{Connection, EmailAddress, PhoneNumber, Recipient};
pub use redirect_uri::RedirectUri;
pub use refresh::{RefreshTokenRecord, Rotation};
pub use scope::Scope;
pub use service::{Passwordless, PasswordlessConfig, Ports};
pub use time::Timestamp;
pub use token::{AccessClaims, Confirmation, IdClaims, KeyStatus, SigningKey, TokenSet};
pub use user::{User, UserId};
pub use user_query::{UserFilter, UserPage, UserQuery, UserSortField};
