//! Pages as the history grows (issue 25): a company of P people (departments of
//! 20: a manager and 19 reps) whose past is written into the real tables — the
//! customers with their clocks and referrals, check-ins, follow-ups, stage
//! moves, daily logs, feed events with likes and comments, alarms with answers,
//! experience entries and notifications — newest first, so the same company is
//! measured after 30 days, 90 days and a year of history.
//!
//! At each point every signed-in page is fetched over HTTP from the app's real
//! router (server time as the client on the same machine sees it: the loopback
//! adds ~0.1 ms) as a rep, a manager and the boss. After the year, a closed-loop
//! load of C connections per page for S seconds, beside `/healthz` in the same
//! run.
//!
//! `cargo build -p bench --profile server-release --bin pages &&
//!  target/server-release/pages [people=200] [connections=50] [seconds=5]`
//!
//! The database is an embedded SurrealKV file in a fresh temporary directory (the
//! production default) unless `DATABASE_URL` says otherwise.

mod company;
mod stats;

use company::{company, run, Company};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use stats::percentile;
use std::time::Instant;

/// `BPC_BENCH_SQL=<file>` with a kept database: runs each statement of the file
/// (one a line) and prints its time and result, e.g. `EXPLAIN ANALYZE …`.
async fn explain(db: &app::db::Db, text: &str) {
    for sql in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
    {
        let t = Instant::now();
        let out = match db.query(sql).await.and_then(|r| r.check()) {
            Ok(mut r) => format!("{:?}", r.take::<surrealdb::types::Value>(0)),
            Err(e) => format!("error: {e}"),
        };
        println!(
            "\n> {sql}\n{:.1} ms\n{}",
            t.elapsed().as_secs_f64() * 1e3,
            out.chars().take(1500).collect::<String>()
        );
    }
}

/// Cookies of the first rep, the first manager and the boss, named.
async fn viewers(http: &reqwest::Client, base: &str, c: &Company) -> Vec<(&'static str, String)> {
    vec![
        ("rep", sign_in(http, base, &c.reps[0].0).await),
        ("manager", sign_in(http, base, &c.managers[0].0).await),
        ("boss", sign_in(http, base, "boss").await),
    ]
}

const WORDS: &[&str] = &[
    "介绍新品并演示操作流程",
    "客户对价格有顾虑，下周再谈",
    "拜访采购部，留下样品",
    "电话确认报价单已收到",
    "与技术负责人沟通安装条件",
    "老板出差，约了下周二见面",
];

/// The generator's state between the parts of the history.
struct Gen {
    rng: ChaCha8Rng,
    tz: chrono_tz::Tz,
    today: NaiveDate,
    /// Ids handed out so far.
    counter: usize,
    /// Rows written: customers, visits, moves, logs, feed events, alarms, notifications.
    totals: [usize; 7],
}

