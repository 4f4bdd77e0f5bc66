//! Load generator for the field-work budgets (SPEC §8):
//!
//! - `checkin CLIENTS SECS`: CLIENTS concurrent clients each checking in at its own
//!   customer, over and over, for SECS seconds, through the real write path
//!   (`field::service::check_in`: visibility and clocks read, then one transaction
//!   with the check-in, the customer's clocks and the feed event). Then, in the same
//!   run and on the same engine, CLIENTS tasks doing a raw `CREATE` loop for SECS
//!   seconds. Budget: p99 < 50 ms at 200 clients; throughput ≥ 50% of the raw loop.
//! - `fanout SOCKETS`: SOCKETS websockets signed in as a manager on a served app;
//!   one feed event is written (a follow-up) and the time until each socket has it
//!   is measured, over 5 rounds. Budget: p99 < 100 ms at 5,000. Also the resident
//!   memory per idle connection (client and server ends both live in this process,
//!   so this is an upper bound for the server's share).
//!
//! `cargo run -p bench --profile server-release --bin field -- checkin 200 20`

use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod stats;
use stats::report;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn build(port: u16) -> server::Application {
    let mut settings = server::settings::Settings::for_tests();
    if let Ok(url) = std::env::var("DATABASE_URL") {
        settings.database_url = url;
    }
    settings.demo = true;
    settings.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    settings.cookie_secure = false;
    server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"))
}

async fn users(state: &app::state::AppState) -> Vec<app::auth::model::CurrentUser> {
    let mut r = state
        .db
        .query("SELECT VALUE record::id(id) FROM user WHERE role = 'rep' ORDER BY login")
        .await
        .expect("query");
    let ids: Vec<String> = r.take(0).expect("ids");
    let mut out = Vec::new();
    for id in ids {
        out.push(
            app::people::repo::find_user(&state.db, &id)
                .await
                .expect("find")
                .expect("user")
                .0,
        );
    }
    out
}

/// One owned customer per client, owned by the reps in turn.
async fn customers(
    state: &app::state::AppState,
    reps: &[app::auth::model::CurrentUser],
    n: usize,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let rep = &reps[i % reps.len()];
        let id = format!("fb{i}");
        state
            .db
            .query(
                "LET $now = time::now();
                 CREATE type::record('customer', $id) CONTENT {
                     name: '签到基准' + $id, name_key: '签到基准' + $id,
                     name_head: '签到', name_tail: $id, phones: [], phone_keys: [],
                     contact: '', contact_role: '', decision_maker: '', address: '',
                     region: '上海', lat: 31.2304, lng: 121.4737, industry: '制造', size: '',
                     source: '', notes: '', expected_cents: 0,
                     created_by: type::record('user', $owner), created_at: $now,
                     status: 'owned', owner: type::record('user', $owner),
                     department: type::record('department', $dept), checklist: [],
                     stage: stage:s1, won: false, reached: 1,
                     stage_entered_at: $now, last_followup_at: $now, owned_since: $now,
                     due_at: $now + 30d, due_clock: 'stage', warn_at: $now + 20d, version: 0,
                 };",
            )
            .bind(("id", id.clone()))
            .bind(("owner", rep.id.clone()))
            .bind(("dept", rep.department_id.clone()))
            .await
            .and_then(|r| r.check())
            .unwrap_or_else(|e| panic!("customer {i}: {e}"));
        ids.push(id);
    }
    ids
}

