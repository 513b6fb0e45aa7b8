//! # sesame-e2e
//!
//! Support code for the black-box end-to-end suites under `tests/`: the
//! zero-to-production `spawn_app` pattern. A [`TestApp`] is a real Sesame
//! server (`sesame_server::build_with` + `App::serve`) on 127.0.0.1 and an
//! ephemeral port, configured from TOML like any deployment, on a fresh
//! [`Backend`]: a SQLite file, or a PostgreSQL database plus a Redis key
//! prefix. A capturing `Outbox` stands in for the email and SMS providers,
//! so tests read the codes the server sent; or email goes over SMTP to the
//! test services' sink, read back from its [`mailbox`]. Everything else is
//! HTTP, and for magic links a real headless [`browser`] too.
//!
//! PostgreSQL and Redis are found through `SESAME_TEST_PG_URL` and
//! `SESAME_TEST_REDIS_URL` (see `docs/testing.md`), with the local defaults.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed setup step or assertion must fail the test loudly"
)]

pub mod api;
pub mod app;
pub mod backend;
pub mod browser;
pub mod callback;
pub mod config;
pub mod jwt;
pub mod link;
pub mod link_client;
mod macros;
pub mod mailbox;
pub mod private_postgres;
pub mod process;
pub mod reply;

pub use app::TestApp;
pub use backend::{Backend, Storage};
pub use config::*;
pub use link_client::{
    IMPLICIT_LINK_CLIENT, LINK_APP_NAME, LINK_CLIENT, LINK_LOGIN_URI, LinkClient,
    REFRESHING_LINK_CLIENT,
};
pub use reply::Reply;

/// Fresh recipients, re-exported for the suites.
pub use sesame_testkit::fixtures::{fresh_email, fresh_phone};
