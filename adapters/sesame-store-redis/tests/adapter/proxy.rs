//! A tiny TCP proxy in front of the test Redis that a test can stall or
//! kill, to see the store lose its connection mid-operation.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::scope::redis_url;

/// A running proxy. Dropping it does not stop it; [`Proxy::kill`] does.
pub struct Proxy {
    url: String,
    port: u16,
    stalled: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free local port and forwards to the test Redis.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Listens on local `port` (0 for any free one) and forwards to the
    /// test Redis.
    pub async fn start_on(port: u16) -> Self {
        let target = url::Url::parse(&redis_url()).unwrap();
        let upstream = format!(
            "{}:{}",
            target.host_str().unwrap(),
            target.port().unwrap_or(6379)
        );
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let local: SocketAddr = listener.local_addr().unwrap();
        let mut url = target.clone();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(local.port())).unwrap();
        let (stalled, watch_stalled) = watch::channel(false);
        let task = tokio::spawn(accept(listener, upstream, watch_stalled));
        Self {
            url: url.to_string(),
            port: local.port(),
            stalled,
            task,
        }
    }

    /// The local port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Redis URL that goes through the proxy.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops forwarding bytes in both directions, keeping the connections
    /// open: Redis seems to hang.
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    /// Closes the listener and every proxied connection.
    pub async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// Owns every connection task: aborting this task drops them all.
async fn accept(listener: TcpListener, upstream: String, stalled: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    while let Ok((client, _)) = listener.accept().await {
        let Ok(server) = TcpStream::connect(&upstream).await else {
            continue;
        };
        let (client_rx, client_tx) = client.into_split();
        let (server_rx, server_tx) = server.into_split();
        connections.spawn(pump(client_rx, server_tx, stalled.clone()));
        connections.spawn(pump(server_rx, client_tx, stalled.clone()));
    }
}

async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut stalled: watch::Receiver<bool>) {
    let mut buf = vec![0_u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if stalled.wait_for(|s| !*s).await.is_err() || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
