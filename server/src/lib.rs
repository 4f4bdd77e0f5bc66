//! The BPC server: settings, database start-up, the HTTP app, background jobs.

pub mod assets;
pub mod backup;
pub mod db;
pub mod demo;
pub mod export;
pub mod guard;
pub mod import;
pub mod live;
pub mod metrics;
pub mod pwa;
pub mod settings;

use app::photos::PhotoStore;
use app::state::{AppConfig, AppState};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use settings::Settings;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_surrealdb_store::SurrealSessionStore;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbStartError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("photo store (BPC_PHOTOS): {0}")]
    Photos(String),
    #[error("e-mail channel (BPC_SMTP_URL, BPC_SMTP_FROM, BPC_SMTP_TO): {0}")]
    Smtp(String),
    #[error("loading demo data failed: {0}")]
    Demo(app::error::AppError),
}

/// A built, bound, not yet serving application. `port()` is known before serving,
/// so tests can bind port 0.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
    pub hub: live::Hub,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Self::build_on(settings, None).await
    }

    /// Builds on an already open database (`None`: connect as the settings say).
    /// Several applications on one database behave as several app servers.
    pub async fn build_on(
        settings: Settings,
        db: Option<app::db::Db>,
    ) -> Result<Application, StartError> {
        // the metrics recorder, before anything is counted
        let _ = metrics::handle();
        let db = match db {
            Some(db) => db,
            None => db::connect(&settings).await?,
        };
        let config = AppConfig {
            timezone: settings.timezone,
            demo: settings.demo,
            escalate_after_minutes: settings.escalate_after_minutes,
            alarm_escalate_hours: settings.alarm_escalate_hours,
            trusted_proxies: settings.trusted_proxies.clone(),
            import: app::state::Isolation {
                exe: settings.import_exe.clone(),
                memory_mb: settings.import_memory_mb,
            },
            login_limits: app::state::LoginLimits {
                window_secs: settings.login_window_secs,
                max_per_account: settings.login_max_per_account,
                max_per_ip: settings.login_max_per_ip,
            },
        };
        let photos = if settings.photos == "mem" {
            PhotoStore::memory()
        } else {
            PhotoStore::from_setting(&settings.photos).map_err(StartError::Photos)?
        };
        let state = AppState::new(db, config, photos, settings.visit_writers);
        if settings.demo && demo::load_demo(&state.db).await.map_err(StartError::Demo)? {
            tracing::info!("demo company loaded");
            if settings.demo_history {
                let started = std::time::Instant::now();
                let report = demo::history::generate(&state, &demo::history::Plan::demo())
                    .await
                    .map_err(StartError::Demo)?;
                tracing::info!(
                    seconds = started.elapsed().as_secs_f32(),
                    "demo history generated: {report:?}"
                );
            }
        }
        {
            // fill the experience pool's search index now, not in the first
            // searcher's wait (about 9 s at 100,000 entries)
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = app::experience::service::synced(&state).await {
                    tracing::warn!(error = %e, "experience search index not filled at start");
                }
            });
        }
        {
            // search terms of the customers queued for them (each new one, and
            // those from before schema 14), a batch at a time, beside the traffic
            let state = state.clone();
            tokio::spawn(async move {
                loop {
                    match app::customers::repo::index_terms_batch(&state.db, 200).await {
                        Ok(0) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
                        Ok(n) => tracing::debug!(customers = n, "customer search terms written"),
                        Err(e) => {
                            // two servers on one queue: the other wrote them
                            tracing::warn!(error = %e, "customer search terms: batch failed");
                            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                        }
                    }
                }
            });
        }
        if settings.sweep_secs > 0 {
            spawn_sweeper(state.clone(), settings.sweep_secs);
        }
        if settings.remind_secs > 0 {
            let channel = escalation_channel(&settings).map_err(StartError::Smtp)?;
            spawn_reminders(state.clone(), channel, settings.remind_secs);
        }
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|e| StartError::Listen(settings.listen, e))?;
        let hub = live::Hub::start((*state.db).clone(), settings.timezone);
        let router = router(
            &settings,
            state.clone(),
            hub.clone(),
            listener.local_addr().unwrap_or(settings.listen),
        );
        Ok(Application {
            listener,
            router,
            state,
            hub,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn router(settings: &Settings, state: AppState, hub: live::Hub, addr: SocketAddr) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name(assets::output_name(&settings.site_root))
        .site_root(settings.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let routes = generate_route_list(app::App);

    let store = SurrealSessionStore::new((*state.db).clone(), "session".to_string());
    spawn_session_cleanup(store.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name("bpc_session")
        .with_secure(settings.cookie_secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(i64::from(settings.session_hours)),
        ));

    let ctx_state = state.clone();
    let context = move || provide_context(ctx_state.clone());
    let shell_options = leptos_options.clone();
    let page_options = leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(context.clone(), move || {
        app::shell(page_options.clone())
    });
    let import_state = import::ImportState {
        app: state.clone(),
        page: Arc::new(move |request| render(request)),
    };

    let mut router = Router::new();
    if settings.test_clock {
        tracing::warn!("BPC_TEST_CLOCK is on: POST /test/clock moves the clock");
        router = router.route(
            "/test/clock",
            axum::routing::post(advance_clock).with_state(state.clone()),
        );
    }
    let live_state = live::LiveState {
        app: state.clone(),
        hub,
    };
    router
        .route("/healthz", get(healthz).with_state(state.clone()))
        .route(
            "/metrics",
            get(metrics::endpoint).with_state(metrics::MetricsState {
                app: state.clone(),
                token: settings.metrics_token.clone(),
                visit_writers: settings.visit_writers,
            }),
        )
        .route("/ws", get(live::ws_handler).with_state(live_state))
        .route(
            "/export/customers.xlsx",
            get(export::customers_xlsx).with_state(state.clone()),
        )
        .route("/import/template.xlsx", get(import::template_xlsx))
        .route(
            "/import/check",
            axum::routing::post(import::check)
                .layer(axum::extract::DefaultBodyLimit::max(
                    import::CHECK_BODY_LIMIT,
                ))
                .with_state(import_state),
        )
        .route(
            "/import/{id}/errors.xlsx",
            get(import::errors_xlsx).with_state(state.clone()),
        )
        .nest_service("/pkg", assets::pkg_service(&settings.site_root))
        .route("/manifest.webmanifest", get(pwa::serve))
        .route("/photos/{hash}", get(photo).with_state(state.clone()))
        .route(
            "/photos/{hash}/thumb",
            get(photo_thumb).with_state(state.clone()),
        )
        // The start page is the feed (a plain HTTP redirect: works without JavaScript).
        .route("/", get(|| async { axum::response::Redirect::to("/feed") }))
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), move || {
            app::shell(shell_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context,
            app::shell,
        ))
        .with_state(leptos_options)
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn(default_language))
        .layer(middleware::from_fn(assets::cache_headers))
        .layer(sessions)
        // server functions: content type and size per endpoint (413 past the limit)
        .layer(middleware::from_fn(guard::api_guard))
        .layer(middleware::from_fn(guard::security_headers))
        // another site cannot act for a signed-in browser (CSRF beyond SameSite)
        .layer(middleware::from_fn({
            let allowed = Arc::new(settings.origins.clone());
            move |req, next| guard::origin_guard(allowed.clone(), req, next)
        }))
        .layer(CompressionLayer::new())
        // photos are checked one by one (15 MB each); this caps any request
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            guard::PHOTO_BODY_LIMIT,
        ))
        // every request's log lines carry its id, which the answer echoes
        // (`x-request-id`; a proxy's own id is kept)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(metrics::track))
        // a panic anywhere becomes a logged 500 with an id, never a dropped connection
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            guard::panic_response,
        ))
}

