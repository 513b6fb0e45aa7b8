//! SMTP delivery against real servers: the shared sink from
//! `scripts/test-services` (plain SMTP), sinks started here with a
//! throwaway certificate (STARTTLS, implicit TLS, AUTH), and scripted or
//! silent servers for the failure cases.

mod config;
mod delivery;
mod fake;
mod faults;
mod sink;
mod support;
mod tls;
