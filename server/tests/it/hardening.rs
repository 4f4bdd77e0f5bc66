//! Hostile input over HTTP: every malformed request gets a 4xx with a code, the
//! server keeps answering, and nothing is written. Then a property run sends
//! generated bodies to every server function, signed in and not.

use crate::helpers::{spawn_app, Client, TestApp};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::{Method, StatusCode};

const FORM: Option<&[u8]> = Some(b"application/x-www-form-urlencoded");

async fn still_answering(app: &TestApp) {
    let (status, body) = app.client().get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

/// Sends a request that must be refused with `status` and `code`, and checks
/// that nothing was written and the server still answers.
async fn refused(
    app: &TestApp,
    client: &Client,
    path: &str,
    content_type: Option<&[u8]>,
    body: Vec<u8>,
    status: StatusCode,
    code: &str,
) {
    let before = app.row_counts().await;
    let reply = client
        .raw(Method::POST, path, content_type, body)
        .await
        .unwrap_or_else(|| panic!("{path}: connection dropped without an answer"));
    assert_eq!(reply.status, status, "{path}: {}", reply.body);
    assert_eq!(reply.error_code(), Some(code), "{path}: {}", reply.body);
    assert_eq!(app.row_counts().await, before, "{path} wrote something");
    still_answering(app).await;
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_a_400_signed_in_or_not() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let rep = app.signed_in("rep1").await;
    let cases: &[(&str, &[u8])] = &[
        (
            "/api/register_customer",
            b"name=\xff\xfe&phones=13800138000",
        ),
        ("/api/move_stage", b"id=\xff&to_stage=s1"),
        ("/api/comment", b"event=x&text=\xc3\x28"),
        ("/api/login", b"login=rep1&password=\xff"),
    ];
    for client in [&anonymous, &rep] {
        for (path, body) in cases {
            refused(
                &app,
                client,
                path,
                FORM,
                body.to_vec(),
                StatusCode::BAD_REQUEST,
                "malformed",
            )
            .await;
        }
    }
}

#[tokio::test]
async fn an_oversized_text_body_is_a_413() {
    let app = spawn_app().await;
    let rep = app.signed_in("rep1").await;
    let mut body = b"name=".to_vec();
    body.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    body.extend(b"&phones=13800138000");
    refused(
        &app,
        &rep,
        "/api/register_customer",
        FORM,
        body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    )
    .await;
    // just under the limit is read and judged on its content (too long a name)
    let mut body = b"name=".to_vec();
    body.extend(std::iter::repeat_n(b'a', 200 * 1024));
    body.extend(b"&phones=13800138000");
    let reply = rep
        .raw(Method::POST, "/api/register_customer", FORM, body)
        .await
        .expect("answer");
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.error_code(), Some("too_long"));
}

#[tokio::test]
async fn photo_endpoints_refuse_anything_but_multipart_with_a_boundary() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let rep = app.signed_in("rep1").await;
    let cases: &[(Option<&[u8]>, &[u8])] = &[
        (Some(b"application/json"), b"{}"),
        (Some(b"application/json"), b"{\"customer\":\"x\"}"),
        (None, b""),
        (None, b"customer=x"),
        (Some(b"multipart/form-data"), b"--x\r\n\r\n--x--"),
        (Some(b"multipart/form-data; boundary="), b""),
        (Some(b"text/plain"), b"hello"),
        (FORM, b"customer=x&purpose=y"),
    ];
    for client in [&anonymous, &rep] {
        for path in ["/api/checkin", "/api/followup"] {
            for (ct, body) in cases {
                refused(
                    &app,
                    client,
                    path,
                    *ct,
                    body.to_vec(),
                    StatusCode::BAD_REQUEST,
                    "content_type",
                )
                .await;
            }
        }
    }
    // a broken multipart body with a boundary is refused by the form reader
    let reply = rep
        .raw(
            Method::POST,
            "/api/checkin",
            Some(b"multipart/form-data; boundary=XyZ"),
            b"--XyZ\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nhalf".to_vec(),
        )
        .await
        .expect("answer");
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    still_answering(&app).await;
}

