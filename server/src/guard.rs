//! What a request to a server function must look like before server_fn's
//! decoders see it, and what happens when something panics anyway.
//!
//! - Multipart endpoints (check-in and follow-up: photos) need a
//!   `multipart/form-data` content type with a boundary: server_fn's multipart
//!   decoder panics without one (`expect("couldn't parse boundary")`), and the
//!   endpoint is reachable before signing in. They take up to
//!   [`PHOTO_BODY_LIMIT`]; each photo is limited again while it streams.
//! - Every other server function takes text: its body is read here, up to
//!   [`TEXT_BODY_LIMIT`], and refused with 413 when longer.
//! - A panic anywhere below becomes a logged 500 with an id instead of a dropped
//!   connection ([`panic_response`]).
//!
//! Refusals are the same JSON `AppError` the server functions send, so the page
//! shows a translated message.

use app::error::AppError;
use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::ServerFn;

/// The largest text request: a registration or a daily log is a few KB; the
/// longest field (a daily log, 5,000 characters) percent-encodes to under 50 KB.
pub const TEXT_BODY_LIMIT: usize = 256 * 1024;
/// The largest photo request: six photos of at most 15 MB each, and the fields.
pub const PHOTO_BODY_LIMIT: usize = 100 * 1024 * 1024;

/// The server functions that take multipart forms.
fn is_multipart_endpoint(path: &str) -> bool {
    [
        <app::field::api::CheckIn as ServerFn>::PATH,
        <app::field::api::FollowUp as ServerFn>::PATH,
        <app::alarms::api::AlarmPhotos as ServerFn>::PATH,
    ]
    .contains(&path)
}

/// An `AppError` as the JSON answer a server function would give.
fn error_response(status: StatusCode, err: &AppError) -> Response {
    let body = serde_json::to_vec(err).unwrap_or_default();
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn refuse(status: StatusCode, code: &str) -> Response {
    error_response(status, &AppError::validation("request", code))
}

fn declared_length(req: &Request<Body>) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Checks shape and size of requests to `/api/…` (the server functions).
pub async fn api_guard(req: Request<Body>, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if is_multipart_endpoint(req.uri().path()) {
        let has_boundary = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok())
            .is_some_and(|b| !b.is_empty());
        if !has_boundary {
            return refuse(StatusCode::BAD_REQUEST, "content_type");
        }
        if declared_length(&req).is_some_and(|n| n > PHOTO_BODY_LIMIT as u64) {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
        }
        return next.run(req).await;
    }
    if declared_length(&req).is_some_and(|n| n > TEXT_BODY_LIMIT as u64) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    }
    // A body without a declared length (chunked) is read here, within the limit,
    // so the decoder behind never meets a cut-off body.
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, TEXT_BODY_LIMIT);
    match http_body_util::BodyExt::collect(limited).await {
        Ok(collected) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            refuse(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
        }
        Err(_) => refuse(StatusCode::BAD_REQUEST, "malformed"),
    }
}

/// Is a request from the site's own pages (or a non-browser client)? The
/// `Origin` a browser sends must be the site's (`host`, the `Host` asked
/// for, over either scheme) or one of `allowed` (`BPC_ORIGINS`); without an
/// `Origin`, a browser's `Sec-Fetch-Site` must say `same-origin` or `none` (a
/// typed address, a bookmark). A request carrying neither comes from no
/// browser, so no other site can have made it.
pub fn from_own_site(
    origin: Option<&str>,
    fetch_site: Option<&str>,
    host: Option<&str>,
    allowed: &[String],
) -> bool {
    match origin {
        Some(origin) => {
            let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
            if allowed.contains(&origin) {
                return true;
            }
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match (authority, host) {
                (Some(a), Some(h)) => !a.is_empty() && a == h.trim().to_ascii_lowercase(),
                _ => false,
            }
        }
        None => matches!(fetch_site, None | Some("same-origin") | Some("none")),
    }
}

/// Refuses (403) what another site could make a signed-in browser send: any
/// request that may change something (not GET, HEAD or OPTIONS), the live
/// socket's upgrade, and the audited export download.
pub async fn origin_guard(
    allowed: std::sync::Arc<Vec<String>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let reads_only = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let guarded = !reads_only || path == "/ws" || path.starts_with("/export/");
    if guarded {
        let text = |name: header::HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok());
        let ok = from_own_site(
            text(header::ORIGIN),
            req.headers()
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok()),
            text(header::HOST),
            &allowed,
        );
        if !ok {
            return error_response(StatusCode::FORBIDDEN, &AppError::Forbidden);
        }
    }
    next.run(req).await
}

/// What a page may load and who may frame it. Everything comes from the site
/// itself: scripts (the app's module, its WASM: `wasm-unsafe-eval`), styles,
/// images (and `blob:`/`data:` for a photo's preview before it is sent), the
/// live socket, the service worker. Inline scripts are allowed because
/// Leptos's hydration and the page's small bootstraps are inline; what the
/// policy forbids is loading any script, frame, plugin or form target from
/// elsewhere, and being framed at all.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; \
    connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The headers every answer carries (security review, Low): the policy
/// above, no framing, no type sniffing, no referrer beyond the site.
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    res
}

/// A panic below became this answer: logged once with an id, the id sent.
pub fn panic_response(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let err = app::error::internal(format!("panic: {message}"));
    error_response(StatusCode::INTERNAL_SERVER_ERROR, &err)
}

#[cfg(test)]
mod tests {
    use super::from_own_site;
    use rstest::rstest;

    #[rstest]
    #[case::same_host(Some("http://127.0.0.1:3000"), None, true)]
    #[case::same_host_https(Some("https://127.0.0.1:3000"), None, true)]
    #[case::other_site(Some("https://evil.example"), None, false)]
    #[case::sibling_subdomain(Some("https://a.127.0.0.1:3000"), None, false)]
    #[case::other_port(Some("http://127.0.0.1:3001"), None, false)]
    #[case::opaque(Some("null"), None, false)]
    #[case::configured(Some("https://crm.example.com"), None, true)]
    #[case::configured_with_slash(Some("https://CRM.example.com/"), None, true)]
    #[case::no_origin_same_origin(None, Some("same-origin"), true)]
    #[case::no_origin_typed(None, Some("none"), true)]
    #[case::no_origin_cross_site(None, Some("cross-site"), false)]
    #[case::no_origin_same_site(None, Some("same-site"), false)]
    #[case::no_browser(None, None, true)]
    fn only_the_sites_own_pages_may_act(
        #[case] origin: Option<&str>,
        #[case] fetch_site: Option<&str>,
        #[case] ok: bool,
    ) {
        let allowed = vec!["https://crm.example.com".to_string()];
        assert_eq!(
            from_own_site(origin, fetch_site, Some("127.0.0.1:3000"), &allowed),
            ok
        );
    }
}
