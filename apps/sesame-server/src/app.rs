//! Wiring: configuration in, a ready-to-serve application out.

use std::future::{Future, IntoFuture as _};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use sesame_domain::ports::{Clock, EmailSender, EventSink, EventStore, SmsSender, UserStore};
use sesame_domain::{Passwordless, Ports};
use sesame_http::Services;
use sesame_log_stream::{LogStream, LogStreamWorker};
use sesame_store_memory::{StaticApiRegistry, StaticClientRegistry};
use sesame_system::{OsRandom, SystemClock};
use sesame_token_jwt::{JwtDpopVerifier, JwtMinter};
use tokio::net::TcpListener;

use crate::config::Resolved;
use crate::delivery_queue::{self, QueueSettings, QueueWorker, Senders};
use crate::events::{self, EventWriter};
use crate::key_refresh::{self, KeyRefresher};
use crate::metered::{MeteredEmail, MeteredMinter, MeteredSms};
use crate::storage::Storage;
use crate::tls::{self, TlsListener};
use crate::{delivery, secret, storage};
use metrics_exporter_prometheus::PrometheusHandle;

/// A wired server, ready to serve.
pub struct App {
    /// The domain service.
    pub service: Arc<Passwordless>,
    router: axum::Router,
    storage: Storage,
    /// Re-reads the signing keys; stops when the app is dropped.
    key_refresher: KeyRefresher,
    /// What the banner says about the wiring.
    pub summary: String,
    /// Delivery providers that only print to the console.
    pub console_delivery: Vec<&'static str>,
    shutdown_grace: Duration,
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// Sends after the answer while sign-ups are disabled; drained on
    /// shutdown.
    delivery_worker: Option<QueueWorker>,
    /// `[metrics] listen` and the recorder it renders.
    metrics: Option<(String, PrometheusHandle)>,
    /// Writes log events to the store; flushed on shutdown.
    event_writer: EventWriter,
    /// Sends log events to `[log_stream]`; flushed on shutdown.
    log_stream: Option<LogStreamWorker>,
}

/// Everything `sesame check-config` can check without touching a backend:
/// the providers and templates are constructed (no message is sent) and the
/// TLS files are loaded.
///
/// # Errors
/// The first provider, template or TLS problem, naming its key.
pub async fn check(resolved: &Resolved) -> anyhow::Result<()> {
    delivery::build(&resolved.settings).await?;
    let h = &resolved.settings.http;
    if let (Some(cert), Some(key)) = (&h.tls_cert, &h.tls_key) {
        tls::acceptor(cert.as_ref(), key.as_ref())?;
    }
    Ok(())
}

/// Replacements for configured adapters, for tests that need to see what
/// the server sends (the zero-to-production pattern).
#[derive(Default)]
pub struct Overrides {
    /// Deliver email here instead of the configured provider.
    pub email: Option<Arc<dyn EmailSender>>,
    /// Deliver SMS here instead of the configured provider.
    pub sms: Option<Arc<dyn SmsSender>>,
}

/// The token signer. RS256 signing takes ~0.3 ms of CPU: on the blocking
/// pool it does not hold up other requests' tasks (see sesame-token-jwt's
/// benchmark), but only when there is another core to run them on; with one
/// core the pool only adds a thread hop per signature (docs/benchmarks.md).
fn minter() -> JwtMinter {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if cores > 1 {
        JwtMinter::new().offload_rs256()
    } else {
        JwtMinter::new()
    }
}

/// Opens the store, picks the providers, makes signing keys on first start
/// and builds the router.
///
/// # Errors
/// Any backend that cannot be opened, or a bad provider section.
pub async fn build(resolved: Resolved) -> anyhow::Result<App> {
    build_with(resolved, Overrides::default()).await
}

