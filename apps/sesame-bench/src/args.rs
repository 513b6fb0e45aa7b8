//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::coldstart::ColdStart;
use crate::dbprocs::DbProcs;
use crate::flow::Mode;
use crate::template::{self, ServerConfig};

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Drive load against a server.
    Run(Options),
    /// Print the server configuration the bench expects.
    ServerConfig(ServerConfig),
    /// Time a server's start to ready, and its idle RSS.
    ColdStart(ColdStart),
    /// Print this text and exit successfully.
    Help,
}

/// `sesame-bench --help`.
pub const USAGE: &str = "\
usage: sesame-bench [OPTIONS]                 drive load against a running sesame
       sesame-bench server-config [OPTIONS]   print the server configuration to run it with
       sesame-bench cold-start --ready-url URL [--settle D] -- COMMAND...
                                              time COMMAND from exec to /readyz 200, then its idle RSS

run options:
  --server URL           the server (default http://127.0.0.1:3000)
  --mode MODE            new | returning | refresh (default new)
  --vus N                virtual users (default 32); with --rate, the most flows in flight
  --duration D           measured time, e.g. 10s, 500ms, 2m (default 10s)
  --warmup D             unmeasured time first (default 3s)
  --rate R               open loop: start R flows/s, latency from each scheduled start
  --pool N               returning: addresses per virtual user (default 4)
  --server-pid PID       read the server's CPU time and RSS from /proc/PID
  --db-pids PID,PID...   the stores' processes, for their CPU, by name (postgres, redis)
  --find-db              every postgres and redis-server process, including Postgres
                         backends started during the run (the default)
  --no-db                no store processes (SQLite, memory)
  --pg-url URL           the server's Postgres database: count its transactions and statements
  --pg-stats-db NAME     the database to read them through (default postgres)
  --redis-url URL        the server's Redis: count its commands
  --out FILE             write the result as JSON
  --webhook-listen ADDR  the code receiver (default 127.0.0.1:8089)
  --webhook-secret S     its signing secret (default: the template's)
  --client-id ID         (default sesame-bench)    --audience URL (default the template's API)
  --dpop                 sign every token request with a DPoP proof (one ES256 key per
                         virtual user) and expect DPoP-bound tokens
  --quiet                no progress line

server-config options:
  --listen ADDR  --store URL  --cache URL  --cache-cluster URL,URL,...  --key-prefix P
  --alg RS256|ES256|EdDSA
  --webhook URL  --webhook-secret S";

/// Options of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The server's base URL.
    pub server: String,
    /// What each flow does.
    pub mode: Mode,
    /// Virtual users (closed loop) or the most flows in flight (open loop).
    pub vus: usize,
    /// Measured time.
    pub duration: Duration,
    /// Unmeasured time before it.
    pub warmup: Duration,
    /// Open loop: flows started per second.
    pub rate: Option<f64>,
    /// `returning`: addresses per virtual user.
    pub pool: usize,
    /// The server process, for CPU and RSS.
    pub server_pid: Option<u32>,
    /// The stores' processes, for their CPU.
    pub db_procs: DbProcs,
    /// The server's Postgres database, for its transactions and statements.
    pub pg_url: Option<String>,
    /// The database the bench reads Postgres's statistics through.
    pub pg_stats_db: String,
    /// The server's Redis, for its commands.
    pub redis_url: Option<String>,
    /// Where to write the JSON result.
    pub out: Option<PathBuf>,
    /// Where the code receiver listens.
    pub webhook_listen: SocketAddr,
    /// The webhook signing secret.
    pub webhook_secret: String,
    /// The client the flows use.
    pub client_id: String,
    /// The audience of the access tokens.
    pub audience: Option<String>,
    /// Print a progress line.
    pub progress: bool,
    /// Sign token requests with DPoP proofs.
    pub dpop: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            server: "http://127.0.0.1:3000".into(),
            mode: Mode::New,
            vus: 32,
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(3),
            rate: None,
            pool: 4,
            server_pid: None,
            db_procs: DbProcs::Find,
            pg_url: None,
            pg_stats_db: "postgres".into(),
            redis_url: None,
            out: None,
            webhook_listen: SocketAddr::from(([127, 0, 0, 1], 8089)),
            webhook_secret: template::DEFAULT_WEBHOOK_SECRET.into(),
            client_id: template::CLIENT_ID.into(),
            audience: Some(template::AUDIENCE.into()),
            progress: true,
            dpop: false,
        }
    }
}