/// Writes the days `days` before today (newest first) for everyone.
#[allow(clippy::too_many_lines)]
async fn history(db: &app::db::Db, c: &Company, g: &mut Gen, days: std::ops::Range<i64>) {
    let Gen {
        rng,
        tz,
        today,
        counter,
        totals,
    } = g;
    let (tz, today) = (&*tz, *today);
    let stages: Vec<String> = {
        let mut r = db
            .query("SELECT VALUE record::id(id) FROM stage ORDER BY position")
            .await
            .expect("stages");
        r.take(0).expect("stages")
    };
    let now = Utc::now();
    for back in days {
        let day = today - Duration::days(back);
        if day.weekday() == Weekday::Sun {
            continue;
        }
        let key = day.format("%Y-%m-%d").to_string();
        let at = |rng: &mut ChaCha8Rng| -> DateTime<Utc> {
            let t = NaiveTime::from_hms_opt(rng.random_range(9..18), rng.random_range(0..60), 0)
                .expect("time");
            let t = app::calendar::local_at(day, t, tz);
            if t > now {
                now - Duration::minutes(rng.random_range(1..600))
            } else {
                t
            }
        };
        let (mut customers, mut visits, mut moves, mut logs, mut events) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut alarms, mut notes) = (Vec::new(), Vec::new());
        for (rep, dept, name) in &c.reps {
            // new prospects: half a day; the recent ones still owned, older ones
            // won, in the pool or with the manager
            for _ in 0..usize::from(rng.random_bool(0.5)) {
                *counter += 1;
                let id = format!("g{counter}");
                let when = at(rng);
                let (status, stage) = match (back, rng.random_range(0..10)) {
                    (0..=29, _) => ("owned", rng.random_range(0..3)),
                    (_, 0..=1) => ("owned", stages.len() - 1),
                    (_, 2..=6) => ("pool", rng.random_range(0..3)),
                    (_, 7) => ("held", rng.random_range(0..3)),
                    _ => ("lost", rng.random_range(0..4)),
                };
                let referrer = (*counter > 10 && rng.random_bool(0.25))
                    .then(|| format!("g{}", rng.random_range(1..*counter - 5)));
                customers.push(json!({
                    "id": id, "n": *counter, "owner": rep, "dept": dept, "at": when,
                    "status": status, "stage": stages[stage], "won": stage == stages.len() - 1,
                    "reached": stage + 1, "referrer": referrer,
                }));
                events.push(
                    json!({"kind": "advance", "actor": rep, "name": name, "dept": dept,
                    "customer": id, "text": null, "at": when, "company": false}),
                );
            }
            // visits: check-ins and follow-ups to recent customers of the rep's
            for i in 0..rng.random_range(1..=4) {
                if *counter == 0 {
                    break;
                }
                let customer = format!(
                    "g{}",
                    rng.random_range(counter.saturating_sub(2000).max(1)..=*counter)
                );
                let when = at(rng);
                let text = WORDS[rng.random_range(0..WORDS.len())];
                let table = if i % 3 == 2 { "followup" } else { "checkin" };
                visits.push(
                    json!({"table": table, "user": rep, "dept": dept, "customer": customer,
                    "at": when, "text": text}),
                );
                events.push(
                    json!({"kind": table, "actor": rep, "name": name, "dept": dept,
                    "customer": customer, "text": text, "at": when, "company": false}),
                );
                if rng.random_bool(0.4) {
                    let s = rng.random_range(0..stages.len() - 1);
                    moves.push(
                        json!({"customer": customer, "actor": rep, "from": stages[s],
                        "to": stages[s + 1], "at": when}),
                    );
                    events.push(
                        json!({"kind": "advance", "actor": rep, "name": name, "dept": dept,
                        "customer": customer, "text": null, "at": when, "company": false}),
                    );
                }
            }
            let log_at =
                app::calendar::local_at(day, NaiveTime::from_hms_opt(18, 30, 0).expect("time"), tz)
                    .min(now);
            logs.push(
                json!({"id": format!("{rep}:{key}"), "user": rep, "dept": dept, "day": key,
                "hours": f64::from(rng.random_range(40..100)) / 10.0, "at": log_at}),
            );
            events.push(json!({"kind": "daily_log", "actor": rep, "name": name, "dept": dept,
                "customer": null, "text": "今天拜访了三家客户，整理了报价单", "at": log_at, "company": false}));
            // about one alarm a rep every two weeks, for the whole company
            if *counter > 0 && rng.random_range(0..12) == 0 {
                *counter += 1;
                let id = format!("a{counter}");
                let when = at(rng);
                let answers: Vec<Value> = (0..rng.random_range(0..=4))
                    .map(|j| {
                        let who = &c.reps[rng.random_range(0..c.reps.len())];
                        json!({"id": format!("{id}x{j}"), "user": who.0, "name": who.2, "dept": who.1,
                            "at": when + Duration::minutes(rng.random_range(5..600))})
                    })
                    .collect();
                let resolved = !answers.is_empty() && rng.random_bool(0.6);
                alarms.push(json!({"id": id, "raiser": rep, "name": name, "dept": dept, "at": when,
                    "customer": format!("g{}", rng.random_range(1..*counter - 1).max(1)),
                    "status": if resolved || back < 3 { if resolved { "resolved" } else { "open" } } else { "closed" },
                    "answers": answers, "experience": resolved}));
                events.push(
                    json!({"kind": "alarm_help", "actor": rep, "name": name, "dept": dept,
                    "customer": null, "text": "客户要求降价20%，如何应对？", "at": when,
                    "company": true, "link": format!("/alarms/{id}")}),
                );
            }
            // what reached the rep: a deadline warning or two
            for _ in 0..rng.random_range(0..=2) {
                notes.push(json!({"user": rep, "at": at(rng)}));
            }
        }
        for (m, _) in &c.managers {
            for _ in 0..rng.random_range(2..=6) {
                notes.push(json!({"user": m, "at": at(rng)}));
            }
        }
        // likes and comments from the department's manager on a part of the events
        for e in &mut events {
            let r: f64 = rng.random();
            e["likes"] = json!(if r < 0.3 { rng.random_range(1..=3) } else { 0 });
            e["comments"] = json!(if r < 0.1 { 1 } else { 0 });
            e["id"] = json!(uuid::Uuid::now_v7().to_string());
        }
        totals[0] += customers.len();
        totals[1] += visits.len();
        totals[2] += moves.len();
        totals[3] += logs.len();
        totals[4] += events.len();
        totals[5] += alarms.len();
        totals[6] += notes.len();
        run(
            db,
            "FOR $c IN $customers {
                 LET $id = type::record('customer', $c.id);
                 LET $key = '基准' + <string>$c.n + '科技';
                 LET $owned = $c.status = 'owned';
                 CREATE $id CONTENT {
                     name: $key + '有限公司', name_key: $key,
                     name_head: string::slice($key, 0, 2), name_tail: string::slice($key, -2),
                     phones: [<string>(15000000000 + $c.n)], phone_keys: [<string>(15000000000 + $c.n)],
                     contact: '王经理', contact_role: '采购', decision_maker: '李总', address: '上海市浦东新区',
                     region: '浦东', lat: 31.2 + rand::float() / 10, lng: 121.5 + rand::float() / 10,
                     industry: '制造', size: '20-100人', source: '陌生拜访', notes: '', expected_cents: 5000000,
                     referred_by: IF $c.referrer != NONE THEN type::record('customer', $c.referrer) END,
                     created_by: type::record('user', $c.owner), created_at: <datetime>$c.at,
                     status: $c.status,
                     owner: IF $owned OR $c.status = 'lost' THEN type::record('user', $c.owner) END,
                     department: IF $c.status != 'pool' THEN type::record('department', $c.dept) END,
                     checklist: [], stage: type::record('stage', $c.stage), won: $c.won, reached: $c.reached,
                     stage_entered_at: <datetime>$c.at, last_followup_at: <datetime>$c.at,
                     owned_since: <datetime>$c.at,
                     due_at: IF $owned AND !$c.won THEN <datetime>$c.at + 30d END,
                     due_clock: IF $owned AND !$c.won THEN 'stage' END,
                     warn_at: IF $owned AND !$c.won THEN <datetime>$c.at + 27d END,
                     version: 0,
                 } RETURN NONE;
                 CREATE type::record('customer_key', 'n:' + $key) CONTENT { customer: $id, at: <datetime>$c.at } RETURN NONE;
                 CREATE customer_history CONTENT {
                     customer: $id, at: <datetime>$c.at, actor: type::record('user', $c.owner),
                     action: 'register', to_owner: type::record('user', $c.owner),
                     to_stage: type::record('stage', $c.stage), feedback: [],
                 } RETURN NONE;
             };
             FOR $v IN $visits {
                 IF $v.table = 'checkin' {
                     CREATE checkin CONTENT {
                         user: type::record('user', $v.user), department: type::record('department', $v.dept),
                         customer: type::record('customer', $v.customer), purpose: $v.text,
                         lat: 31.2, lng: 121.5, accuracy: 20.0, distance_m: 80.0, flags: [], photos: [],
                         at: <datetime>$v.at,
                     } RETURN NONE;
                 } ELSE {
                     CREATE followup CONTENT {
                         user: type::record('user', $v.user), department: type::record('department', $v.dept),
                         customer: type::record('customer', $v.customer), text: $v.text, photos: [],
                         at: <datetime>$v.at,
                     } RETURN NONE;
                 };
             };
             FOR $m IN $moves {
                 CREATE customer_history CONTENT {
                     customer: type::record('customer', $m.customer), at: <datetime>$m.at,
                     actor: type::record('user', $m.actor), action: 'advance',
                     from_stage: type::record('stage', $m.from), to_stage: type::record('stage', $m.to),
                     feedback: [],
                 } RETURN NONE;
             };
             FOR $l IN $logs {
                 CREATE type::record('daily_log', $l.id) CONTENT {
                     user: type::record('user', $l.user), department: type::record('department', $l.dept),
                     day: $l.day, work: '今天拜访了三家客户，整理了报价单', hours: $l.hours, expenses_cents: 3000,
                     created_at: <datetime>$l.at, updated_at: <datetime>$l.at,
                 } RETURN NONE;
             };",
            json!({"customers": customers, "visits": visits, "moves": moves, "logs": logs}),
        )
        .await;
        run(
            db,
            "FOR $e IN $events {
                 LET $id = type::record('feed_event', $e.id);
                 CREATE $id CONTENT {
                     kind: $e.kind, actor: type::record('user', $e.actor), subject: type::record('user', $e.actor),
                     subject_name: $e.name, department: type::record('department', $e.dept),
                     customer: IF $e.customer != NONE THEN type::record('customer', $e.customer) END,
                     customer_name: IF $e.customer != NONE THEN '基准客户' END,
                     text: $e.text, photos: [], flags: [], at: <datetime>$e.at,
                     likes: $e.likes, comments: $e.comments, company: $e.company, link: $e.link,
                 } RETURN NONE;
                 IF $e.likes > 0 {
                     LET $m = type::record('user', 'pm' + string::slice($e.dept, 2));
                     CREATE type::record('feed_like', [$e.id, record::id($m)]) CONTENT {
                         event: $id, user: $m, at: <datetime>$e.at + 1h,
                     } RETURN NONE;
                 };
                 IF $e.comments > 0 {
                     CREATE feed_comment CONTENT {
                         event: $id, user: type::record('user', 'pm' + string::slice($e.dept, 2)),
                         user_name: '经理', text: '做得好，继续跟进', at: <datetime>$e.at + 2h,
                     } RETURN NONE;
                 };
             };",
            json!({"events": events}),
        )
        .await;
        run(
            db,
            "FOR $a IN $alarms {
                 LET $id = type::record('alarm', $a.id);
                 CREATE $id CONTENT {
                     kind: 'help', customer: type::record('customer', $a.customer), customer_name: '基准客户',
                     industry: '制造', stage: stage:s1, stage_name: '初步接触', raiser: type::record('user', $a.raiser),
                     raiser_name: $a.name, department: type::record('department', $a.dept),
                     text: '客户要求降价20%，如何应对？', status: $a.status, at: <datetime>$a.at,
                     answers: array::len($a.answers),
                     first_answer_at: IF array::len($a.answers) > 0 THEN <datetime>$a.answers[0].at END,
                     escalated: 0, version: 0,
                 } RETURN NONE;
                 FOR $x IN $a.answers {
                     CREATE type::record('alarm_answer', $x.id) CONTENT {
                         alarm: $id, user: type::record('user', $x.user), user_name: $x.name,
                         department: type::record('department', $x.dept),
                         text: '先讲清楚服务的价值，再谈付款方式', at: <datetime>$x.at, likes: 0,
                     } RETURN NONE;
                 };
                 IF $a.experience {
                     UPDATE $id SET accepted = type::record('alarm_answer', $a.answers[0].id),
                         accepted_by = type::record('user', $a.answers[0].user) RETURN NONE;
                     CREATE experience CONTENT {
                         source: 'alarm', title: '客户要求降价20%，如何应对？',
                         body: '先讲清楚服务的价值，再谈付款方式', grams: '客户 户要 要求 降价 价格',
                         stage: stage:s1, stage_name: '初步接触', industry: '制造', customer_name: '基准客户',
                         author_name: $a.name, helper_name: $a.answers[0].name, alarm: $id,
                         customer: type::record('customer', $a.customer), at: <datetime>$a.at + 1d,
                     } RETURN NONE;
                 };
             };
             FOR $n IN $notes {
                 CREATE notification CONTENT {
                     user: type::record('user', $n.user), kind: 'warning', customer_name: '基准客户',
                     detail: 'stage', at: <datetime>$n.at, read: true,
                 } RETURN NONE;
             };",
            json!({"alarms": alarms, "notes": notes}),
        )
        .await;
    }
}

