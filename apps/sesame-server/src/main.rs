//! `sesame`: the bundled server.
//!
//! ```text
//! sesame [--dev] [--config PATH]       serve (config also from SESAME_CONFIG)
//! sesame check-config [--config PATH]  validate the configuration and exit
//! sesame keys rotate [--alg RS256|ES256|EdDSA] [--config PATH]
//!                                      make a new current signing key
//! sesame keys list [--config PATH]     kid, algorithm, state and age of each key
//! sesame users …                       see the usage text
//! sesame logs tail [Q] [-n N] [--follow] [--json] [--config PATH]
//!                                      the newest stored log events
//! ```
//!
//! `--dev` lets console delivery and the built-in `dev` client serve on a
//! non-loopback address, which the server otherwise refuses.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use sesame_domain::SigningAlg;
use sesame_server::config::{self, DEV_CLIENT_ID};
use sesame_server::logs_cli;
use sesame_server::users_cli::{self, Outcome, UsersCommand, Who};
use sesame_server::{build, check, keys_cli, telemetry};
use tokio::net::TcpListener;

/// What the command line asks for.
struct Args {
    config: Option<PathBuf>,
    mode: Mode,
    /// Accept development settings on a non-loopback address.
    dev: bool,
    alg: Option<SigningAlg>,
    /// `users …`, `logs tail`: print Management API JSON.
    json: bool,
    /// `logs tail -n N`.
    count: Option<u32>,
    /// `logs tail --follow`.
    follow: bool,
}

/// What to do with the configuration.
#[derive(PartialEq, Eq)]
enum Mode {
    Serve,
    CheckConfig,
    RotateKey,
    ListKeys,
    Users(UsersCommand, Who),
    ListUsers(String),
    TailLogs(String),
}

/// What the command line asks for: run, or print something and exit 0.
enum Command {
    Run(Args),
    Say(String),
}

