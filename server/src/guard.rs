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
