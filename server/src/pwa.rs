//! The web app manifest: what a phone shows when BPC is added to the home
//! screen. Built per request from the translation files, in the language of the
//! visitor's cookie (zh-CN unless they chose English). The service worker and
//! icons are plain files under `public/`.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The manifest in one language ("en", else zh-CN).
pub fn manifest(language: &str) -> serde_json::Value {
    let t = app::import::service::locale(language);
    let text = |key: &str| crate::export::label(t, key);
    let lang = if language == "en" { "en" } else { "zh-CN" };
    let icon = |src: &str, sizes: &str, kind: &str, purpose: &str| serde_json::json!({ "src": src, "sizes": sizes, "type": kind, "purpose": purpose });
    serde_json::json!({
        "name": text("app_name"),
        "short_name": text("app_short_name"),
        "description": text("app_tagline"),
        "lang": lang,
        "id": "/feed",
        "start_url": "/feed",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": "#b4232a",
        "background_color": "#ffffff",
        "icons": [
            icon("/icons/icon-192.png", "192x192", "image/png", "any"),
            icon("/icons/icon-512.png", "512x512", "image/png", "any"),
            icon("/icons/maskable-512.png", "512x512", "image/png", "maskable"),
            icon("/icons/icon.svg", "any", "image/svg+xml", "any"),
        ],
    })
}

/// The language a request's `i18n_pref_locale` cookie names.
pub fn cookie_language(headers: &HeaderMap) -> &'static str {
    let english = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == "i18n_pref_locale=en");
    if english {
        "en"
    } else {
        "zh-CN"
    }
}

/// `GET /manifest.webmanifest`
pub async fn serve(headers: HeaderMap) -> Response {
    let body = manifest(cookie_language(&headers)).to_string();
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/manifest+json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("cookie"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_speaks_the_cookies_language() {
        for (cookie, lang, name) in [
            (None, "zh-CN", "BPC 业务过程控制"),
            (Some("i18n_pref_locale=zh-CN"), "zh-CN", "BPC 业务过程控制"),
            (
                Some("a=1; i18n_pref_locale=en"),
                "en",
                "BPC Business Process Control",
            ),
            (
                Some("i18n_pref_locale=english"),
                "zh-CN",
                "BPC 业务过程控制",
            ),
        ] {
            let mut headers = HeaderMap::new();
            if let Some(c) = cookie {
                headers.insert(header::COOKIE, HeaderValue::from_str(c).unwrap());
            }
            let m = manifest(cookie_language(&headers));
            assert_eq!(m["lang"], lang, "{cookie:?}");
            assert_eq!(m["name"], name, "{cookie:?}");
            assert_eq!(m["short_name"], "BPC");
            assert_eq!(m["start_url"], "/feed");
            assert_eq!(m["display"], "standalone");
            assert!(m["icons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["sizes"] == "512x512" && i["type"] == "image/png"));
        }
    }
}
