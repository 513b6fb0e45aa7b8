//! `sesame logs tail [Q] [-n N] [--follow] [--json]`: the newest stored log
//! events (oldest of them first, as `tail` prints), filtered by the
//! Management API's log `q`; with `--follow`, then every new one as it is
//! stored, until interrupted. With `--json` each event prints in the
//! Management API's log shape, one object per line.

use std::time::Duration;

use sesame_domain::service::management::parse_log_q;
use sesame_domain::{EventQuery, LogEvent};

use crate::build;
use crate::config::Resolved;

/// How often `--follow` asks the store for new events.
const POLL: Duration = Duration::from_secs(1);

/// What `logs tail` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tail {
    /// The Management API's log `q`; empty for every event.
    pub q: String,
    /// How many of the newest to print first.
    pub count: u32,
    /// Keep printing new events.
    pub follow: bool,
    /// Print the Management API's JSON.
    pub json: bool,
}

/// One event as a line.
#[must_use]
pub fn line(event: &LogEvent, json: bool) -> String {
    if json {
        return event.auth0_json().to_string();
    }
    format!(
        "{} {:<9} {} user={} client={}",
        event.date.to_rfc3339(),
        event.kind.code(),
        event.description,
        event.user_id.as_deref().unwrap_or("-"),
        event.client_id.as_deref().unwrap_or("-"),
    )
}

/// Prints the events `tail` asks for through `print`, following when asked
/// (until Ctrl-C).
///
/// # Errors
/// A bad `q`, or a store that cannot be opened or read.
pub async fn run(
    resolved: Resolved,
    tail: &Tail,
    mut print: impl FnMut(&str),
) -> anyhow::Result<()> {
    let filter = parse_log_q(&tail.q).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = build(resolved).await?;
    let store = app.events();
    let newest = EventQuery {
        filter: filter.clone(),
        newest_first: true,
        offset: 0,
        limit: tail.count.clamp(1, 1000),
        with_total: false,
    };
    let mut page = store.search(&newest).await?.events;
    page.reverse();
    let mut last = page.last().map(|e| e.log_id.clone());
    for event in &page {
        print(&line(event, tail.json));
    }
    if !tail.follow {
        return Ok(());
    }
    let mut ticks = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        let mut after = filter.clone();
        after.after_log_id.clone_from(&last);
        let query = EventQuery {
            filter: after,
            newest_first: false,
            offset: 0,
            limit: 100,
            with_total: false,
        };
        for event in store.search(&query).await?.events {
            print(&line(&event, tail.json));
            last = Some(event.log_id);
        }
    }
}
