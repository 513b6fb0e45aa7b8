//! The Redis adapter's own tests, against the real Redis at
//! `SESAME_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`), the test
//! Redis Cluster at `SESAME_TEST_REDIS_CLUSTER_URLS` (default
//! 127.0.0.1:7000–7002), and a private cluster started by the test that
//! kills one of its primaries.
//!
//! Each test works under its own key prefix and deletes it at the end.
//!
//! `cfg(test)` makes the helpers count as test code, where clippy.toml
//! allows `unwrap` and `expect`.

#![cfg(test)]

mod authorization_codes;
mod challenges;
mod cluster;
mod concurrency;
mod cross_instance;
mod durability;
mod faults;
mod mfa_tickets;
mod proxy;
mod rate_limits;
mod scope;
mod steps;
mod support;
