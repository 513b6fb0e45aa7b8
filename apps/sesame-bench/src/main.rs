//! `sesame-bench`: drives complete passwordless flows against a running
//! `sesame` and reports throughput, latency percentiles, errors and the
//! server's CPU and memory. `sesame-bench --help` lists the options.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use sesame_bench::args::{self, Command, Options, USAGE};
use sesame_bench::coldstart::{self, ColdStart};
use sesame_bench::receiver::Receiver;

#[tokio::main]
async fn main() -> ExitCode {
    let command = match args::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let outcome = match command {
        Command::Help => out(USAGE),
        Command::ServerConfig(c) => out(&c.render()),
        Command::Run(o) => bench(&o).await,
        Command::ColdStart(c) => cold_start(&c).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sesame-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` and a newline to stdout.
fn out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", text.trim_end())?;
    Ok(())
}

async fn bench(o: &Options) -> anyhow::Result<()> {
    let receiver = Receiver::spawn(o.webhook_listen, o.webhook_secret.as_bytes())
        .await
        .with_context(|| format!("the webhook receiver on {}", o.webhook_listen))?;
    let report = sesame_bench::run::run(o, &receiver).await?;
    out(&report.text())?;
    if let Some(path) = &o.out {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

async fn cold_start(c: &ColdStart) -> anyhow::Result<()> {
    let result = coldstart::measure(c).await?;
    out(&serde_json::to_string(&result)?)
}
