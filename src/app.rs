//! One running instance: its state, its router, and `run`.
//!
//! Nothing here is global: [`start`] builds everything from the settings it
//! is given, so one process can run several instances (the demo and the
//! integration tests do).

use crate::{
    api, apub,
    config::Settings,
    domain::{Domain, DomainError},
    error::AppError,
    mail::Mailer,
    web,
};
use activitypub_federation::config::{FederationConfig, FederationMiddleware};
use axum::http::{header, HeaderValue};
use axum::{
    extract::DefaultBodyLimit,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{
    future::Future,
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::net::TcpListener;
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Seconds a client is asked to wait (`Retry-After`) after a 503.
pub const RETRY_AFTER_SECS: u32 = 2;

/// Per-address rate limits on log-in and sign-up.
pub struct RateLimits {
    login: DefaultKeyedRateLimiter<IpAddr>,
    signup: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimits {
    fn new(settings: &Settings) -> RateLimits {
        let per_minute =
            NonZeroU32::new(settings.limits.login_per_minute).unwrap_or(NonZeroU32::MIN);
        let per_hour = NonZeroU32::new(settings.limits.signup_per_hour).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            login: RateLimiter::keyed(Quota::per_minute(per_minute)),
            signup: RateLimiter::keyed(Quota::per_hour(per_hour)),
        }
    }

    /// Whether this address may try to log in now.
    pub fn allow_login(&self, ip: IpAddr) -> bool {
        self.login.check_key(&ip).is_ok()
    }

    /// Whether this address may sign up (or ask for a mail) now.
    pub fn allow_signup(&self, ip: IpAddr) -> bool {
        self.signup.check_key(&ip).is_ok()
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Rules, store, mail and settings.
    pub domain: Domain,
    /// Compiled page templates.
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Rate limits.
    pub limits: Arc<RateLimits>,
    /// Remote threads backfilled recently (thread id → when), so opening a
    /// thread again does not fetch it again at once.
    pub backfills: Arc<std::sync::Mutex<std::collections::HashMap<i64, Instant>>>,
    /// Signers' keys and recently applied activity ids, kept by the inbox.
    pub inbox_memory: Arc<crate::apub::inbox::InboxMemory>,
    /// The HTTP client for fetches outside activitypub_federation
    /// (NodeInfo of other instances); same limits and address checks.
    pub http: reqwest_middleware::ClientWithMiddleware,
    /// The charter, rendered once.
    pub charters: Arc<web::Charters>,
    /// Local actors' private keys, parsed once, for signing deliveries.
    pub signers: Arc<apub::signing::SignerCache>,
    /// Thread pages' reply lists as visitors not logged in see them.
    pub reply_fragments: Arc<web::fragments::ReplyFragments>,
    /// The API's thread pages, serialised.
    pub thread_json: Arc<api::posts::ThreadJson>,
}

impl AppState {
    /// Whether public URLs use https (then cookies are `Secure`).
    pub fn is_https(&self) -> bool {
        self.domain.settings.scheme() == "https"
    }
}

/// Why an instance could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] crate::domain::rows::StoreError),
    /// Mail settings are invalid.
    #[error(transparent)]
    Mail(#[from] crate::mail::MailSetupError),
    /// A template does not compile.
    #[error("template error: {0}")]
    Templates(#[from] minijinja::Error),
    /// Creating the instance actor failed.
    #[error("cannot create the instance actor: {0}")]
    InstanceActor(String),
    /// The federation library refused its configuration.
    #[error("federation setup: {0}")]
    Federation(String),
    /// A configured attestation file cannot be served.
    #[error("{0}")]
    Trust(String),
    /// The listener failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the domain layer (database, mailer) for these settings.
pub async fn build_domain(settings: Settings) -> Result<Domain, StartError> {
    build_domain_with_clock(settings, crate::domain::clock::Clock::system()).await
}

/// Builds the domain of an instance reading time from `clock`.
pub async fn build_domain_with_clock(
    settings: Settings,
    clock: crate::domain::clock::Clock,
) -> Result<Domain, StartError> {
    let mailer = Mailer::from_settings(&settings)?;
    let own_attestations =
        crate::apub::trust::load_own_attestations(&settings).map_err(StartError::Trust)?;
    Ok(Domain::open(settings, mailer, own_attestations, clock).await?)
}

/// The HTTP client of an instance, for activitypub_federation and Préau
/// alike; every GET leaves signed by the instance actor (`fetch_signer`).
fn http_client(
    settings: &Settings,
    fetch_signer: Arc<preau_federation::signatures::RequestSigner>,
) -> reqwest_middleware::ClientWithMiddleware {
    let timeout = Duration::from_secs(10);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(format!(
            "Preau/{} (+{})",
            env!("CARGO_PKG_VERSION"),
            settings.base_url()
        ))
        // Refuses loopback and private addresses unless allowed: this
        // resolver runs for every outgoing fetch and delivery.
        .dns_resolver(Arc::new(
            activitypub_federation::resolver::ValidatingDnsResolver::new(
                Vec::new(),
                !settings.federation.allow_loopback,
            ),
        ))
        .build()
        .unwrap_or_default();
    reqwest_middleware::ClientBuilder::new(client)
        // Every outgoing request, IP literals included, passes the address
        // filter first; host names are checked again by the resolver above.
        // Then every GET is signed with the instance actor's key.
        .with(apub::address_filter::AddressFilter {
            allow_loopback: settings.federation.allow_loopback,
        })
        .with(apub::signing::SignFetches::new(fetch_signer))
        .build()
}

/// A built instance: its state, router and federation configuration.
pub struct BuiltApp {
    /// Shared state.
    pub state: AppState,
    /// All routes.
    pub router: Router,
    /// activitypub_federation's configuration (signing, fetching).
    pub federation: FederationConfig<AppState>,
}

/// Builds the state and the router of an instance.
pub async fn build_app(settings: Settings) -> Result<BuiltApp, StartError> {
    build_app_with_clock(settings, crate::domain::clock::Clock::system()).await
}

/// Builds the state and the router of an instance reading time from
/// `clock` (tests move it forward).
pub async fn build_app_with_clock(
    settings: Settings,
    clock: crate::domain::clock::Clock,
) -> Result<BuiltApp, StartError> {
    let domain = build_domain_with_clock(settings, clock).await?;
    let instance_actor = apub::actors::ensure_instance_actor(&domain)
        .await
        .map_err(|error| StartError::InstanceActor(error.to_string()))?;
    let signers = Arc::new(apub::signing::SignerCache::default());
    let fetch_signer = signers
        .signer_for(
            &instance_actor.ap_id,
            instance_actor
                .private_key_pem
                .as_deref()
                .unwrap_or_default(),
        )
        .map_err(|error| StartError::InstanceActor(error.to_string()))?;
    let http = http_client(&domain.settings, fetch_signer);
    let state = AppState {
        signers,
        limits: Arc::new(RateLimits::new(&domain.settings)),
        backfills: Arc::default(),
        reply_fragments: Arc::default(),
        thread_json: Arc::default(),
        inbox_memory: Arc::default(),
        http: http.clone(),
        templates: Arc::new(web::build_templates()?),
        charters: Arc::new(web::Charters::render(&domain.settings)),
        domain,
    };
    let allow_loopback = state.domain.settings.federation.allow_loopback;
    let federation = FederationConfig::builder()
        .domain(state.domain.settings.instance.domain.clone())
        .app_data(state.clone())
        .client(http)
        .debug(allow_loopback)
        .allow_http_urls(allow_loopback)
        // Nothing is signed by the library: deliveries are signed by
        // jobs::delivery and every GET by the client's `SignFetches`
        // (apub::signing), with keys parsed once and blinded RSA.
        .url_verifier(Box::new(apub::policy::PolicyVerifier {
            domain: state.domain.clone(),
        }))
        .build()
        .await
        .map_err(|error| StartError::Federation(error.to_string()))?;
    let pages = web::routes()
        .route("/users/{name}", get(web::profile::show_profile))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::session::csrf_cookie,
        ))
        .layer(axum::middleware::from_fn(web::notice::clear_after_page));
    let router = Router::new()
        .merge(pages)
        .merge(apub::routes())
        .nest("/api/v1", api::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
            ),
        ))
        .layer(axum::middleware::map_response(retry_after_when_busy))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn(apub::policy::gate_reads))
        .layer(FederationMiddleware::new(federation.clone()))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state.clone());
    Ok(BuiltApp {
        state,
        router,
        federation,
    })
}