#[tokio::test]
async fn control_bidi_and_mangled_characters_are_refused_per_field() {
    let app = spawn_app().await;
    let mut rep = app.signed_in("rep1").await;
    let cases: &[(&str, &str, &str)] = &[
        ("华为\u{202E}技术", "name", "bidi_chars"),
        ("华为\0技术", "name", "control_chars"),
        ("华为\u{1b}技术", "name", "control_chars"),
        // %FF decodes leniently to U+FFFD: the text was damaged on the way
        ("华为\u{FFFD}技术", "name", "invalid_chars"),
    ];
    for (name, field, code) in cases {
        let before = app.row_counts().await;
        let r = rep
            .call(
                "register_customer",
                &[("name", name), ("phones", "13800138000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name:?}: {}", r.body);
        assert_eq!(
            (r.error_field(), r.error_code()),
            (Some(*field), Some(*code))
        );
        assert_eq!(app.row_counts().await, before);
    }
    // the count does see a write: the same registration, clean, is stored
    let before = app.row_counts().await;
    let r = rep
        .call(
            "register_customer",
            &[("name", "华为技术"), ("phones", "13800138000")],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_ne!(app.row_counts().await, before);

    // percent-encoded invalid UTF-8 on the wire
    let reply = rep
        .raw(
            Method::POST,
            "/api/register_customer",
            FORM,
            b"name=%E5%8D%8E%FF&phones=13900139000".to_vec(),
        )
        .await
        .expect("answer");
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.error_code(), Some("invalid_chars"));

    // a comment and a check-in purpose
    let r = rep
        .call("comment", &[("event", "nope"), ("text", "好\u{2067}的")])
        .await;
    assert_eq!(r.error_code(), Some("bidi_chars"), "{}", r.body);
    let form = reqwest::multipart::Form::new()
        .text("customer", "nope")
        .text("purpose", "拜访\u{7}");
    let r = rep.multipart("checkin", form).await;
    assert_eq!(r.error_code(), Some("control_chars"), "{}", r.body);
}

#[tokio::test]
async fn a_name_that_is_only_a_company_form_is_refused() {
    let app = spawn_app().await;
    let mut rep = app.signed_in("rep1").await;
    for name in ["有限公司", "（中国）有限责任公司", "Co., Ltd.", "集团"] {
        let r = rep
            .call(
                "register_customer",
                &[("name", name), ("phones", "13800138000")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert_eq!(r.error_code(), Some("name_invalid"), "{name}");
    }
}

#[tokio::test]
async fn a_panic_becomes_a_logged_500_with_an_id() {
    use tower::ServiceExt;
    let router: axum::Router = axum::Router::new()
        .route(
            "/boom",
            axum::routing::get(|| async {
                let v: Vec<u8> = Vec::new();
                v[1].to_string()
            }),
        )
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            server::guard::panic_response,
        ));
    let res = router
        .oneshot(
            axum::http::Request::get("/boom")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .expect("an answer, not a dropped connection");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
    let err: app::error::AppError = serde_json::from_slice(&bytes).expect("an AppError");
    match err {
        app::error::AppError::Internal { id } => assert_eq!(id.len(), 12),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------
// The property run.

/// Field names the server functions read, so generated forms reach their checks.
const FIELDS: &[&str] = &[
    "name",
    "phones",
    "id",
    "text",
    "login",
    "password",
    "customer",
    "to_stage",
    "answers",
    "answers[0]",
    "reason",
    "key",
    "lat",
    "lng",
    "accuracy",
    "purpose",
    "event",
    "day",
    "work",
    "hours",
    "expenses",
    "title",
    "content",
    "date",
    "time",
    "role",
    "department_id",
    "note",
    "post_mortem",
    "action",
    "to_user",
    "ticked",
    "ticked[0]",
    "confirm_near",
    "lang",
    "stage",
    "limit",
    "after",
    "filter",
    "page",
    "active",
    "probability",
    "max_days",
    "feedback",
];

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{0,12}",
        "\\PC{0,40}",
        ".{0,20}",
        Just(String::new()),
        Just("%FF%FE".to_string()),
        Just("%00".to_string()),
        Just("%E2%80%AE".to_string()),
        Just("%".to_string()),
        Just("%zz".to_string()),
        Just("true".to_string()),
        Just("-1".to_string()),
        Just("1e309".to_string()),
        Just("NaN".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("customer:⟨x⟩".to_string()),
        Just("'; DELETE customer; --".to_string()),
        Just("2026-02-30".to_string()),
        Just("[]".to_string()),
    ]
}

fn form_body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        (
            prop_oneof![
                proptest::sample::select(FIELDS).prop_map(str::to_string),
                "[a-z\\[\\]0-9]{0,8}"
            ],
            text_value(),
        ),
        0..8,
    )
    .prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    })
}