/// The span of one request: method, path and the request id, so the lines a
/// service writes while answering can be found together.
fn request_span(req: &Request<Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id = %id)
}

/// The confiscation sweeper: every `secs` seconds, applies the deadline rule to
/// the overdue customers and sends the due warnings.
fn spawn_sweeper(state: AppState, secs: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(tokio::time::Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_purge: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            // about once an hour: uploads keep their cells 7 days
            if last_purge.is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(3600)) {
                last_purge = Some(std::time::Instant::now());
                match app::import::service::purge_expired(&state).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(batches = n, "import cells older than 7 days dropped"),
                    Err(e) => tracing::error!("import purge failed: {e:?}"),
                }
            }
            let started = std::time::Instant::now();
            match app::customers::service::sweep(&state).await {
                Ok(r) => {
                    metrics::sweep(
                        started.elapsed().as_secs_f64(),
                        r.confiscated as u64,
                        r.warned as u64,
                    );
                    if r.confiscated + r.warned > 0 {
                        tracing::info!(confiscated = r.confiscated, warned = r.warned, "sweep")
                    }
                }
                Err(e) => tracing::error!("sweep failed: {e:?}"),
            }
        }
    });
}

/// The escalation channel the settings ask for: e-mail when `BPC_SMTP_URL` is
/// set, the log otherwise.
fn escalation_channel(
    settings: &Settings,
) -> Result<Arc<dyn app::reminders::channel::Channel>, String> {
    use app::reminders::channel::{LogChannel, SmtpChannel};
    Ok(match &settings.smtp_url {
        Some(url) => Arc::new(SmtpChannel::new(
            url,
            &settings.smtp_from,
            &settings.smtp_to,
        )?),
        None => Arc::new(LogChannel),
    })
}

/// Alerts due reminders and escalates unanswered ones; creates the coming
/// birthday and founding-date reminders once an hour.
fn spawn_reminders(state: AppState, channel: Arc<dyn app::reminders::channel::Channel>, secs: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(tokio::time::Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_anniversaries: Option<std::time::Instant> = None;
        // the suggestion box releases its batch when the local hour changes
        let mut batch = app::suggestions::rules::batch_of(state.now(), &state.config.timezone);
        loop {
            tick.tick().await;
            team_jobs(&state, &mut batch).await;
            if last_anniversaries.is_none_or(|t| t.elapsed().as_secs() >= 3600) {
                last_anniversaries = Some(std::time::Instant::now());
                if let Err(e) = app::reminders::service::schedule_anniversaries(&state).await {
                    tracing::error!("anniversary reminders failed: {e:?}");
                }
            }
            match app::reminders::service::tick(&state, channel.as_ref()).await {
                Ok(r) if r.alerted + r.escalated > 0 => {
                    tracing::info!(alerted = r.alerted, escalated = r.escalated, "reminders")
                }
                Ok(_) => {}
                Err(e) => tracing::error!("reminder tick failed: {e:?}"),
            }
        }
    });
}

