//! Customer search at scale (issue 27): N customers (default 1,000,000) of a
//! 200-person company, with generated Chinese company names, phones and
//! contacts, written with their search terms into the real tables. Then, as the
//! services answer a list's search box (server time, in process):
//!
//! - the boss searching the company (`team`), a rep their own customers (`mine`)
//!   and the pool, each by a name fragment, the last 4 digits of a phone and
//!   pinyin initials: p50 / p99 of 300 searches. Budget: p99 < 30 ms.
//! - how long writing the customers with their terms took, the terms written,
//!   the process's resident memory and the database's size on disk.
//! - registration through `repo::insert` queued for its search terms against the
//!   same call not queued (the path before search), 1,000 each, in the same run.
//!   Budget: no worse than 80 %. The terms themselves are written from the queue
//!   beside the traffic; their rate is reported with the load.
//!
//! - one customer's timeline with 2,000 events: p50 / p99 of its first page.
//!   Budget: p99 < 50 ms.
//!
//! `cargo build -p bench --profile server-release --bin search &&
//!  target/server-release/search [customers=1000000] [people=200]`
//!
//! The database is an embedded SurrealKV file in a fresh temporary directory (the
//! production default) unless `DATABASE_URL` says otherwise; `BPC_BENCH_REUSE=1`
//! measures a kept one again without writing.

mod common;
mod company;
mod stats;

use app::customers::repo::{search_terms, NewCustomer, OwnershipState};
use app::customers::service as svc;
use common::user;
use company::{company, Company};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use stats::report;
use std::time::{Duration, Instant};

const CITIES: &[&str] = &[
    "苏州", "上海", "杭州", "宁波", "南京", "无锡", "常州", "合肥", "济南", "青岛", "郑州", "武汉",
    "长沙", "成都", "重庆", "西安", "广州", "深圳", "佛山", "东莞", "厦门", "福州", "天津", "北京",
];
const WORDS: &[&str] = &[
    "润泽",
    "宏达",
    "恒信",
    "华美",
    "金鹏",
    "远航",
    "星辰",
    "东方",
    "新世纪",
    "博源",
    "嘉禾",
    "鼎盛",
    "瑞丰",
    "天成",
    "永安",
    "海纳",
    "明珠",
    "锦程",
    "万通",
    "信达",
    "中联",
    "汇丰",
    "立新",
    "盛世",
    "清源",
    "长青",
    "和顺",
    "安泰",
    "凯旋",
    "正大",
    "同创",
    "腾飞",
    "佳业",
    "宇通",
    "启明",
    "百川",
];
const TRADES: &[&str] = &[
    "科技", "贸易", "机械", "电子", "物流", "建材", "食品", "环保", "纺织", "化工", "医药", "家具",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
];

struct Generated {
    name: String,
    phone: String,
    contact: String,
}

fn generate(rng: &mut ChaCha8Rng, i: usize) -> Generated {
    let pick = |rng: &mut ChaCha8Rng, list: &[&'static str]| list[rng.random_range(0..list.len())];
    let name = format!(
        "{}{}{}{}有限公司",
        pick(rng, CITIES),
        pick(rng, WORDS),
        pick(rng, WORDS),
        pick(rng, TRADES)
    );
    // each name once: a number after the trade keeps the generated names apart
    let name = name.replacen("有限公司", &format!("{i}有限公司"), 1);
    let phone = format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000u64)
    );
    let contact = format!(
        "{}{}{}",
        pick(rng, SURNAMES),
        pick(rng, GIVEN),
        pick(rng, GIVEN)
    );
    Generated {
        name,
        phone,
        contact,
    }
}

/// Each rep's customers: 220 at a million (20 open, 200 won), fewer in a
/// smaller run so that the pool, the inboxes and the lost keep their share.
fn per_rep(n: usize, c: &Company) -> usize {
    (n * 42 / 1000 / c.reps.len().max(1)).clamp(11, 220)
}

