//! Load generator for the field-work budgets (SPEC §8):
//!
//! - `checkin CLIENTS SECS`: a closed loop. CLIENTS concurrent clients each check
//!   in at its own customer, back to back, for SECS seconds, through the real write
//!   path (`field::service::check_in`: the repeat check, the cached configuration,
//!   the customer read, then one transaction with the check-in, the customer's
//!   clocks and the feed event). Then two baselines on the same engine, each on a
//!   fresh database and for as long: the same three writes as one bare transaction
//!   (no reads, no rules), and a raw single-row `CREATE` loop. Budget: p99 < 50 ms
//!   at 200 clients; throughput ≥ 50% of the raw loop.
//! - `checkin-open CLIENTS SECS RATE[,RATE…]`: an open loop. CLIENTS phones check in
//!   at RATE check-ins per second in all, due on a fixed schedule whether or not the
//!   previous one has answered; latency counts from when each was due. Beside the
//!   real path, each on a fresh database of the same engine: the bare three writes,
//!   and the same with the rep's day sums. The loops take turns at each rate.
//! - `parts CLIENTS SECS`: each write of the bare transaction alone, closed loop, on
//!   a database no app server follows: where the engine's time goes.
//! - `fanout SOCKETS`: SOCKETS websockets signed in as a manager on a served app;
//!   one feed event is written (a follow-up) and the time until each socket has it
//!   is measured, over 5 rounds. Budget: p99 < 100 ms at 5,000. Also the resident
//!   memory per idle connection (client and server ends both live in this process,
//!   so this is an upper bound for the server's share).
//! - `profile`: one client, 300 rounds of each step of a check-in.
//!
//! `cargo run -p bench --profile server-release --bin field -- checkin 200 20`

use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

mod stats;
use stats::{report, rss_kib};

/// `DATABASE_URL` for one app of this run: a file engine's directory gets a
/// fresh subdirectory per app, so no loop pays for rows another one left.
fn database_url() -> Option<String> {
    static APPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let url = std::env::var("DATABASE_URL").ok()?;
    for scheme in ["surrealkv://", "rocksdb://"] {
        if let Some(dir) = url.strip_prefix(scheme) {
            let n = APPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Some(format!(
                "{scheme}{}/run-{}-{n}",
                dir.trim_end_matches('/'),
                std::process::id()
            ));
        }
    }
    Some(url)
}

async fn build(port: u16) -> server::Application {
    let mut settings = server::settings::Settings::for_tests();
    if let Some(url) = database_url() {
        settings.database_url = url;
    }
    settings.demo = true;
    if let Some(n) = std::env::var("BPC_VISIT_WRITERS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.visit_writers = n;
    }
    settings.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    settings.cookie_secure = false;
    server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"))
}

