//! Rate limits: the rules and what a counter answers.

use std::time::Duration;

use crate::time::Timestamp;

/// At most `limit` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Hits allowed in one window.
    pub limit: u32,
    /// The window length.
    pub window: Duration,
}

impl RateLimit {
    /// `limit` hits per `window`.
    #[must_use]
    pub const fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }
}

/// A counter's answer: enough for `x-ratelimit-*` and `Retry-After` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether this hit is within the limit.
    pub allowed: bool,
    /// The limit in force.
    pub limit: u32,
    /// Hits left in the current window after this one.
    pub remaining: u32,
    /// When the current window ends and the count starts over.
    pub reset_at: Timestamp,
}
