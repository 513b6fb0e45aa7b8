//! Logging, set up in one place: human-readable by default, JSON with
//! `SESAME__LOG__FORMAT=json`. `RUST_LOG` overrides the configured level.
//!
//! Nothing in Sesame logs codes, tokens, secrets, emails or phone numbers;
//! the domain's types redact themselves in `Debug`.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. A second call is a no-op (tests start
/// many servers in one process).
pub fn init(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    // Colour codes only for a terminal: a pipe or a file gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_ansi(std::io::stdout().is_terminal());
    let _ = if settings.format == LogFormat::Json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}