/// One rep per client (a rep checks in from one phone): the demo's reps, and
/// more in their departments up to `clients`. Each rep's day sums are then
/// written by one client at a time, as in the field.
async fn users(db: &app::db::Db, clients: usize) -> Vec<app::auth::model::CurrentUser> {
    db.query(
        "LET $depts = (SELECT VALUE department FROM user WHERE role = 'rep');
         FOR $i IN $extra {
             CREATE type::record('user', 'benchrep' + <string> $i) CONTENT {
                 login: 'benchrep' + <string> $i, name: '基准' + <string> $i, role: 'rep',
                 department: $depts[$i % count($depts)], active: true, password_hash: 'x',
                 language: 'zh-CN',
             } RETURN NONE;
         };",
    )
    // the demo has 8 reps
    .bind((
        "extra",
        (0..clients.saturating_sub(8) as i64).collect::<Vec<i64>>(),
    ))
    .await
    .and_then(|r| r.check())
    .expect("reps");
    let mut r = db
        .query("SELECT VALUE record::id(id) FROM user WHERE role = 'rep' ORDER BY login")
        .await
        .expect("query");
    let ids: Vec<String> = r.take(0).expect("ids");
    let mut out = Vec::new();
    for id in ids {
        out.push(
            app::auth::repo::find_user(db, &id)
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
    db: &app::db::Db,
    reps: &[app::auth::model::CurrentUser],
    n: usize,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let rep = &reps[i % reps.len()];
        let id = format!("fb{i}");
        db.query(
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

/// One operation of a load generator: client number and round in, success out.
type Op = Arc<dyn Fn(usize, usize) -> futures::future::BoxFuture<'static, bool> + Send + Sync>;

/// `clients` tasks calling `op` back to back for `window`. Returns the latencies
/// of the successful calls, the error count and the rate of successful calls.
async fn closed_loop(clients: usize, window: Duration, op: Op) -> (Vec<Duration>, usize, f64) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut errors, mut k) = (Vec::new(), 0usize, 0usize);
            while started.elapsed() < window {
                let t = Instant::now();
                if op(i, k).await {
                    lat.push((t.elapsed(), started.elapsed()));
                } else {
                    errors += 1;
                }
                k += 1;
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.expect("task");
        all.extend(l);
        errors += e;
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    // the rate in each third of the window: does the engine slow down as it fills?
    let third = window.as_secs_f64() / 3.0;
    let thirds: Vec<String> = (0..3)
        .map(|p| {
            let n = all
                .iter()
                .filter(|(_, at)| (at.as_secs_f64() / third) as usize == p)
                .count();
            format!("{:.0}/s", n as f64 / third)
        })
        .collect();
    println!("  rate by thirds of the window: {}", thirds.join(", "));
    (all.into_iter().map(|(l, _)| l).collect(), errors, rate)
}

/// `clients` clients each starting one call every `clients / rate` seconds for
/// `window`, whether or not the previous one has answered (an open loop: a slow
/// answer does not slow the arrivals down). Latency counts from the moment the
/// call was due, so queueing behind slow calls is included.
async fn open_loop(clients: usize, window: Duration, rate: f64, op: Op) -> (Vec<Duration>, usize) {
    let period = Duration::from_secs_f64(clients as f64 / rate);
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Option<Duration>>();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let (op, tx) = (op.clone(), tx.clone());
        // spread the clients' phases over one period
        let phase = period.mul_f64(i as f64 / clients as f64);
        tasks.push(tokio::spawn(async move {
            let mut k = 0usize;
            loop {
                let due = start + phase + period.mul_f64(k as f64);
                if due.duration_since(start) >= window {
                    break;
                }
                tokio::time::sleep_until(due).await;
                let (op, tx) = (op.clone(), tx.clone());
                tokio::spawn(async move {
                    let ok = op(i, k).await;
                    let _ = tx.send(ok.then(|| due.elapsed()));
                });
                k += 1;
            }
        }));
    }
    drop(tx);
    for t in tasks {
        t.await.expect("task");
    }
    let (mut lat, mut errors) = (Vec::new(), 0);
    while let Some(r) = rx.recv().await {
        match r {
            Some(d) => lat.push(d),
            None => errors += 1,
        }
    }
    (lat, errors)
}

/// The check-in write path, as the server function calls it.
fn checkin_op(
    state: &app::state::AppState,
    reps: &[app::auth::model::CurrentUser],
    ids: &[String],
    tag: &str,
) -> Op {
    let (state, reps, ids) = (state.clone(), reps.to_vec(), ids.to_vec());
    let tag: Arc<str> = tag.into();
    let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Arc::new(move |i, k| {
        let (state, rep, id) = (state.clone(), reps[i % reps.len()].clone(), ids[i].clone());
        let tag = tag.clone();
        let errors = errors.clone();
        Box::pin(async move {
            let form = app::field::service::CheckinForm {
                key: format!("{tag}-{i}-{k}"),
                customer: id,
                purpose: "基准拜访".into(),
                lat: "31.2305".into(),
                lng: "121.4738".into(),
                accuracy: "15".into(),
                captured_at: chrono::Utc::now().to_rfc3339(),
            };
            match app::field::service::check_in(&state, &rep, form, Vec::new()).await {
                Ok(_) => true,
                Err(e) => {
                    if errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 3 {
                        eprintln!("check-in error: {e}");
                    }
                    false
                }
            }
        })
    })
}

// The writes of a check-in as bare SurrealQL, with `$key` (the check-in's id),
// `$u` (the rep), `$d` (the department) and `$c` (the customer record) bound.
const BARE_CHECKIN: &str = "CREATE type::record('checkin', $key) CONTENT {
    user: type::record('user', $u), department: type::record('department', $d),
    customer: $c, purpose: '基准拜访', lat: 31.2305, lng: 121.4738,
    accuracy: 15.0, distance_m: 14.0, flags: [], photos: [],
    captured_at: time::now(), at: time::now(),
} RETURN NONE;";
/// The check-in record with its local day, so the table's event adds it to the
/// rep's day and month sums as the real path does.
const BARE_CHECKIN_DAY: &str = "CREATE type::record('checkin', $key) CONTENT {
    user: type::record('user', $u), department: type::record('department', $d),
    customer: $c, purpose: '基准拜访', lat: 31.2305, lng: 121.4738,
    accuracy: 15.0, distance_m: 14.0, flags: [], photos: [],
    captured_at: time::now(), at: time::now(), day: time::format(time::now(), '%Y-%m-%d'),
} RETURN NONE;";
const BARE_CLOCKS: &str = "UPDATE $c SET last_followup_at = time::now(),
    due_at = time::now() + 30d, warn_at = time::now() + 20d, version += 1 RETURN NONE;";
