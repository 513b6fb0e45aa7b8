//! `TestApp`: a real Sesame server on 127.0.0.1 and an ephemeral port, built
//! from a TOML configuration as an operator's would be, with a capturing
//! [`Outbox`] in place of the email and SMS providers (or, with
//! [`Options::smtp`], real SMTP delivery for email). Or the `sesame` binary
//! itself, as its own process ([`TestApp::spawn_process_on`]).

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{EmailSender, UserStore};
use sesame_server::{Overrides, build_with, config};
use sesame_testkit::Outbox;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::backend::{Backend, Storage};
use crate::config::{Options, toml};

/// How long a request from the test client may take, at most.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long [`TestApp::shutdown`] waits for the server to stop.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// One running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub address: String,
    /// The `iss` of its tokens, with a trailing slash.
    pub issuer: String,
    /// An HTTP client: no redirects, bounded timeouts.
    pub client: reqwest::Client,
    /// Every message the server delivered (text messages only, when email
    /// goes over SMTP).
    pub outbox: Outbox,
    /// Its state, shared with any server started on it later.
    pub storage: Arc<Storage>,
    /// Its user store, to block a user (`None` for a server process).
    pub users: Option<Arc<dyn UserStore>>,
    runner: Runner,
}

/// How the server runs.
enum Runner {
    /// A task on the test's runtime.
    InProcess {
        stop: Option<oneshot::Sender<()>>,
        server: Option<JoinHandle<std::io::Result<()>>>,
    },
    /// The `sesame` binary.
    Process(crate::process::ServerProcess),
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("address", &self.address)
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl TestApp {
    /// A server with the default [`Options`] on fresh storage of `backend`.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default()).await
    }

    /// A server with `options` on fresh storage of `backend`.
    pub async fn spawn_with(backend: Backend, options: Options) -> Self {
        let storage = Arc::new(Storage::create(backend).await);
        Self::spawn_on(storage, options).await
    }

    /// A server on existing `storage`: a restart, or another node of a
    /// cluster.
    ///
    /// # Panics
    /// The configuration is refused or the server cannot be built.
    pub async fn spawn_on(storage: Arc<Storage>, options: Options) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding 127.0.0.1:0");
        let port = listener.local_addr().expect("the bound address").port();
        let address = format!("http://127.0.0.1:{port}");
        let issuer = options
            .issuer
            .clone()
            .unwrap_or_else(|| format!("{address}/"));
        let text = toml(&storage, &issuer, &options);
        // The text holds the store URL and secret: name the error, not it.
        let settings = config::from_toml(&text)
            .unwrap_or_else(|e| panic!("the test configuration is refused: {e}"));
        let resolved = config::resolve(settings)
            .unwrap_or_else(|e| panic!("the test configuration does not resolve: {e}"));
        let outbox = Outbox::new();
        let overrides = Overrides {
            // With `options.smtp` the configured SMTP provider delivers
            // email for real; the outbox then only sees text messages.
            email: options
                .smtp
                .is_none()
                .then(|| Arc::new(outbox.clone()) as Arc<dyn EmailSender>),
            sms: Some(Arc::new(outbox.clone())),
        };
        let app = build_with(resolved, overrides)
            .await
            .unwrap_or_else(|e| panic!("building the server on {storage:?}: {e:#}"));
        let users = Some(app.users());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.serve(listener, async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            issuer,
            client: http_client(),
            outbox,
            storage,
            users,
            runner: Runner::InProcess {
                stop: Some(stop),
                server: Some(server),
            },
        }
    }

    /// The `sesame` binary at `binary`, as its own process, on `storage`
    /// with `options` and the issuer `issuer` (which several processes
    /// standing for one deployment share). Email must go over SMTP
    /// ([`Options::smtp`]): the [`outbox`](Self::outbox) of a process stays
    /// empty, so read codes from the [`Mailbox`](crate::mailbox::Mailbox).
    ///
    /// # Panics
    /// `options.smtp` is unset, or the process does not start serving.
    pub async fn spawn_process_on(
        binary: &std::path::Path,
        storage: Arc<Storage>,
        issuer: &str,
        options: &Options,
    ) -> Self {
        Self::spawn_process_with_env(binary, storage, issuer, options, &[]).await
    }

    /// As [`spawn_process_on`](Self::spawn_process_on), with `env` added to
    /// the process's environment (e.g. `SSL_CERT_FILE`).
    ///
    /// # Panics
    /// As [`spawn_process_on`](Self::spawn_process_on).
    pub async fn spawn_process_with_env(
        binary: &std::path::Path,
        storage: Arc<Storage>,
        issuer: &str,
        options: &Options,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> Self {
        assert!(
            options.smtp.is_some(),
            "a server process delivers email over SMTP: use Mailbox::options"
        );
        let text = toml(&storage, issuer, options);
        let process = crate::process::ServerProcess::start(binary, &text, env).await;
        Self {
            address: format!("http://{}", process.address()),
            issuer: issuer.to_owned(),
            client: http_client(),
            outbox: Outbox::new(),
            storage,
            users: None,
            runner: Runner::Process(process),
        }
    }

    /// Runs the `sesame` binary as [`spawn_process_with_env`](Self::spawn_process_with_env)
    /// would, for a set-up it must refuse to start on: returns its exit
    /// status and what it printed.
    ///
    /// # Panics
    /// It starts serving, or cannot be started.
    pub async fn refused_process(
        binary: &std::path::Path,
        storage: &Storage,
        issuer: &str,
        options: &Options,
        env: &[(&str, &std::ffi::OsStr)],
    ) -> (std::process::ExitStatus, String) {
        let text = toml(storage, issuer, options);
        crate::process::ServerProcess::refused(binary, &text, env).await
    }

    /// A server process's output so far (`None` in process).
    #[must_use]
    pub fn process_log(&self) -> Option<String> {
        match &self.runner {
            Runner::Process(p) => Some(p.log()),
            Runner::InProcess { .. } => None,
        }
    }

    /// The backend under this server.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.storage.backend()
    }

    /// `path` on this server.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Stops the server and waits (boundedly) until it has, so its storage
    /// is released. The storage itself lives on while others hold it.
    ///
    /// # Panics
    /// The server does not stop in time or failed while serving.
    pub async fn shutdown(mut self) {
        let Runner::InProcess { stop, server } = &mut self.runner else {
            return; // Dropping the process stops it.
        };
        if let Some(stop) = stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = server.take() {
            tokio::time::timeout(SHUTDOWN_TIMEOUT, server)
                .await
                .expect("the server did not stop in time")
                .expect("the server task panicked")
                .expect("the server failed");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Runner::InProcess { stop, server } = &mut self.runner else {
            return; // The process is killed as it drops.
        };
        if let Some(stop) = stop.take() {
            let _ = stop.send(());
        }
        // A test that failed midway must not leave a server behind: the
        // runtime ends with the test, but say so explicitly.
        if let Some(server) = server.take() {
            server.abort();
        }
    }
}

/// An HTTP client: no redirects, bounded timeouts.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CLIENT_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("building the HTTP client")
}
