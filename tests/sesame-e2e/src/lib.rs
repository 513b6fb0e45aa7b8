//! # sesame-e2e
//!
//! Support code for the black-box end-to-end suites under `tests/`: the
//! zero-to-production `spawn_app` pattern. A [`TestApp`] is a real Sesame
//! server (`sesame_server::build_with` + `App::serve`) on 127.0.0.1 and an
//! ephemeral port, configured from TOML like any deployment, on a fresh
//! [`Backend`]: a SQLite file, or a PostgreSQL database plus a Redis key
//! prefix. A capturing `Outbox` stands in for the email and SMS providers,
//! so tests read the codes the server sent. Everything else is HTTP.
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
pub mod config;
pub mod jwt;
mod macros;
pub mod reply;

pub use app::TestApp;
pub use backend::{Backend, Storage};
pub use config::*;
pub use reply::Reply;

/// Fresh recipients, re-exported for the suites.
pub use sesame_testkit::fixtures::{fresh_email, fresh_phone};
