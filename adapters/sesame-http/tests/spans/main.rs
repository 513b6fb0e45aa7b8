//! The per-request tracing span, in a test binary of its own: the test
//! installs its own subscriber, and tracing caches which callsites are
//! interesting per process, so sharing a process with tests that run with
//! no subscriber made it flaky.

#[cfg(test)]
#[path = "../api/common.rs"]
#[expect(
    dead_code,
    reason = "the shared helpers serve many test files; this binary uses a few"
)]
mod common;
#[cfg(test)]
#[path = "../api/conformance.rs"]
mod conformance;
#[cfg(test)]
#[path = "../api/pages.rs"]
mod pages;
#[cfg(test)]
mod span_fields;