/// Every 503 (pages, API, federation) tells the client when to come back.
async fn retry_after_when_busy(mut response: Response) -> Response {
    if response.status() == axum::http::StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    }
    response
}

/// An unknown address: a page for a browser (with the site's header and
/// where to go next), the JSON error for API and federation clients.
async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> Response {
    error_for(&state, request, AppError::not_found()).await
}

/// A method the address does not take (a browser reopening the address
/// of a form it posted, say): the same page or JSON as [`not_found`].
async fn method_not_allowed(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let error = AppError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    error_for(&state, request, error).await
}

/// `error` as an HTML page when the client asks for HTML outside the API,
/// as JSON otherwise.
async fn error_for(state: &AppState, request: axum::extract::Request, error: AppError) -> Response {
    let wants_html = !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        let (mut parts, _body) = request.into_parts();
        use axum::extract::FromRequestParts;
        if let Ok(page) = web::session::Page::from_request_parts(&mut parts, state).await {
            return state.error_page(&page, error);
        }
    }
    error.into_response()
}

/// Serves an instance on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let started = Instant::now();
    let app = build_app(settings).await?;
    let state = app.state.clone();
    tracing::info!(
        url = %state.domain.settings.base_url(),
        listen = %listener.local_addr()?,
        ready_in_ms = started.elapsed().as_millis() as u64,
        "Préau instance ready"
    );
    let live = listen_live(&state).await?;
    let mail = crate::mail_receiver::bind(&state.domain).await?;
    if let Some(mail) = &mail {
        tracing::info!(listen = %mail.local_addr()?, "replies by mail received over SMTP");
    }
    serve(listener, app, live, mail, shutdown).await
}

