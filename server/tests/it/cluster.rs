//! Two BPC processes on one real SurrealDB server (the `surreal` binary built by
//! `./bpc surreal` from crates.io), as app servers run in front of a SurrealDB
//! cluster: registrations of one company split over both create it once; a
//! session from one is valid on the other; the failed-login limit holds across
//! both; a check-in written through one reaches a manager's feed open on the
//! other within a second, and its photo is served by the other; both sweepers
//! confiscate an overdue customer exactly once.
//!
//! Run by `./bpc test-cluster` (it sets `BPC_SURREAL_BIN`); ignored otherwise.

use crate::helpers::process::{free_port, temp_dir, wait_for, Proc};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const ROOT_PASS: &str = "cluster-root";

fn bpc(port: u16, db_port: u16, photos: &std::path::Path, demo: bool) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_bpc"))
        .env("BPC_LISTEN", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("ws://127.0.0.1:{db_port}"))
        .env("DATABASE_USER", "root")
        .env("DATABASE_PASS", ROOT_PASS)
        .env("BPC_DEMO", if demo { "true" } else { "false" })
        .env("BPC_DEMO_HISTORY", "false")
        .env("BPC_PHOTOS", photos)
        .env("BPC_SITE_ROOT", "../target/site")
        .env("BPC_COOKIE_SECURE", "false")
        .env("BPC_TEST_CLOCK", "true")
        .env("BPC_SWEEP_SECS", "1")
        .env("RUST_LOG", "warn")
        // the log (errors with their ids) in the test's output
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("bpc starts");
    Proc(child)
}

/// A browser of one person against one process: the session cookie it was given.
#[derive(Clone)]
struct Browser {
    base: String,
    cookie: Option<String>,
    http: reqwest::Client,
}