/// Signs in and returns the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str, login: &str) -> String {
    let r = http
        .post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .form(&[("login", login), ("password", server::demo::DEMO_PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bpc_session="))
        .unwrap_or_else(|| panic!("{login}: no session ({})", r.status()))
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string();
    cookie
}

async fn get(http: &reqwest::Client, url: &str, cookie: &str) -> (u16, usize) {
    match http.get(url).header("cookie", cookie).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let len = r.bytes().await.map(|b| b.len()).unwrap_or(0);
            (status, len)
        }
        Err(_) => (0, 0),
    }
}

const REP_PAGES: &[&str] = &[
    "/feed",
    "/customers",
    "/pool",
    "/checkin",
    "/logs",
    "/alarms",
    "/experience",
    "/rankings",
    "/targets",
    "/funnel",
    "/referrals",
    "/suggestions",
    "/notifications",
    "/reminders",
];
const MANAGER_PAGES: &[&str] = &["/customers?view=team", "/alarms/stats", "/audit/views"];

/// Every page for each person: median and p99 of `rounds` sequential loads.
async fn pages(http: &reqwest::Client, base: &str, who: &[(&str, String)], label: &str) {
    println!(
        "\n## {label}\n\n| page | {} |\n|---|{}",
        who.iter().map(|w| w.0).collect::<Vec<_>>().join(" | "),
        "---|".repeat(who.len())
    );
    let all: Vec<&str> = REP_PAGES.iter().chain(MANAGER_PAGES).copied().collect();
    for page in all.into_iter().filter(|p| asked(p)) {
        let mut cells = Vec::new();
        for (role, cookie) in who {
            if *role == "rep" && MANAGER_PAGES.contains(&page) {
                cells.push("—".to_string());
                continue;
            }
            let url = format!("{base}{page}");
            let mut times = Vec::new();
            let mut size = 0;
            // 20 loads after a warm-up one; a page slower than 200 ms gets 5
            let started = Instant::now();
            for i in 0..21 {
                let t = Instant::now();
                let (status, len) = get(http, &url, cookie).await;
                let e = t.elapsed();
                assert_eq!(status, 200, "{page} as {role}");
                size = len;
                if i >= 1 {
                    times.push(e);
                }
                if times.len() >= 5 && started.elapsed().as_secs() >= 1 {
                    break;
                }
            }
            times.sort();
            cells.push(format!(
                "{:.1} / {:.1} ms ({} KB)",
                percentile(&times, 0.5).as_secs_f64() * 1e3,
                percentile(&times, 0.99).as_secs_f64() * 1e3,
                size / 1024
            ));
        }
        println!("| `{page}` | {} |", cells.join(" | "));
    }
}

