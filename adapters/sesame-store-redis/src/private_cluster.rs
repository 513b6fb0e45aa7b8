//! Test support (feature `private-cluster`, never in the server): a
//! throwaway Redis Cluster of its own for one test, so the test can kill a
//! primary without touching the shared one: `redis-server` processes
//! (`SESAME_TEST_REDIS_SERVER`, else the one on `PATH`, 7.0 or later) on
//! free local ports, their data in a temporary directory, killed on drop.
//! The adapter's own tests and the end-to-end suites both use it.
//!
//! [`PrivateCluster::start_tls`] starts one that speaks only TLS, clients
//! and cluster bus alike, with a certificate for `127.0.0.1` from a CA of
//! its own ([`PrivateCluster::ca_file`]).
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
    /// Whether the nodes speak only TLS.
    tls: bool,
    dir: TempDir,
}

impl PrivateCluster {
    /// Starts `n` primaries, gives each an equal range of slots, joins them
    /// and waits until every node reports `cluster_state:ok`.
    ///
    /// # Panics
    /// `redis-server` cannot be started or the cluster does not form within
    /// 30 s.
    pub async fn start(n: u16) -> Self {
        Self::start_with(n, false).await
    }

    /// As [`start`](Self::start), but every node accepts only TLS, on
    /// clients' connections and on the cluster bus; [`urls`](Self::urls)
    /// are then `rediss://`, and the certificate's CA is in
    /// [`ca_file`](Self::ca_file). The redis-server must be built with TLS
    /// (Debian's is).
    ///
    /// # Panics
    /// As [`start`](Self::start).
    pub async fn start_tls(n: u16) -> Self {
        Self::start_with(n, true).await
    }

    async fn start_with(n: u16, tls: bool) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        if tls {
            write_pki(dir.path());
        }
        let bin =
            std::env::var("SESAME_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut nodes = Vec::new();
        for port in free_ports(n) {
            let mut command = Command::new(&bin);
            if tls {
                let file = |name: &str| dir.path().join(name).display().to_string();
                command
                    .args(["--port", "0", "--tls-port", &port.to_string()])
                    .args(["--tls-cert-file", &file("node.pem")])
                    .args(["--tls-key-file", &file("node.key")])
                    .args(["--tls-ca-cert-file", &file("ca.pem")])
                    .args(["--tls-auth-clients", "no", "--tls-cluster", "yes"]);
            } else {
                command.args(["--port", &port.to_string()]);
            }
            let child = command
                .args(["--bind", "127.0.0.1"])
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
                .args(["--cluster-require-full-coverage", "no"])
                .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .arg("--logfile")
                .arg(format!("redis-{port}.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start redis-server (set SESAME_TEST_REDIS_SERVER)");
            nodes.push((port, Some(child)));
        }
        let cluster = Self { nodes, tls, dir };
        for i in 0..cluster.nodes.len() {
            let (first, last) = cluster.range(i);
            poll(|| async {
                let mut conn = cluster.connect_to(i).await.ok()?;
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
        let mut first = cluster.connect_to(0).await.expect("the first node");
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
        for i in 0..cluster.nodes.len() {
            poll(|| async {
                let mut conn = cluster.connect_to(i).await.ok()?;
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

    /// `redis://127.0.0.1:<port>` of every node, in order
    /// (`rediss://` for a TLS cluster).
    #[must_use]
    pub fn urls(&self) -> Vec<String> {
        let scheme = if self.tls { "rediss" } else { "redis" };
        self.nodes
            .iter()
            .map(|(port, _)| format!("{scheme}://127.0.0.1:{port}"))
            .collect()
    }

    /// The PEM file of the CA that signed a TLS cluster's certificate
    /// (absent for a plain one).
    #[must_use]
    pub fn ca_file(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A connection to node `i` for this harness's own set-up: a TLS
    /// cluster's trusts its CA.
    async fn connect_to(&self, i: usize) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let url = self.urls()[i].clone();
        let client = if self.tls {
            // As the store does: rustls cannot pick a provider when a test
            // binary links both ring and aws-lc-rs.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            let ca = std::fs::read(self.ca_file()).expect("reading the cluster's CA");
            redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca),
                },
            )?
        } else {
            redis::Client::open(url)?
        };
        client.get_multiplexed_async_connection().await
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
        let mut conn = self.connect_to(0).await.expect("the first node");
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
    panic!(
        "the private Redis Cluster did not come up within 30 s (its logs: redis-<port>.log in its directory)"
    );
}

/// Writes `ca.pem` and a certificate for `127.0.0.1` it signed
/// (`node.pem`, `node.key`) into `dir`.
fn write_pki(dir: &std::path::Path) {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
        SanType,
    };
    // Distinct subjects: with rcgen's default name on both, OpenSSL (the
    // nodes' side of the TLS cluster bus) takes the node's certificate for
    // a self-signed one and refuses it.
    let named = |cn: &str| {
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, cn);
        name
    };
    let ca_key = KeyPair::generate().expect("a CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.distinguished_name = named("Sesame test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).expect("the CA certificate");
    let key = KeyPair::generate().expect("a node key");
    let mut node = CertificateParams::default();
    node.distinguished_name = named("127.0.0.1");
    node.subject_alt_names = vec![
        SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
        SanType::DnsName("localhost".try_into().expect("a DNS name")),
    ];
    let cert = node
        .signed_by(&key, &Issuer::new(ca, &ca_key))
        .expect("the node certificate");
    for (name, pem) in [
        ("ca.pem", ca_cert.pem()),
        ("node.pem", cert.pem()),
        ("node.key", key.serialize_pem()),
    ] {
        std::fs::write(dir.join(name), pem).expect("writing the cluster's PKI");
    }
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
