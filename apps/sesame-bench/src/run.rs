//! A run: wait for the server, check one login's id token against the
//! JWKS, prepare the virtual users, then drive them through the warm-up
//! and the measured window, closed loop or at a fixed arrival rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow, bail};
use jsonwebtoken::jwk::JwkSet;
use tokio::task::JoinSet;

use crate::args::Options;
use crate::client::Api;
use crate::dpop::DpopKey;
use crate::flow::{Mode, Vu};
use crate::jwks::verify_id_token;
use crate::procstat::{ProcSample, ServerUsage};
use crate::receiver::Receiver;
use crate::report::Report;
use crate::stats::{Endpoint, Recorder, per_second};
use crate::stores::StoreWatch;

/// How long to wait for the server's `/readyz`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// When things happen, shared by every virtual user.
#[derive(Debug)]
struct Plan {
    t0: Instant,
    measure_from: Instant,
    end: Instant,
    /// Open loop: the interval between scheduled starts, and the next index.
    open: Option<(f64, AtomicU64)>,
}

impl Plan {
    /// The next flow's scheduled start, or `None` when the run is over.
    fn next(&self) -> Option<Instant> {
        let at = match &self.open {
            None => Instant::now(),
            Some((interval, next)) => {
                let i = next.fetch_add(1, Ordering::Relaxed);
                self.t0 + Duration::from_secs_f64(i as f64 * interval)
            }
        };
        (at < self.end).then_some(at)
    }
}

/// Counters the progress line reads.
#[derive(Debug, Default)]
struct Live {
    ok: AtomicU64,
    failed: AtomicU64,
}

/// Runs the benchmark described by `o`, with codes arriving at `receiver`.
///
/// # Errors
/// The server never becomes ready, the probe login fails, its id token
/// does not verify against the JWKS, or a store named in `o` cannot be read.
pub async fn run(o: &Options, receiver: &Receiver) -> anyhow::Result<Report> {
    let api = Arc::new(Api::new(&o.server, &o.client_id, o.audience.as_deref())?);
    wait_ready(&api).await?;
    let mut stores = StoreWatch::connect(o).await?;
    let tag = run_tag();
    let id_token_alg = probe(&api, receiver, &tag).await?;

    let mut prepared = JoinSet::new();
    for id in 0..o.vus {
        let mut vu = Vu::new(
            id,
            &tag,
            o.mode,
            o.pool,
            Arc::clone(&api),
            Arc::clone(&receiver.mailbox),
        );
        if o.dpop {
            vu = vu.with_dpop(DpopKey::generate()?);
        }
        prepared.spawn(async move { vu.prepare().await.map(|()| vu) });
    }
    let mut vus = Vec::with_capacity(o.vus);
    while let Some(joined) = prepared.join_next().await {
        vus.push(joined?.map_err(|cause| anyhow!("preparing a virtual user: {cause}"))?);
    }
    stores.before_load().await?;

    let t0 = Instant::now();
    let plan = Arc::new(Plan {
        t0,
        measure_from: t0 + o.warmup,
        end: t0 + o.warmup + o.duration,
        open: o.rate.map(|r| (1.0 / r, AtomicU64::new(0))),
    });
    let live = Arc::new(Live::default());
    let mut running = JoinSet::new();
    for vu in vus {
        running.spawn(drive(vu, Arc::clone(&plan), Arc::clone(&live)));
    }
    let progress = o
        .progress
        .then(|| tokio::spawn(progress(Arc::clone(&plan), Arc::clone(&live))));

    tokio::time::sleep_until(plan.measure_from.into()).await;
    let before = o.server_pid.map(ProcSample::read).transpose()?;
    let bench_before = ProcSample::read(std::process::id()).ok();
    stores.window_start().await?;
    let mut total = Recorder::default();
    let mut warmup_flows = 0;
    let mut last = plan.end;
    while let Some(joined) = running.join_next().await {
        let (rec, warmup, finished) = joined?;
        total.merge(&rec);
        warmup_flows += warmup;
        last = last.max(finished.unwrap_or(last));
    }
    let elapsed = last.duration_since(plan.measure_from);
    let flows = total.flows.len();
    let share = stores.window_end(elapsed.as_secs_f64(), flows).await?;
    let server_usage = match (o.server_pid, before) {
        (Some(pid), Some(before)) => Some(ServerUsage::between(
            &before,
            &ProcSample::read(pid)?,
            elapsed.as_secs_f64(),
        )),
        _ => None,
    };
    let bench_usage = bench_before.and_then(|before| {
        let after = ProcSample::read(std::process::id()).ok()?;
        Some(ServerUsage::between(&before, &after, elapsed.as_secs_f64()))
    });
    if let Some(p) = progress {
        p.abort();
        eprintln!();
    }
    let postgres_counts = stores.after_load(warmup_flows + flows).await?;

    Ok(Report {
        server: api.base().to_owned(),
        mode: o.mode,
        dpop: o.dpop,
        vus: o.vus,
        rate: o.rate,
        warmup_secs: o.warmup.as_secs_f64(),
        elapsed_secs: elapsed.as_secs_f64(),
        flows,
        failed: total.error_count(),
        flows_per_sec: per_second(flows, elapsed),
        flow_latency: total.flows.summary(),
        endpoints: Endpoint::ALL
            .iter()
            .filter_map(|e| Some((e.name().to_owned(), total.endpoints.get(e)?.summary())))
            .collect(),
        errors: total.errors,
        id_token_alg,
        webhook: receiver.mailbox.counts(),
        server_usage,
        bench_usage,
        store_usage: share.usage,
        redis_counts: share.redis,
        postgres_counts,
    })
}

