//! The site's files as a production site serves them. `./bpc site` names the
//! JS, WASM and CSS after a hash of their content (`pkg/bpc.<hash>.*`, the hash
//! in `pkg/bpc.hash`) and writes gzip and brotli copies beside them; here they
//! are served by tower-http's `ServeDir` (the precompressed copy the browser
//! accepts, never compressed again per request), cached for a year as
//! immutable: a new build has new names. Everything else under `/pkg` and every
//! HTML page is revalidated (`no-cache`).

use axum::body::Body;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::path::Path;
use tower_http::services::ServeDir;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The name the pages load the site's files by: `bpc.<hash>` when the build
/// wrote a hash, else `bpc`.
pub fn output_name(site_root: &str) -> String {
    match std::fs::read_to_string(Path::new(site_root).join("pkg").join("bpc.hash")) {
        Ok(h) if is_hash(h.trim()) => format!("bpc.{}", h.trim()),
        _ => "bpc".to_string(),
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a `/pkg` file name carries its content's hash (`bpc.<16 hex>.<ext>`).
pub fn hashed(file: &str) -> bool {
    let mut parts = file.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("bpc"), Some(h), Some("js" | "wasm" | "css"), None) if is_hash(h)
    )
}

/// `/pkg/*`: the files, precompressed.
pub fn pkg_service(site_root: &str) -> ServeDir {
    ServeDir::new(Path::new(site_root).join("pkg"))
        .precompressed_br()
        .precompressed_gzip()
}

/// Cache headers: hashed files forever, anything else (pages, unhashed files)
/// checked again on each use. Responses that set their own are left alone.
pub async fn cache_headers(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if res.headers().contains_key(header::CACHE_CONTROL) || !res.status().is_success() {
        return res;
    }
    let forever = path.strip_prefix("/pkg/").is_some_and(hashed);
    let value = if forever { IMMUTABLE } else { REVALIDATE };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_named_files_are_kept_forever() {
        assert!(hashed("bpc.0123456789abcdef.wasm"));
        assert!(hashed("bpc.0123456789abcdef.js"));
        assert!(hashed("bpc.0123456789abcdef.css"));
        assert!(!hashed("bpc.wasm"));
        assert!(!hashed("bpc.0123456789abcdef.wasm.br"));
        assert!(!hashed("bpc.0123456789abcdeg.js"));
        assert!(!hashed("bpc.0123.js"));
        assert!(!hashed("other.0123456789abcdef.js"));
    }
}