/// Who owns customer `i`: each rep [`per_rep`] (one in eleven open, the rest
/// won), the managers' inboxes 1 %, 20 % lost and the rest in the pool.
fn standing(i: usize, n: usize, c: &Company) -> (&'static str, Option<(String, String)>, bool) {
    let each = per_rep(n, c);
    let owned = c.reps.len() * each;
    if i < owned {
        let (rep, dept, _) = &c.reps[i / each];
        return (
            "owned",
            Some((rep.clone(), dept.clone())),
            i % each >= each / 11,
        );
    }
    if i < owned + n / 100 {
        let (m, dept) = &c.managers[i % c.managers.len()];
        return ("held", Some((m.clone(), dept.clone())), false);
    }
    if i < owned + n / 100 + n / 5 {
        return ("lost", None, false);
    }
    ("pool", None, false)
}

/// Writes customers `0..n` with their terms, 1,000 a query; returns the terms written.
async fn load(db: &app::db::Db, c: &Company, boss: &str, n: usize, rng: &mut ChaCha8Rng) -> usize {
    let started = Instant::now();
    let mut terms_written = 0;
    let mut from = 0;
    while from < n {
        let to = (from + 1_000).min(n);
        let rows: Vec<Value> = (from..to)
            .map(|i| {
                let g = generate(rng, i);
                terms_written +=
                    search_terms(&g.name, std::slice::from_ref(&g.phone), &[&g.contact]).len();
                let (status, owner, won) = standing(i, n, c);
                json!({
                    "key": format!("s{i}"), "name": g.name, "phone": g.phone, "contact": g.contact,
                    "status": status, "owner": owner.as_ref().map(|o| o.0.clone()),
                    "dept": owner.as_ref().map(|o| o.1.clone()), "won": won,
                    "stage": if won { "s6" } else { "s1" },
                })
            })
            .collect();
        db.query(
            "LET $now = time::now();
             FOR $r IN $rows {
                 LET $c = type::record('customer', $r.key);
                 CREATE $c CONTENT {
                     name: $r.name, name_key: $r.key, name_head: '', name_tail: '',
                     phones: [$r.phone], phone_keys: [$r.phone], contact: $r.contact,
                     contact_role: '', decision_maker: '', address: '', region: '上海',
                     industry: '制造', size: '', source: '', notes: '', expected_cents: 100000,
                     created_by: type::record('user', $boss), created_at: $now, status: $r.status,
                     owner: IF $r.owner != NONE THEN type::record('user', $r.owner) END,
                     department: IF $r.dept != NONE THEN type::record('department', $r.dept) END,
                     checklist: [], stage: type::record('stage', $r.stage), won: $r.won,
                     reached: 1, stage_entered_at: $now, last_followup_at: $now,
                     owned_since: $now, due_at: IF $r.status = 'owned' THEN $now + 30d END,
                     due_clock: IF $r.status = 'owned' THEN 'stage' END, warn_at: NONE,
                     version: 0,
                 } RETURN NONE;
                 CREATE term_todo CONTENT { customer: $c } RETURN NONE;
             };",
        )
        .bind(("rows", rows))
        .bind(("boss", boss.to_string()))
        .await
        .and_then(|r| r.check())
        .unwrap_or_else(|e| panic!("load batch {from}: {e}"));
        from = to;
        if from % 50_000 == 0 {
            eprintln!(
                "  {from} customers, {terms_written} terms in {:.0?}",
                started.elapsed()
            );
        }
    }
    println!(
        "wrote {n} customers in {:.1?} ({:.0} customers/s)",
        started.elapsed(),
        n as f64 / started.elapsed().as_secs_f64()
    );
    // the search terms, as the server writes them from the queue
    let started = Instant::now();
    // (the server's own worker takes batches from the same queue: a batch both
    // took is refused to one of them as a race, and taken again)
    loop {
        match app::customers::repo::index_terms_batch(db, 500).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(app::error::AppError::Conflict { .. }) => {}
            Err(e) => panic!("index terms: {e:?}"),
        }
    }
    println!(
        "their {terms_written} search terms ({:.1} a customer) written from the queue in {:.1?} ({:.0} terms/s, {:.0} customers/s)",
        terms_written as f64 / n as f64,
        started.elapsed(),
        terms_written as f64 / started.elapsed().as_secs_f64(),
        n as f64 / started.elapsed().as_secs_f64()
    );
    terms_written
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn dir_mib(path: &std::path::Path) -> f64 {
    fn walk(p: &std::path::Path) -> u64 {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| match e.metadata() {
                        Ok(m) if m.is_dir() => walk(&e.path()),
                        Ok(m) => m.len(),
                        Err(_) => 0,
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(path) as f64 / (1024.0 * 1024.0)
}

/// Three kinds of query drawn from real customers of `keys`.
async fn queries(db: &app::db::Db, keys: &[String], rng: &mut ChaCha8Rng) -> [Vec<String>; 3] {
    let mut out: [Vec<String>; 3] = Default::default();
    for _ in 0..300 {
        let key = &keys[rng.random_range(0..keys.len())];
        let mut r = db
            .query("SELECT name, phones, contact FROM type::record('customer', $k)")
            .bind(("k", key.clone()))
            .await
            .expect("read");
        let row: Option<Value> = r.take(0).expect("row");
        let row = row.expect("customer");
        let name = row["name"].as_str().unwrap_or_default();
        let chars: Vec<char> = name.chars().collect();
        // two characters of the words, not the city
        let at = rng.random_range(2..6.min(chars.len() - 1));
        out[0].push(chars[at..at + 2].iter().collect());
        let phone = row["phones"][0].as_str().unwrap_or_default();
        out[1].push(phone[phone.len() - 4..].to_string());
        let terms = search_terms(name, &[], &[]);
        let initials = terms
            .iter()
            .filter_map(|t| t.strip_prefix("i:"))
            .max_by_key(|t| t.len())
            .unwrap_or_default();
        out[2].push(initials.chars().take(4).collect());
    }
    out
}

async fn measure(
    state: &app::state::AppState,
    who: &app::auth::model::CurrentUser,
    view: &str,
    qs: &[Vec<String>; 3],
) {
    for (label, list) in ["name fragment", "phone, last 4", "pinyin initials"]
        .iter()
        .zip(qs)
    {
        let mut times = Vec::new();
        let mut hits = 0;
        for q in list {
            let t = Instant::now();
            let found = if view == "pool" {
                svc::pool_search(state, Default::default(), q, 0).await
            } else {
                svc::search_page(state, who, view, q, 0).await
            };
            times.push(t.elapsed());
            hits += usize::from(!found.expect("search").is_empty());
        }
        report(
            &format!(
                "  {view:5} as {:9} {label:16} ({hits}/{} found something)",
                who.role.as_str(),
                list.len()
            ),
            times,
        );
    }
}

/// `repo::insert` of `n` new customers, with or without their terms.
async fn register(
    state: &app::state::AppState,
    c: &Company,
    n: usize,
    with_terms: bool,
    rng: &mut ChaCha8Rng,
    base: usize,
) -> Duration {
    let (rep, dept, _) = &c.reps[0];
    let now = state.now();
    let t = Instant::now();
    for i in 0..n {
        let g = generate(rng, base + i);
        let input = app::customers::model::CustomerInput {
            name: g.name.clone(),
            phones: g.phone.clone(),
            contact: g.contact.clone(),
            ..Default::default()
        };
        let valid = app::customers::input::parse_customer(&input).expect("valid");
        let state_row = OwnershipState {
            status: "draft".into(),
            owner: Some(rep.clone()),
            department: Some(dept.clone()),
            checklist: vec![],
            stage: "s0".into(),
            won: false,
            reached: 0,
            stage_entered_at: now,
            last_followup_at: now,
            owned_since: now,
            due_at: None,
            due_clock: None,
            warn_at: None,
            warned: None,
            released_by: None,
            released_at: None,
            lost_proposal: None,
            revisit_missed: 0,
            version: 0,
        };
        app::customers::repo::insert(
            &state.db,
            NewCustomer {
                valid: &valid,
                creator: rep,
                state: state_row,
                now,
                day: "2026-12-04".into(),
                action: None,
                index_terms: with_terms,
            },
        )
        .await
        .expect("insert");
    }
    t.elapsed()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let people: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let mut settings = server::settings::Settings::for_tests();
    let dir = std::env::temp_dir().join(format!("bpc-bench-search-{}", std::process::id()));
    settings.database_url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("surrealkv://{}/bpc.db", dir.display()));
    if let Some(d) = settings.database_dir() {
        std::fs::create_dir_all(d).expect("database directory");
    }
    settings.demo = true;
    let reuse = std::env::var_os("BPC_BENCH_REUSE").is_some();
    let data_dir = settings.database_dir();
    let app = server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"));
    let state = app.state.clone();
    let db = &state.db;
    let c = company(db, people, !reuse).await;
    let mut rng = ChaCha8Rng::seed_from_u64(27);
    let boss = user(&state, "boss").await;
    let rss0 = rss_mib();
    if !reuse {
        load(db, &c, &boss.id, n, &mut rng).await;
    }
    println!(
        "resident memory {:.0} MiB (before the load {rss0:.0} MiB); database on disk {:.0} MiB",
        rss_mib(),
        data_dir.as_deref().map_or(0.0, dir_mib)
    );
    if std::env::var_os("BPC_BENCH_TIMELINE_ONLY").is_some() {
        measure_timeline(&state, &c, 2_000).await;
        return;
    }
    let rep = user(&state, &c.reps[0].0).await;
    // the rep's own customers come first; the company's and the pool's anywhere
    let own: Vec<String> = (0..per_rep(n, &c)).map(|i| format!("s{i}")).collect();
    let all: Vec<String> = (0..2_000)
        .map(|k| format!("s{}", (k * 7_919) % n))
        .collect();
    // the last quarter is in the pool
    let pool: Vec<String> = (0..2_000)
        .map(|k| format!("s{}", n - 1 - (k * 131) % (n / 4).max(1)))
        .collect();
    println!("\n## search, {n} customers, {people} people: p50 / p99 of 300 searches each");
    let qa = queries(db, &all, &mut rng).await;
    measure(&state, &boss, "team", &qa).await;
    let qo = queries(db, &own, &mut rng).await;
    measure(&state, &rep, "mine", &qo).await;
    let qp = queries(db, &pool, &mut rng).await;
    measure(&state, &rep, "pool", &qp).await;

    println!("\n## registration through repo::insert, 1,000 each, alternating rounds of 250 (queued for search terms, or not: the path before search)");
    let (mut with, mut without) = (Duration::ZERO, Duration::ZERO);
    for round in 0..4 {
        without += register(&state, &c, 250, false, &mut rng, n + 10_000 + round * 500).await;
        with += register(&state, &c, 250, true, &mut rng, n + 10_250 + round * 500).await;
    }
    let rate = |d: Duration| 1_000.0 / d.as_secs_f64();
    println!(
        "not queued (the path before search): {:.0}/s; queued: {:.0}/s: {:.0} % (budget ≥ 80 %)",
        rate(without),
        rate(with),
        rate(with) / rate(without) * 100.0
    );
    let edits = edit(&state, &c, 1_000).await;
    println!(
        "edits through repo::write_change (a region corrected, applied, kept as before → after): {:.0}/s: {:.0} % of queued registration",
        rate(edits),
        rate(edits) / rate(with) * 100.0
    );
    measure_timeline(&state, &c, 2_000).await;
}

/// `n` corrections applied to the rep's customers (each a change row and the
/// customer's new value, in one transaction), as `customers::service::correct`
/// writes them after its checks.
async fn edit(state: &app::state::AppState, c: &Company, n: usize) -> Duration {
    let (rep, _, _) = &c.reps[0];
    let now = state.now();
    let t = Instant::now();
    for i in 0..n {
        let customer = format!("s{}", i % 500);
        let w = app::customers::repo::FileWrite {
            customer: &customer,
            by: rep,
            now,
            version: None,
            field: "region",
            before: String::new(),
            after: format!("区域{i}"),
            reason: None,
            status: "applied",
            set: serde_json::json!({ "region": format!("区域{i}") }),
            keys: Vec::new(),
            reindex: false,
            clear_close: false,
            notify: Vec::new(),
        };
        app::customers::repo::write_change(&state.db, w)
            .await
            .expect("edit");
    }
    t.elapsed()
}

/// A customer with `events` timeline events (follow-ups, check-ins, stage
/// moves, alarms in turn, written as the features write them): p50 / p99 of
/// the first page and of a page deep in the past, 200 reads each.
async fn measure_timeline(state: &app::state::AppState, c: &Company, events: usize) {
    let db = &state.db;
    let (rep, dept, _) = &c.reps[0];
    // the rep's first customer
    let customer = "s0";
    let t = Instant::now();
    let mut from = 0;
    while from < events {
        let to = (from + 500).min(events);
        db.query(
            "LET $c = type::record('customer', $id);
             LET $u = type::record('user', $rep);
             LET $d = type::record('department', $dept);
             FOR $i IN array::range($from, $to) {
                 LET $at = time::now() - duration::from_mins($i * 37);
                 IF $i % 4 = 0 {
                     CREATE followup CONTENT { user: $u, department: $d, customer: $c,
                         text: '电话跟进，客户要求再报一次价', photos: [], at: $at } RETURN NONE;
                 } ELSE IF $i % 4 = 1 {
                     CREATE checkin CONTENT { user: $u, department: $d, customer: $c,
                         purpose: '拜访采购经理', lat: 31.23, lng: 121.47, accuracy: 20.0,
                         distance_m: 35.0, flags: [], photos: [], at: $at } RETURN NONE;
                 } ELSE IF $i % 4 = 2 {
                     CREATE customer_history CONTENT { customer: $c, at: $at, actor: $u,
                         action: 'advance', feedback: [], to_owner: $u,
                         from_stage: stage:s1, to_stage: stage:s2 } RETURN NONE;
                 } ELSE {
                     CREATE alarm CONTENT { kind: 'help', customer: $c, customer_name: $c.name,
                         industry: '制造', stage: stage:s1, stage_name: '电话意向', raiser: $u,
                         raiser_name: '销售', department: $d, text: '客户压价，请教怎么应对',
                         photos: [], status: 'closed', at: $at } RETURN NONE;
                 };
             };",
        )
        .bind(("id", customer))
        .bind(("rep", rep.clone()))
        .bind(("dept", dept.clone()))
        .bind(("from", from as i64))
        .bind(("to", to as i64))
        .await
        .and_then(|r| r.check())
        .unwrap_or_else(|e| panic!("timeline events {from}: {e}"));
        from = to;
    }
    println!(
        "\n## one customer's timeline with {events} events (written in {:.1?})",
        t.elapsed()
    );
    let who = user(state, rep).await;
    let mut first = Vec::new();
    let mut deep = Vec::new();
    let mut cursor = String::new();
    // a cursor about two thirds back
    for _ in 0..40 {
        let p = app::customer_file::timeline::timeline(state, &who, customer, &cursor)
            .await
            .expect("timeline");
        match p.next {
            Some(n) => cursor = n,
            None => break,
        }
    }
    for _ in 0..200 {
        let t = Instant::now();
        let p = app::customer_file::timeline::timeline(state, &who, customer, "")
            .await
            .expect("timeline");
        first.push(t.elapsed());
        assert_eq!(p.items.len(), app::customer_file::timeline::PAGE);
        let t = Instant::now();
        app::customer_file::timeline::timeline(state, &who, customer, &cursor)
            .await
            .expect("timeline");
        deep.push(t.elapsed());
    }
    report("  first page (budget p99 < 50 ms)", first);
    report("  a page 40 pages back", deep);
}