async fn checkin(clients: usize, secs: u64) {
    let app = build(0).await;
    let state = app.state.clone();
    let reps = users(&state).await;
    let ids = customers(&state, &reps, clients).await;
    let window = Duration::from_secs(secs);

    // 1. the check-in write path
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let state = state.clone();
        let rep = reps[i % reps.len()].clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut k = 0usize;
            while started.elapsed() < window {
                let form = app::field::service::CheckinForm {
                    key: format!("bench-{i}-{k}"),
                    customer: id.clone(),
                    purpose: "基准拜访".into(),
                    lat: "31.2305".into(),
                    lng: "121.4738".into(),
                    accuracy: "15".into(),
                    captured_at: chrono::Utc::now().to_rfc3339(),
                };
                let t = Instant::now();
                match app::field::service::check_in(&state, &rep, form, Vec::new()).await {
                    Ok(_) => lat.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        if errors < 3 {
                            eprintln!("check-in error: {e}");
                        }
                    }
                }
                k += 1;
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("task");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let checkin_rate = all.len() as f64 / elapsed;
    println!(
        "check-in write path, {clients} clients, {elapsed:.1}s: {} ok, {errors} errors, {checkin_rate:.0}/s",
        all.len()
    );
    report("  check-in latency", all);

    // 2. a raw insert loop on the same engine
    state
        .db
        .query("DEFINE TABLE OVERWRITE raw_bench SCHEMALESS")
        .await
        .expect("define");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let db = state.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while started.elapsed() < window {
                let t = Instant::now();
                let ok = db
                    .query("CREATE raw_bench CONTENT { client: $i, purpose: '基准拜访', at: time::now() } RETURN NONE")
                    .bind(("i", i as i64))
                    .await
                    .and_then(|r| r.check())
                    .is_ok();
                if ok {
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    let mut raw = Vec::new();
    for t in tasks {
        raw.extend(t.await.expect("task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let raw_rate = raw.len() as f64 / elapsed;
    println!(
        "raw insert loop, {clients} clients, {elapsed:.1}s: {} rows, {raw_rate:.0}/s",
        raw.len()
    );
    report("  raw insert latency", raw);
    println!(
        "check-in throughput = {:.0}% of the raw insert loop",
        100.0 * checkin_rate / raw_rate.max(1.0)
    );
}

async fn fanout(sockets: usize) {
    let app = build(0).await;
    let port = app.port();
    let state = app.state.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let base = format!("http://127.0.0.1:{port}");
    // sign in once as the manager; every socket uses that session
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .form(&[
            ("login", "manager1"),
            ("password", server::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix("bpc_session=")
                .map(|r| r.split(';').next().unwrap_or("").to_string())
        })
        .expect("session cookie");
    let reps = users(&state).await;
    let rep = reps.first().expect("a rep").clone();
    let customer = customers(&state, &reps[..1], 1).await.remove(0);

    let rss_before = rss_kib();
    let arrivals: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::new(Mutex::new(Vec::new()));
    let round = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut ready = Vec::new();
    let opened = Instant::now();
    for _ in 0..sockets {
        let mut req = format!("ws://127.0.0.1:{port}/ws")
            .into_client_request()
            .expect("req");
        req.headers_mut().insert(
            "cookie",
            format!("bpc_session={cookie}").parse().expect("header"),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("connect");
        ws.send(Message::Text(r#"{"after":null}"#.into()))
            .await
            .expect("hello");
        let arrivals = arrivals.clone();
        let round = round.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = tx.send(());
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m {
                    if t.contains("\"t\":\"event\"") {
                        let now = Instant::now();
                        let r = round.load(std::sync::atomic::Ordering::Relaxed);
                        arrivals.lock().await.push((r, now));
                    }
                }
            }
        });
        ready.push(rx);
    }
    for r in ready {
        let _ = r.await;
    }
    println!("opened {sockets} sockets in {:.1?}", opened.elapsed());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = rss_kib();
    println!(
        "resident memory: {} MiB before, {} MiB with {sockets} idle sockets: {:.1} KiB per connection (client and server ends)",
        rss_before / 1024,
        rss_idle / 1024,
        (rss_idle.saturating_sub(rss_before)) as f64 / sockets as f64
    );
    let mut latencies = Vec::new();
    for r in 0..5 {
        round.store(r, std::sync::atomic::Ordering::Relaxed);
        arrivals.lock().await.clear();
        let t0 = Instant::now();
        app::field::service::follow_up(
            &state,
            &rep,
            &customer,
            "",
            &format!("基准第{r}轮"),
            Vec::new(),
        )
        .await
        .expect("follow-up");
        let write = t0.elapsed();
        // wait until every socket has it (or 10 s)
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = arrivals.lock().await.len();
            if n >= sockets || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let got: Vec<Duration> = arrivals
            .lock()
            .await
            .iter()
            .map(|(_, at)| *at - t0)
            .collect();
        println!(
            "round {r}: write {write:.2?}, delivered to {}/{sockets}",
            got.len()
        );
        latencies.extend(got);
    }
    report(
        &format!("fan-out to {sockets} sockets, delivery after the write began"),
        latencies,
    );
}

/// Where one check-in's time goes, one client, 300 rounds each.
async fn profile() {
    let app = build(0).await;
    let state = app.state.clone();
    let reps = users(&state).await;
    let ids = customers(&state, &reps, 1).await;
    let rep = reps[0].clone();
    let n = 300;
    macro_rules! time {
        ($label:expr, $e:expr) => {{
            let mut v = Vec::new();
            for _ in 0..n {
                let t = Instant::now();
                let _ = $e;
                v.push(t.elapsed());
            }
            report($label, v);
        }};
    }
    time!(
        "Ctx::load",
        app::customers::service::Ctx::load(&state).await
    );
    time!(
        "customers::repo::load",
        app::customers::repo::load(&state.db, &ids[0]).await
    );
    time!(
        "visit_target",
        app::customers::service::visit_target(&state, &rep, &ids[0]).await
    );
    let mut k = 0;
    time!("check_in (whole)", {
        k += 1;
        app::field::service::check_in(
            &state,
            &rep,
            app::field::service::CheckinForm {
                key: format!("prof-{k:06}"),
                customer: ids[0].clone(),
                lat: "31.2305".into(),
                lng: "121.4738".into(),
                accuracy: "15".into(),
                ..Default::default()
            },
            Vec::new(),
        )
        .await
    });
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match args.first().map(String::as_str) {
        Some("checkin") => checkin(num(1, 200), num(2, 20) as u64).await,
        Some("fanout") => fanout(num(1, 5000)).await,
        Some("profile") => profile().await,
        _ => eprintln!("usage: field checkin CLIENTS SECS | fanout SOCKETS"),
    }
}