/// Starts the listener of live events of `state` (PostgreSQL), so that
/// streams opened once the instance answers miss nothing.
async fn listen_live(state: &AppState) -> Result<Option<tokio::task::JoinHandle<()>>, StartError> {
    state
        .domain
        .listen_live()
        .await
        .map_err(|error| StartError::Io(std::io::Error::other(error.to_string())))
}

async fn serve(
    listener: TcpListener,
    app: BuiltApp,
    live: Option<tokio::task::JoinHandle<()>>,
    mail: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let mail = mail.map(|listener| crate::mail_receiver::spawn(listener, app.state.domain.clone()));
    let BuiltApp {
        state,
        router,
        federation,
    } = app;
    // Open streams would hold the graceful shutdown forever: they end
    // when it begins.
    let streams = state.domain.clone();
    let shutdown = async move {
        shutdown.await;
        streams.stop_live();
    };
    let maintenance = crate::jobs::spawn_maintenance(state.domain.clone());
    let trust_checks = crate::jobs::spawn_trust_checks(state.clone());
    let notification_mail = crate::jobs::spawn_notification_mail(state.domain.clone());
    let presence = crate::jobs::spawn_presence_upkeep(state.domain.clone());
    let delivery = crate::jobs::delivery::spawn_delivery_workers(
        federation,
        state.domain.delivery_waker.clone(),
    );
    let result = serve_http1(listener, router, shutdown).await;
    maintenance.abort();
    trust_checks.abort();
    notification_mail.abort();
    presence.abort();
    if let Some(mail) = mail {
        mail.abort();
    }
    if let Some(live) = live {
        live.abort();
    }
    delivery.abort();
    let _ = delivery.await;
    state.domain.close().await;
    result.map_err(StartError::Io)
}