const BARE_FEED: &str = "CREATE type::record('feed_event', <string> rand::uuid::v7()) CONTENT {
    kind: 'checkin', actor: type::record('user', $u),
    subject: type::record('user', $u), subject_name: '基准',
    department: type::record('department', $d), customer: $c,
    customer_name: '基准', text: '基准拜访', photos: [], flags: [],
    distance_m: 14.0, at: time::now(),
} RETURN NONE;";
const BARE_STREAM: &str = "CREATE stream CONTENT { seq: <string> rand::uuid::v7(), kind: 'bench',
    department: type::record('department', $d), at: time::now() } RETURN NONE;";

/// `body` (some of the statements above) as one transaction, for client `i`'s
/// round `k` at its customer `ids[i]`.
fn bare_op(
    tag: &str,
    db: &app::db::Db,
    reps: &[app::auth::model::CurrentUser],
    ids: &[String],
    body: &[&str],
) -> Op {
    let (db, reps, ids) = (db.clone(), reps.to_vec(), ids.to_vec());
    let tag: Arc<str> = tag.into();
    let sql: Arc<str> = format!(
        "BEGIN TRANSACTION; LET $c = type::record('customer', $c); {} COMMIT TRANSACTION;",
        body.concat()
    )
    .into();
    Arc::new(move |i, k| {
        let (db, rep, id, sql, tag) = (
            db.clone(),
            reps[i % reps.len()].clone(),
            ids[i].clone(),
            sql.clone(),
            tag.clone(),
        );
        Box::pin(async move {
            db.query(&*sql)
                .bind(("key", format!("{}:{tag}-{i}-{k}", rep.id)))
                .bind(("u", rep.id.clone()))
                .bind(("d", rep.department_id.clone()))
                .bind(("c", id))
                .await
                .and_then(|r| r.check())
                .is_ok()
        })
    })
}

/// One small row into a schemaless table: the engine's raw insert rate.
fn raw_create_op(state: &app::state::AppState) -> Op {
    let db = state.db.clone();
    Arc::new(move |i, _| {
        let db = db.clone();
        Box::pin(async move {
            db.query("CREATE raw_bench CONTENT { client: $i, purpose: '基准拜访', at: time::now() } RETURN NONE")
                .bind(("i", i as i64))
                .await
                .and_then(|r| r.check())
                .is_ok()
        })
    })
}

