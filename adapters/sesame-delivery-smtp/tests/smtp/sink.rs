//! SMTP sinks: the shared one from `scripts/test-services`, and private
//! ones started here with TLS and AUTH, plus reading what they stored.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test fixtures fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

/// The shared plain sink: `SESAME_TEST_SMTP_ADDR` and `SESAME_TEST_MAILDIR`,
/// else the defaults of `scripts/test-services/run up`.
pub fn shared() -> (String, PathBuf) {
    let addr = std::env::var("SESAME_TEST_SMTP_ADDR").unwrap_or_else(|_| "127.0.0.1:2525".into());
    let maildir = std::env::var_os("SESAME_TEST_MAILDIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-services/mail"),
        PathBuf::from,
    );
    (addr, maildir)
}

/// One stored message: its raw bytes and its envelope sidecar.
pub struct Stored {
    pub raw: Vec<u8>,
    pub envelope: Value,
}

/// Waits (at most 10 s) for the `n`-th message to `recipient` in `maildir`.
pub async fn wait_for_mail(maildir: &Path, recipient: &str, n: usize) -> Stored {
    let dir = maildir.join(recipient.to_lowercase());
    for _ in 0..200 {
        let mut names: Vec<u128> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| {
                        e.ok()?
                            .file_name()
                            .to_str()?
                            .strip_suffix(".eml")?
                            .parse()
                            .ok()
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort_unstable();
        if let Some(ns) = names.get(n - 1) {
            let raw = std::fs::read(dir.join(format!("{ns}.eml"))).unwrap();
            let json = std::fs::read(dir.join(format!("{ns}.json"))).unwrap();
            return Stored {
                raw,
                envelope: serde_json::from_slice(&json).unwrap(),
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no message {n} arrived for the test recipient in {}",
        dir.display()
    );
}

/// A sink process of our own, stopped on drop.
pub struct OwnSink {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    /// The sink's self-signed certificate (names `localhost`, `127.0.0.1`).
    pub cert_pem: String,
    dir: TempDir,
}

impl Drop for OwnSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AUTH password of private sinks.
pub const PASSWORD: &str = "correct horse battery staple";
/// The AUTH user of private sinks.
pub const USER: &str = "sesame";

/// Starts `smtp_sink.py` with a fresh certificate, AUTH for [`USER`], and
/// `flags`; `None` (after saying why) when the environment does not say
/// where Python and the sink are.
pub async fn own(flags: &[&str]) -> Option<OwnSink> {
    let (Some(python), Some(script)) = (
        std::env::var_os("SESAME_TEST_PYTHON"),
        std::env::var_os("SESAME_TEST_SMTP_SINK"),
    ) else {
        eprintln!(
            "skipped: SESAME_TEST_PYTHON and SESAME_TEST_SMTP_SINK are not set; \
             run `eval \"$(scripts/test-services/run env)\"` or scripts/test"
        );
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let key =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_pem = key.cert.pem();
    std::fs::write(dir.path().join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), key.signing_key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("pw"), PASSWORD).unwrap();
    let ready = dir.path().join("port");
    let maildir = dir.path().join("mail");
    let log = std::fs::File::create(dir.path().join("sink.log")).unwrap();
    let child = Command::new(python)
        .arg(script)
        .args(["--port", "0", "--ready-file"])
        .arg(&ready)
        .arg("--maildir")
        .arg(&maildir)
        .arg("--tls-cert")
        .arg(dir.path().join("cert.pem"))
        .arg("--tls-key")
        .arg(dir.path().join("key.pem"))
        .args(["--auth-user", USER, "--auth-password-file"])
        .arg(dir.path().join("pw"))
        .args(flags)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start smtp_sink.py");
    let mut sink = OwnSink {
        child,
        port: 0,
        maildir,
        cert_pem,
        dir,
    };
    for _ in 0..400 {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            sink.port = text.trim().parse().unwrap();
            return Some(sink);
        }
        if let Some(status) = sink.child.try_wait().unwrap() {
            let log = std::fs::read_to_string(sink.dir.path().join("sink.log")).unwrap_or_default();
            panic!("smtp_sink.py exited with {status}:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("smtp_sink.py did not start within 20 s");
}
