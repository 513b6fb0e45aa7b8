//! A run's result: the JSON written by `--out`, and the text printed at the
//! end.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::dbprocs::StoreUsage;
use crate::flow::Mode;
use crate::pg_stats::PgCounts;
use crate::procstat::ServerUsage;
use crate::receiver::MailboxCounts;
use crate::redis_stats::RedisCounts;
use crate::stats::{Summary, per_flow};
use crate::stores;

/// Everything a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The server's base URL.
    pub server: String,
    /// What each flow did.
    pub mode: Mode,
    /// Whether token requests carried DPoP proofs.
    pub dpop: bool,
    /// Virtual users (or the most flows in flight, open loop).
    pub vus: usize,
    /// Open loop: the target arrival rate; `None` for a closed loop.
    pub rate: Option<f64>,
    /// Warm-up length, seconds.
    pub warmup_secs: f64,
    /// Measured window, seconds (from its start to the last flow's end).
    pub elapsed_secs: f64,
    /// Flows that completed with every check passed.
    pub flows: u64,
    /// Flows that failed.
    pub failed: u64,
    /// `flows / elapsed_secs`.
    pub flows_per_sec: f64,
    /// Whole-flow latency (open loop: from the scheduled start).
    pub flow_latency: Summary,
    /// Each call's latency, by endpoint name.
    pub endpoints: BTreeMap<String, Summary>,
    /// Failed flows by cause (`start:429`, `code:timeout`, …).
    pub errors: BTreeMap<String, u64>,
    /// The id token's algorithm, verified against the JWKS.
    pub id_token_alg: String,
    /// What the code receiver saw (warm-up included).
    pub webhook: MailboxCounts,
    /// The server's CPU and memory, with `--server-pid`.
    pub server_usage: Option<ServerUsage>,
    /// The bench's own CPU and memory over the same window: a bench near
    /// one full core is itself the bottleneck.
    pub bench_usage: Option<ServerUsage>,
    /// The stores' processes' CPU over the window, by kind (`postgres`,
    /// `redis`); empty with `--no-db` or when none was found.
    pub store_usage: BTreeMap<String, StoreUsage>,
    /// Redis's commands over the window, with `--redis-url`.
    pub redis_counts: Option<RedisCounts>,
    /// Postgres's transactions and statements over the warm-up and the
    /// window, with `--pg-url`.
    pub postgres_counts: Option<PgCounts>,
}

