//! Load generator for two budgets of the ownership engine (SPEC §8):
//!
//! - `dupcheck N`: the duplicate check (exact keys + near-match candidates) with N
//!   customers loaded; p50/p99 over 2,000 hits and 2,000 misses. Budget: p99 < 5 ms
//!   at N = 1,000,000.
//! - `sweep N`: one confiscation sweep with N customers of which 1,000 are overdue.
//!   It must grow with the overdue rows, not with N.
//!
//! - `both N`: the two on one loaded database.
//!
//! The app is built as in production (`Application::build`, real schema, demo
//! company) on `mem://` unless `DATABASE_URL` says otherwise. Rows are generated
//! inside the database in batches (one query per 5,000 rows).

use app::customers::service;
use std::time::Instant;

mod common;
mod stats;
use common::{build, user};
use stats::report;

const BATCH: usize = 5_000;

/// Inserts customers `from..to` (name `基准客户<i>`, phone 1500000<i>) with their
/// keys; the first `overdue` of the whole set are due an hour ago.
async fn load(state: &app::state::AppState, owner: &str, dept: &str, n: usize, overdue: usize) {
    let started = Instant::now();
    let mut from = 0;
    while from < n {
        let to = (from + BATCH).min(n);
        state
            .db
            .query(
                "LET $now = time::now();
                 FOR $i IN array::range($from, $to) {
                     LET $c = type::record('customer', 'b' + <string>$i);
                     LET $key = '基准客户' + <string>$i;
                     LET $phone = <string>(15000000000 + $i);
                     -- overdue rows really are: their clocks started 40 days ago
                     LET $start = IF $i < $overdue THEN $now - 40d ELSE $now END;
                     CREATE $c CONTENT {
                         name: $key + '有限公司', name_key: $key,
                         name_head: string::slice($key, 0, 2), name_tail: string::slice($key, -2),
                         phones: [$phone], phone_keys: [$phone], contact: '', contact_role: '',
                         decision_maker: '', address: '', region: '上海', industry: '制造', size: '',
                         source: '', notes: '', expected_cents: 100000,
                         created_by: type::record('user', $owner), created_at: $now,
                         status: 'owned', owner: type::record('user', $owner),
                         department: type::record('department', $dept), checklist: [],
                         stage: stage:s1, won: false, reached: 1,
                         stage_entered_at: $start, last_followup_at: $start, owned_since: $start,
                         due_at: IF $i < $overdue THEN $now - 1h ELSE $now + 30d END,
                         due_clock: 'stage',
                         warn_at: $now + 20d, version: 0,
                     };
                     CREATE type::record('customer_key', 'n:' + $key) CONTENT { customer: $c, at: $now };
                     CREATE type::record('customer_key', 'p:' + $phone) CONTENT { customer: $c, at: $now };
                 };",
            )
            .bind(("from", from as i64))
            .bind(("to", to as i64))
            .bind(("owner", owner.to_string()))
            .bind(("dept", dept.to_string()))
            .bind(("overdue", overdue as i64))
            .await
            .and_then(|r| r.check())
            .unwrap_or_else(|e| panic!("load batch {from}: {e}"));
        from = to;
        if from % 100_000 == 0 {
            eprintln!("  loaded {from} in {:.0?}", started.elapsed());
        }
    }
    eprintln!("loaded {n} customers in {:.1?}", started.elapsed());
}

async fn dupcheck(n: usize) {
    let app = build().await;
    let state = app.state.clone();
    let rep = user(&state, "rep1").await;
    load(&state, &rep.id, &rep.department_id, n, 0).await;
    measure_dupcheck(&state, n).await;
}

async fn measure_dupcheck(state: &app::state::AppState, n: usize) {
    let state = state.clone();
    let asker = user(&state, "rep2").await;
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    for k in 0..2_000usize {
        let i = (k * 7_919) % n;
        let name = format!("基准客户{i}有限公司");
        let t = Instant::now();
        let found = service::check_duplicate(&state, &asker, &name, "")
            .await
            .expect("check");
        hits.push(t.elapsed());
        assert!(found.taken_on.is_some(), "{name} should be a duplicate");

        let name = format!("未登记公司{k}号");
        let phone = format!("1880000{k:04}");
        let t = Instant::now();
        let found = service::check_duplicate(&state, &asker, &name, &phone)
            .await
            .expect("check");
        misses.push(t.elapsed());
        assert!(found.taken_on.is_none());
    }
    println!("duplicate check with {n} customers");
    report("  exact hit (name)", hits);
    report("  miss (name + phone + near-match scan)", misses);
}

async fn sweep(n: usize) {
    let app = build().await;
    let state = app.state.clone();
    let rep = user(&state, "rep1").await;
    load(&state, &rep.id, &rep.department_id, n, 1_000).await;
    measure_sweep(&state, n).await;
}

/// Both measurements on one loaded database (1,000 of the N customers overdue).
async fn both(n: usize) {
    let app = build().await;
    let state = app.state.clone();
    let rep = user(&state, "rep1").await;
    load(&state, &rep.id, &rep.department_id, n, 1_000).await;
    measure_dupcheck(&state, n).await;
    measure_sweep(&state, n).await;
}

async fn measure_sweep(state: &app::state::AppState, n: usize) {
    let state = state.clone();
    let t = Instant::now();
    let r = service::sweep(&state).await.expect("sweep");
    let first = t.elapsed();
    let t = Instant::now();
    let again = service::sweep(&state).await.expect("sweep");
    let idle = t.elapsed();
    println!(
        "sweep with {n} customers: confiscated {} in {first:.2?} ({:.2?} per overdue customer); \
         next sweep with nothing due: {idle:.2?} (confiscated {})",
        r.confiscated,
        first / r.confiscated.max(1) as u32,
        again.confiscated
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    match args.get(1).map(String::as_str) {
        Some("dupcheck") => dupcheck(n).await,
        Some("sweep") => sweep(n).await,
        Some("both") => both(n).await,
        _ => {
            eprintln!("usage: ownership <dupcheck|sweep|both> [customers]");
            std::process::exit(2);
        }
    }
}