/// `BPC_BENCH_PAGES=/feed,/rankings` measures only those pages (to profile one).
fn asked(page: &str) -> bool {
    match std::env::var("BPC_BENCH_PAGES") {
        Ok(list) => list.split(',').any(|p| p.trim() == page),
        Err(_) => true,
    }
}

/// C connections loading one page back to back for `secs`: pages a second, p50, p99.
async fn load(
    base: &str,
    page: &str,
    cookie: &str,
    conns: usize,
    secs: u64,
) -> (f64, f64, f64, usize) {
    let until = Instant::now() + std::time::Duration::from_secs(secs);
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let (url, cookie) = (format!("{base}{page}"), cookie.to_string());
            tokio::spawn(async move {
                // a page that takes longer than 10 s counts as failed
                let http = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(10))
                    .build()
                    .expect("client");
                let (mut times, mut failed) = (Vec::new(), 0usize);
                while Instant::now() < until {
                    let t = Instant::now();
                    let (status, _) = get(&http, &url, &cookie).await;
                    if status == 200 {
                        times.push(t.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                (times, failed)
            })
        })
        .collect();
    let started = Instant::now();
    let (mut all, mut failed) = (Vec::new(), 0);
    for t in tasks {
        let (times, f) = t.await.expect("task");
        all.extend(times);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    if all.is_empty() {
        return (0.0, 0.0, 0.0, failed);
    }
    (
        all.len() as f64 / elapsed,
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        failed,
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let people: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let conns: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let secs: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut settings = server::settings::Settings::for_tests();
    let dir = std::env::temp_dir().join(format!("bpc-bench-pages-{}", std::process::id()));
    settings.database_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("surrealkv://{}/bpc.db", dir.display()));
    if let Some(d) = settings.database_dir() {
        std::fs::create_dir_all(d).expect("database directory");
    }
    settings.demo = true;
    settings.login_max_per_ip = 100_000;
    let app = server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"));
    let state = app.state.clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let db = &state.db;
    let tz = state.config.timezone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    // BPC_BENCH_REUSE=1 with DATABASE_URL naming a kept database: measure it
    // again (after a change to the app) without writing the year anew
    let reuse = std::env::var_os("BPC_BENCH_REUSE").is_some();
    if let Some(file) = std::env::var_os("BPC_BENCH_SQL") {
        explain(
            db,
            &std::fs::read_to_string(file).expect("BPC_BENCH_SQL file"),
        )
        .await;
        return;
    }
    let c = company(db, people, !reuse).await;
    println!(
        "{people} people: {} reps, {} managers in {} departments",
        c.reps.len(),
        c.managers.len(),
        c.departments.len()
    );
    let http = reqwest::Client::new();
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(2026),
        tz,
        today,
        counter: 0,
        totals: [0; 7],
    };
    let mut written = 0;
    let parts: &[i64] = if reuse { &[] } else { &[30, 90, 365] };
    if reuse {
        let who = viewers(&http, &base, &c).await;
        pages(
            &http,
            &base,
            &who,
            "kept database: p50 / p99 of 20 loads one at a time",
        )
        .await;
    }
    for &upto in parts {
        let t = Instant::now();
        history(db, &c, &mut g, written..upto).await;
        written = upto;
        app::measure::service::settle(&state, true)
            .await
            .expect("settle");
        println!(
            "\n{upto} days written ({:.0?} for this part): {} customers, {} visits, {} stage moves, {} logs, {} feed events, {} alarms, {} notifications",
            t.elapsed(),
            g.totals[0],
            g.totals[1],
            g.totals[2],
            g.totals[3],
            g.totals[4],
            g.totals[5],
            g.totals[6]
        );
        let who = viewers(&http, &base, &c).await;
        pages(
            &http,
            &base,
            &who,
            &format!("{upto} days: p50 / p99 of 20 loads one at a time (5 when slow)"),
        )
        .await;
    }

    // under load, beside /healthz in the same run
    let rep = sign_in(&http, &base, &c.reps[0].0).await;
    let manager = sign_in(&http, &base, &c.managers[0].0).await;
    println!("\n## {conns} connections, {secs} s each, a year of history\n\n| page | pages/s | p50 | p99 | of /healthz | failed |\n|---|---|---|---|---|---|");
    let (health, hp50, hp99, hf) = load(&base, "/healthz", "", conns, secs).await;
    println!("| `/healthz` | {health:.0} | {hp50:.1} ms | {hp99:.1} ms | 100 % | {hf} |");
    let mut list: Vec<(&str, &str)> = REP_PAGES.iter().map(|p| (*p, rep.as_str())).collect();
    list.push(("/customers?view=team", manager.as_str()));
    for (page, cookie) in list.into_iter().filter(|(p, _)| asked(p)) {
        let (rate, p50, p99, failed) = load(&base, page, cookie, conns, secs).await;
        println!(
            "| `{page}` | {rate:.0} | {p50:.1} ms | {p99:.1} ms | {:.1} % | {failed} |",
            rate * 100.0 / health
        );
    }
    if std::env::var_os("BPC_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("database kept in {}", dir.display());
    }
}
