//! The `sesame` binary as a child process: configured by a TOML file as an
//! operator's would be, on a port the kernel picks (`127.0.0.1:0`), its
//! address read from the banner it prints. Killed when dropped.
//!
//! A package's integration tests know its binary's path
//! (`CARGO_BIN_EXE_sesame`), so the suites that run processes live in
//! `apps/sesame-server/tests` and pass it in.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

/// How long a process may take to print its banner.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `sesame` process.
pub struct ServerProcess {
    child: Child,
    address: String,
    dir: TempDir,
}

impl ServerProcess {
    /// Starts `binary --config <file with config>`, with `env` added to its
    /// environment, and waits until it listens.
    ///
    /// # Panics
    /// It does not start, or exits, or prints no banner in time; the
    /// message holds its log.
    pub async fn start(binary: &Path, config: &str, env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = write_config(dir.path(), config);
        // Standard error, and standard output (the banner and the log)
        // after it, both appended to one file.
        let log_path = dir.path().join("sesame.log");
        let open_log = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .expect("a log file")
        };
        let log = open_log();
        let mut out_log = open_log();
        let mut child = command(binary, &path, env)
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("a piped stdout");
        let (found, address) = mpsc::channel();
        // Reads the banner, then keeps draining stdout (its log) into the
        // log file, so the process never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(out_log, "{line}");
                if let Some(addr) = line.split_once(" listening on ").map(|(_, a)| a.trim())
                    && let Some(tx) = found.take()
                {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let waited = tokio::task::spawn_blocking(move || address.recv_timeout(START_TIMEOUT))
            .await
            .expect("the waiting task");
        let mut process = Self {
            child,
            address: String::new(),
            dir,
        };
        match waited {
            Ok(address) => process.address = address,
            Err(_) => {
                let status = process.child.try_wait().ok().flatten();
                panic!(
                    "{} did not start serving (exit status {status:?}); its log:\n{}",
                    binary.display(),
                    process.log()
                );
            }
        }
        process
    }

    /// Runs `binary --config <file with config>` as [`start`](Self::start)
    /// does, for a configuration it must refuse: waits for it to exit and
    /// returns its exit status and everything it printed.
    ///
    /// # Panics
    /// It cannot be started, or it is still running after the start
    /// timeout (it is killed first).
    pub async fn refused(
        binary: &Path,
        config: &str,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> (std::process::ExitStatus, String) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = write_config(dir.path(), config);
        let mut child = command(binary, &path, env)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let waited = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + START_TIMEOUT;
            // Polls for the exit, a bound on waiting and not a timing
            // assumption: `wait` alone would hang on a server that serves.
            while std::time::Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return child.wait_with_output().map_err(|e| e.to_string());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            Err(format!(
                "still running after {START_TIMEOUT:?}; it printed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        })
        .await
        .expect("the waiting task");
        match waited {
            Ok(out) => (
                out.status,
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            ),
            Err(e) => panic!("{} did not refuse to start: {e}", binary.display()),
        }
    }

    /// `127.0.0.1:<port>`.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// What it wrote to standard error and output so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("sesame.log")
    }
}

/// Writes `config` to `dir/sesame.toml`, owner-only: it holds the store's
/// URL and the secret.
fn write_config(dir: &Path, config: &str) -> PathBuf {
    let path = dir.join("sesame.toml");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| f.write_all(config.as_bytes()))
        .expect("writing the configuration");
    path
}

/// `binary --config <path>` on a port the kernel picks, with `env` added
/// and its standard output piped.
fn command(binary: &Path, path: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Command {
    let mut command = Command::new(binary);
    command
        .arg("--config")
        .arg(path)
        .env_remove("SESAME_CONFIG")
        .env("SESAME__HTTP__LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    command
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
