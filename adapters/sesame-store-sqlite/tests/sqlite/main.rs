//! Adapter-specific tests on real SQLite files: concurrency, two stores on
//! one file, durability across a reopen, migrations, faults and housekeeping.
//! The port rules themselves are checked by `tests/contract.rs`.

// Helpers count as test code too, for the unwrap/panic lints.
#![cfg(test)]

mod common;
mod concurrency;
mod corrupt_rows;
mod cross_instance;
mod durability;
mod faults;
mod fold;
mod group_commit;
mod housekeeping;
mod migrations;
mod permissions;
mod sqlx_history;
