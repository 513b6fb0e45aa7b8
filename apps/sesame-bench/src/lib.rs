//! # sesame-bench
//!
//! A load generator for Sesame. It drives a separately started `sesame`
//! over HTTP through complete passwordless logins: each virtual user asks
//! `/passwordless/start` for a code by email, receives it through the
//! server's webhook delivery provider at the bench's own [`receiver`]
//! (signature checked), and redeems it at `/oauth/token` for an id, access
//! and refresh token. One login's id token is verified against the JWKS.
//!
//! - [`args`]: the command line; [`template`]: the server configuration
//!   the bench expects (rate limits out of the way, webhook delivery).
//! - [`flow`]: one virtual user's flows in the `new`, `returning` and
//!   `refresh` modes; [`client`]: the HTTP calls; [`dpop`]: DPoP proofs
//!   with `--dpop`.
//! - [`run`]: warm-up, closed or open loop, the measured window;
//!   [`stats`]: HDR histograms; [`procstat`]: the server's CPU and RSS.
//! - [`stores`]: the stores' share: [`dbprocs`] their processes' CPU,
//!   [`redis_stats`] and [`pg_stats`] their round trips, counted.
//! - [`report`]: the text summary and the JSON result; [`coldstart`]:
//!   start-to-ready time and idle RSS.

pub mod args;
pub mod client;
pub mod coldstart;
pub mod dbprocs;
pub mod dpop;
pub mod flow;
pub mod jwks;
pub mod pg_stats;
pub mod procstat;
pub mod receiver;
pub mod redis_stats;
pub mod report;
pub mod run;
pub mod stats;
pub mod stores;
pub mod template;
