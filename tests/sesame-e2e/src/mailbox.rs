//! The real SMTP server's mailbox: the sink `scripts/test-services/run up`
//! starts (aiosmtpd) writes every message it receives to a maildir, one
//! folder per recipient (`docs/testing.md`, "Reading mail from the
//! maildir"). A test spawns its server with [`Mailbox::options`], so email
//! goes out over SMTP, and reads what arrived here.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mail_parser::MessageParser;

use crate::config::Options;

/// The default `SESAME_TEST_SMTP_ADDR`.
const DEFAULT_SMTP_ADDR: &str = "127.0.0.1:2525";
/// How long a message may take to arrive.
const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(15);
/// How often the recipient's folder is looked at.
const POLL: Duration = Duration::from_millis(50);

/// The shared sink: where it listens and where it writes.
#[derive(Debug, Clone)]
pub struct Mailbox {
    /// `host:port`, plain SMTP without AUTH.
    pub smtp_addr: String,
    /// Its maildir.
    pub maildir: PathBuf,
}

/// One delivered message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The Subject header.
    pub subject: String,
    /// The text/plain part, transfer encoding undone.
    pub text: String,
}

impl Mailbox {
    /// The sink of `SESAME_TEST_SMTP_ADDR` and `SESAME_TEST_MAILDIR`, else
    /// the defaults of `scripts/test-services/run up`.
    ///
    /// # Panics
    /// Nothing accepts connections there: the test services are not up.
    #[must_use]
    pub fn shared() -> Self {
        let smtp_addr = std::env::var("SESAME_TEST_SMTP_ADDR")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_SMTP_ADDR.to_owned());
        let maildir = std::env::var_os("SESAME_TEST_MAILDIR")
            .filter(|v| !v.is_empty())
            .map_or_else(
                || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-services/mail"),
                PathBuf::from,
            );
        let reachable = smtp_addr
            .parse()
            .ok()
            .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(3)).ok())
            .is_some();
        assert!(
            reachable,
            "no SMTP sink accepts connections at {smtp_addr}: run `scripts/test-services/run up` \
             and `eval \"$(scripts/test-services/run env)\"` first (see docs/testing.md)"
        );
        Self { smtp_addr, maildir }
    }

    /// `options` with email delivered over SMTP to this sink.
    #[must_use]
    pub fn options(&self, options: Options) -> Options {
        Options {
            smtp: Some(self.smtp_addr.clone()),
            ..options
        }
    }

    /// How many messages to `address` have arrived so far.
    #[must_use]
    pub fn count(&self, address: &str) -> usize {
        self.arrived(address).len()
    }

    /// Waits (boundedly) until more than `seen` messages to `address` have
    /// arrived, and returns the newest, decoded.
    ///
    /// # Panics
    /// Nothing new arrives in time, or it does not parse.
    pub async fn wait_for_new(&self, address: &str, seen: usize) -> Mail {
        let deadline = Instant::now() + ARRIVAL_TIMEOUT;
        loop {
            let names = self.arrived(address);
            if names.len() > seen
                && let Some(newest) = names.last()
            {
                let raw = std::fs::read(self.folder(address).join(format!("{newest}.eml")))
                    .expect("reading the delivered message");
                return decode(&raw);
            }
            assert!(
                Instant::now() < deadline,
                "no new mail for the test recipient in {} within {ARRIVAL_TIMEOUT:?}",
                self.maildir.display()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The recipient's folder: lower-cased, `/` and `\` made `_`, a leading
    /// `.` made `_`.
    fn folder(&self, address: &str) -> PathBuf {
        let mut name = address.to_lowercase().replace(['/', '\\'], "_");
        if name.starts_with('.') {
            name.replace_range(..1, "_");
        }
        self.maildir.join(name)
    }

    /// The `.eml` names (monotonic nanoseconds) in arrival order.
    fn arrived(&self, address: &str) -> Vec<u128> {
        let mut names: Vec<u128> = std::fs::read_dir(self.folder(address))
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
        names
    }
}

fn decode(raw: &[u8]) -> Mail {
    let message = MessageParser::default()
        .parse(raw)
        .expect("the delivered message parses as MIME");
    Mail {
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message
            .body_text(0)
            .expect("the message has a text part")
            .into_owned(),
    }
}

impl Mail {
    /// The one-time code in the text part: the first word of `length`
    /// digits.
    ///
    /// # Panics
    /// There is none.
    #[must_use]
    pub fn code(&self, length: usize) -> String {
        self.text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == length)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {length}-digit code in the text of {:?}", self.subject))
    }

    /// The first URL in the text part that starts with `prefix` (the
    /// server's `…/passwordless/verify_redirect`).
    ///
    /// # Panics
    /// There is none.
    #[must_use]
    pub fn link_starting_with(&self, prefix: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with(prefix))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {prefix}… link in the text part of {:?}", self.subject))
    }
}