/// Closed loop: the check-in path, then the two raw loops on the same engine.
/// A fresh app (its own database) with `clients` reps' customers.
async fn fresh(
    clients: usize,
) -> (
    server::Application,
    Vec<app::auth::model::CurrentUser>,
    Vec<String>,
) {
    let app = build(0).await;
    let reps = users(&app.state.db, clients).await;
    let ids = customers(&app.state.db, &reps, clients).await;
    (app, reps, ids)
}

/// Each loop runs on a fresh database, so none pays for the rows another left.
async fn checkin(clients: usize, secs: u64) {
    let window = Duration::from_secs(secs);
    let (app, reps, ids) = fresh(clients).await;
    let state = app.state.clone();
    let (lat, errors, checkin_rate) =
        closed_loop(clients, window, checkin_op(&state, &reps, &ids, "closed")).await;
    println!(
        "check-in write path, {clients} clients, {secs}s: {} ok, {errors} errors, {checkin_rate:.0}/s",
        lat.len()
    );
    report("  check-in latency", lat);

    drop((app, state));
    let (app, reps, ids) = fresh(clients).await;
    let state = app.state.clone();
    let (lat, errors, bare_rate) = closed_loop(
        clients,
        window,
        bare_op(
            "bare",
            &state.db,
            &reps,
            &ids,
            &[BARE_CHECKIN, BARE_CLOCKS, BARE_FEED],
        ),
    )
    .await;
    println!(
        "bare visit transaction (same three writes), {clients} clients: {} ok, {errors} errors, {bare_rate:.0}/s",
        lat.len()
    );
    report("  bare transaction latency", lat);

    drop((app, state));
    let (app, _, _) = fresh(clients).await;
    let state = app.state.clone();
    state
        .db
        .query("DEFINE TABLE OVERWRITE raw_bench SCHEMALESS")
        .await
        .expect("define");
    let (lat, _, raw_rate) = closed_loop(clients, window, raw_create_op(&state)).await;
    println!(
        "raw single-row CREATE loop, {clients} clients: {} rows, {raw_rate:.0}/s",
        lat.len()
    );
    report("  raw insert latency", lat);
    println!(
        "check-in throughput = {:.0}% of the bare visit transaction loop, {:.1}% of the raw single-row loop",
        100.0 * checkin_rate / bare_rate.max(1.0),
        100.0 * checkin_rate / raw_rate.max(1.0)
    );
}

/// The bare transaction's parts, each on a fresh database without any app server
/// (so no live query follows the stream): which writes cost what at `clients`.
async fn parts(clients: usize, secs: u64) {
    let window = Duration::from_secs(secs);
    for (label, body) in [
        ("check-in record only", BARE_CHECKIN),
        ("customer clocks only", BARE_CLOCKS),
        ("feed event (+ its stream row) only", BARE_FEED),
        ("stream row only", BARE_STREAM),
    ] {
        let mut settings = server::settings::Settings::for_tests();
        settings.demo = true;
        let db = server::db::connect(&settings).await.expect("db");
        server::demo::load_demo(&db).await.expect("demo");
        let reps = users(&db, clients).await;
        let ids = customers(&db, &reps, clients).await;
        let (lat, errors, rate) =
            closed_loop(clients, window, bare_op("bare", &db, &reps, &ids, &[body])).await;
        println!("{label}, {clients} clients: {errors} errors, {rate:.0}/s");
        report("  latency", lat);
    }
}

