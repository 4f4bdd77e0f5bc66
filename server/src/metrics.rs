//! Prometheus metrics at `/metrics` (the `metrics` facade, rendered by
//! `metrics-exporter-prometheus`): requests and their latency per server
//! function or kind of page, open websockets, sweep durations, confiscations,
//! and the check-in writers in use. Served only when `BPC_METRICS_TOKEN` is set,
//! to a scraper that presents it as a bearer token: the counts say how the
//! company works and are nobody else's business.

use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Instant;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The process's recorder (installed once; every app in a test process shares it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .ok()?
                .install_recorder()
                .ok()?;
            // histograms are summed into their buckets on upkeep
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    upkeep.run_upkeep();
                })
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

/// The server functions' paths (`/api/<name>`), as registered.
fn server_functions() -> &'static HashSet<String> {
    static PATHS: OnceLock<HashSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_string())
            .collect()
    })
}

/// What a request is counted as: a server function by name (only those that
/// exist: a made-up name counts as `api:unknown`), or the kind of page or file,
/// so the labels stay few whatever a client sends.
pub fn route_label(path: &str, known: impl Fn(&str) -> bool) -> String {
    if let Some(name) = path.strip_prefix("/api/") {
        return if known(path) {
            format!("api:{name}")
        } else {
            "api:unknown".into()
        };
    }
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "pkg" => "asset",
        "photos" => "photo",
        "ws" => "websocket",
        "healthz" => "healthz",
        "metrics" => "metrics",
        "import" => "import",
        "export" => "export",
        _ => "page",
    }
    .into()
}

/// Requests that are not counted: a suggestion's post, whose moment alone
/// would point at whoever was just online (the box's anonymity promise).
const UNCOUNTED: &[&str] = &["/api/post_suggestion"];

/// Counts every request and times it (but [`UNCOUNTED`]).
pub async fn track(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if UNCOUNTED.contains(&path.as_str()) {
        return next.run(req).await;
    }
    let started = Instant::now();
    let res = next.run(req).await;
    let route = route_label(&path, |p| server_functions().contains(p));
    let class = format!("{}xx", res.status().as_u16() / 100);
    metrics::counter!("bpc_http_requests_total", "route" => route.clone(), "status" => class)
        .increment(1);
    metrics::histogram!("bpc_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// An open websocket, counted while it lives.
pub struct Socket;

impl Socket {
    pub fn open() -> Socket {
        metrics::gauge!("bpc_websockets_open").increment(1.0);
        Socket
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        metrics::gauge!("bpc_websockets_open").decrement(1.0);
    }
}

/// One sweep: how long it took, what it confiscated and warned.
pub fn sweep(seconds: f64, confiscated: u64, warned: u64) {
    metrics::histogram!("bpc_sweep_duration_seconds").record(seconds);
    metrics::counter!("bpc_confiscations_total").increment(confiscated);
    metrics::counter!("bpc_warnings_total").increment(warned);
}

#[derive(Clone)]
pub struct MetricsState {
    pub app: AppState,
    pub token: Option<String>,
    pub visit_writers: usize,
}

/// `GET /metrics`: 404 unless a token is set; 401 without it.
pub async fn endpoint(State(s): State<MetricsState>, headers: HeaderMap) -> Response {
    let Some(token) = &s.token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // compared in constant time: how long a wrong guess takes says nothing
    let matches = presented
        .is_some_and(|p| constant_time_eq::constant_time_eq(p.as_bytes(), token.as_bytes()));
    if !matches {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(handle) = handle() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    // check-ins and follow-ups being written now (the rest wait their turn)
    let busy = s
        .visit_writers
        .saturating_sub(s.app.visit_writers.available_permits());
    metrics::gauge!("bpc_visit_writers_busy").set(busy as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_few_whatever_the_path() {
        let known = |p: &str| p == "/api/checkin";
        assert_eq!(route_label("/api/checkin", known), "api:checkin");
        assert_eq!(route_label("/api/made_up", known), "api:unknown");
        assert_eq!(route_label("/api/%FF%FE", known), "api:unknown");
        assert_eq!(
            route_label("/pkg/bpc.0123456789abcdef.wasm", known),
            "asset"
        );
        assert_eq!(route_label("/customers/abc", known), "page");
        assert_eq!(route_label("/photos/x/thumb", known), "photo");
        assert_eq!(route_label("/", known), "page");
    }
}
