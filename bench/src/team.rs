//! Budgets of the team features (issue 10, SPEC §8):
//!
//! - `search N`: the experience pool's keyword search with N entries of generated
//!   Chinese text: the time to write them, the first search's time (it fills the
//!   app server's in-memory index) and the memory it takes, then p50/p99 of the
//!   search service over 1,000 queries (or
//!   the count given after N; two,
//!   four and eight Chinese characters, English words, with and without a filter).
//!   Budget: p99 < 50 ms at N = 100,000.
//! - `stats P`: alarm statistics for a company of P people (in departments of 20,
//!   each with a manager) with a year of alarms (each rep raises about one a week;
//!   colleagues and the manager answer): p50/p99 of the statistics service for the
//!   quarter, as the boss (every manager's row) and as a manager (their people).
//!   Budget: p99 < 100 ms at P = 200.
//!
//! Built as production builds the app (real schema, demo company) on `mem://`
//! unless `DATABASE_URL` says otherwise. Rows are generated in Rust from a fixed
//! seed and written in batches.

use app::experience::repo::ExperienceIn;
use app::experience::service::entry_in;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use server::demo::words;
use std::time::{Duration, Instant};

mod common;
mod stats;
use common::{build, user};
use stats::{report, rss_kib};

fn pick<'a>(rng: &mut ChaCha8Rng, list: &'a [&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or_default()
}

/// A paragraph of sales text: two or three sentences from what reps write, with
/// company names, places and numbers so the vocabulary is not tiny.
fn paragraph(rng: &mut ChaCha8Rng) -> String {
    let lists: [&[&str]; 7] = [
        words::ALARM_PROBLEMS,
        words::ALARM_ANSWERS,
        words::FOLLOWUP_TEXTS,
        words::STAGE_ANSWERS,
        words::VISIT_PURPOSES,
        words::POST_MORTEMS,
        words::WIN_STORIES,
    ];
    let mut s = String::new();
    for _ in 0..rng.random_range(2..=3) {
        let list = lists[rng.random_range(0..lists.len())];
        s.push_str(pick(rng, list));
    }
    let (_, district, _, _) = words::PLACES[rng.random_range(0..words::PLACES.len())];
    let (_, word, _) = words::INDUSTRIES[rng.random_range(0..words::INDUSTRIES.len())];
    s.push_str(&format!(
        "{}{}{}，{}，{} 台。",
        pick(rng, words::CITY_PREFIXES),
        pick(rng, words::NAME_CORES),
        word,
        district,
        rng.random_range(1..500)
    ));
    s
}

async fn search(n: usize, count: usize) {
    let app = build().await;
    let state = app.state.clone();
    let rep = user(&state, "rep1").await;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let stages: Vec<String> = app::funnel::repo::list_stages(&state.db, false)
        .await
        .expect("stages")
        .into_iter()
        .map(|s| s.name)
        .collect();
    let started = Instant::now();
    let batch = 1_000;
    let mut done = 0;
    while done < n {
        let rows: Vec<ExperienceIn> = (done..(done + batch).min(n))
            .map(|i| {
                let (industry, _, _) = words::INDUSTRIES[i % words::INDUSTRIES.len()];
                entry_in(ExperienceIn {
                    source: ["alarm", "lost", "won"][i % 3].into(),
                    title: paragraph(&mut rng),
                    body: paragraph(&mut rng),
                    stage_name: stages[i % stages.len()].clone(),
                    industry: industry.into(),
                    customer_name: format!("{}{}有限公司", pick(&mut rng, words::NAME_CORES), i),
                    author_name: "基准".into(),
                    ..Default::default()
                })
            })
            .collect();
        state
            .db
            .query(format!(
                "FOR $exp IN $rows {{ {} }}",
                app::experience::repo::CREATE_ENTRY
            ))
            .bind(("rows", rows))
            .bind(("now", state.now()))
            .await
            .and_then(|r| r.check())
            .expect("insert");
        done = (done + batch).min(n);
        if done % 20_000 == 0 {
            println!("  {done} entries, {:.1?}", started.elapsed());
        }
    }
    println!("written: {n} entries in {:.1?}", started.elapsed());

    let queries: Vec<(String, &str)> = {
        let mut q = Vec::new();
        let phrases = [
            "价格",
            "价格太高",
            "决策人",
            "预算",
            "交货期太长",
            "竞争对手",
            "样品测试没有通过",
            "账期",
            "免费试用",
            "合同",
            "老板",
            "技术总监",
            "采购经理",
            "按年付费",
            "先做小样",
            "客户觉得我们的价格太高",
            "试产",
            "介绍人",
            "法务",
            "视频",
        ];
        for i in 0..count {
            let p = phrases[i % phrases.len()].to_string();
            let industry = if i % 5 == 0 { "电子" } else { "" };
            q.push((p, industry));
        }
        q.push(("ERP system".into(), ""));
        q
    };
    // the first search fills this app server's index from the database
    let rss_before = rss_kib() / 1024;
    let t = Instant::now();
    app::experience::service::search(&state, &rep, "价格", "", "")
        .await
        .expect("first search");
    println!(
        "first search, filling the in-memory index: {:.1?}; resident memory {} MB before, {} MB after",
        t.elapsed(),
        rss_before,
        rss_kib() / 1024
    );
    // warm up
    for (q, ind) in queries.iter().take(20) {
        let _ = app::experience::service::search(&state, &rep, q, "", ind).await;
    }
    let mut samples = Vec::new();
    let mut hits = 0usize;
    for (q, ind) in &queries {
        let t = Instant::now();
        let v = app::experience::service::search(&state, &rep, q, "", ind)
            .await
            .expect("search");
        samples.push(t.elapsed());
        hits += v.hits.len();
    }
    report(&format!("search over {n} entries"), samples);
    println!(
        "  {} hits in all ({:.1} per query)",
        hits,
        hits as f64 / queries.len() as f64
    );
    let mut samples = Vec::new();
    for (q, _) in queries.iter().take(count.div_ceil(3)) {
        let t = Instant::now();
        let _ =
            app::experience::service::similar(&state, &rep, &format!("这家客户也说{q}，怎么办"), 3)
                .await
                .expect("similar");
        samples.push(t.elapsed());
    }
    report("similar entries while typing", samples);
}

