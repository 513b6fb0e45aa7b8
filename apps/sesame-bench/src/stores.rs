//! The stores' share of a run: their processes' CPU over the measured
//! window ([`dbprocs`](crate::dbprocs)), Redis's commands over it
//! ([`redis_stats`](crate::redis_stats)), and Postgres's transactions and
//! statements over the warm-up and the window ([`pg_stats`](crate::pg_stats)).
//! [`StoreWatch`] takes each reading at its point of the run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::bail;
use tokio::task::JoinHandle;

use crate::args::Options;
use crate::dbprocs::{self, DbProcs, StoreUsage, Tracker};
use crate::pg_stats::{PgCounts, PgReading, PgWatch};
use crate::redis_stats::{RedisCounts, RedisWatch};

/// How often the store processes are read between the window's ends, so
/// that a Postgres backend that exits inside the window is counted up to
/// its last reading.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);

/// What a run learned about its stores.
#[derive(Debug, Default)]
pub struct StoreShare {
    /// CPU by store kind (`postgres`, `redis`) over the measured window.
    pub usage: BTreeMap<String, StoreUsage>,
    /// Redis commands over the measured window, with `--redis-url`.
    pub redis: Option<RedisCounts>,
    /// Postgres transactions and statements, with `--pg-url`.
    pub postgres: Option<PgCounts>,
}

/// Readings of the stores at the points of a run.
#[derive(Debug)]
pub struct StoreWatch {
    procs: DbProcs,
    tracker: Arc<Mutex<Tracker>>,
    sampler: Option<JoinHandle<()>>,
    redis: Option<RedisWatch>,
    pg: Option<PgWatch>,
    /// Postgres's counters before the warm-up.
    pg_before: Option<PgReading>,
    progress: bool,
}

impl StoreWatch {
    /// Checks the listed processes exist and connects to the stores named
    /// in `o`.
    ///
    /// # Errors
    /// A listed process does not exist, or a store cannot be reached.
    pub async fn connect(o: &Options) -> anyhow::Result<Self> {
        if let DbProcs::Pids(pids) = &o.db_procs {
            for &pid in pids {
                if dbprocs::ProcStat::read(pid).is_none() {
                    bail!("--db-pids: there is no process {pid}");
                }
            }
        }
        let redis = match &o.redis_url {
            Some(url) => Some(RedisWatch::connect(url).await?),
            None => None,
        };
        let pg = match &o.pg_url {
            Some(url) => Some(PgWatch::connect(url, &o.pg_stats_db).await?),
            None => None,
        };
        Ok(Self {
            procs: o.db_procs.clone(),
            tracker: Arc::default(),
            sampler: None,
            redis,
            pg,
            pg_before: None,
            progress: o.progress,
        })
    }

    /// Before the warm-up: Postgres's counters once its backends are idle.
    ///
    /// # Errors
    /// Postgres does not answer.
    pub async fn before_load(&mut self) -> anyhow::Result<()> {
        if let Some(watch) = &mut self.pg {
            if self.progress {
                eprintln!(
                    "  waiting for Postgres's statistics of {} to settle",
                    watch.database()
                );
            }
            self.pg_before = Some(watch.settled_reading().await?);
        }
        Ok(())
    }

    /// At the measured window's start: the processes' CPU, then sampled
    /// every [`SAMPLE_EVERY`]; Redis's counters.
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn window_start(&mut self) -> anyhow::Result<()> {
        observe(&self.tracker, &self.procs).await;
        if self.procs != DbProcs::Off {
            let (tracker, procs) = (Arc::clone(&self.tracker), self.procs.clone());
            self.sampler = Some(tokio::spawn(async move {
                let mut tick = tokio::time::interval(SAMPLE_EVERY);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    observe(&tracker, &procs).await;
                }
            }));
        }
        if let Some(redis) = &mut self.redis {
            redis.start().await?;
        }
        Ok(())
    }

    /// At the window's end, `window_secs` long with `flows` completed: the
    /// processes' CPU and Redis's commands.
    ///
    /// # Errors
    /// Redis does not answer.
    pub async fn window_end(&mut self, window_secs: f64, flows: u64) -> anyhow::Result<StoreShare> {
        if let Some(sampler) = self.sampler.take() {
            sampler.abort();
        }
        observe(&self.tracker, &self.procs).await;
        let usage = self
            .tracker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .usage(window_secs, flows);
        let redis = match &mut self.redis {
            Some(r) => Some(r.finish(flows).await?),
            None => None,
        };
        Ok(StoreShare {
            usage,
            redis,
            postgres: None,
        })
    }

    /// After the load: Postgres's counters once its backends are idle
    /// again, over the `flows` completed since [`Self::before_load`].
    ///
    /// # Errors
    /// Postgres does not answer.
    pub async fn after_load(self, flows: u64) -> anyhow::Result<Option<PgCounts>> {
        let (Some(mut watch), Some(before)) = (self.pg, self.pg_before) else {
            return Ok(None);
        };
        if self.progress {
            eprintln!(
                "  waiting for Postgres's statistics of {} to settle",
                watch.database()
            );
        }
        let after = watch.settled_reading().await?;
        let counts = PgCounts::between(watch.database(), &before, &after, flows);
        watch.close().await;
        Ok(Some(counts))
    }
}

/// Reads the processes into `tracker`. Scanning `/proc` is blocking file
/// I/O of a millisecond or more, so it runs off the runtime's workers,
/// which are timing the virtual users' flows.
async fn observe(tracker: &Mutex<Tracker>, procs: &DbProcs) {
    if *procs == DbProcs::Off {
        return;
    }
    let procs = procs.clone();
    // A sample that could not run (the runtime shutting down) is skipped.
    if let Ok(sample) = tokio::task::spawn_blocking(move || dbprocs::sample(&procs)).await {
        tracker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .observe(sample);
    }
}

/// The stores' lines of the text summary.
pub fn write_text(
    s: &mut String,
    usage: &BTreeMap<String, StoreUsage>,
    redis: Option<&RedisCounts>,
    postgres: Option<&PgCounts>,
) {
    let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"));
    for (kind, u) in usage {
        let _ = writeln!(
            s,
            "  {kind:<10} {:.2} CPU s ({:.2} cores), {} CPU ms per flow, {} process{}",
            u.cpu_seconds,
            u.cpu_cores,
            ms(u.cpu_ms_per_flow),
            u.processes,
            if u.processes == 1 { "" } else { "es" }
        );
    }
    if let Some(p) = postgres {
        let transactions = match &p.transactions_unavailable {
            Some(why) => format!("transactions n/a: {why}"),
            None => format!("{} transactions per flow", ms(p.transactions_per_flow)),
        };
        let statements = match &p.statements_unavailable {
            Some(why) => format!("statements n/a: {why}"),
            None => format!("{} statements per flow", ms(p.statements_per_flow)),
        };
        let _ = writeln!(
            s,
            "  pg trips   {transactions}; {statements} (over the {}: {} flows)",
            p.span, p.flows
        );
    }
    if let Some(r) = redis {
        let mut top: Vec<_> = r.commands.iter().collect();
        top.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
        let list: Vec<String> = top
            .iter()
            .map(|(name, c)| format!("{name} {}", ms(c.per_flow)))
            .collect();
        let _ = writeln!(
            s,
            "  redis trips {} calls per flow ({} calls: {})",
            ms(r.calls_per_flow),
            r.calls,
            if list.is_empty() {
                "none".to_owned()
            } else {
                list.join(", ")
            }
        );
    }
}
