//! What this adapter promises beyond the port contracts: races against the
//! real server, several instances sharing one database, data surviving a
//! reconnect, migrations and the purger.

// Helpers count as test code too, for the unwrap/expect/panic lints.
#![cfg(test)]

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod cross_instance;
mod durability;
mod earlier;
mod fold;
mod inputs;
mod lifecycle;