async fn stats(people: usize) {
    let app = build().await;
    let state = app.state.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let now = state.now();
    let started = Instant::now();
    // departments of 20: one manager, 19 reps
    let departments = people.div_ceil(20);
    let mut users: Vec<(String, String, String)> = Vec::new(); // (id, department, role)
    for d in 0..departments {
        let dept = format!("bd{d}");
        let manager = format!("bm{d}");
        state
            .db
            .query(
                "CREATE type::record('department', $d) CONTENT { name: $name, parent: NONE, head: NONE };
                 CREATE type::record('user', $m) CONTENT {
                     login: $m, name: $mname, role: 'manager', department: type::record('department', $d),
                     active: true, password_hash: 'x', language: 'zh-CN',
                 };
                 UPDATE type::record('department', $d) SET head = type::record('user', $m);",
            )
            .bind(("d", dept.clone()))
            .bind(("name", format!("基准部门{d}")))
            .bind(("m", manager.clone()))
            .bind(("mname", format!("经理{d}")))
            .await
            .and_then(|r| r.check())
            .expect("department");
        users.push((manager, dept.clone(), "manager".into()));
        for r in 0..19 {
            if users.len() >= people {
                break;
            }
            let id = format!("br{d}x{r}");
            state
                .db
                .query(
                    "CREATE type::record('user', $u) CONTENT {
                         login: $u, name: $name, role: 'rep', department: type::record('department', $d),
                         active: true, password_hash: 'x', language: 'zh-CN',
                     };",
                )
                .bind(("u", id.clone()))
                .bind(("name", format!("业务{d}-{r}")))
                .bind(("d", dept.clone()))
                .await
                .and_then(|r| r.check())
                .expect("rep");
            users.push((id, dept.clone(), "rep".into()));
        }
    }
    // a year of alarms: each rep about one a week, answered by 0-4 colleagues or the manager
    #[derive(serde::Serialize)]
    struct Alarm {
        id: String,
        raiser: String,
        dept: String,
        at: chrono::DateTime<chrono::Utc>,
        status: &'static str,
        accepted_by: Option<String>,
        first: Option<chrono::DateTime<chrono::Utc>>,
        answers: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
    }
    let mut alarms = Vec::new();
    let reps: Vec<&(String, String, String)> = users.iter().filter(|u| u.2 == "rep").collect();
    let mut n_answers = 0;
    for (i, (rep, dept, _)) in reps.iter().enumerate() {
        for week in 0..52 {
            if rng.random_range(0..10) < 1 {
                continue;
            }
            let at = now
                - chrono::Duration::days(7 * week + rng.random_range(0..7))
                - chrono::Duration::minutes(rng.random_range(0..600));
            let colleagues: Vec<&(String, String, String)> = users
                .iter()
                .filter(|u| u.1 == *dept && u.0 != *rep)
                .collect();
            let k = rng.random_range(0..=4usize);
            let mut answers = Vec::new();
            for j in 0..k {
                let who = colleagues[rng.random_range(0..colleagues.len())].0.clone();
                let when = at + chrono::Duration::minutes(rng.random_range(5..3000));
                answers.push((format!("ba{i}w{week}a{j}"), who, when));
            }
            answers.sort_by_key(|a| a.2);
            n_answers += answers.len();
            let accepted = (!answers.is_empty() && rng.random_range(0..3) > 0)
                .then(|| answers[rng.random_range(0..answers.len())].1.clone());
            alarms.push(Alarm {
                id: format!("b{i}w{week}"),
                raiser: rep.clone(),
                dept: dept.clone(),
                at,
                status: if accepted.is_some() {
                    "resolved"
                } else {
                    "open"
                },
                accepted_by: accepted,
                first: answers.first().map(|a| a.2),
                answers,
            });
        }
    }
    let total = alarms.len();
    for chunk in alarms.chunks(500) {
        let json = serde_json::to_value(chunk).expect("json");
        state
            .db
            .query(
                "FOR $a IN $rows {
                     CREATE type::record('alarm', $a.id) CONTENT {
                         kind: 'help', customer: customer:bench, customer_name: '基准客户', industry: '制造',
                         stage: stage:s1, stage_name: '基准', raiser: type::record('user', $a.raiser),
                         raiser_name: '基准', department: type::record('department', $a.dept),
                         text: '基准报警', status: $a.status, at: <datetime>$a.at,
                         answers: array::len($a.answers),
                         first_answer_at: IF $a.first THEN <datetime>$a.first END,
                         accepted_by: IF $a.accepted_by THEN type::record('user', $a.accepted_by) END,
                         escalated: 0, version: 0,
                     } RETURN NONE;
                     FOR $x IN $a.answers {
                         CREATE type::record('alarm_answer', $x[0]) CONTENT {
                             alarm: type::record('alarm', $a.id), user: type::record('user', $x[1]),
                             user_name: '基准', department: type::record('department', $a.dept),
                             text: '基准回答', at: <datetime>$x[2], likes: 0,
                         } RETURN NONE;
                     };
                 };",
            )
            .bind(("rows", json))
            .await
            .and_then(|r| r.check())
            .expect("alarms");
    }
    println!(
        "loaded: {} people in {departments} departments, {total} alarms, {n_answers} answers in {:.1?}",
        users.len(),
        started.elapsed()
    );
    let boss = user(&state, "boss").await;
    let manager = app::auth::repo::find_user(&state.db, "bm0")
        .await
        .expect("find")
        .expect("manager")
        .0;
    for (label, who) in [
        ("boss (every manager)", &boss),
        ("manager (20 people)", &manager),
    ] {
        for period in ["quarter", "month"] {
            let v = app::alarms::service::stats(&state, who, period)
                .await
                .expect("stats");
            let mut samples: Vec<Duration> = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                let _ = app::alarms::service::stats(&state, who, period)
                    .await
                    .expect("stats");
                samples.push(t.elapsed());
            }
            report(
                &format!(
                    "stats {period}, {label}: {} rows over {} alarms",
                    v.rows.len(),
                    v.alarms
                ),
                samples,
            );
        }
    }
}

