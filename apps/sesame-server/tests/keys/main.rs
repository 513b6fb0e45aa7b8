//! Signing keys at rest and their rotation, on the server as deployed: no
//! column of any table holds a usable private key, a key an older version
//! stored in clear is sealed in place, a wrong secret stops the start, and
//! `sesame keys rotate` reaches running servers.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

mod at_rest;
mod rotation;
mod scan;
mod support;