fn multipart_body() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(
            (proptest::sample::select(FIELDS), text_value(), any::<bool>()),
            0..5,
        ),
        any::<bool>(),
    )
        .prop_map(|(parts, close)| {
            let mut b = Vec::new();
            for (name, value, as_file) in parts {
                b.extend(b"--B0UND\r\n");
                if as_file {
                    b.extend(
                        format!("Content-Disposition: form-data; name=\"photos\"; filename=\"{name}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                            .as_bytes(),
                    );
                } else {
                    b.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
                }
                b.extend(value.as_bytes());
                b.extend(b"\r\n");
            }
            if close {
                b.extend(b"--B0UND--\r\n");
            }
            b
        })
}

fn body() -> impl Strategy<Value = (Option<Vec<u8>>, Vec<u8>)> {
    let content_type = prop_oneof![
        Just(None),
        Just(Some(b"application/x-www-form-urlencoded".to_vec())),
        Just(Some(b"application/json".to_vec())),
        Just(Some(b"multipart/form-data".to_vec())),
        Just(Some(b"multipart/form-data; boundary=B0UND".to_vec())),
        Just(Some(b"text/plain; charset=gbk".to_vec())),
        proptest::collection::vec(32u8..127, 0..30).prop_map(Some),
    ];
    let body = prop_oneof![
        3 => form_body(),
        2 => multipart_body(),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => "\\{\"[a-z]{1,6}\":(\"[^\"]{0,10}\"|[0-9]{1,4}|null|\\[\\])\\}".prop_map(String::into_bytes),
    ];
    (content_type, body)
}

/// Generated requests to every registered server function, anonymous and as a
/// rep: never a 5xx, never a dropped connection, and a refused request writes
/// nothing. Cases are generated from a fixed seed so a failure repeats.
#[tokio::test]
async fn generated_requests_to_every_server_function_never_fail_the_server() {
    let app = spawn_app().await;
    let mut paths: Vec<(String, Method)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, m)| {
            (
                p.to_string(),
                Method::from_bytes(m.as_str().as_bytes()).unwrap(),
            )
        })
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(paths.len() > 30, "server functions found: {}", paths.len());

    let cases_per_path: usize = std::env::var("BPC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = body();
    let anonymous = app.client();
    let mut tried = 0;
    for (i, (path, method)) in paths.iter().enumerate() {
        // signed in afresh for every function: some (logout) end the session
        let rep = app
            .signed_in(if i % 2 == 0 { "rep1" } else { "manager1" })
            .await;
        let mut before = app.row_counts().await;
        for n in 0..cases_per_path {
            let (ct, body) = strategy.new_tree(&mut runner).expect("case").current();
            let client = if n % 2 == 0 { &anonymous } else { &rep };
            let method = if n % 7 == 0 {
                Method::GET
            } else {
                method.clone()
            };
            let reply = client
                .raw(method.clone(), path, ct.as_deref(), body.clone())
                .await
                .unwrap_or_else(|| {
                    panic!(
                        "{method} {path}: no answer for content type {:?}, body {:?}",
                        ct.as_ref().map(|c| String::from_utf8_lossy(c).to_string()),
                        String::from_utf8_lossy(&body)
                    )
                });
            assert!(
                reply.status.as_u16() < 500,
                "{method} {path} answered {}: {} (content type {:?}, body {:?})",
                reply.status,
                reply.body,
                ct.as_ref().map(|c| String::from_utf8_lossy(c).to_string()),
                String::from_utf8_lossy(&body)
            );
            // a refused request leaves every table as it was; an accepted one
            // (a harmless read, a logout) sets the new baseline
            let after = app.row_counts().await;
            if !reply.status.is_success() {
                assert_eq!(
                    after,
                    before,
                    "{method} {path} was refused ({}) but wrote (body {:?})",
                    reply.status,
                    String::from_utf8_lossy(&body)
                );
            }
            before = after;
            tried += 1;
        }
    }
    still_answering(&app).await;
    println!(
        "property run: {tried} requests to {} server functions, 0 answers ≥ 500",
        paths.len()
    );
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_keeps_a_proxys() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let url = format!("{}/healthz", app.base);
    let fresh = http.get(&url).send().await.unwrap();
    let id = fresh.headers().get("x-request-id").expect("an id is given");
    assert_eq!(id.to_str().unwrap().len(), 36, "a UUID: {id:?}");
    let second = http.get(&url).send().await.unwrap();
    assert_ne!(
        second.headers().get("x-request-id"),
        Some(id),
        "one id per request"
    );
    let kept = http
        .get(&url)
        .header("x-request-id", "proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers().get("x-request-id").unwrap(), "proxy-42");
}
