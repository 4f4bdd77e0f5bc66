//! Field work and the live feed against a real in-memory SurrealDB: check-ins
//! reset the follow-up clock, an idempotency key stores one check-in, feed
//! visibility and refusals, and the websocket push: catch-up after a reconnect,
//! and an event written through one app server reaching a socket on another.

use crate::helpers::{count, spawn_app, spawn_second, Client, TestApp};
use app::auth::model::CurrentUser;
use app::live::model::{Hello, Push};
use app::live::rules::Resume;
use futures::{SinkExt, StreamExt};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

async fn user(app: &TestApp, login: &str) -> CurrentUser {
    app.user(login).await
}

/// A customer locked to `who`, registered at People's Square, Shanghai.
async fn customer(app: &TestApp, who: &CurrentUser, name: &str, phone: &str) -> String {
    let input = app::customers::model::CustomerInput {
        name: name.into(),
        phones: phone.into(),
        lat: "31.2304".into(),
        lng: "121.4737".into(),
        industry: "制造".into(),
        ..Default::default()
    };
    app.locked_customer(who, input).await
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(640, 480, image::Rgb([20, 120, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

fn checkin_form(key: &str, customer: &str, lat: &str, lng: &str, photo: Option<Vec<u8>>) -> Form {
    let mut f = Form::new()
        .text("key", key.to_string())
        .text("customer", customer.to_string())
        .text("purpose", "拜访采购经理".to_string())
        .text("lat", lat.to_string())
        .text("lng", lng.to_string())
        .text("accuracy", "25".to_string())
        .text("captured_at", chrono::Utc::now().to_rfc3339());
    if let Some(bytes) = photo {
        f = f.part(
            "photos",
            Part::bytes(bytes)
                .file_name("visit.png")
                .mime_str("image/png")
                .expect("mime"),
        );
    }
    f
}

#[tokio::test]
async fn a_check_in_resets_the_follow_up_clock_and_lands_in_the_feed() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "上海远景机械有限公司", "13800000001").await;
    // last followed up two days ago
    app.state
        .db
        .query("UPDATE type::record('customer', $id) SET last_followup_at -= 2d")
        .bind(("id", id.clone()))
        .await
        .expect("update");
    let before = app::customers::repo::load(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    let mut c = app.signed_in("rep1").await;
    let r = c
        .multipart(
            "checkin",
            checkin_form("visit-0001", &id, "31.2306", "121.4739", Some(png())),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["duplicate"], false);
    assert_eq!(r.body["flags"], serde_json::json!([]));
    let d = r.body["distance_m"].as_f64().expect("distance");
    assert!(d > 10.0 && d < 60.0, "{d}");

    let after = app::customers::repo::load(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    let gained = after.state.last_followup_at - before.state.last_followup_at;
    assert!(gained.num_days() >= 2, "follow-up clock moved by {gained}");
    assert!(
        after.state.due_at >= before.state.due_at,
        "deadline recomputed"
    );
    assert_eq!(after.state.version, before.state.version + 1);

    // the event, with the photo, is in a colleague's feed; the thumbnail is served
    let colleague = user(&app, "rep2").await;
    let page = app::feed::service::feed(&app.state, &colleague, None)
        .await
        .unwrap();
    let ev = page
        .items
        .iter()
        .find(|i| i.kind == "checkin")
        .expect("event");
    assert_eq!(ev.subject_name, rep.name);
    assert_eq!(ev.photos.len(), 1);
    let (status, _) = c.get(&format!("/photos/{}/thumb", ev.photos[0])).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .client()
        .get(&format!("/photos/{}/thumb", ev.photos[0]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "photos need a session");
}

#[tokio::test]
async fn far_denied_and_late_check_ins_are_flagged_and_bad_input_is_named() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "杭州明湖贸易有限公司", "13800000002").await;
    let mut c = app.signed_in("rep1").await;
    // 2 km away
    let r = c
        .multipart(
            "checkin",
            checkin_form("far-000001", &id, "31.2480", "121.4737", None),
        )
        .await;
    assert_eq!(r.body["flags"], serde_json::json!(["far"]));
    // location denied: saved without a position, flagged
    let r = c
        .multipart("checkin", checkin_form("deny-00001", &id, "", "", None))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["flags"], serde_json::json!(["no_position"]));
    assert!(r.body["distance_m"].is_null());
    // queued offline for two hours
    let late = Form::new()
        .text("key", "late-00001")
        .text("customer", id.clone())
        .text("lat", "31.2304")
        .text("lng", "121.4737")
        .text("accuracy", "10")
        .text(
            "captured_at",
            (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
        );
    let r = c.multipart("checkin", late).await;
    assert_eq!(r.body["flags"], serde_json::json!(["time_skew"]));

    let before = count(&app, "RETURN count(SELECT id FROM checkin)").await;
    for (form, field, code) in [
        (
            checkin_form("bad-lat-01", &id, "95", "121", None),
            "lat",
            "invalid",
        ),
        (
            checkin_form("short", &id, "31", "121", None),
            "key",
            "invalid",
        ),
        (
            checkin_form("no-cust-01", "", "31", "121", None),
            "customer",
            "required",
        ),
        (
            checkin_form("not-img-01", &id, "31.23", "121.47", None).part(
                "photos",
                Part::bytes(b"%PDF-1.7".to_vec()).file_name("x.pdf"),
            ),
            "photos",
            "not_image",
        ),
        (
            checkin_form("too-big-01", &id, "31.23", "121.47", None).part(
                "photos",
                Part::bytes(vec![0u8; 15 * 1024 * 1024 + 1]).file_name("big.jpg"),
            ),
            "photos",
            "too_large",
        ),
    ] {
        let r = c.multipart("checkin", form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert_eq!((r.error_field(), r.error_code()), (Some(field), Some(code)));
    }
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM checkin)").await,
        before,
        "nothing stored"
    );
}

#[tokio::test]
async fn the_same_key_sent_twice_or_at_once_stores_one_check_in() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "苏州新纪元电子有限公司", "13800000003").await;
    let mut c = app.signed_in("rep1").await;
    let first = c
        .multipart(
            "checkin",
            checkin_form("replay-0001", &id, "31.2304", "121.4737", Some(png())),
        )
        .await;
    let again = c
        .multipart(
            "checkin",
            checkin_form("replay-0001", &id, "31.2304", "121.4737", Some(png())),
        )
        .await;
    assert_eq!(first.body["duplicate"], false);
    assert_eq!(again.body["duplicate"], true);
    assert_eq!(again.body["id"], first.body["id"]);
    // an offline queue flushing on two tabs at once
    let cookie = c.cookie().expect("cookie");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (base, cookie, id) = (app.base.clone(), cookie.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/checkin"))
                .header("accept", "application/json")
                .header("cookie", cookie)
                .multipart(checkin_form(
                    "replay-0002",
                    &id,
                    "31.2304",
                    "121.4737",
                    None,
                ))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::OK);
    }
    assert_eq!(count(&app, "RETURN count(SELECT id FROM checkin)").await, 2);
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM feed_event WHERE kind = 'checkin')"
        )
        .await,
        2,
        "one feed event per check-in"
    );
}