/// Open loop: `clients` phones checking in at `rates` (check-ins per second, all
/// clients together), `secs` each, through the real path; beside it, each on a
/// fresh database of the same engine, the same writes as one bare transaction.
/// The loops take turns at each rate (after a short unreported warm-up each), so
/// a drift in this machine's speed over the minutes of a run reaches all of them
/// alike. Capacity is the highest rate answered with p99 < 50 ms and no errors.
async fn checkin_open(clients: usize, secs: u64, rates: &[f64]) {
    enum Kind {
        Path,
        Bare([&'static str; 3]),
    }
    let window = Duration::from_secs(secs);
    let budget = Duration::from_millis(50);
    let mut loops: Vec<(&str, Kind)> = vec![("check-in", Kind::Path)];
    // BENCH_PATH_ONLY=1: the check-in path alone (when tuning it)
    if std::env::var("BENCH_PATH_ONLY").is_err() {
        loops.push((
            "bare: three writes",
            Kind::Bare([BARE_CHECKIN, BARE_CLOCKS, BARE_FEED]),
        ));
        loops.push((
            "bare: the same, with the day sums",
            Kind::Bare([BARE_CHECKIN_DAY, BARE_CLOCKS, BARE_FEED]),
        ));
    }
    let mut dbs = Vec::new();
    for _ in &loops {
        dbs.push(fresh(clients).await);
    }
    let op = |n: usize, tag: &str| -> Op {
        let (app, reps, ids) = &dbs[n];
        match &loops[n].1 {
            Kind::Path => checkin_op(&app.state, reps, ids, tag),
            Kind::Bare(body) => bare_op(tag, &app.state.db, reps, ids, body),
        }
    };
    let warm = Duration::from_secs(3.min(secs));
    for n in 0..loops.len() {
        let _ = open_loop(clients, warm, rates[0], op(n, "warm")).await;
    }
    // p99 per loop and rate (Duration::MAX when a write failed)
    let mut cols: Vec<Vec<Duration>> = vec![Vec::new(); loops.len()];
    for &rate in rates {
        for (n, (label, _)) in loops.iter().enumerate() {
            // a key of its own per rate: a repeated key is the idempotent path
            let (lat, errors) =
                open_loop(clients, window, rate, op(n, &format!("open{rate}"))).await;
            println!(
                "open loop, {label}, {clients} clients, {rate:.0}/s offered for {}s: {} ok, {errors} errors",
                window.as_secs(),
                lat.len()
            );
            cols[n].push(if errors > 0 { Duration::MAX } else { p99(&lat) });
            report("  latency (from when due)", lat);
        }
    }
    let capacity = |col: &[Duration]| {
        rates
            .iter()
            .zip(col)
            .filter(|(_, p)| **p < budget)
            .map(|(r, _)| *r)
            .fold(0.0, f64::max)
    };
    println!(
        "rate/s | {}",
        loops
            .iter()
            .map(|l| format!("{} p99", l.0))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    for (i, rate) in rates.iter().enumerate() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match c[i] {
                Duration::MAX => "errors".to_string(),
                d => format!("{d:.1?}"),
            })
            .collect();
        println!("{rate:.0} | {}", cells.join(" | "));
    }
    let path = capacity(&cols[0]);
    for ((label, _), col) in loops.iter().zip(&cols).skip(1) {
        let bare = capacity(col);
        println!(
            "capacity at p99 < 50 ms: check-in {path:.0}/s, {label} {bare:.0}/s ({:.0}%)",
            100.0 * path / bare.max(1.0)
        );
    }
}

fn p99(lat: &[Duration]) -> Duration {
    let mut v = lat.to_vec();
    v.sort();
    if v.is_empty() {
        Duration::MAX
    } else {
        stats::percentile(&v, 0.99)
    }
}

/// When each event reached a socket (wall clock: the clients may be another process).
type Arrivals = Arc<std::sync::Mutex<Vec<std::time::SystemTime>>>;

fn taken(a: &Arrivals) -> std::sync::MutexGuard<'_, Vec<std::time::SystemTime>> {
    a.lock().unwrap_or_else(|e| e.into_inner())
}

/// Opens `sockets` websockets with the session `cookie`, each recording when an
/// event reaches it.
async fn open_sockets(port: u16, cookie: &str, sockets: usize, arrivals: &Arrivals) {
    let mut ready = Vec::new();
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
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = tx.send(());
            while let Some(Ok(m)) = ws.next().await {
                if let Message::Text(t) = m {
                    if t.contains("\"t\":\"event\"") {
                        let now = std::time::SystemTime::now();
                        taken(&arrivals).push(now);
                    }
                }
            }
        });
        ready.push(rx);
    }
    for r in ready {
        let _ = r.await;
    }
}

