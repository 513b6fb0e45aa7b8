//! # sesame-server
//!
//! The bundled Sesame server as a library: configuration, wiring and
//! serving. The `sesame` binary is a thin shell over it, and end-to-end
//! tests use it to start real servers in-process on port 0.

pub mod app;
pub mod config;
mod delivery;
pub mod delivery_queue;
mod events;
mod housekeeping;
mod key_refresh;
pub mod keys_cli;
pub mod logs_cli;
mod metered;
mod metered_store;
pub mod metrics;
mod secret;
mod storage;
pub mod telemetry;
mod tls;
pub mod users_cli;

pub use app::{App, Overrides, build, build_with, check};
