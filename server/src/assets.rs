//! The site's files as a production site serves them. `./bpc site` names the
//! JS, WASM and CSS after a hash of their content (`pkg/bpc.<hash>.*`, the hash
//! in `pkg/bpc.hash`) and writes gzip and brotli copies beside them. The hashed
//! files found at start are kept in memory and answered from there (the copy
//! the browser accepts, never compressed again per request): a name's content
//! never changes, and tower-http's `ServeDir` spent about 1.2 ms of CPU reading
//! each one (1,283 answers/s against 13,286 for `/healthz`, `wrk`). Anything
//! else under `/pkg` is `ServeDir`'s, precompressed too. Hashed files are cached
//! for a year as immutable (a new build has new names); everything else under
//! `/pkg` and every HTML page is revalidated (`no-cache`).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
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

/// One hashed file in memory, as sent: plain and the precompressed copies.
struct Held {
    content_type: &'static str,
    plain: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// The encodings a response can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Which copy to send for an `Accept-Encoding` header: brotli when accepted
/// and held, else gzip, else the plain file. A coding with `q=0` is refused.
pub fn choose(accept: &str, has_br: bool, has_gzip: bool) -> Encoding {
    let accepts = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let q = it
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            (coding.eq_ignore_ascii_case(name) || coding == "*") && q > 0.0
        })
    };
    if has_br && accepts("br") {
        Encoding::Brotli
    } else if has_gzip && accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    }
}

/// The site's `/pkg` files: the hashed ones held in memory, the rest read by
/// `ServeDir`.
struct Pkg {
    held: HashMap<String, Held>,
    dir: ServeDir,
}

fn hold(dir: &Path) -> HashMap<String, Held> {
    let mut held = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return held;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !hashed(&name) {
            continue;
        }
        let read = |suffix: &str| std::fs::read(dir.join(format!("{name}{suffix}"))).ok();
        if let Some(plain) = read("") {
            held.insert(
                name.clone(),
                Held {
                    content_type: content_type(&name),
                    plain: plain.into(),
                    br: read(".br").map(Bytes::from),
                    gzip: read(".gz").map(Bytes::from),
                },
            );
        }
    }
    held
}

async fn serve_pkg(State(pkg): State<Arc<Pkg>>, req: Request<Body>) -> Response {
    let name = req.uri().path().trim_start_matches('/');
    let Some(file) = pkg.held.get(name) else {
        return match pkg.dir.clone().oneshot(req).await {
            Ok(res) => res.map(Body::new),
            Err(never) => match never {},
        };
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, coding) = match choose(accept, file.br.is_some(), file.gzip.is_some()) {
        Encoding::Brotli => (file.br.clone().unwrap_or_default(), Some("br")),
        Encoding::Gzip => (file.gzip.clone().unwrap_or_default(), Some("gzip")),
        Encoding::Identity => (file.plain.clone(), None),
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    res
}

/// `/pkg/*`: the files, precompressed.
pub fn pkg_service(site_root: &str) -> axum::Router {
    let dir = Path::new(site_root).join("pkg");
    let pkg = Pkg {
        held: hold(&dir),
        dir: ServeDir::new(&dir).precompressed_br().precompressed_gzip(),
    };
    axum::Router::new()
        .fallback(serve_pkg)
        .with_state(Arc::new(pkg))
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
    fn the_copy_sent_is_one_the_browser_accepts() {
        use Encoding::*;
        for (accept, has_br, has_gzip, expected) in [
            ("br, gzip", true, true, Brotli),
            ("gzip, deflate, br, zstd", true, true, Brotli),
            ("gzip", true, true, Gzip),
            ("br;q=0, gzip", true, true, Gzip),
            ("br; q=0.0, gzip;q=0", true, true, Identity),
            ("BR", true, true, Brotli),
            ("*", true, true, Brotli),
            ("br", false, true, Identity),
            ("br, gzip", false, true, Gzip),
            ("", true, true, Identity),
            ("identity", true, true, Identity),
        ] {
            assert_eq!(choose(accept, has_br, has_gzip), expected, "{accept}");
        }
    }

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
