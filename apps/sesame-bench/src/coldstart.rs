//! `sesame-bench cold-start`: how long a server takes from `exec` to its
//! first `/readyz` 200, and its RSS once idle.
//!
//! The command is spawned directly (wrap it in `taskset -c N`, which execs,
//! so the pid stays the server's), `/readyz` is polled every millisecond,
//! and after a settle time the RSS is read from `/proc`. The server is then
//! killed: it is this process's own child.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::procstat::ProcSample;

/// How long the server may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Between two polls of `/readyz`.
const POLL: Duration = Duration::from_millis(1);

/// What to start and where to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColdStart {
    /// The readiness URL, e.g. `http://127.0.0.1:3000/readyz`.
    pub ready_url: String,
    /// How long to leave the server idle before reading its RSS.
    pub settle: Duration,
    /// The program and its arguments.
    pub command: Vec<String>,
}

/// What was measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ColdStartResult {
    /// From spawning the command to the first 200 from `/readyz`, in ms.
    pub ready_ms: f64,
    /// RSS after the settle time, MiB.
    pub idle_rss_mib: f64,
    /// Peak RSS up to then (start-up included), MiB.
    pub startup_peak_rss_mib: f64,
}

/// Kills the child however the measurement ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the command, waits for readiness, measures, and stops it.
///
/// # Errors
/// The command cannot be started, exits early, or is not ready in time.
pub async fn measure(c: &ColdStart) -> anyhow::Result<ColdStartResult> {
    let (program, args) = c.command.split_first().context("no command to start")?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()?;
    let started = Instant::now();
    let mut child = Reaped(
        Command::new(program)
            .args(args)
            // Our stdout is the result; the server's banner goes nowhere.
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {program}"))?,
    );
    let ready_ms = loop {
        if let Ok(r) = http.get(&c.ready_url).send().await
            && r.status().as_u16() == 200
        {
            break started.elapsed().as_secs_f64() * 1000.0;
        }
        if let Some(status) = child.0.try_wait()? {
            bail!("{program} exited before it was ready: {status}");
        }
        if started.elapsed() > READY_TIMEOUT {
            bail!(
                "{} did not answer 200 within {READY_TIMEOUT:?}",
                c.ready_url
            );
        }
        tokio::time::sleep(POLL).await;
    };
    tokio::time::sleep(c.settle).await;
    let sample = ProcSample::read(child.0.id())?;
    Ok(ColdStartResult {
        ready_ms,
        idle_rss_mib: sample.rss_kib as f64 / 1024.0,
        startup_peak_rss_mib: sample.peak_rss_kib as f64 / 1024.0,
    })
}
