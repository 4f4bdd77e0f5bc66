//! Prometheus metrics: only for a scraper with the token; requests counted per
//! server function, with made-up names folded into one label.

use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::StatusCode;

#[tokio::test]
async fn metrics_are_served_only_with_the_token_and_count_requests_by_function() {
    // no token set: no /metrics at all
    let closed = spawn_app().await;
    let (status, _) = closed.client().get("/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let app = spawn_app_with(|s| s.metrics_token = Some("scrape-secret".into())).await;
    let mut client = app.signed_in("rep1").await;
    client.call("whoami", &[]).await;
    let _ = client
        .raw(
            reqwest::Method::POST,
            "/api/no_such_function_here",
            None,
            Vec::new(),
        )
        .await;
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.base);
    for auth in [None, Some("Bearer wrong"), Some("scrape-secret")] {
        let mut req = http.get(&url);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        assert_eq!(
            req.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "{auth:?}"
        );
    }
    let body = http
        .get(&url)
        .header("authorization", "Bearer scrape-secret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains(r#"bpc_http_requests_total{route="api:login",status="2xx"}"#),
        "{body}"
    );
    assert!(body.contains(r#"route="api:whoami""#), "{body}");
    assert!(body.contains(r#"route="api:unknown""#), "{body}");
    assert!(!body.contains("no_such_function_here"));
    assert!(
        body.contains("bpc_http_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(body.contains("bpc_visit_writers_busy 0"), "{body}");
}