/// [`build`], with some adapters replaced.
///
/// # Errors
/// As [`build`].
pub async fn build_with(resolved: Resolved, overrides: Overrides) -> anyhow::Result<App> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let storage = storage::open(&resolved, Arc::clone(&clock)).await?;
    let mut delivery = delivery::build(&resolved.settings).await?;
    if let Some(email) = overrides.email {
        delivery.email = email;
        delivery.console.retain(|p| *p != "email");
    }
    if let Some(sms) = overrides.sms {
        delivery.sms = sms;
        delivery.console.retain(|p| *p != "sms");
    }
    // Counted wherever they are sent from: the request or the queue.
    delivery.email = Arc::new(MeteredEmail(delivery.email));
    delivery.sms = Arc::new(MeteredSms(delivery.sms));
    let metrics = match &resolved.settings.metrics.listen {
        Some(listen) => Some((listen.clone(), crate::metrics::handle()?)),
        None => None,
    };
    let (mac_key, sealer) = secret::keys(&resolved, &OsRandom)?;
    let ports = Ports {
        clients: Arc::new(StaticClientRegistry::new(resolved.clients.clone())),
        apis: Arc::new(StaticApiRegistry::new(resolved.apis.clone())),
        users: Arc::clone(&storage.users),
        challenges: Arc::clone(&storage.challenges),
        refresh_tokens: Arc::clone(&storage.refresh_tokens),
        authenticators: Arc::clone(&storage.authenticators),
        mfa_transactions: Arc::clone(&storage.mfa_transactions),
        authorization_codes: Arc::clone(&storage.authorization_codes),
        keys: Arc::clone(&storage.keys),
        sealer: Arc::new(sealer),
        rate_limiter: Arc::clone(&storage.rate_limiter),
        email: Arc::clone(&delivery.email),
        sms: Arc::clone(&delivery.sms),
        renderer: delivery.renderer,
        minter: Arc::new(MeteredMinter(minter())),
        clock,
        rng: Arc::new(OsRandom),
        dpop_verifier: Arc::new(JwtDpopVerifier::new()),
        dpop_replay: Arc::clone(&storage.dpop_replay),
    };
    let mut algs = vec![resolved.passwordless.default_signing_alg];
    algs.extend(resolved.apis.iter().map(|a| a.signing_alg));
    algs.dedup();
    let (event_sink, event_writer, log_stream) = events_pipeline(&resolved, &storage)?;
    let mut service = Passwordless::new(ports, resolved.passwordless.clone(), mac_key)
        .with_health_checks(storage.health.clone())
        .with_event_sink(event_sink)
        .with_event_store(Arc::clone(&storage.events));
    if let Some(steps) = &storage.steps {
        service = service.with_step_store(Arc::clone(steps));
    }
    // With sign-ups disabled, delivery happens after the answer, so its time
    // does not tell a member's address from a stranger's.
    let delivery_worker = if resolved.passwordless.disable_signup {
        let senders = Senders {
            email: Arc::clone(&delivery.email),
            sms: Arc::clone(&delivery.sms),
        };
        let (queue, worker) = delivery_queue::spawn(senders, QueueSettings::default());
        service = service.with_delivery_queue(queue);
        Some(worker)
    } else {
        None
    };
    // Also opens every stored key: a wrong `secret` stops the start here.
    service
        .ensure_signing_keys(&algs)
        .await
        .context("loading signing keys")?;
    let service = Arc::new(service);
    let key_refresher = key_refresh::spawn(
        &service,
        Duration::from_secs(resolved.settings.passwordless.key_refresh_secs),
    )?;

    let h = &resolved.settings.http;
    let mut router = sesame_http::router(
        Services::of(&service, delivery.pages),
        resolved.http.clone(),
    );
    let tls = match (&h.tls_cert, &h.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert.as_ref(), key.as_ref())?),
        _ => None,
    };
    if tls.is_some() {
        router = router.layer(axum::middleware::map_response(strict_transport_security));
    }
    Ok(App {
        service,
        router,
        summary: format!("store: {}; {}", storage.description, delivery.description),
        storage,
        key_refresher,
        console_delivery: delivery.console,
        shutdown_grace: Duration::from_secs(h.shutdown_grace_secs),
        tls,
        delivery_worker,
        metrics,
        event_writer,
        log_stream,
    })
}

