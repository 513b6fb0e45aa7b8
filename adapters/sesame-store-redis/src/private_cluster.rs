//! Test support (feature `private-cluster`, never in the server): a
//! throwaway Redis Cluster of its own for one test, so the test can kill a
//! primary without touching the shared one: `redis-server` processes
//! (`SESAME_TEST_REDIS_SERVER`, else the one on `PATH`, 7.0 or later) on
//! free local ports, their data in a temporary directory, killed on drop.
//! The adapter's own tests and the end-to-end suites both use it.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a cluster that cannot be set up must fail the test loudly"
)]

use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

/// Redis Cluster's slot count.
const SLOTS: u16 = 16_384;

/// Running primaries, each owning one contiguous range of slots, with
/// `cluster-require-full-coverage no` so the others serve while one is down.
pub struct PrivateCluster {
    nodes: Vec<(u16, Option<Child>)>,
    _dir: TempDir,
}

impl PrivateCluster {
    /// Starts `n` primaries, gives each an equal range of slots, joins them
    /// and waits until every node reports `cluster_state:ok`.
    ///
    /// # Panics
    /// `redis-server` cannot be started or the cluster does not form within
    /// 30 s.
    pub async fn start(n: u16) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let bin =
            std::env::var("SESAME_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut nodes = Vec::new();
        for port in free_ports(n) {
            let child = Command::new(&bin)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
                .args(["--cluster-require-full-coverage", "no"])
                .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start redis-server (set SESAME_TEST_REDIS_SERVER)");
            nodes.push((port, Some(child)));
        }
        let cluster = Self { nodes, _dir: dir };
        let urls = cluster.urls();
        for (i, url) in urls.iter().enumerate() {
            let (first, last) = cluster.range(i);
            poll(|| async {
                let mut conn = connect(url).await.ok()?;
                redis::cmd("CLUSTER")
                    .arg("ADDSLOTSRANGE")
                    .arg(first)
                    .arg(last)
                    .query_async::<()>(&mut conn)
                    .await
                    .ok()
            })
            .await;
        }
        let mut first = connect(&urls[0]).await.expect("the first node");
        for &(port, _) in &cluster.nodes[1..] {
            redis::cmd("CLUSTER")
                .arg("MEET")
                .arg("127.0.0.1")
                .arg(port)
                .query_async::<()>(&mut first)
                .await
                .expect("CLUSTER MEET");
        }
        let want = format!("cluster_known_nodes:{n}");
        for url in &urls {
            poll(|| async {
                let mut conn = connect(url).await.ok()?;
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut conn)
                    .await
                    .ok()?;
                (info.contains("cluster_state:ok") && info.contains(&want)).then_some(())
            })
            .await;
        }
        cluster
    }

    /// `redis://127.0.0.1:<port>` of every node, in order.
    #[must_use]
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|(port, _)| format!("redis://127.0.0.1:{port}"))
            .collect()
    }

    /// The first and last slot node `i` owns.
    fn range(&self, i: usize) -> (u16, u16) {
        let n = u16::try_from(self.nodes.len()).expect("a few nodes");
        let i = u16::try_from(i).expect("a few nodes");
        (i * SLOTS / n, (i + 1) * SLOTS / n - 1)
    }

    /// The index of the node that owns the slot `tag` hashes to.
    ///
    /// # Panics
    /// The first node does not answer `CLUSTER KEYSLOT`.
    pub async fn owner(&self, tag: &str) -> usize {
        let mut conn = connect(&self.urls()[0]).await.expect("the first node");
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(tag)
            .query_async(&mut conn)
            .await
            .expect("CLUSTER KEYSLOT");
        (0..self.nodes.len())
            .find(|&i| slot <= self.range(i).1)
            .expect("every slot has an owner")
    }

    /// Kills node `i`'s process outright (SIGKILL), as a crash would.
    ///
    /// # Panics
    /// The process cannot be signalled or reaped.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].1.take() {
            child.kill().expect("killing a redis-server");
            child.wait().expect("reaping a redis-server");
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        for (_, child) in &mut self.nodes {
            if let Some(child) = child.as_mut() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

async fn connect(url: &str) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
    redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await
}

/// Retries `attempt` every 20 ms until it gives a value, for at most 30 s:
/// a bound on waiting for the processes, not a timing assumption.
async fn poll<T, F, Fut>(mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..1_500 {
        if let Some(v) = attempt().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the private Redis Cluster did not come up within 30 s");
}

/// `n` ports free now, each with its cluster bus port (+10000) free too.
fn free_ports(n: u16) -> Vec<u16> {
    let mut held = Vec::new();
    while held.len() < usize::from(n) {
        let client = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = client.local_addr().expect("its address").port();
        let Some(bus_port) = port.checked_add(10_000) else {
            continue;
        };
        if let Ok(bus) = std::net::TcpListener::bind(("127.0.0.1", bus_port)) {
            held.push((port, client, bus));
        }
    }
    held.into_iter().map(|(port, _, _)| port).collect()
}
