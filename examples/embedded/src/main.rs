//! Runs the example service. Environment:
//!
//! - `EMBEDDED_ADDR`: where to listen (default `127.0.0.1:0`, any free port);
//! - `EMBEDDED_ISSUER`: the tokens' issuer URL (default `http://<address>/`;
//!   behind TLS termination, the public `https://` URL);
//! - `EMBEDDED_SECRET`: the MAC secret, 32 bytes or more (default: random
//!   per process, so codes do not survive a restart);
//! - `EMBEDDED_USERS`: the users file (default `embedded-users.json`).
//!
//! The mail worker hands login emails to the shipped console sender, which
//! prints them on standard error: development only, they hold live codes.

use std::env;
use std::sync::Arc;

use anyhow::Context as _;
use embedded::mail::{self, mail_queue};
use embedded::users::JsonFileUserStore;
use embedded::{App, OwnAdapters};
use sesame_delivery_console::ConsoleSender;
use sesame_domain::MacKey;
use sesame_domain::ports::random_array;
use sesame_domain::service::Issuer;
use sesame_system::OsRandom;
use tokio::net::TcpListener;

/// Messages the mail queue holds before a start is refused as unavailable.
const MAIL_QUEUE_CAPACITY: usize = 256;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = env::var("EMBEDDED_ADDR").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let listener = TcpListener::bind(&addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr()?;
    let issuer = match env::var("EMBEDDED_ISSUER") {
        Ok(url) => Issuer::parse(&url).context("EMBEDDED_ISSUER")?,
        Err(_) => Issuer::parse(&format!("http://{local}/"))?,
    };
    let users_file =
        env::var("EMBEDDED_USERS").unwrap_or_else(|_| "embedded-users.json".to_owned());
    let users = JsonFileUserStore::open(&users_file).with_context(|| users_file.clone())?;
    let (queue, mailbox) = mail_queue(MAIL_QUEUE_CAPACITY);
    tokio::spawn(mail::deliver(mailbox, Arc::new(ConsoleSender::stderr())));
    let own = OwnAdapters {
        users: Arc::new(users),
        email: Arc::new(queue),
    };
    let app = App::build(issuer, mac_key()?, own).await?;
    announce(&format!("listening on http://{local}"));
    app.serve(listener).await.context("serving")
}

/// The MAC secret: every instance must share it, or a code issued by one
/// cannot be redeemed through another.
fn mac_key() -> anyhow::Result<MacKey> {
    if let Ok(secret) = env::var("EMBEDDED_SECRET") {
        return MacKey::new(secret.as_bytes()).context("EMBEDDED_SECRET");
    }
    eprintln!("EMBEDDED_SECRET is not set: using a random one; codes will not survive a restart");
    Ok(MacKey::new(&random_array::<32>(&OsRandom))?)
}

#[expect(
    clippy::print_stdout,
    reason = "the address is the program's output, for scripts to read"
)]
fn announce(line: &str) {
    println!("{line}");
}