fn parse_args() -> Result<Command, String> {
    let mut args = Args {
        config: std::env::var_os("SESAME_CONFIG").map(PathBuf::from),
        mode: Mode::Serve,
        dev: false,
        alg: None,
        json: false,
        count: None,
        follow: false,
    };
    let mut it = std::env::args_os().skip(1).collect::<Vec<_>>().into_iter();
    while let Some(arg) = it.next() {
        match arg.to_str() {
            Some("--dev") => args.dev = true,
            Some("check-config") if args.mode == Mode::Serve => args.mode = Mode::CheckConfig,
            Some("keys") if args.mode == Mode::Serve => {
                args.mode = match it.next().as_ref().and_then(|a| a.to_str()) {
                    Some("rotate") => Mode::RotateKey,
                    Some("list") => Mode::ListKeys,
                    _ => return Err(format!("keys needs rotate or list\n\n{USAGE}")),
                };
            }
            Some("users") if args.mode == Mode::Serve => {
                let command = match it.next().as_ref().and_then(|a| a.to_str()) {
                    Some("get") => UsersCommand::Get,
                    Some("block") => UsersCommand::Block,
                    Some("unblock") => UsersCommand::Unblock,
                    Some("delete") => UsersCommand::Delete,
                    Some("list") => {
                        // An optional query; the flags that may follow are
                        // read by the loop.
                        let mut rest: Vec<_> = it.by_ref().collect();
                        let q = match rest.first().and_then(|a| a.to_str()) {
                            Some(q) if !q.starts_with("--") => {
                                let q = q.to_owned();
                                rest.remove(0);
                                q
                            }
                            _ => String::new(),
                        };
                        args.mode = Mode::ListUsers(q);
                        it = rest.into_iter();
                        continue;
                    }
                    _ => {
                        return Err(format!(
                            "users needs list, get, block, unblock or delete\n\n{USAGE}"
                        ));
                    }
                };
                let who = it
                    .next()
                    .and_then(|a| a.to_str().map(str::to_owned))
                    .ok_or(format!(
                        "users needs a user id, an email address or a number\n\n{USAGE}"
                    ))?;
                args.mode = Mode::Users(command, Who::parse(&who)?);
            }
            Some("logs") if args.mode == Mode::Serve => {
                if it.next().as_ref().and_then(|a| a.to_str()) != Some("tail") {
                    return Err(format!("logs needs tail\n\n{USAGE}"));
                }
                let mut rest: Vec<_> = it.by_ref().collect();
                let q = match rest.first().and_then(|a| a.to_str()) {
                    Some(q) if !q.starts_with('-') => {
                        let q = q.to_owned();
                        rest.remove(0);
                        q
                    }
                    _ => String::new(),
                };
                args.mode = Mode::TailLogs(q);
                it = rest.into_iter();
            }
            Some("-n") => {
                let n = it.next().ok_or("-n needs a number")?;
                args.count = Some(
                    n.to_str()
                        .and_then(|n| n.parse().ok())
                        .ok_or(format!("-n: {n:?} is not a number"))?,
                );
            }
            Some("--follow" | "-f") => args.follow = true,
            Some("--json") => args.json = true,
            Some("--alg") => {
                let alg = it.next().ok_or("--alg needs RS256, ES256 or EdDSA")?;
                args.alg = Some(
                    alg.to_str()
                        .and_then(|a| a.parse().ok())
                        .ok_or(format!("--alg: {alg:?} is not RS256, ES256 or EdDSA"))?,
                );
            }
            Some("--config" | "-c") => {
                args.config = Some(
                    it.next()
                        .map(PathBuf::from)
                        .ok_or("--config needs a path")?,
                );
            }
            Some("--help" | "-h") => return Ok(Command::Say(USAGE.to_owned())),
            Some("--version" | "-V") => {
                return Ok(Command::Say(format!(
                    "sesame {}",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            _ => return Err(format!("unexpected argument {arg:?}\n\n{USAGE}")),
        }
    }
    if args.alg.is_some() && args.mode != Mode::RotateKey {
        return Err(format!("--alg goes with keys rotate\n\n{USAGE}"));
    }
    if args.json
        && !matches!(
            args.mode,
            Mode::Users(..) | Mode::ListUsers(_) | Mode::TailLogs(_)
        )
    {
        return Err(format!("--json goes with users or logs tail\n\n{USAGE}"));
    }
    if (args.follow || args.count.is_some()) && !matches!(args.mode, Mode::TailLogs(_)) {
        return Err(format!("-n and --follow go with logs tail\n\n{USAGE}"));
    }
    Ok(Command::Run(args))
}

const USAGE: &str = "usage: sesame [check-config] [--dev] [--config PATH]\n\
    \x20      sesame keys rotate [--alg RS256|ES256|EdDSA] [--config PATH]\n\
    \x20      sesame keys list [--config PATH]\n\
    \x20      sesame users get|block|unblock|delete USER_ID|EMAIL|PHONE [--json] [--config PATH]\n\
    \x20      sesame users list [Q] [--json] [--config PATH]   (Q: the Management API's q, e.g. blocked:true)\n\
    \x20      sesame logs tail [Q] [-n N] [--follow] [--json] [--config PATH]   (Q: e.g. type:fepotpft)\n\n\
    With no configuration at all, serves on 127.0.0.1:3000 with SQLite (sesame.db) and console delivery.\n\
    On any other than a loopback address the server refuses console delivery and the built-in dev client\n\
    unless --dev is given.\n\
    Configuration layers: defaults, the TOML file (--config or SESAME_CONFIG), then SESAME__SECTION__KEY variables.";

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Command::Run(a)) => a,
        Ok(Command::Say(text)) => {
            eprintln!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // A users command exits 1 when the user is not found.
    if let Mode::Users(command, who) = &args.mode {
        let (command, who) = (*command, who.clone());
        return users(args, command, &who).await;
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn users(args: Args, command: UsersCommand, who: &Who) -> ExitCode {
    let outcome = async {
        let resolved = config::resolve(config::load(args.config.as_deref())?)?;
        users_cli::run(resolved, command, who, args.json).await
    };
    match outcome.await {
        Ok(Outcome::Done(text)) => {
            say(&text);
            ExitCode::SUCCESS
        }
        Ok(Outcome::NotFound) => {
            eprintln!("sesame: no such user");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("sesame: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let settings = config::load(args.config.as_deref())?;
    let resolved = config::resolve(settings)?;
    match args.mode {
        Mode::RotateKey => {
            say(&keys_cli::rotate(resolved, args.alg).await?);
            return Ok(());
        }
        Mode::ListKeys => {
            say(&keys_cli::list(resolved).await?);
            return Ok(());
        }
        Mode::ListUsers(q) => {
            say(&users_cli::list(resolved, &q, args.json).await?);
            return Ok(());
        }
        Mode::TailLogs(q) => {
            let tail = logs_cli::Tail {
                q,
                count: args.count.unwrap_or(20),
                follow: args.follow,
                json: args.json,
            };
            return logs_cli::run(resolved, &tail, say).await;
        }
        Mode::Serve | Mode::CheckConfig | Mode::Users(..) => {}
    }
    let development = config::development_settings(&resolved);
    // An address given as IP:port is judged before anything is opened; a
    // host name once it is bound, below.
    if !args.dev
        && let Ok(listen) = resolved.settings.http.listen.parse::<SocketAddr>()
    {
        config::refuse_development_settings(&development, listen)?;
    }
    let warnings = config::warnings(&resolved);
    if args.mode == Mode::CheckConfig {
        check(&resolved).await?;
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        eprintln!(
            "configuration OK: issuer {}",
            resolved.passwordless.issuer.as_str()
        );
        return Ok(());
    }
    telemetry::init(&resolved.settings.log);
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let listen = resolved.settings.http.listen.clone();
    let issuer = resolved.passwordless.issuer.as_str().to_owned();
    let dev_client = resolved.dev_client;
    let json_logs = resolved.settings.log.format == config::LogFormat::Json;
    let app = build(resolved).await?;
    for provider in &app.console_delivery {
        tracing::warn!(
            provider,
            "console delivery is in use: messages are printed, not sent (development only)"
        );
    }
    let listener = TcpListener::bind(&listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    if args.dev {
        if !config::is_loopback(addr.ip()) {
            for setting in &development {
                tracing::warn!(
                    key = setting.key,
                    %addr,
                    "--dev: serving a development setting on a non-loopback address: {}",
                    setting.why
                );
            }
        }
    } else {
        config::refuse_development_settings(&development, addr)?;
    }
    // JSON logs are for machines; the banner would break their stream.
    if !json_logs {
        banner(&addr.to_string(), &issuer, &app.summary, dev_client);
    }
    tracing::info!(%addr, %issuer, "listening");
    app.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

#[expect(
    clippy::print_stdout,
    reason = "a command's answer is its output, for the operator or a script"
)]
fn say(text: &str) {
    println!("{}", text.trim_end());
}

#[expect(
    clippy::print_stdout,
    reason = "the banner is for the operator's terminal, not the log"
)]
fn banner(addr: &str, issuer: &str, summary: &str, dev_client: bool) {
    println!("Sesame {} listening on {addr}", env!("CARGO_PKG_VERSION"));
    println!("  issuer: {issuer}");
    println!("  {summary}");
    if dev_client {
        println!(
            "  no clients configured: using the public development client \"{DEV_CLIENT_ID}\""
        );
        println!("Try it:");
        println!(
            "  curl -s {issuer}passwordless/start -H 'content-type: application/json' \\\n    -d '{{\"client_id\":\"{DEV_CLIENT_ID}\",\"connection\":\"email\",\"email\":\"you@example.com\",\"send\":\"code\"}}'"
        );
        println!(
            "  curl -s {issuer}oauth/token -H 'content-type: application/json' \\\n    -d '{{\"grant_type\":\"http://auth0.com/oauth/grant-type/passwordless/otp\",\"client_id\":\"{DEV_CLIENT_ID}\",\"realm\":\"email\",\"username\":\"you@example.com\",\"otp\":\"CODE\",\"scope\":\"openid\"}}'"
        );
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}