/// Escalates unanswered alarms; releases the suggestion box's batch when the
/// local hour has changed since `batch`.
async fn team_jobs(state: &AppState, batch: &mut String) {
    match app::alarms::service::escalate(state).await {
        Ok(r) if r.escalated > 0 => tracing::info!(escalated = r.escalated, "alarms"),
        Ok(_) => {}
        Err(e) => tracing::error!("alarm escalation failed: {e:?}"),
    }
    let now = app::suggestions::rules::batch_of(state.now(), &state.config.timezone);
    if now != *batch {
        // the open pipeline as it stands this hour, for the boards' past periods
        if let Err(e) = app::measure::service::snapshot(state).await {
            tracing::error!("pipeline snapshot failed: {e:?}");
        }
        // departments' days that can no longer change, for the profiles' curves
        match app::measure::service::settle(state, false).await {
            Ok(n) if n > 0 => tracing::info!(days = n, "department days settled"),
            Ok(_) => {}
            Err(e) => tracing::error!("settling department days failed: {e:?}"),
        }
        match app::suggestions::service::release(state).await {
            Ok(_) => *batch = now,
            Err(e) => tracing::error!("suggestion release failed: {e:?}"),
        }
    }
}

#[derive(serde::Deserialize)]
struct ClockQuery {
    #[serde(default)]
    days: i64,
    #[serde(default)]
    hours: i64,
}

/// `POST /test/clock?days=N&hours=H` (test servers only): moves the clock on and
/// runs the jobs at once (sweep; with hours, alarm escalation and the suggestion
/// box's release), so a browser test sees the outcome without waiting.
async fn advance_clock(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<ClockQuery>,
) -> Response {
    state
        .clock
        .advance(q.days.clamp(0, 3650) * 86_400 + q.hours.clamp(0, 24 * 3650) * 3600);
    if q.hours > 0 {
        // the hour changed: whatever batch a server remembered is over
        let mut batch = String::new();
        team_jobs(&state, &mut batch).await;
    }
    match app::customers::service::sweep(&state).await {
        Ok(r) => (
            StatusCode::OK,
            format!("now {} confiscated {}", state.now(), r.confiscated),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:?}")).into_response(),
    }
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.query("RETURN 1").await.and_then(|r| r.check()) {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!("health check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Server functions answer every error with 500; JSON callers get the status that
/// matches the `AppError` instead (400 bad input, 401, 403, 404, 409, 429). Plain
/// HTML form posts are redirects and pass untouched.
async fn error_status(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are a few hundred bytes of JSON.
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Pins the language of a first visit to zh-CN: the cookie tells the hydrating
/// browser the same language the server rendered, whatever the browser prefers.
async fn default_language(mut req: Request<Body>, next: Next) -> Response {
    // The UI speaks zh-CN unless the user chose otherwise (cookie or profile): the
    // browser's Accept-Language is deliberately ignored, so the app never sees it.
    req.headers_mut().remove(header::ACCEPT_LANGUAGE);
    let has_cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("i18n_pref_locale="));
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let sets_cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("i18n_pref_locale="));
    if !has_cookie && is_html && !sets_cookie {
        res.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static(
                "i18n_pref_locale=zh-CN; Path=/; Max-Age=31536000; SameSite=Lax",
            ),
        );
    }
    res
}

fn spawn_session_cleanup<C>(store: SurrealSessionStore<C>)
where
    C: surrealdb::Connection + std::fmt::Debug,
{
    use tower_sessions::session_store::ExpiredDeletion;
    tokio::spawn(async move {
        if let Err(e) = store
            .continuously_delete_expired(tokio::time::Duration::from_secs(600))
            .await
        {
            tracing::error!("session cleanup stopped: {e}");
        }
    });
}

async fn photo(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    axum::extract::Path(hash): axum::extract::Path<String>,
) -> Response {
    serve_photo(state, session, hash, false).await
}

async fn photo_thumb(
    State(state): State<AppState>,
    session: tower_sessions::Session,
    axum::extract::Path(hash): axum::extract::Path<String>,
) -> Response {
    serve_photo(state, session, hash, true).await
}

/// Photos are for signed-in users; the address is the content hash, shown only
/// with events the user may see.
async fn serve_photo(
    state: AppState,
    session: tower_sessions::Session,
    hash: String,
    thumb: bool,
) -> Response {
    match app::auth::session::user_of_session(&state.db, &session).await {
        Ok(Some(_)) => {}
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    match state.photos.get(&hash, thumb).await {
        Ok(Some((bytes, mime))) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
