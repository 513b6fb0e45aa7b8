//! The `sesame` binary refuses development settings (console delivery, the
//! built-in `dev` client) on a non-loopback address, naming the key, and
//! `--dev` overrides that with a warning.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed step should fail loudly"
)]

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the process may take to exit or to print its banner.
const LIMIT: Duration = Duration::from_secs(60);

/// Every port on every interface; nothing connects to it.
const PUBLIC: &str = "listen = \"0.0.0.0:0\"\n";

fn config(dir: &Path, http: &str) -> std::path::PathBuf {
    let path = dir.join("sesame.toml");
    std::fs::write(
        &path,
        format!(
            "issuer = \"https://auth.example.com/\"\n[http]\n{http}[store]\nurl = \"memory://\"\n"
        ),
    )
    .unwrap();
    path
}

fn sesame(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(args)
        .env_remove("SESAME_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every line `child` prints, on both streams, as it prints them.
fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let streams: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().unwrap()),
        Box::new(child.stderr.take().unwrap()),
    ];
    for stream in streams {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// Everything `child` prints until it exits, and whether it succeeded. A
/// child still running after [`LIMIT`] is killed and fails the test.
fn run_to_exit(mut child: Child) -> (bool, String) {
    let rx = lines(&mut child);
    let mut out = String::new();
    loop {
        match rx.recv_timeout(LIMIT) {
            Ok(line) => {
                out.push_str(&line);
                out.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                child.kill().unwrap();
                panic!("sesame is still running:\n{out}");
            }
        }
    }
    (child.wait().unwrap().success(), out)
}

#[test]
fn console_delivery_and_the_dev_client_on_a_public_address_refuse_to_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), PUBLIC);
    let path = path.to_str().unwrap();
    for args in [
        vec!["--config", path],
        vec!["check-config", "--config", path],
    ] {
        let (ok, out) = run_to_exit(sesame(&args));
        assert!(!ok, "{args:?} started:\n{out}");
        assert!(out.contains("email.provider: "), "{args:?}:\n{out}");
        assert!(out.contains("sms.provider: "), "{args:?}:\n{out}");
        assert!(out.contains("clients: "), "{args:?}:\n{out}");
        assert!(out.contains("--dev"), "{args:?}:\n{out}");
        assert!(!out.contains("listening on"), "{args:?}:\n{out}");
    }
}

#[test]
fn with_dev_the_same_configuration_starts_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), PUBLIC);
    let mut child = sesame(&["--dev", "--config", path.to_str().unwrap()]);
    let rx = lines(&mut child);
    let mut out = String::new();
    let started = loop {
        match rx.recv_timeout(LIMIT) {
            Ok(line) => {
                let banner = line.contains(" listening on ");
                out.push_str(&line);
                out.push('\n');
                if banner {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(started, "sesame --dev did not start:\n{out}");
    for key in ["email.provider", "sms.provider", "clients"] {
        assert!(
            out.lines().any(|l| l.contains("--dev") && l.contains(key)),
            "no --dev warning for {key}:\n{out}"
        );
    }
}

#[test]
fn the_default_loopback_address_starts_without_dev() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), "listen = \"127.0.0.1:0\"\n");
    let (ok, out) = run_to_exit(sesame(&[
        "check-config",
        "--config",
        path.to_str().unwrap(),
    ]));
    assert!(ok, "{out}");
}