/// Probe: reading the best 200 of one term's N postings through a record-id
/// range (ids `exp_probe:[term, -weight, entry]` sort best first).
async fn ranged(n: usize) {
    let app = build().await;
    let db = app.state.db.clone();
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        let to = (done + 20_000).min(n);
        db.query(
            "FOR $i IN $from..$to {
                 CREATE type::record('exp_probe', ['价格', -rand::float(), <string>$i]) RETURN NONE;
                 CREATE type::record('exp_probe', ['格太', -rand::float(), <string>$i]) RETURN NONE;
             };",
        )
        .bind(("from", done as i64))
        .bind(("to", to as i64))
        .await
        .and_then(|r| r.check())
        .expect("insert");
        done = to;
    }
    println!("{} postings in {:.1?}", 2 * n, t.elapsed());
    for sql in [
        "SELECT id FROM exp_probe:['价格', -2.0]..['价格', 0.0] LIMIT 200",
        "SELECT id FROM exp_probe:['价格', -2.0]..['价格', 0.0] ORDER BY id LIMIT 200",
        "SELECT id FROM exp_probe:['价格', -2.0]..['价格', -0.999] LIMIT 200",
    ] {
        let mut samples = Vec::new();
        let mut rows = 0;
        for _ in 0..20 {
            let t = Instant::now();
            match db.query(sql).await.and_then(|r| r.check()) {
                Ok(mut r) => {
                    let v: Vec<surrealdb::types::Value> = r.take(0).unwrap_or_default();
                    rows = v.len();
                }
                Err(e) => {
                    println!("{sql}: {e}");
                    break;
                }
            }
            samples.push(t.elapsed());
        }
        report(&format!("{sql} ({rows} rows)"), samples);
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = |i: usize, default: usize| {
        args.get(i)
            .and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    match args.get(1).map(String::as_str) {
        Some("search") => search(n(2, 100_000), n(3, 1_000)).await,
        Some("stats") => stats(n(2, 200)).await,
        Some("ranged") => ranged(n(2, 200_000)).await,
        _ => {
            eprintln!("usage: team search [N=100000] [QUERIES=1000] | team stats [PEOPLE=200]");
            std::process::exit(2);
        }
    }
}
