//! Load generator for measuring people (SPEC §8, issue 11): a company of N people
//! (departments of 20: a manager and 19 reps) with a year of activity written
//! into the real tables, so the schema's events keep the day sums as they do in
//! production; then every ranking board and a rep's 26-week curves, timed.
//!
//! `cargo run -p bench --profile server-release --bin measure -- [people]`

mod common;
mod stats;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use common::build;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use stats::report;
use std::time::Instant;

#[derive(Serialize)]
struct Visit {
    id: String,
    user: String,
    department: String,
    customer: String,
    at: chrono::DateTime<chrono::Utc>,
    day: String,
}

#[derive(Serialize)]
struct Log {
    id: String,
    user: String,
    department: String,
    day: String,
    hours: f64,
    at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize)]
struct Move {
    customer: String,
    actor: String,
    action: &'static str,
    from: String,
    to: String,
    at: chrono::DateTime<chrono::Utc>,
    day: String,
}

const VISIT_FIELDS: &str = "user: type::record('user', $v.user),
    department: type::record('department', $v.department),
    customer: type::record('customer', $v.customer), photos: [], at: <datetime> $v.at, day: $v.day,";

async fn write_visits(db: &app::db::Db, table: &str, rows: Vec<Visit>) {
    let extra = if table == "followup" {
        "text: '电话跟进',"
    } else {
        "purpose: '拜访', flags: [],"
    };
    db.query(format!(
        "FOR $v IN $rows {{
             CREATE type::record($table, $v.id) CONTENT {{ {VISIT_FIELDS} {extra} }} RETURN NONE;
         }};"
    ))
    .bind(("table", table.to_string()))
    .bind(("rows", serde_json::to_value(rows).expect("json")))
    .await
    .and_then(|r| r.check())
    .unwrap_or_else(|e| panic!("{table}: {e}"));
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let people: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let app = build().await;
    let state = app.state.clone();
    let db = &state.db;
    let tz = state.config.timezone;
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let today = state.now().with_timezone(&tz).date_naive();
    let stages = app::funnel::repo::list_stages(db, false)
        .await
        .expect("stages");

    // the company
    let started = Instant::now();
    let departments = people.div_ceil(20);
    let mut users: Vec<(String, String)> = Vec::new(); // (id, department) of reps
    let mut managers: Vec<String> = Vec::new();
    for d in 0..departments {
        let dept = format!("md{d}");
        let manager = format!("mm{d}");
        db.query(
            "CREATE type::record('department', $d) CONTENT { name: $name, parent: NONE, head: NONE };
             CREATE type::record('user', $m) CONTENT {
                 login: $m, name: $mname, role: 'manager', department: type::record('department', $d),
                 active: true, password_hash: 'x', language: 'zh-CN',
             };
             UPDATE type::record('department', $d) SET head = type::record('user', $m);
             FOR $r IN $reps {
                 CREATE type::record('user', $r) CONTENT {
                     login: $r, name: $r, role: 'rep', department: type::record('department', $d),
                     active: true, password_hash: 'x', language: 'zh-CN',
                 };
             };",
        )
        .bind(("d", dept.clone()))
        .bind(("name", format!("基准部门{d}")))
        .bind(("m", manager.clone()))
        .bind(("mname", format!("经理{d}")))
        .bind((
            "reps",
            (0..19)
                .map(|r| format!("mr{d}x{r}"))
                .take(people.saturating_sub(d * 20 + 1))
                .collect::<Vec<_>>(),
        ))
        .await
        .and_then(|r| r.check())
        .expect("department");
        managers.push(manager);
        for r in 0..19 {
            if d * 20 + 1 + r < people {
                users.push((format!("mr{d}x{r}"), dept.clone()));
            }
        }
    }

    // a year of work, day by day: visits, follow-ups, a daily log, stage moves
    let mut rows = (0usize, 0usize, 0usize, 0usize);
    let mut visit_time = std::time::Duration::ZERO;
    for back in (0..365).rev() {
        let day: NaiveDate = today - Duration::days(back);
        if day.weekday() == Weekday::Sun {
            continue;
        }
        let key = day.format("%Y-%m-%d").to_string();
        let noon = app::calendar::local_at(
            day,
            chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon"),
            &tz,
        );
        let mut checkins = Vec::new();
        let mut followups = Vec::new();
        let mut logs = Vec::new();
        let mut moves = Vec::new();
        for (u, d) in &users {
            for _ in 0..rng.random_range(1..=5) {
                checkins.push(Visit {
                    id: app::db::new_key(),
                    user: u.clone(),
                    department: d.clone(),
                    customer: format!("c{}", rng.random_range(0..20_000)),
                    at: noon,
                    day: key.clone(),
                });
            }
            for _ in 0..rng.random_range(0..=3) {
                followups.push(Visit {
                    id: app::db::new_key(),
                    user: u.clone(),
                    department: d.clone(),
                    customer: format!("c{}", rng.random_range(0..20_000)),
                    at: noon,
                    day: key.clone(),
                });
            }
            logs.push(Log {
                id: format!("{u}:{key}"),
                user: u.clone(),
                department: d.clone(),
                day: key.clone(),
                hours: f64::from(rng.random_range(30..100)) / 10.0,
                at: noon,
            });
            if rng.random_bool(0.6) {
                let i = rng.random_range(0..stages.len() - 1);
                moves.push(Move {
                    customer: format!("c{}", rng.random_range(0..20_000)),
                    actor: u.clone(),
                    action: "advance",
                    from: stages[i].id.clone(),
                    to: stages[i + 1].id.clone(),
                    at: noon,
                    day: key.clone(),
                });
            }
        }
        rows.0 += checkins.len();
        rows.1 += followups.len();
        rows.2 += logs.len();
        rows.3 += moves.len();
        let t = Instant::now();
        write_visits(db, "checkin", checkins).await;
        visit_time += t.elapsed();
        write_visits(db, "followup", followups).await;
        db.query(
            "FOR $l IN $logs {
                 CREATE type::record('daily_log', $l.id) CONTENT {
                     user: type::record('user', $l.user), department: type::record('department', $l.department),
                     day: $l.day, work: '拜访客户', hours: $l.hours, expenses_cents: 0,
                     created_at: <datetime> $l.at, updated_at: <datetime> $l.at,
                 } RETURN NONE;
             };
             FOR $m IN $moves {
                 CREATE customer_history CONTENT {
                     customer: type::record('customer', $m.customer), at: <datetime> $m.at,
                     actor: type::record('user', $m.actor), action: $m.action,
                     from_stage: type::record('stage', $m.from), to_stage: type::record('stage', $m.to),
                     feedback: [], day: $m.day,
                 } RETURN NONE;
             };",
        )
        .bind(("logs", serde_json::to_value(logs).expect("json")))
        .bind(("moves", serde_json::to_value(moves).expect("json")))
        .await
        .and_then(|r| r.check())
        .expect("logs and moves");
        // the day's closing pipeline
        db.query(
            "FOR $u IN $users {
                 UPSERT type::record('rep_day', [$day, $u]) SET user = type::record('user', $u), day = $day,
                     pipe_cp = $cp, pipe_n = $n RETURN NONE;
             };",
        )
        .bind(("users", users.iter().map(|u| u.0.clone()).collect::<Vec<_>>()))
        .bind(("day", key.clone()))
        .bind(("cp", rng.random_range(0..50_000_000i64)))
        .bind(("n", rng.random_range(0..30i64)))
        .await
        .and_then(|r| r.check())
        .expect("pipeline");
    }
    db.query(
        "FOR $u IN $users {
             UPSERT type::record('rep_pipe', [$u]) SET user = type::record('user', $u),
                 cp = rand::int(0, 50000000), cp_play = rand::int(0, 30000000), n = rand::int(0, 30) RETURN NONE;
         };",
    )
    .bind(("users", users.iter().map(|u| u.0.clone()).collect::<Vec<_>>()))
    .await
    .and_then(|r| r.check())
    .expect("pipes");
    println!(
        "{people} people, a year: {} check-ins, {} follow-ups, {} logs, {} stage moves written in {:.1?}",
        rows.0,
        rows.1,
        rows.2,
        rows.3,
        started.elapsed()
    );

    // what the events cost a write: the same check-ins into a table without events
    db.query("DEFINE TABLE checkin_plain SCHEMALESS")
        .await
        .and_then(|r| r.check())
        .expect("plain table");
    let sample = |rng: &mut ChaCha8Rng| -> Vec<Visit> {
        users
            .iter()
            .take(200)
            .flat_map(|(u, d)| (0..10).map(move |_| (u.clone(), d.clone())))
            .map(|(u, d)| Visit {
                id: app::db::new_key(),
                user: u,
                department: d,
                customer: format!("c{}", rng.random_range(0..20_000)),
                at: state.now(),
                day: today.format("%Y-%m-%d").to_string(),
            })
            .collect()
    };
    let a = sample(&mut rng);
    let n = a.len();
    let t = Instant::now();
    write_visits(db, "checkin_plain", a).await;
    let plain = t.elapsed();
    let b = sample(&mut rng);
    let t = Instant::now();
    write_visits(db, "checkin", b).await;
    let counted = t.elapsed();
    println!(
        "{n} check-ins: {:.1?} into a table without events, {:.1?} into checkin (events keep the day sums): {:.2}x, {:.0} µs per check-in for the sums; the year's check-ins averaged {:.0} µs each",
        plain,
        counted,
        counted.as_secs_f64() / plain.as_secs_f64(),
        (counted.as_secs_f64() - plain.as_secs_f64()) * 1e6 / n as f64,
        visit_time.as_secs_f64() * 1e6 / rows.0 as f64
    );

    // the departments' finished days, as the hourly job writes them
    let t = Instant::now();
    let settled = app::measure::service::settle(&state, true)
        .await
        .expect("settle");
    println!(
        "settled {settled} days of {departments} departments in {:.1?} (the hourly job; later runs write only the new day)",
        t.elapsed()
    );

    // every board, as the boss (the company) and as a manager (a department)
    let boss = common::user(&state, "boss").await;
    let manager = app::auth::repo::find_user(db, &managers[0])
        .await
        .expect("find")
        .expect("manager")
        .0;
    let periods = app::measure::rules::PERIODS;
    for (who, label) in [(&boss, "company"), (&manager, "department")] {
        let mut samples = Vec::new();
        let mut by_period: Vec<(String, Vec<std::time::Duration>)> = Vec::new();
        for p in periods {
            let mut mine = Vec::new();
            for _ in 0..3 {
                for m in app::measure::rules::Measure::ALL {
                    let t = Instant::now();
                    let b = app::measure::service::board(
                        &state,
                        who,
                        m.as_str(),
                        p,
                        "",
                        "",
                        if label == "company" { "company" } else { "" },
                        false,
                    )
                    .await
                    .expect("board");
                    let e = t.elapsed();
                    assert!(b.people > 0);
                    samples.push(e);
                    mine.push(e);
                }
            }
            by_period.push((p.to_string(), mine));
        }
        report(&format!("every board, {label} scope"), samples);
        for (p, s) in by_period {
            report(&format!("  {label} {p}"), s);
        }
    }
    let rep = app::auth::repo::find_user(db, &users[0].0)
        .await
        .expect("find")
        .expect("rep")
        .0;
    let mut samples = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let p = app::measure::service::profile(&state, &manager, &rep.id, "26")
            .await
            .expect("profile");
        samples.push(t.elapsed());
        assert_eq!(p.days.len(), 182);
    }
    report("a rep's curves, 26 weeks (with stage success)", samples);

    // where a profile's time goes: its reads one by one
    let span = app::measure::rules::Span {
        from: today - Duration::days(26 * 7 - 1),
        until: today + Duration::days(1),
    };
    let (mut people_t, mut curves_t) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        let t = Instant::now();
        app::people::repo::active_people(db).await.expect("people");
        people_t.push(t.elapsed());
        let t = Instant::now();
        app::measure::repo::curves(db, &rep.id, &users[0].1, span)
            .await
            .expect("curves");
        curves_t.push(t.elapsed());
    }
    report("  people", people_t);
    report("  the rep's and the department's days", curves_t);
}
