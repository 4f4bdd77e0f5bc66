//! The security review's findings on sign-in, sessions and requests from other
//! sites (issue 24: M2, M3, M4 and the session items), each over HTTP or a
//! real socket, each able to fail without its fix.

use crate::helpers::{spawn_app, spawn_app_with, TestApp, PASSWORD};
use app::live::model::Hello;
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(app: &TestApp, cookie: &str) -> Socket {
    let url = app.base.replace("http://", "ws://") + "/ws";
    let mut req = url.into_client_request().expect("request");
    req.headers_mut()
        .insert("cookie", cookie.parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let hello = serde_json::to_string(&Hello { after: None }).unwrap();
    ws.send(Message::Text(hello.into())).await.expect("hello");
    ws
}

/// Waits up to `within` for the server to close the socket (pushes and pings
/// before that are skipped); false if it is still open.
async fn closed_within(ws: &mut Socket, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_outrun_the_limit() {
    // M3: 10 of 10 parallel wrong passwords were checked against a limit of 5
    let app = spawn_app_with(|s| s.login_max_per_account = 5).await;
    let attempts = (0..10).map(|_| {
        let mut c = app.client();
        async move {
            c.call("login", &[("login", "rep1"), ("password", "wrong1234")])
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 5), "{statuses:?}");
    // and the right password is refused too while the account is locked
    let r = app
        .client()
        .call("login", &[("login", "rep1"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_good_sign_in_gives_its_attempt_back() {
    let app = spawn_app_with(|s| s.login_max_per_ip = 3).await;
    // many good sign-ins from one address never lock it
    for _ in 0..6 {
        app.signed_in("rep2").await;
    }
    let mut c = app.client();
    for _ in 0..3 {
        let r = c
            .call("login", &[("login", "rep3"), ("password", "wrong1234")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = c
        .call("login", &[("login", "rep4"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn login_from(app: &TestApp, forwarded_for: &str, password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/api/login", app.base))
        .header("accept", "application/json")
        .header("x-forwarded-for", forwarded_for)
        .form(&[("login", "rep6"), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_address_limit() {
    let trusting = spawn_app_with(|s| {
        s.login_max_per_ip = 2;
        s.login_max_per_account = 100;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            login_from(&trusting, "198.51.100.1", "wrong1234").await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        login_from(&trusting, "198.51.100.1", "wrong1234").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // another client behind the same proxy is not locked out
    assert_eq!(
        login_from(&trusting, "198.51.100.2", PASSWORD).await,
        StatusCode::OK
    );
    // a spoofed entry on the left changes nothing: the proxy's own entry counts
    assert_eq!(
        login_from(&trusting, "203.0.113.5, 198.51.100.1", "wrong1234").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // without a trusted proxy the header is the client's word, not believed
    let plain = spawn_app_with(|s| {
        s.login_max_per_ip = 2;
        s.login_max_per_account = 100;
    })
    .await;
    for who in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(
            login_from(&plain, who, "wrong1234").await,
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        login_from(&plain, "198.51.100.3", "wrong1234").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn another_site_cannot_act_for_a_signed_in_browser() {
    // M4: a request with Origin https://evil.example was served (200 / 101)
    let app = spawn_app().await;
    let rep = app.signed_in("rep1").await;
    let cookie = rep.cookie().unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let host = app.base.trim_start_matches("http://").to_string();
    let post = |origin: &'static str| {
        http.post(format!("{}/api/post_suggestion", app.base))
            .header("accept", "application/json")
            .header("cookie", cookie.clone())
            .header("origin", origin)
            .form(&[("text", "跨站提交")])
    };
    let r = post("https://evil.example").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post("null").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // the site's own page may
    let own = format!("http://{host}");
    let r = http
        .post(format!("{}/api/suggestions", app.base))
        .header("accept", "application/json")
        .header("cookie", cookie.clone())
        .header("origin", own.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // a plain form post from another site (no Origin, but the browser says so)
    let r = http
        .post(format!("{}/import/check", app.base))
        .header("cookie", cookie.clone())
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // the audited export cannot be triggered by a link on another site
    let manager = app.signed_in("manager1").await;
    let export = |site: &'static str| {
        http.get(format!("{}/export/customers.xlsx", app.base))
            .header("cookie", manager.cookie().unwrap())
            .header("sec-fetch-site", site)
            .send()
    };
    assert_eq!(
        export("cross-site").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        export("same-site").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        export("same-origin").await.unwrap().status(),
        StatusCode::OK
    );
    // nor can another site open a socket as the user
    let url = app.base.replace("http://", "ws://") + "/ws";
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), StatusCode::FORBIDDEN.as_u16())
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn configured_origins_may_act_too() {
    let app = spawn_app_with(|s| s.origins = vec!["https://crm.example.com".into()]).await;
    let rep = app.signed_in("rep1").await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/suggestions", app.base))
        .header("accept", "application/json")
        .header("cookie", rep.cookie().unwrap())
        .header("origin", "https://crm.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_socket_closes_when_its_session_ends_or_its_person_is_deactivated() {
    // M2: after rep5 signed out, the old socket still received pushes
    let app = spawn_app().await;
    let mut rep5 = app.signed_in("rep5").await;
    let mut ws = socket(&app, &rep5.cookie().unwrap()).await;
    assert!(!closed_within(&mut ws, Duration::from_millis(300)).await);
    let r = rep5.call("logout", &[]).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.status
    );
    assert!(
        closed_within(&mut ws, Duration::from_secs(3)).await,
        "the socket outlived sign-out"
    );

    // deactivation by an admin closes every socket of the person at once
    let rep6 = app.signed_in("rep6").await;
    let mut phone = socket(&app, &rep6.cookie().unwrap()).await;
    let laptop_session = app.signed_in("rep6").await;
    let mut laptop = socket(&app, &laptop_session.cookie().unwrap()).await;
    let mut admin = app.signed_in("admin").await;
    let id = app.user_id("rep6").await;
    let r = admin
        .call("set_user_active", &[("id", &id), ("active", "false")])
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert!(closed_within(&mut phone, Duration::from_secs(3)).await);
    assert!(closed_within(&mut laptop, Duration::from_secs(3)).await);
    let (status, _) = rep6.get("/feed").await;
    assert_ne!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_their_sockets() {
    let app = spawn_app().await;
    let mut phone = app.signed_in("rep7").await;
    let laptop = app.signed_in("rep7").await;
    let mut laptop_socket = socket(&app, &laptop.cookie().unwrap()).await;
    let r = phone
        .call(
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "newpass123"),
                ("confirm", "newpass123"),
            ],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert!(
        closed_within(&mut laptop_socket, Duration::from_secs(3)).await,
        "the other device's socket stayed open"
    );
    // the other device is signed out; the one that changed it stays in
    let mut laptop = laptop;
    assert_eq!(
        laptop.call("whoami", &[]).await.body,
        serde_json::Value::Null
    );
    assert_eq!(phone.call("whoami", &[]).await.body["login"], "rep7");
}

#[tokio::test]
async fn a_team_list_masks_phones_and_is_recorded_for_the_audit() {
    // M5: manager1 listed 96 customers of 5 reps with phones; nothing recorded
    let app = spawn_app().await;
    let rep1 = app.user("rep1").await;
    let manager1 = app.user("manager1").await;
    let boss = app.user("boss").await;
    let id = app
        .locked_customer(
            &rep1,
            app::customers::model::CustomerInput {
                name: "杭州列表审计有限公司".into(),
                phones: "13912345678".into(),
                ..Default::default()
            },
        )
        .await;
    let svc = app::customers::service::list_customers;
    // the rep's own list shows the phone
    let mine = svc(&app.state, &rep1, "mine").await.unwrap();
    assert_eq!(mine[0].phones, vec!["13912345678"]);
    // the manager's team list masks it, and the request is recorded
    let team = svc(&app.state, &manager1, "team").await.unwrap();
    let card = team.iter().find(|c| c.id == id).expect("listed");
    assert_ne!(card.phones, vec!["13912345678"]);
    assert!(card.phones[0].contains('*'), "{:?}", card.phones);
    let mut r = app
        .state
        .db
        .query("SELECT VALUE owners FROM customer_list_view")
        .await
        .unwrap();
    let owners: Vec<serde_json::Value> = r.take(0).unwrap();
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert!(owners[0].to_string().contains(&id), "{owners:?}");
    // opening it shows the phone, and that opening is recorded as before
    let detail = app::customers::service::detail(&app.state, &manager1, &id)
        .await
        .unwrap();
    assert_eq!(detail.card.phones, vec!["13912345678"]);
    // the boss's audit counts the list
    let audit = app::audit::service::overview(&app.state, &boss)
        .await
        .unwrap();
    let m = audit
        .viewers
        .iter()
        .find(|v| v.user_id == manager1.id)
        .expect("manager1 in the audit");
    assert_eq!((m.lists, m.listed, m.total), (1, 1, 1));
    // the audit counts day tallies; a database from before them (schema 12)
    // gets them once at its upgrade, and a second start does not count again
    app.state
        .db
        .query("DELETE list_read_day; UPSERT meta:schema SET version = 12;")
        .await
        .and_then(|r| r.check())
        .expect("as schema 12");
    for _ in 0..2 {
        server::db::apply_schema(&app.state.db)
            .await
            .expect("schema");
    }
    let audit = app::audit::service::overview(&app.state, &boss)
        .await
        .unwrap();
    let m = audit
        .viewers
        .iter()
        .find(|v| v.user_id == manager1.id)
        .expect("manager1 in the audit");
    assert_eq!((m.lists, m.listed), (1, 1));
}

#[tokio::test]
async fn every_answer_says_what_a_page_may_load_and_that_it_may_not_be_framed() {
    let app = spawn_app().await;
    let rep = app.signed_in("rep1").await;
    for path in ["/login", "/feed", "/customers", "/healthz", "/no-such-page"] {
        let r = reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .header("cookie", rep.cookie().unwrap())
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}