impl Report {
    /// The human-readable summary.
    #[must_use]
    pub fn text(&self) -> String {
        let mut s = String::new();
        let loop_kind = self.rate.map_or_else(
            || format!("closed loop, {} VUs", self.vus),
            |r| format!("open loop at {r} flows/s, up to {} in flight", self.vus),
        );
        let _ = writeln!(
            s,
            "sesame-bench: {}{} flows against {}, {loop_kind}, {:.1} s measured after {:.1} s warm-up",
            self.mode.name(),
            if self.dpop { " (DPoP)" } else { "" },
            self.server,
            self.elapsed_secs,
            self.warmup_secs
        );
        let _ = writeln!(
            s,
            "  flows      {} ok, {} failed: {:.1} flows/s (id token {} verified against the JWKS)",
            self.flows, self.failed, self.flows_per_sec, self.id_token_alg
        );
        let _ = writeln!(
            s,
            "  {:<10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "latency", "count", "mean ms", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        let mut row = |name: &str, l: &Summary| {
            let _ = writeln!(
                s,
                "  {name:<10} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                l.count, l.mean_ms, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms
            );
        };
        row("flow", &self.flow_latency);
        for (name, l) in &self.endpoints {
            row(name, l);
        }
        if self.errors.is_empty() {
            let _ = writeln!(s, "  errors     none");
        } else {
            let list: Vec<String> = self
                .errors
                .iter()
                .map(|(cause, n)| format!("{cause} × {n}"))
                .collect();
            let _ = writeln!(s, "  errors     {}", list.join(", "));
        }
        let w = &self.webhook;
        let _ = writeln!(
            s,
            "  webhook    {} accepted, {} refused, {} unclaimed",
            w.accepted, w.refused, w.unclaimed
        );
        if let Some(u) = &self.server_usage {
            let per_flow = per_flow(u.cpu_seconds * 1000.0, self.flows)
                .map_or_else(String::new, |ms| format!(", {ms:.2} CPU ms per flow"));
            let _ = writeln!(
                s,
                "  server     {:.2} CPU s ({:.2} cores){per_flow}, peak RSS {:.1} MiB, RSS now {:.1} MiB",
                u.cpu_seconds, u.cpu_cores, u.peak_rss_mib, u.rss_mib
            );
        }
        stores::write_text(
            &mut s,
            &self.store_usage,
            self.redis_counts.as_ref(),
            self.postgres_counts.as_ref(),
        );
        if let Some(u) = &self.bench_usage {
            let _ = writeln!(
                s,
                "  bench      {:.2} CPU s ({:.2} cores)",
                u.cpu_seconds, u.cpu_cores
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_throughput_percentiles_errors_and_usage() {
        let report = Report {
            server: "http://127.0.0.1:3000".into(),
            mode: Mode::New,
            dpop: false,
            vus: 32,
            rate: None,
            warmup_secs: 3.0,
            elapsed_secs: 10.0,
            flows: 12_345,
            failed: 2,
            flows_per_sec: 1234.5,
            flow_latency: Summary {
                count: 12_345,
                mean_ms: 20.0,
                p50_ms: 19.5,
                p90_ms: 30.25,
                p99_ms: 41.0,
                max_ms: 99.0,
            },
            endpoints: BTreeMap::from([("start".to_owned(), Summary::default())]),
            errors: BTreeMap::from([("start:503".to_owned(), 2)]),
            id_token_alg: "RS256".into(),
            webhook: MailboxCounts::default(),
            server_usage: Some(ServerUsage {
                cpu_seconds: 9.5,
                cpu_cores: 0.95,
                peak_rss_mib: 31.0,
                rss_mib: 30.0,
            }),
            bench_usage: None,
            store_usage: BTreeMap::new(),
            redis_counts: None,
            postgres_counts: None,
        };
        let text = report.text();
        for needle in [
            "1234.5 flows/s",
            "30.25",
            "start:503 × 2",
            "peak RSS 31.0 MiB",
            "RS256",
            "0.77 CPU ms per flow",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["flow_latency"]["p99_ms"], 41.0);
        assert_eq!(json["mode"], "new");
        assert_eq!(json["server_usage"]["cpu_cores"], 0.95);
        assert_eq!(json["store_usage"], serde_json::json!({}));
        assert!(json["redis_counts"].is_null() && json["postgres_counts"].is_null());
        assert!(
            !text.contains("postgres") && !text.contains("trips"),
            "{text}"
        );
    }

    #[test]
    fn the_text_and_json_give_each_stores_share_per_flow() {
        let before = BTreeMap::from([("get".to_owned(), 1)]);
        let after = BTreeMap::from([("get".to_owned(), 201), ("evalsha".to_owned(), 400)]);
        let counted = |n| Ok::<u64, String>(n);
        let report = Report {
            store_usage: BTreeMap::from([(
                "postgres".to_owned(),
                StoreUsage {
                    processes: 7,
                    cpu_seconds: 8.05,
                    cpu_cores: 0.805,
                    cpu_ms_per_flow: Some(1.0),
                },
            )]),
            redis_counts: Some(RedisCounts::between(&before, &after, 100)),
            postgres_counts: Some(PgCounts::between(
                "sesame_bench_1",
                &crate::pg_stats::PgReading {
                    transactions: counted(10),
                    statements: Err("not preloaded".into()),
                },
                &crate::pg_stats::PgReading {
                    transactions: counted(510),
                    statements: Err("not preloaded".into()),
                },
                100,
            )),
            ..empty()
        };
        let text = report.text();
        for needle in [
            "postgres   8.05 CPU s (0.81 cores), 1.00 CPU ms per flow, 7 processes",
            "5.00 transactions per flow; statements n/a: not preloaded (over the warm-up and measured window: 100 flows)",
            "6.00 calls per flow (600 calls: evalsha 4.00, get 2.00)",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["store_usage"]["postgres"]["cpu_ms_per_flow"], 1.0);
        assert_eq!(json["redis_counts"]["calls_per_flow"], 6.0);
        assert_eq!(json["redis_counts"]["commands"]["evalsha"]["per_flow"], 4.0);
        assert_eq!(json["postgres_counts"]["transactions_per_flow"], 5.0);
        assert!(json["postgres_counts"]["statements_per_flow"].is_null());
        assert_eq!(
            json["postgres_counts"]["statements_unavailable"],
            "not preloaded"
        );
    }

    #[test]
    fn a_run_without_flows_prints_no_per_flow_share() {
        let report = Report {
            flows: 0,
            server_usage: Some(ServerUsage::default()),
            ..empty()
        };
        let text = report.text();
        assert!(!text.contains("per flow"), "{text}");
    }

    fn empty() -> Report {
        Report {
            server: "http://127.0.0.1:3000".into(),
            mode: Mode::New,
            dpop: false,
            vus: 1,
            rate: None,
            warmup_secs: 0.0,
            elapsed_secs: 1.0,
            flows: 100,
            failed: 0,
            flows_per_sec: 100.0,
            flow_latency: Summary::default(),
            endpoints: BTreeMap::new(),
            errors: BTreeMap::new(),
            id_token_alg: "ES256".into(),
            webhook: MailboxCounts::default(),
            server_usage: None,
            bench_usage: None,
            store_usage: BTreeMap::new(),
            redis_counts: None,
            postgres_counts: None,
        }
    }
}