/// One virtual user until the plan ends; its measured flows, the flows it
/// completed in the warm-up, and when the last measured flow finished.
async fn drive(mut vu: Vu, plan: Arc<Plan>, live: Arc<Live>) -> (Recorder, u64, Option<Instant>) {
    let mut measured = Recorder::default();
    let mut warmup = Recorder::default();
    let mut last = None;
    while let Some(scheduled) = plan.next() {
        // Open loop: wait for the slot. If every VU was busy, the slot is
        // already past, and the time it waited counts against the latency.
        if plan.open.is_some() {
            tokio::time::sleep_until(scheduled.into()).await;
        }
        let in_window = scheduled >= plan.measure_from;
        let rec = if in_window {
            &mut measured
        } else {
            &mut warmup
        };
        let outcome = vu.flow(rec).await;
        let finished = Instant::now();
        match outcome {
            Ok(_) => {
                live.ok.fetch_add(1, Ordering::Relaxed);
                rec.flows.record(finished.duration_since(scheduled));
            }
            Err(cause) => {
                live.failed.fetch_add(1, Ordering::Relaxed);
                rec.error(cause);
            }
        }
        if in_window {
            last = Some(finished);
        }
    }
    (measured, warmup.flows.len(), last)
}

/// Once a second on stderr: the phase, flows so far and the last second's rate.
async fn progress(plan: Arc<Plan>, live: Arc<Live>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut previous = 0;
    loop {
        tick.tick().await;
        let now = Instant::now();
        let ok = live.ok.load(Ordering::Relaxed);
        let phase = if now < plan.measure_from {
            format!(
                "warm-up {:>5.1}/{:.0} s",
                now.duration_since(plan.t0).as_secs_f64(),
                plan.measure_from.duration_since(plan.t0).as_secs_f64()
            )
        } else {
            format!(
                "measure {:>5.1}/{:.0} s",
                now.duration_since(plan.measure_from).as_secs_f64(),
                plan.end.duration_since(plan.measure_from).as_secs_f64()
            )
        };
        eprint!(
            "\r  {phase} | {ok} flows ok, {} failed | {} flows/s   ",
            live.failed.load(Ordering::Relaxed),
            ok.saturating_sub(previous)
        );
        previous = ok;
    }
}

/// Polls `/readyz` until it answers 200.
async fn wait_ready(api: &Api) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if api.get("/readyz").await.status == 200 {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "{}/readyz did not answer 200 within {READY_TIMEOUT:?}",
                api.base()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One login, its id token verified against the JWKS: the whole setup
/// (client, webhook, keys) works before any load is sent. Returns the id
/// token's algorithm.
async fn probe(api: &Arc<Api>, receiver: &Receiver, tag: &str) -> anyhow::Result<String> {
    let mut vu = Vu::new(
        0,
        &format!("{tag}p"),
        Mode::New,
        0,
        Arc::clone(api),
        Arc::clone(&receiver.mailbox),
    );
    let tokens = vu
        .flow(&mut Recorder::default())
        .await
        .map_err(|cause| anyhow!("the probe login failed: {cause} (is [email.webhook] url {} and its secret the bench's?)", receiver.url()))?;
    let id_token = tokens.id_token.context("the probe login got no id token")?;
    let reply = api.get("/.well-known/jwks.json").await;
    let jwks: JwkSet = serde_json::from_slice(&reply.body)
        .with_context(|| format!("the JWKS (status {})", reply.status))?;
    let discovery = api.get("/.well-known/openid-configuration").await;
    let issuer = serde_json::from_slice::<serde_json::Value>(&discovery.body)
        .ok()
        .and_then(|d| d.get("issuer")?.as_str().map(str::to_owned));
    verify_id_token(&id_token, &jwks, issuer.as_deref(), api.client_id())
        .map_err(|why| anyhow!("the id token does not verify against the JWKS: {why}"))
}

/// Unique per run, so addresses never collide with an earlier run's users.
fn run_tag() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos % (1 << 48), std::process::id())
}