/// Parses the arguments after the program name.
///
/// # Errors
/// What is wrong, in words.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter().peekable();
    if args.peek().is_some_and(|a| a == "server-config") {
        args.next();
        return server_config(args);
    }
    if args.peek().is_some_and(|a| a == "cold-start") {
        args.next();
        return cold_start(args);
    }
    let mut o = Options::default();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--quiet" | "-q" => o.progress = false,
            "--dpop" => o.dpop = true,
            "--server" => o.server = value()?,
            "--mode" => o.mode = value()?.parse()?,
            "--vus" => o.vus = number(&flag, &value()?)?,
            "--duration" => o.duration = duration(&flag, &value()?)?,
            "--warmup" => o.warmup = duration(&flag, &value()?)?,
            "--rate" => o.rate = Some(rate(&value()?)?),
            "--pool" => o.pool = number(&flag, &value()?)?,
            "--server-pid" => o.server_pid = Some(number(&flag, &value()?)?),
            "--db-pids" => o.db_procs = DbProcs::Pids(pids(&value()?)?),
            "--find-db" => o.db_procs = DbProcs::Find,
            "--no-db" => o.db_procs = DbProcs::Off,
            "--pg-url" => o.pg_url = Some(value()?),
            "--pg-stats-db" => o.pg_stats_db = value()?,
            "--redis-url" => o.redis_url = Some(value()?),
            "--out" => o.out = Some(PathBuf::from(value()?)),
            "--webhook-listen" => {
                o.webhook_listen = value()?
                    .parse()
                    .map_err(|e| format!("--webhook-listen: {e}"))?;
            }
            "--webhook-secret" => o.webhook_secret = value()?,
            "--client-id" => o.client_id = value()?,
            "--audience" => o.audience = Some(value()?).filter(|a| !a.is_empty()),
            _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
        }
    }
    if o.vus == 0 {
        return Err("--vus must be at least 1".into());
    }
    if o.duration.is_zero() {
        return Err("--duration must be more than 0".into());
    }
    Ok(Command::Run(o))
}

fn server_config(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut c = ServerConfig::default();
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--listen" => c.listen = value()?,
            "--store" => c.store = value()?,
            "--cache" => c.cache = Some(value()?),
            "--cache-cluster" => {
                c.cache_cluster = value()?
                    .split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "--key-prefix" => c.key_prefix = Some(value()?),
            "--alg" => c.alg = value()?,
            "--webhook" => c.webhook_url = value()?,
            "--webhook-secret" => c.webhook_secret = value()?,
            _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
        }
    }
    // As the server does: one Redis or one cluster, never both.
    if c.cache.is_some() && !c.cache_cluster.is_empty() {
        return Err("--cache and --cache-cluster: give one of them".into());
    }
    Ok(Command::ServerConfig(c))
}

fn cold_start(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut c = ColdStart {
        ready_url: "http://127.0.0.1:3000/readyz".into(),
        settle: Duration::from_secs(1),
        command: Vec::new(),
    };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--ready-url" => c.ready_url = value()?,
            "--settle" => c.settle = duration(&flag, &value()?)?,
            "--" => {
                c.command = args.collect();
                break;
            }
            _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
        }
    }
    if c.command.is_empty() {
        return Err("cold-start needs a command after --".into());
    }
    Ok(Command::ColdStart(c))
}

fn number<T: std::str::FromStr>(flag: &str, s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{flag}: {s:?} is not a whole number"))
}

/// `PID,PID,…`: at least one.
fn pids(s: &str) -> Result<Vec<u32>, String> {
    let pids = s
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| number("--db-pids", p.trim()))
        .collect::<Result<Vec<u32>, _>>()?;
    if pids.is_empty() {
        return Err("--db-pids needs at least one process id".into());
    }
    Ok(pids)
}

fn rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("--rate: {s:?} is not a positive number")),
    }
}

/// `10s`, `500ms`, `2m`, or a bare number of seconds.
///
/// # Errors
/// Not one of those.
pub fn duration(flag: &str, s: &str) -> Result<Duration, String> {
    let bad = || format!("{flag}: {s:?} is not a duration like 10s, 500ms or 2m");
    let (digits, scale) = if let Some(d) = s.strip_suffix("ms") {
        (d, 0.001)
    } else if let Some(d) = s.strip_suffix('s') {
        (d, 1.0)
    } else if let Some(d) = s.strip_suffix('m') {
        (d, 60.0)
    } else {
        (s, 1.0)
    };
    let n: f64 = digits.parse().map_err(|_| bad())?;
    Duration::try_from_secs_f64(n * scale).map_err(|_| bad())
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