/// Serves `router` on `listener` over HTTP/1.1 until `shutdown`, then
/// lets each connection finish its request in flight.
///
/// In place of `axum::serve`, whose connections go through `hyper_util`'s
/// HTTP/1-or-2 builder: each connection here holds only HTTP/1 state, which
/// is what an idle connection (a live stream, most of all) costs in memory
/// (docs/performance.md, *Live streams*). Préau is reached over HTTP/1.1
/// (directly or behind a reverse proxy); the peer's address is given to
/// the handlers as `ConnectInfo`, as before.
async fn serve_http1(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let (stop, stopped) = tokio::sync::watch::channel(());
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, a connection reset before
                    // it was taken: wait a little and go on.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(router.clone(), request)
            },
        );
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    drop(stop);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// An instance started in the background (demo, tests).
pub struct RunningInstance {
    /// The address it listens on.
    pub address: SocketAddr,
    /// Its public base URL.
    pub base_url: String,
    /// Where its SMTP listener of replies by mail listens, when
    /// `mail.receive_listen` is set.
    pub mail_address: Option<SocketAddr>,
    /// Its state, so tests and the demo can act on it directly.
    pub state: AppState,
    /// Its federation configuration, so the demo can resolve remote
    /// actors as a request would.
    pub federation: FederationConfig<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), StartError>>,
}

impl RunningInstance {
    /// Runs delivery to completion: wakes the delivery workers and waits,
    /// at most `bound`, until no delivery is due or being attempted (each
    /// is done, refused, failed, or waiting for a later retry). Returns
    /// whether the queue got there in time.
    pub async fn deliver_queued(&self, bound: Duration) -> Result<bool, DomainError> {
        self.state.domain.deliver_queued(bound).await
    }

    /// Stops the instance and waits for it to finish.
    pub async fn stop(mut self) -> Result<(), StartError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.await {
            Ok(result) => result,
            Err(error) => Err(StartError::Io(std::io::Error::other(error.to_string()))),
        }
    }
}

/// Binds `settings.server.listen` and runs the instance in a background
/// task. With port 0 a free port is picked, and a domain ending in `:0`
/// (`localhost:0`) gets that port.
pub async fn spawn(settings: Settings) -> Result<RunningInstance, StartError> {
    let listener = TcpListener::bind(settings.server.listen).await?;
    spawn_on(listener, settings, crate::domain::clock::Clock::system()).await
}

/// Runs the instance in a background task on a listener already bound
/// (so no other process can take its port in between), reading time from
/// `clock`. A domain ending in `:0` (`localhost:0`) gets the listener's
/// port.
pub async fn spawn_on(
    listener: TcpListener,
    mut settings: Settings,
    clock: crate::domain::clock::Clock,
) -> Result<RunningInstance, StartError> {
    let address = listener.local_addr()?;
    settings.server.listen = address;
    if let Some(host) = settings.instance.domain.strip_suffix(":0") {
        settings.instance.domain = format!("{host}:{}", address.port());
    }
    let app = build_app_with_clock(settings, clock).await?;
    let state = app.state.clone();
    let federation = app.federation.clone();
    let base_url = state.domain.settings.base_url();
    let live = listen_live(&state).await?;
    let mail = crate::mail_receiver::bind(&state.domain).await?;
    let mail_address = match &mail {
        Some(mail) => Some(mail.local_addr()?),
        None => None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, live, mail, async move {
        let _ = stopped.await;
    }));
    Ok(RunningInstance {
        address,
        base_url,
        mail_address,
        state,
        federation,
        stop: Some(stop),
        task,
    })
}