/// Waits until `n` arrivals are in (or 10 s) and takes them.
async fn collect(arrivals: &Arrivals, n: usize) -> Vec<std::time::SystemTime> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while taken(arrivals).len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    std::mem::take(&mut *taken(arrivals))
}

/// One event delivered to `sockets` manager websockets, 5 rounds. With `apart`,
/// the sockets live in a child process (`fanout-clients`), so the server's
/// process does only the server's work; its resident memory then shows what an
/// idle connection costs the server alone.
async fn fanout(sockets: usize, apart: bool) {
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
    let reps = users(&state.db, 0).await;
    let rep = reps.first().expect("a rep").clone();
    let customer = customers(&state.db, &reps[..1], 1).await.remove(0);

    let rss_before = rss_kib();
    let arrivals: Arrivals = Arc::default();
    let opened = Instant::now();
    let mut child = None;
    if apart {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut c = tokio::process::Command::new(std::env::current_exe().expect("exe"))
            .args([
                "fanout-clients",
                &port.to_string(),
                &cookie,
                &sockets.to_string(),
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("clients process");
        let mut lines = BufReader::new(c.stdout.take().expect("stdout")).lines();
        let ready = lines.next_line().await.expect("read").expect("ready");
        assert_eq!(ready, "ready");
        child = Some((c.stdin.take().expect("stdin"), lines, c));
    } else {
        open_sockets(port, &cookie, sockets, &arrivals).await;
    }
    println!(
        "opened {sockets} sockets in {:.1?} ({})",
        opened.elapsed(),
        if apart {
            "clients in another process"
        } else {
            "clients in this process"
        }
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = rss_kib();
    println!(
        "resident memory: {} MiB before, {} MiB with {sockets} idle sockets: {:.1} KiB per connection ({})",
        rss_before / 1024,
        rss_idle / 1024,
        (rss_idle.saturating_sub(rss_before)) as f64 / sockets as f64,
        if apart { "server end only" } else { "client and server ends" }
    );
    let mut latencies = Vec::new();
    for r in 0..5 {
        let t0 = std::time::SystemTime::now();
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
        let write = t0.elapsed().unwrap_or_default();
        let got: Vec<std::time::SystemTime> = match &mut child {
            Some((stdin, lines, _)) => {
                use tokio::io::AsyncWriteExt;
                stdin.write_all(b"collect\n").await.expect("write");
                let line = lines.next_line().await.expect("read").expect("arrivals");
                line.split_whitespace()
                    .filter_map(|ns| ns.parse::<u64>().ok())
                    .map(|ns| std::time::UNIX_EPOCH + Duration::from_nanos(ns))
                    .collect()
            }
            None => collect(&arrivals, sockets).await,
        };
        println!(
            "round {r}: write {write:.2?}, delivered to {}/{sockets}",
            got.len()
        );
        latencies.extend(
            got.iter()
                .map(|at| at.duration_since(t0).unwrap_or_default()),
        );
    }
    report(
        &format!("fan-out to {sockets} sockets, delivery after the write began"),
        latencies,
    );
    if let Some((stdin, _, mut c)) = child {
        drop(stdin);
        let _ = c.wait().await;
    }
}

/// The child of `fanout … apart`: opens the sockets, says `ready`, and for each
/// `collect` line answers with the arrival times (ns since the epoch) of the
/// event all sockets were sent.
async fn fanout_clients(port: u16, cookie: &str, sockets: usize) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let arrivals: Arrivals = Arc::default();
    open_sockets(port, cookie, sockets, &arrivals).await;
    let mut out = tokio::io::stdout();
    out.write_all(b"ready\n").await.expect("write");
    out.flush().await.expect("flush");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line != "collect" {
            continue;
        }
        let got = collect(&arrivals, sockets).await;
        let ns: Vec<String> = got
            .iter()
            .map(|t| {
                t.duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos()
                    .to_string()
            })
            .collect();
        out.write_all(format!("{}\n", ns.join(" ")).as_bytes())
            .await
            .expect("write");
        out.flush().await.expect("flush");
    }
}

/// This process's CPU time so far, all threads (user and system; Linux, in the
/// kernel's clock ticks of 10 ms: read it over hundreds of rounds).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // the fields after the command name, which is in brackets
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // utime and stime are fields 14 and 15 of the whole line
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

async fn profile() {
    let app = build(0).await;
    let state = app.state.clone();
    let reps = users(&state.db, 0).await;
    let ids = customers(&state.db, &reps, 1).await;
    let rep = reps[0].clone();
    let n = 1000;
    macro_rules! time {
        ($label:expr, $e:expr) => {{
            let mut v = Vec::new();
            let cpu = cpu_time();
            for _ in 0..n {
                let t = Instant::now();
                let _ = $e;
                v.push(t.elapsed());
            }
            let cpu = cpu_time().saturating_sub(cpu);
            report($label, v);
            println!(
                "  CPU (all threads) per round: {} µs",
                cpu.as_micros() / n as u128
            );
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
        "customers::repo::load_for_visit",
        app::customers::repo::load_for_visit(&state.db, &ids[0]).await
    );
    time!(
        "customer SELECT * (raw row)",
        state
            .db
            .query("SELECT * FROM type::record('customer', $id)")
            .bind(("id", ids[0].clone()))
            .await
    );
    time!(
        "visit_target",
        app::customers::service::visit_target(&state, &rep, &ids[0]).await
    );
    time!(
        "stored_checkin (miss)",
        app::field::repo::stored_checkin(&state.db, "nobody:nothing").await
    );
    time!(
        "tiny read (RETURN meta:schema.version)",
        state.db.query("RETURN meta:schema.version").await
    );
    for (label, body) in [
        ("bare check-in record", BARE_CHECKIN),
        ("bare customer clocks", BARE_CLOCKS),
        ("bare feed event (+ its stream row)", BARE_FEED),
        ("bare stream row", BARE_STREAM),
    ] {
        let op = bare_op("bare", &state.db, &reps[..1], &ids, &[body]);
        let mut j = 0;
        time!(label, {
            j += 1;
            op(0, j).await
        });
    }
    for (label, body) in [
        (
            "bare: three writes, one transaction",
            [BARE_CHECKIN, BARE_CLOCKS, BARE_FEED],
        ),
        (
            "bare: with the day sums, one transaction",
            [BARE_CHECKIN_DAY, BARE_CLOCKS, BARE_FEED],
        ),
    ] {
        let op = bare_op(label, &state.db, &reps[..1], &ids, &body);
        let mut j = 0;
        time!(label, {
            j += 1;
            op(0, j).await
        });
    }
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
        Some("checkin-open") => {
            let rates: Vec<f64> = args
                .get(3)
                .map(|s| s.split(',').filter_map(|r| r.parse().ok()).collect())
                .unwrap_or_else(|| vec![200.0, 400.0, 600.0]);
            checkin_open(num(1, 200), num(2, 10) as u64, &rates).await
        }
        Some("fanout") => fanout(num(1, 5000), args.get(2).is_some_and(|a| a == "apart")).await,
        Some("fanout-clients") => {
            fanout_clients(num(1, 0) as u16, args.get(2).map_or("", String::as_str), num(3, 0)).await
        }
        Some("profile") => profile().await,
        Some("parts") => parts(num(1, 200), num(2, 10) as u64).await,
        _ => eprintln!(
            "usage: field checkin CLIENTS SECS | checkin-open CLIENTS SECS RATE[,RATE…] | fanout SOCKETS [apart] | profile"
        ),
    }
}