impl Browser {
    fn new(base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            cookie: None,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// The same session against another process.
    fn on(&self, base: &str) -> Browser {
        Browser {
            base: base.to_string(),
            ..self.clone()
        }
    }

    async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c.clone());
        }
        let r = req.send().await.expect("request");
        for v in r.headers().get_all("set-cookie") {
            if let Some(rest) = v.to_str().unwrap_or("").strip_prefix("bpc_session=") {
                let value = rest.split(';').next().unwrap_or("");
                self.cookie = (!value.is_empty()).then(|| format!("bpc_session={value}"));
            }
        }
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn login(base: &str, login: &str) -> Browser {
        let mut b = Browser::new(base);
        let (status, body) = b
            .call("login", &[("login", login), ("password", "demo1234")])
            .await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        b
    }
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([200, 60, 20]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
#[ignore = "needs the SurrealDB server binary: ./bpc test-cluster"]
async fn two_bpc_processes_on_one_surrealdb_server_behave_as_one() {
    let surreal = std::env::var("BPC_SURREAL_BIN").expect("BPC_SURREAL_BIN");
    let db_port = free_port();
    let _db = Proc(
        Command::new(&surreal)
            .args([
                "start",
                "--bind",
                &format!("127.0.0.1:{db_port}"),
                "--user",
                "root",
                "--pass",
                ROOT_PASS,
                "--log",
                "warn",
                "memory",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("surreal starts"),
    );
    wait_for(
        &format!("http://127.0.0.1:{db_port}/health"),
        Duration::from_secs(60),
    )
    .await;
    let photos = temp_dir("cluster-photos");
    let (port_a, port_b) = (free_port(), free_port());
    let (a, b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    // A loads the demo company; B joins the same database
    let _a = bpc(port_a, db_port, &photos, true);
    wait_for(&format!("{a}/healthz"), Duration::from_secs(180)).await;
    let _b = bpc(port_b, db_port, &photos, false);
    wait_for(&format!("{b}/healthz"), Duration::from_secs(60)).await;

    // a session made on A is valid on B
    let rep_a = Browser::login(&a, "rep1").await;
    let mut rep_b = rep_a.on(&b);
    let (status, me) = rep_b.call("whoami", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["login"], "rep1", "{me}");

    // the database, as the test sees it
    let db = surrealdb::engine::any::connect(format!("ws://127.0.0.1:{db_port}"))
        .await
        .unwrap();
    db.signin(surrealdb::opt::auth::Root {
        username: "root".into(),
        password: ROOT_PASS.into(),
    })
    .await
    .unwrap();
    db.use_ns("bpc").use_db("bpc").await.unwrap();
    let items: Vec<String> = db
        .query("SELECT VALUE record::id(id) FROM qualification_item")
        .await
        .unwrap()
        .take(0)
        .unwrap();
    let ticked: Vec<(String, String)> = items
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("ticked[{i}]"), id.clone()))
        .collect();

    // 100 registrations of one company at once, four spellings, split over A and B
    let spellings = [
        "上海集群测试机械有限公司",
        "上海集群测试机械有限公司 ",
        "上海 集群测试机械 有限公司",
        "上海集群测试机械（有限公司）",
    ];
    let started = Instant::now();
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let mut who = if i % 2 == 0 {
                rep_a.clone()
            } else {
                rep_b.clone()
            };
            let name = spellings[i % spellings.len()].to_string();
            let ticked = ticked.clone();
            tokio::spawn(async move {
                let mut form: Vec<(&str, &str)> = vec![
                    ("name", name.as_str()),
                    ("phones", "13700001234"),
                    ("confirm_near", "true"),
                ];
                form.extend(ticked.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                who.call("register_customer", &form).await
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut duplicates = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        match body["outcome"].as_str() {
            Some("created") => created.push(body["id"].as_str().unwrap_or_default().to_string()),
            Some("duplicate") => duplicates += 1,
            other => panic!("{other:?}: {body}"),
        }
    }
    assert_eq!(
        (created.len(), duplicates),
        (1, 99),
        "in {:?}",
        started.elapsed()
    );
    let customer = created.remove(0);

    // the failed-login limit (5 per account) holds across both processes: five
    // wrong passwords are told so, the sixth and seventh are refused outright
    let mut refused = Vec::new();
    for i in 0..7 {
        let base = if i % 2 == 0 { &a } else { &b };
        let (status, _) = Browser::new(base)
            .call(
                "login",
                &[("login", "manager2"), ("password", "wrong-password")],
            )
            .await;
        refused.push(status);
    }
    assert_eq!(
        refused,
        vec![
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
        ]
    );

    // a manager's feed open on B hears a check-in written through A, and B
    // serves its photo
    let manager_b = Browser::login(&b, "manager1").await;
    let mut req = (b.replace("http://", "ws://") + "/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", manager_b.cookie.clone().unwrap().parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("ws on B");
    ws.send(Message::Text(r#"{"after":null}"#.into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let form = reqwest::multipart::Form::new()
        .text("key", "cluster-visit-1")
        .text("customer", customer.clone())
        .text("purpose", "集群拜访")
        .text("lat", "31.19")
        .text("lng", "121.43")
        .text("accuracy", "20")
        .part(
            "photos",
            reqwest::multipart::Part::bytes(png())
                .file_name("visit.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let sent = Instant::now();
    let r = rep_a
        .http
        .post(format!("{a}/api/checkin"))
        .header("accept", "application/json")
        .header("cookie", rep_a.cookie.clone().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let mut photo = None;
    while sent.elapsed() < Duration::from_secs(1) {
        let left = Duration::from_secs(1).saturating_sub(sent.elapsed());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap_or_default();
                let item = &v["item"];
                if item["kind"] == "checkin" && item["customer_id"] == customer.as_str() {
                    photo = item["photos"][0].as_str().map(str::to_string);
                    break;
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    let arrived = sent.elapsed();
    let photo = photo.unwrap_or_else(|| panic!("no check-in on B within a second ({arrived:?})"));
    let r = manager_b
        .http
        .get(format!("{b}/photos/{photo}"))
        .header("cookie", manager_b.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.bytes().await.unwrap().is_empty());
    println!("check-in through A reached B's feed in {arrived:?}");

    // two months on, both sweepers run every second: the customer is
    // confiscated once
    let http = reqwest::Client::new();
    for base in [&a, &b] {
        let r = http
            .post(format!("{base}/test/clock?days=60"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let n: Option<i64> = db
        .query(
            "RETURN count(SELECT id FROM customer_history
                 WHERE customer = type::record('customer', $c) AND action = 'confiscate')",
        )
        .bind(("c", customer.clone()))
        .await
        .unwrap()
        .take(0)
        .unwrap();
    assert_eq!(n, Some(1));
    let _ = std::fs::remove_dir_all(photos);
}
