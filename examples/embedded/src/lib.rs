//! # embedded
//!
//! An example of embedding `sesame-domain` in a service of your own: the
//! walk-through is `docs/embedding.md`.
//!
//! The service brings two adapters of its own, and takes the shipped ones
//! for every other port ([`wiring`]):
//!
//! - [`users::JsonFileUserStore`]: users in a JSON file, standing for the
//!   team's existing user table; `tests/contract.rs` runs the test kit's
//!   contract suite against it;
//! - [`mail::MailQueue`]: login emails go onto the service's own mail queue.
//!
//! It serves its own small HTTP API ([`http`]): start a login, verify the
//! code for tokens, and the JWKS that verifies them. `src/main.rs` runs it;
//! tests spawn it on port 0 with [`App::build`] and [`App::serve`].

pub mod housekeeping;
pub mod http;
pub mod mail;
pub mod users;
pub mod wiring;

use std::net::SocketAddr;
use std::sync::Arc;

use sesame_domain::ports::Housekeeping;
use sesame_domain::service::Issuer;
use sesame_domain::{ClientId, MacKey, Passwordless};
use tokio::net::TcpListener;

pub use wiring::{CLIENT_ID, OwnAdapters, SCOPE};

/// The service, wired and ready to serve.
pub struct App {
    service: Arc<Passwordless>,
    router: axum::Router,
    housekeeping: Vec<Arc<dyn Housekeeping>>,
}

impl App {
    /// Wires the domain on `own` adapters and the shipped ones, for tokens
    /// issued by `issuer` and codes MACed with `mac_key`.
    ///
    /// # Errors
    /// As [`wiring::passwordless`].
    pub async fn build(issuer: Issuer, mac_key: MacKey, own: OwnAdapters) -> anyhow::Result<Self> {
        let wired = wiring::passwordless(issuer, mac_key, own).await?;
        let router = http::router(&wired.service, ClientId::parse(CLIENT_ID)?);
        Ok(Self {
            service: wired.service,
            router,
            housekeeping: wired.housekeeping,
        })
    }

    /// The domain service, for whatever else the embedding service does
    /// with it (`/userinfo`, revocation, readiness, …).
    #[must_use]
    pub const fn service(&self) -> &Arc<Passwordless> {
        &self.service
    }

    /// Serves on `listener`, and purges the stores in the background, until
    /// the listener fails.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let clock = Arc::clone(&self.service.ports().clock);
        let purge = tokio::spawn(housekeeping::purge_forever(self.housekeeping, clock));
        // The peer address feeds the domain's per-IP rate limit.
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, app).await;
        purge.abort();
        served
    }
}
