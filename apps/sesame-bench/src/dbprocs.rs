//! The stores' own CPU time: the `postgres` and `redis-server` processes
//! next to the server, read from `/proc/<pid>/stat` at the start and end of
//! the measured window (and in between, so processes that come and go are
//! seen). Postgres runs one process per connection plus background
//! workers, so every process of a kind is summed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::procstat::TICKS_PER_SECOND;
use crate::stats::per_flow;

/// Which processes count as stores.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DbProcs {
    /// Every process whose `comm` is `postgres` or `redis-server`, looked
    /// up again at each sample so that new backends are included.
    #[default]
    Find,
    /// Exactly these processes, each counted under the kind its `comm`
    /// names.
    Pids(Vec<u32>),
    /// None: the server uses no separate store (SQLite, memory).
    Off,
}

/// One process as `/proc/<pid>/stat` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    /// The process id.
    pub pid: u32,
    /// The command name (field 2, without its parentheses).
    pub comm: String,
    /// `utime + stime`, in clock ticks.
    pub cpu_ticks: u64,
    /// When the process started, in clock ticks after boot: with the pid,
    /// it tells a reused pid from the process that had it before.
    pub start_ticks: u64,
}

impl ProcStat {
    /// Parses a `/proc/<pid>/stat` line. The command name is in parentheses
    /// and may itself hold spaces and parentheses (a process may name
    /// itself anything), so it runs from the first `(` to the last `)`.
    #[must_use]
    pub fn parse(stat: &str) -> Option<Self> {
        let (pid, rest) = stat.split_once(" (")?;
        let (comm, fields) = rest.rsplit_once(')')?;
        // After the name: state (field 3) … utime (14), stime (15) …
        // starttime (22).
        let fields: Vec<&str> = fields.split_whitespace().collect();
        let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
        Some(Self {
            pid: pid.trim().parse().ok()?,
            comm: comm.to_owned(),
            cpu_ticks: field(14)? + field(15)?,
            start_ticks: field(22)?,
        })
    }

    /// Reads `/proc/<pid>/stat`; `None` when the process is gone.
    #[must_use]
    pub fn read(pid: u32) -> Option<Self> {
        Self::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    }
}

/// The store kind a command name belongs to: `postgres`, `redis`, or, for
/// an explicitly listed process of another kind, its own name.
#[must_use]
pub fn kind_of(comm: &str) -> &str {
    match comm {
        "redis-server" => "redis",
        other => other,
    }
}

/// Whether discovery counts a process with this command name.
#[must_use]
pub fn is_store(comm: &str) -> bool {
    matches!(comm, "postgres" | "redis-server")
}

/// The processes `which` selects, now. Processes that vanish while being
/// read are skipped.
#[must_use]
pub fn sample(which: &DbProcs) -> Vec<ProcStat> {
    match which {
        DbProcs::Off => Vec::new(),
        DbProcs::Pids(pids) => pids.iter().filter_map(|&p| ProcStat::read(p)).collect(),
        DbProcs::Find => std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .filter_map(ProcStat::read)
            .filter(|p| is_store(&p.comm))
            .collect(),
    }
}

/// What was seen of one process over the window.
#[derive(Debug, Clone)]
struct Seen {
    kind: String,
    /// CPU ticks at the window's start; 0 for a process born inside it.
    first: u64,
    /// CPU ticks at the last sample that saw it.
    last: u64,
}

/// Per-process CPU ticks across samples. The first sample is the window's
/// start; a process first seen later was born inside the window and counts
/// from zero; a process that vanished counts up to its last sample.
#[derive(Debug, Default)]
pub struct Tracker {
    seen: BTreeMap<(u32, u64), Seen>,
    samples: usize,
}

impl Tracker {
    /// Records one sample.
    pub fn observe(&mut self, procs: impl IntoIterator<Item = ProcStat>) {
        let first_sample = self.samples == 0;
        for p in procs {
            self.seen
                .entry((p.pid, p.start_ticks))
                .and_modify(|s| s.last = s.last.max(p.cpu_ticks))
                .or_insert_with(|| Seen {
                    kind: kind_of(&p.comm).to_owned(),
                    first: if first_sample { p.cpu_ticks } else { 0 },
                    last: p.cpu_ticks,
                });
        }
        self.samples += 1;
    }

    /// CPU ticks spent in the window and processes seen, by kind.
    #[must_use]
    pub fn ticks_by_kind(&self) -> BTreeMap<String, (u64, usize)> {
        let mut kinds: BTreeMap<String, (u64, usize)> = BTreeMap::new();
        for s in self.seen.values() {
            let k = kinds.entry(s.kind.clone()).or_default();
            k.0 += s.last.saturating_sub(s.first);
            k.1 += 1;
        }
        kinds
    }

    /// The usage of each kind over a window of `window_secs` in which
    /// `flows` flows completed.
    #[must_use]
    pub fn usage(&self, window_secs: f64, flows: u64) -> BTreeMap<String, StoreUsage> {
        self.ticks_by_kind()
            .into_iter()
            .map(|(kind, (ticks, processes))| {
                let cpu_seconds = ticks as f64 / TICKS_PER_SECOND;
                let usage = StoreUsage {
                    processes,
                    cpu_seconds,
                    cpu_cores: if window_secs > 0.0 {
                        cpu_seconds / window_secs
                    } else {
                        0.0
                    },
                    cpu_ms_per_flow: per_flow(cpu_seconds * 1000.0, flows),
                };
                (kind, usage)
            })
            .collect()
    }
}

/// One store kind's CPU over the measured window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StoreUsage {
    /// Processes of this kind seen during the window.
    pub processes: usize,
    /// Their CPU seconds (user + system) spent in the window, summed.
    pub cpu_seconds: f64,
    /// `cpu_seconds` over the window's length: 1.0 is one core busy.
    pub cpu_cores: f64,
    /// CPU milliseconds per completed flow; `None` when no flow completed.
    pub cpu_ms_per_flow: Option<f64>,
}

#[cfg(test)]
#[path = "dbprocs_tests.rs"]
mod tests;
