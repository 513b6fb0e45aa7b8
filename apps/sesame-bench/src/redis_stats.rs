//! Redis round trips, counted by Redis itself: `INFO commandstats` before
//! and after the measured window. Each `cmdstat_<command>:calls=N,…` line
//! is a counter kept since Redis started, so the difference is exactly
//! the commands every client ran in the window.

use std::collections::BTreeMap;

use anyhow::Context as _;
use redis::aio::MultiplexedConnection;
use serde::Serialize;

use crate::stats::per_flow;

/// Calls of each command since Redis started, by lower-case command name
/// (subcommands as Redis names them, e.g. `client|setinfo`).
pub type CommandCalls = BTreeMap<String, u64>;

/// Parses the text of `INFO commandstats`. Lines of another shape
/// (the `# Commandstats` header, blank lines) are skipped.
#[must_use]
pub fn parse_commandstats(info: &str) -> CommandCalls {
    info.lines()
        .filter_map(|line| {
            let (name, fields) = line.trim().strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = fields
                .split(',')
                .find_map(|f| f.strip_prefix("calls="))?
                .parse()
                .ok()?;
            Some((name.to_ascii_lowercase(), calls))
        })
        .collect()
}

/// One command's calls over the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CommandCount {
    /// Calls in the window.
    pub calls: u64,
    /// Calls per completed flow; `None` when no flow completed.
    pub per_flow: Option<f64>,
}

/// Redis commands over the measured window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedisCounts {
    /// Every command run in the window, by any client but the bench's own
    /// `INFO`.
    pub calls: u64,
    /// `calls` per completed flow; `None` when no flow completed.
    pub calls_per_flow: Option<f64>,
    /// By command (`evalsha`, `eval`, `get`, …); commands not run are left out.
    pub commands: BTreeMap<String, CommandCount>,
}

impl RedisCounts {
    /// The counts between two `INFO commandstats` readings, over `flows`
    /// completed flows. The first reading's own `INFO` is counted by the
    /// second and is taken back out: it was the bench, not the server.
    #[must_use]
    pub fn between(before: &CommandCalls, after: &CommandCalls, flows: u64) -> Self {
        let mut commands = BTreeMap::new();
        for (name, &calls) in after {
            let mut delta = calls.saturating_sub(before.get(name).copied().unwrap_or(0));
            if name == "info" {
                delta = delta.saturating_sub(1);
            }
            if delta > 0 {
                let per_flow = per_flow(delta as f64, flows);
                commands.insert(
                    name.clone(),
                    CommandCount {
                        calls: delta,
                        per_flow,
                    },
                );
            }
        }
        let calls = commands.values().map(|c| c.calls).sum();
        Self {
            calls,
            calls_per_flow: per_flow(calls as f64, flows),
            commands,
        }
    }
}

/// A connection to the server's Redis that reads its command counters.
pub struct RedisWatch {
    conn: MultiplexedConnection,
    before: CommandCalls,
}

impl std::fmt::Debug for RedisWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: name nothing but what was counted.
        f.debug_struct("RedisWatch")
            .field("commands", &self.before.len())
            .finish_non_exhaustive()
    }
}

impl RedisWatch {
    /// Connects to `url`, before the load starts (so the connection's own
    /// handshake is not in the window).
    ///
    /// # Errors
    /// The URL is not a Redis URL, or Redis does not answer.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("--redis-url")?;
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .context("connecting to --redis-url")?;
        let before = read(&mut conn).await?;
        Ok(Self { conn, before })
    }

    /// Reads the counters at the window's start.
    ///
    /// # Errors
    /// Redis does not answer `INFO commandstats`.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        self.before = read(&mut self.conn).await?;
        Ok(())
    }

    /// Reads them at the window's end: the commands run since [`Self::start`].
    ///
    /// # Errors
    /// Redis does not answer `INFO commandstats`.
    pub async fn finish(&mut self, flows: u64) -> anyhow::Result<RedisCounts> {
        let after = read(&mut self.conn).await?;
        Ok(RedisCounts::between(&self.before, &after, flows))
    }
}

async fn read(conn: &mut MultiplexedConnection) -> anyhow::Result<CommandCalls> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .context("Redis INFO commandstats")?;
    Ok(parse_commandstats(&info))
}

#[cfg(test)]
#[path = "redis_stats_tests.rs"]
mod tests;
