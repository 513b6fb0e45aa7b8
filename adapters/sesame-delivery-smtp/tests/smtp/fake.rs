//! Scripted SMTP servers for the failure cases a real sink cannot produce.
#![expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

/// How the fake answers.
#[derive(Clone, Copy)]
pub struct Script {
    /// The reply to `RCPT TO`; `{rcpt}` becomes the address, as real
    /// servers quote it.
    pub rcpt: &'static str,
    /// Never answer the end of the first connection's first message.
    pub stall_first_data: bool,
}

/// A running fake: its port, and which connection each accepted message
/// came over (connections are numbered from 0).
pub struct Fake {
    pub port: u16,
    pub delivered_on: Arc<Mutex<Vec<usize>>>,
}

/// Starts a fake server on a free loopback port.
pub async fn start(script: Script) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let delivered_on = Arc::new(Mutex::new(Vec::new()));
    let delivered = Arc::clone(&delivered_on);
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, n, script, Arc::clone(&delivered)));
            n += 1;
        }
    });
    Fake { port, delivered_on }
}

async fn say(w: &mut OwnedWriteHalf, text: &str) {
    let _ = w.write_all(format!("{text}\r\n").as_bytes()).await;
}

async fn serve(stream: TcpStream, conn: usize, script: Script, delivered: Arc<Mutex<Vec<usize>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    say(&mut write, "220 fake.test ESMTP").await;
    let mut stalled = false;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => {
                say(&mut write, "250-fake.test\r\n250-8BITMIME\r\n250 SMTPUTF8").await
            }
            "MAIL" | "RSET" | "NOOP" => say(&mut write, "250 2.0.0 ok").await,
            "RCPT" => {
                let rcpt = line.split(['<', '>']).nth(1).unwrap_or_default();
                say(&mut write, &script.rcpt.replace("{rcpt}", rcpt)).await;
            }
            "DATA" => {
                say(&mut write, "354 go ahead").await;
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                }
                if script.stall_first_data && conn == 0 && !stalled {
                    stalled = true;
                    continue;
                }
                delivered.lock().unwrap().push(conn);
                say(&mut write, "250 2.0.0 queued").await;
            }
            "QUIT" => {
                say(&mut write, "221 2.0.0 bye").await;
                return;
            }
            _ => say(&mut write, "502 5.5.2 unknown command").await,
        }
    }
}
