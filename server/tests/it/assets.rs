//! The site's files served as a production site does: content-hashed names the
//! pages load, the precompressed copy the browser accepts (never compressed per
//! request), cached for a year as immutable; pages revalidated.

use crate::helpers::spawn_app_with;
use reqwest::StatusCode;

const HASH: &str = "0123456789abcdef";

/// A site directory as `./bpc site` leaves it, with marked contents.
fn site() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("bpc-site-{}-{nanos}", std::process::id()));
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("bpc.hash"), format!("{HASH}\n")).unwrap();
    for ext in ["js", "wasm", "css"] {
        let name = format!("bpc.{HASH}.{ext}");
        std::fs::write(pkg.join(&name), format!("raw {ext}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gzip {ext}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.br")), format!("brotli {ext}")).unwrap();
    }
    std::fs::write(pkg.join("notes.txt"), "unhashed").unwrap();
    dir
}

#[tokio::test]
async fn hashed_files_are_sent_precompressed_and_kept_for_a_year_pages_are_revalidated() {
    let dir = site();
    let root = dir.to_string_lossy().to_string();
    let app = spawn_app_with(|s| s.site_root = root).await;
    let http = reqwest::Client::new();
    let get = |path: String, accept: &'static str| {
        let (http, base) = (http.clone(), app.base.clone());
        async move {
            let r = http
                .get(format!("{base}{path}"))
                .header("accept-encoding", accept)
                .send()
                .await
                .unwrap();
            let h = |k: &str| {
                r.headers()
                    .get(k)
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default()
            };
            let (status, enc, cache) = (r.status(), h("content-encoding"), h("cache-control"));
            (status, enc, cache, r.text().await.unwrap())
        }
    };
    let wasm = format!("/pkg/bpc.{HASH}.wasm");
    let (status, enc, cache, body) = get(wasm.clone(), "gzip, deflate, br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((enc.as_str(), body.as_str()), ("br", "brotli wasm"));
    assert_eq!(cache, "public, max-age=31536000, immutable");
    let (_, enc, _, body) = get(wasm.clone(), "gzip").await;
    assert_eq!((enc.as_str(), body.as_str()), ("gzip", "gzip wasm"));
    let (_, enc, _, body) = get(wasm, "identity").await;
    assert_eq!((enc.as_str(), body.as_str()), ("", "raw wasm"));
    // a file without a content hash is checked again on each use
    let (status, _, cache, _) = get("/pkg/notes.txt".into(), "identity").await;
    assert_eq!((status, cache.as_str()), (StatusCode::OK, "no-cache"));
    // the pages load the hashed names and are revalidated
    let (status, _, cache, html) = get("/login".into(), "identity").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache, "no-cache");
    for ext in ["js", "wasm", "css"] {
        assert!(
            html.contains(&format!("/pkg/bpc.{HASH}.{ext}")),
            "{ext} in {html}"
        );
    }
    // the login page is a plain form: it only names the app's files, to be
    // prefetched for the next page once the rep touches the form; the app's
    // pages load and run them
    assert!(!html.contains("modulepreload"), "{html}");
    assert!(
        html.contains(&format!(
            r#"<meta name="bpc-prefetch" content="/pkg/bpc.{HASH}.js /pkg/bpc.{HASH}.wasm">"#
        )),
        "{html}"
    );
    let (_, _, _, feed) = get("/feed".into(), "identity").await;
    assert!(
        feed.contains(&format!(r#"rel="modulepreload" href="/pkg/bpc.{HASH}.js""#)),
        "{feed}"
    );
    assert!(!feed.contains("bpc-prefetch"), "{feed}");
    // a missing file is a 404, not kept
    let (status, _, cache, _) = get(format!("/pkg/bpc.{HASH}.map"), "identity").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(cache, "public, max-age=31536000, immutable");
    let _ = std::fs::remove_dir_all(dir);
}
