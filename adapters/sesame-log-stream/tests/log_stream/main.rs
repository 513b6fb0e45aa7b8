//! `LogStream` against a real axum receiver on 127.0.0.1:0.
//!
//! The tests run on tokio's current-thread runtime: the worker task only
//! runs when a test awaits, so events emitted between two awaits land in
//! the queue together and are taken as one batch.

mod faults;
mod formats;
mod receiver;
mod shutdown;
mod support;