/// A queue that sends again after the customer changed hands still hears that
/// its check-in was stored (the write goes first; the stored one is read only
/// when the write did not happen), while a new key is refused. The clocks and
/// the rep's day count the check-in once.
#[tokio::test]
async fn a_repeated_key_after_a_hand_over_answers_what_was_stored() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let manager = user(&app, "manager1").await;
    let id = customer(&app, &rep, "无锡恒通机械有限公司", "13800000007").await;
    let mut c = app.signed_in("rep1").await;
    let first = c
        .multipart(
            "checkin",
            checkin_form("handover-0001", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["duplicate"], false);
    let version = count(
        &app,
        &format!("RETURN type::record('customer', '{id}').version"),
    )
    .await;
    app::customers::service::manage(
        &app.state,
        &manager,
        &id,
        "reassign",
        &app.user_id("rep2").await,
        "",
    )
    .await
    .expect("hand over");
    let again = c
        .multipart(
            "checkin",
            checkin_form("handover-0001", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["duplicate"], true);
    assert_eq!(again.body["id"], first.body["id"]);
    let fresh = c
        .multipart(
            "checkin",
            checkin_form("handover-0002", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::NOT_FOUND, "{:?}", fresh.body);
    assert_eq!(count(&app, "RETURN count(SELECT id FROM checkin)").await, 1);
    assert_eq!(
        count(
            &app,
            &format!("RETURN type::record('customer', '{id}').version")
        )
        .await,
        version + 1,
        "only the hand-over changed the customer after the check-in"
    );
    assert_eq!(
        count(
            &app,
            &format!("RETURN math::sum(SELECT VALUE visits FROM rep_day WHERE user = type::record('user', '{}'))", rep.id)
        )
        .await,
        1
    );
}

#[tokio::test]
async fn other_departments_neither_see_nor_comment_nor_like() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "南京恒通物流有限公司", "13800000004").await;
    let mut c = app.signed_in("rep1").await;
    let r = c
        .multipart(
            "checkin",
            checkin_form("dept-00001", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let manager = user(&app, "manager1").await;
    let event = app::feed::service::feed(&app.state, &manager, None)
        .await
        .unwrap()
        .items[0]
        .id
        .clone();

    // 销售二部 sees nothing of 销售一部
    let outsider = user(&app, "rep5").await;
    let theirs = app::feed::service::feed(&app.state, &outsider, None)
        .await
        .unwrap();
    assert!(theirs.items.iter().all(|i| i.id != event));
    let other_manager = user(&app, "manager2").await;
    let theirs = app::feed::service::feed(&app.state, &other_manager, None)
        .await
        .unwrap();
    assert!(theirs.items.iter().all(|i| i.id != event));
    // and cannot touch it
    let mut o = app.signed_in("rep5").await;
    let r = o
        .call("comment", &[("event", &event), ("text", "看看")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = o.call("like", &[("event", &event)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // nor check in at a customer that is not theirs
    let r = o
        .multipart(
            "checkin",
            checkin_form("steal-0001", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM feed_comment)").await,
        0
    );
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM feed_like)").await,
        0
    );
    // anonymous callers are refused
    let r = app.client().call("feed", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // the manager comments and likes; the rep is notified of both; escaped text kept
    let mut m = app.signed_in("manager1").await;
    let r = m
        .call(
            "comment",
            &[("event", &event), ("text", "<b>好</b> 继续跟进")],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = m.call("like", &[("event", &event)]).await;
    assert_eq!(r.body, serde_json::json!(true));
    let r = m
        .call("comment", &[("event", &event), ("text", "   ")])
        .await;
    assert_eq!(
        (r.error_field(), r.error_code()),
        (Some("text"), Some("required"))
    );
    let page = app::feed::service::feed(&app.state, &rep, None)
        .await
        .unwrap();
    let item = page.items.iter().find(|i| i.id == event).unwrap();
    assert_eq!((item.likes, item.comments), (1, 1));
    assert_eq!(item.comment_list[0].text, "<b>好</b> 继续跟进");
    let kinds: Vec<String> = app::notifications::service::notifications(&app.state, &rep)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    assert!(
        kinds.contains(&"comment".to_string()) && kinds.contains(&"like".to_string()),
        "{kinds:?}"
    );
    // unlike takes it back
    let r = m.call("like", &[("event", &event)]).await;
    assert_eq!(r.body, serde_json::json!(false));
}

// --- websockets -------------------------------------------------------------

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(app: &TestApp, client: &Client, after: Option<String>) -> Socket {
    let url = app.base.replace("http://", "ws://") + "/ws";
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "cookie",
        client.cookie().expect("cookie").parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let hello = serde_json::to_string(&Hello { after }).unwrap();
    ws.send(Message::Text(hello.into())).await.expect("hello");
    ws
}

/// The next push, or `None` after `wait` of silence.
async fn next_push(ws: &mut Socket, wait: Duration) -> Option<Push> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).expect("push")),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Everything that arrives until `wait` of silence, delivered through `resume`.
async fn drain(ws: &mut Socket, resume: &mut Resume, wait: Duration) -> Vec<Push> {
    let mut out = Vec::new();
    while let Some(p) = next_push(ws, wait).await {
        if resume.accept(p.seq()) {
            out.push(p);
        }
    }
    out
}

fn event_texts(pushes: &[Push]) -> Vec<String> {
    pushes
        .iter()
        .filter_map(|p| match p {
            Push::Event { item, .. } => item.text.clone(),
            _ => None,
        })
        .collect()
}

async fn follow_up(app: &TestApp, rep: &CurrentUser, customer: &str, text: &str) {
    app::field::service::follow_up(&app.state, rep, customer, "", text, vec![])
        .await
        .expect("follow-up");
}

#[tokio::test]
async fn a_reconnecting_socket_gets_what_it_missed_in_order_exactly_once() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "无锡华光仪表有限公司", "13800000005").await;
    let m = app.signed_in("manager1").await;
    let outsider = app.signed_in("rep5").await;

    let mut resume = Resume::default();
    let mut ws = socket(&app, &m, None).await;
    let mut other = socket(&app, &outsider, None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    follow_up(&app, &rep, &id, "第一次").await;
    let got = drain(&mut ws, &mut resume, Duration::from_millis(800)).await;
    assert_eq!(event_texts(&got), vec!["第一次"]);
    drop(ws);

    // while the manager is away
    for text in ["第二次", "第三次", "第四次"] {
        follow_up(&app, &rep, &id, text).await;
    }
    let mut ws = socket(&app, &m, resume.cursor()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    follow_up(&app, &rep, &id, "第五次").await;
    let got = drain(&mut ws, &mut resume, Duration::from_millis(800)).await;
    assert_eq!(
        event_texts(&got),
        vec!["第二次", "第三次", "第四次", "第五次"],
        "missed events replayed in order, then the live one, none twice"
    );
    let seqs: Vec<&str> = got.iter().map(Push::seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(seqs, sorted, "in stream order");

    // another department heard nothing of it
    assert!(next_push(&mut other, Duration::from_millis(300))
        .await
        .is_none());
}

#[tokio::test]
async fn an_event_written_through_one_app_server_reaches_a_socket_on_another() {
    let a = spawn_app().await;
    let b = spawn_second(&a).await;
    let rep = user(&a, "rep1").await;
    let id = customer(&a, &rep, "常州东方纺织有限公司", "13800000006").await;
    // the manager is connected to server B; the rep checks in through server A
    let m = b.signed_in("manager1").await;
    let mut ws = socket(&b, &m, None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut r = a.signed_in("rep1").await;
    let started = std::time::Instant::now();
    let reply = r
        .multipart(
            "checkin",
            checkin_form("two-srv-001", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let push = next_push(&mut ws, Duration::from_secs(1))
        .await
        .expect("pushed within 1 s");
    let elapsed = started.elapsed();
    match push {
        Push::Event { item, .. } => {
            assert_eq!(item.kind, "checkin");
            assert_eq!(item.customer_id.as_deref(), Some(id.as_str()));
        }
        other => panic!("expected the event, got {other:?}"),
    }
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");

    // a comment through B reaches the rep's socket on A, with the counts and the bell
    let mut rep_ws = socket(&a, &r, None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let event = app::feed::service::feed(&b.state, &rep, None)
        .await
        .unwrap()
        .items[0]
        .id
        .clone();
    let mut mb = b.signed_in("manager1").await;
    let reply = mb
        .call("comment", &[("event", &event), ("text", "干得好")])
        .await;
    assert!(reply.status.is_success());
    let mut resume = Resume::default();
    let got = drain(&mut rep_ws, &mut resume, Duration::from_millis(800)).await;
    assert!(
        got.iter()
            .any(|p| matches!(p, Push::Comment { comment, .. } if comment.text == "干得好")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|p| matches!(p, Push::Counts { comments: 1, .. })),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|p| matches!(p, Push::Notify { unread, .. } if *unread >= 1)),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_socket_that_sends_an_oversized_message_is_closed_and_others_go_on() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "常州金坛电机有限公司", "13800000006").await;
    let m = app.signed_in("manager1").await;
    let mut rude = socket(&app, &m, None).await;
    let mut polite = socket(&app, &m, None).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // far more than any hello: the server closes this socket
    let _ = rude.send(Message::Text("x".repeat(64 * 1024).into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match rude.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(closed, "the oversized socket stays open");
    follow_up(&app, &rep, &id, "照常送达").await;
    let mut resume = Resume::default();
    let got = drain(&mut polite, &mut resume, Duration::from_millis(800)).await;
    assert_eq!(event_texts(&got), vec!["照常送达"]);
}

#[tokio::test]
async fn sockets_need_a_session() {
    let app = spawn_app().await;
    let url = app.base.replace("http://", "ws://") + "/ws";
    let err = tokio_tungstenite::connect_async(url)
        .await
        .expect_err("refused");
    match err {
        tokio_tungstenite::tungstenite::Error::Http(resp) => {
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED.as_u16())
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn a_daily_log_is_prefilled_saved_once_edited_and_closed_after_the_next_day() {
    let app = spawn_app().await;
    let rep = user(&app, "rep1").await;
    let id = customer(&app, &rep, "宁波海天塑料有限公司", "13800000007").await;
    follow_up(&app, &rep, &id, "电话确认了样品").await;
    let mut c = app.signed_in("rep1").await;
    let r = c
        .multipart(
            "checkin",
            checkin_form("log-visit-01", &id, "31.2304", "121.4737", None),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let v = app::worklog::service::view(&app.state, &rep, "")
        .await
        .unwrap();
    assert!(v.editable && !v.saved);
    let kinds: Vec<&str> = v.activity.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["followup", "checkin"],
        "the day's activity in time order"
    );

    // bad input names the field and saves nothing
    for (work, hours, expenses, field) in [
        ("", "8", "", "work"),
        ("拜访两家", "25", "", "hours"),
        ("拜访两家", "8", "abc", "expenses"),
    ] {
        let r = c
            .call(
                "save_daily_log",
                &[("work", work), ("hours", hours), ("expenses", expenses)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(r.error_field(), Some(field));
    }
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM daily_log)").await,
        0
    );

    let r = c
        .call(
            "save_daily_log",
            &[
                ("work", "拜访宁波海天"),
                ("hours", "7.5"),
                ("expenses", "35.5"),
            ],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = c
        .call(
            "save_daily_log",
            &[
                ("work", "拜访宁波海天，约了下周演示"),
                ("hours", "8"),
                ("expenses", "35.5"),
            ],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let v = app::worklog::service::view(&app.state, &rep, "")
        .await
        .unwrap();
    assert!(v.saved);
    assert_eq!(
        (v.work.as_str(), v.hours, v.expenses.as_str()),
        ("拜访宁波海天，约了下周演示", 8.0, "35.50")
    );
    assert_eq!(
        count(&app, "RETURN count(SELECT id FROM daily_log)").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "RETURN count(SELECT id FROM feed_event WHERE kind = 'daily_log')"
        )
        .await,
        1,
        "one feed event, updated by the edit"
    );
    let manager = user(&app, "manager1").await;
    let page = app::feed::service::feed(&app.state, &manager, None)
        .await
        .unwrap();
    let log = page
        .items
        .iter()
        .find(|i| i.kind == "daily_log")
        .expect("in the manager's feed");
    assert_eq!(log.text.as_deref(), Some("拜访宁波海天，约了下周演示"));

    // two days later the day is closed
    let today = v.day.clone();
    app.state.clock.advance(2 * 86_400);
    let r = c
        .call(
            "save_daily_log",
            &[("day", today.as_str()), ("work", "补记"), ("hours", "8")],
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, Some("log_closed"))
    );
}

/// Each app server caches the stages, departments and limits; a change made
/// through one server applies at the very next visit written through another.
#[tokio::test]
async fn a_limit_changed_through_one_server_applies_at_the_next_visit_on_another() {
    let a = spawn_app().await;
    let b = spawn_second(&a).await;
    let rep = user(&a, "rep1").await;
    let admin = user(&a, "admin").await;
    let id = customer(&a, &rep, "上海缓存验证有限公司", "13800000077").await;
    let visit = |key: &str| app::field::service::CheckinForm {
        key: key.into(),
        customer: id.clone(),
        lat: "31.2305".into(),
        lng: "121.4738".into(),
        accuracy: "15".into(),
        ..Default::default()
    };
    let due = || async {
        app::customers::repo::load(&a.state.db, &id)
            .await
            .expect("load")
            .expect("customer")
            .state
            .due_at
            .expect("an owned customer has a deadline")
    };
    // server B reads (and caches) the limits: the first stage's 3 days come
    // first (deadlines end with the local day)
    app::field::service::check_in(&b.state, &rep, visit("cache-0001"), Vec::new())
        .await
        .expect("check-in");
    let now = b.state.now();
    let first = due().await;
    assert!(first > now + chrono::Duration::days(2), "{first} at {now}");

    // the follow-up limit becomes 1 day, changed through server A
    let policy =
        app::funnel::config::parse_policy("1", "30", "15", false, "0", "manager", "7", "", "30")
            .expect("policy");
    app::funnel::repo::save_policy(&a.state.db, &admin.id, None, Some(policy))
        .await
        .expect("save");

    // the next check-in through B already counts 1 day: the end of tomorrow
    app::field::service::check_in(&b.state, &rep, visit("cache-0002"), Vec::new())
        .await
        .expect("check-in");
    let now = b.state.now();
    let d = due().await;
    assert!(
        d <= now + chrono::Duration::days(2) && d > now,
        "deadline {d} from a 1-day limit at {now}"
    );
}