/// The sink the service is given: a `tracing` line, the log stream when
/// `[log_stream]` is set, and the store, in batches.
fn events_pipeline(
    resolved: &Resolved,
    storage: &Storage,
) -> anyhow::Result<(Arc<dyn EventSink>, EventWriter, Option<LogStreamWorker>)> {
    let (stream, worker) = match &resolved.settings.log_stream {
        Some(config) => {
            let on_drop = Arc::new(|n: u64| {
                metrics::counter!("sesame_log_stream_dropped_total").increment(n);
            });
            let (sink, worker) = LogStream::spawn(config.clone(), on_drop)
                .context("starting the log stream ([log_stream])")?;
            (Some(Arc::new(sink) as Arc<dyn EventSink>), Some(worker))
        }
        None => (None, None),
    };
    let (sink, writer) = events::spawn(Arc::clone(&storage.events), stream)?;
    Ok((sink, writer, worker))
}

impl App {
    /// The router, for in-process tests.
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The user store, for operators' tools and tests that block a user
    /// (there is no management API yet).
    pub fn users(&self) -> Arc<dyn UserStore> {
        Arc::clone(&self.storage.users)
    }

    /// The log event store, for `sesame logs tail`.
    pub fn events(&self) -> Arc<dyn EventStore> {
        Arc::clone(&self.storage.events)
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting
    /// and lets in-flight requests finish for up to the grace period.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        match self.tls.clone() {
            Some(acceptor) => {
                let listener = TlsListener::new(listener, acceptor)?;
                self.serve_on(listener, shutdown).await
            }
            None => self.serve_on(listener, shutdown).await,
        }
    }

    async fn serve_on<L>(
        self,
        listener: L,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()>
    where
        L: axum::serve::Listener<Addr = SocketAddr>,
    {
        let grace = self.shutdown_grace;
        let metrics_stop = match &self.metrics {
            Some((listen, handle)) => Some(serve_metrics(listen, handle.clone()).await?),
            None => None,
        };
        // axum derives ConnectInfo<SocketAddr> for plain TCP and for tapped
        // listeners only; a no-op tap makes the TLS listener one.
        let listener = listener.tap_io(untouched::<L::Io> as fn(&mut L::Io));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        });
        let mut server = tokio::spawn(server.into_future());
        let shutdown = std::pin::pin!(shutdown);
        let outcome = tokio::select! {
            // The listener failed before anyone asked us to stop.
            finished = &mut server => flatten(finished),
            () = shutdown => {
                let _ = stop_tx.send(());
                match tokio::time::timeout(grace, &mut server).await {
                    Ok(finished) => flatten(finished),
                    Err(_) => {
                        tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time");
                        server.abort();
                        Ok(())
                    }
                }
            }
        };
        // Messages of starts already answered still go out.
        if let Some(worker) = self.delivery_worker {
            worker.drain(grace).await;
        }
        // Log events of answered requests are still written and streamed.
        self.event_writer.shutdown().await;
        if let Some(stream) = self.log_stream {
            stream.shutdown().await;
        }
        drop(self.key_refresher);
        drop(self.storage);
        if let Some(stop) = metrics_stop {
            let _ = stop.send(());
        }
        outcome
    }
}

/// Binds `[metrics] listen` and serves the metrics there until the sender
/// it returns is used or dropped.
async fn serve_metrics(
    listen: &str,
    handle: PrometheusHandle,
) -> std::io::Result<tokio::sync::oneshot::Sender<()>> {
    let listener = TcpListener::bind(listen).await?;
    tracing::info!(listen = %listener.local_addr()?, "metrics on /metrics");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        if let Err(e) = crate::metrics::serve(listener, handle, shutdown).await {
            tracing::warn!(error = %e, "the metrics listener failed");
        }
    });
    Ok(stop)
}

fn flatten(joined: Result<std::io::Result<()>, tokio::task::JoinError>) -> std::io::Result<()> {
    joined.map_err(std::io::Error::other)?
}

/// Served over TLS, the server tells browsers to use nothing else for a
/// year, so a later visit cannot be downgraded to plain HTTP (where a
/// network attacker could read codes and tokens). No `includeSubDomains`:
/// the operator's other hosts are not Sesame's to decide.
async fn strict_transport_security(
    mut response: axum::response::Response,
) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        axum::http::HeaderValue::from_static("max-age=31536000"),
    );
    response
}

/// The no-op I/O tap (see [`App::serve_on`]).
const fn untouched<T>(_: &mut T) {}
