//! Importing 10,000 customers (issue 13): an Excel file of N rows (default
//! 10,000) checked and imported into the public pool by the admin, as the
//! import page does it; meanwhile a rep's as-you-type duplicate check runs
//! every 50 ms, to show the import does not hold other users up. Reports the
//! check's and the import's time, rows per second, and the process's peak
//! memory (VmHWM; the in-memory database lives in the same process, so this
//! counts the 10,000 stored customers too).
//!
//! `cargo run -p bench --profile server-release --bin import -- [rows]`

mod common;
mod stats;

use common::build;
use stats::report;
use std::time::{Duration, Instant};

/// The process's peak and current resident memory, in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

const INDUSTRIES: [&str; 6] = ["制造", "软件", "物流", "食品", "建材", "医药"];
const CITIES: [&str; 6] = ["上海", "苏州", "杭州", "南京", "无锡", "宁波"];

fn workbook(rows: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "公司名称",
        "电话",
        "联系人",
        "地址",
        "地区",
        "行业",
        "预计金额",
        "备注",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..rows {
        let r = i as u32 + 1;
        let city = CITIES[i % CITIES.len()];
        let industry = INDUSTRIES[i % INDUSTRIES.len()];
        let cells = [
            format!("{city}导入基准第{i}号{industry}有限公司"),
            format!("136{:08}", 10_000_000 + i),
            format!("联系人{i}"),
            format!("{city}市工业路 {} 号", i % 999 + 1),
            city.to_string(),
            industry.to_string(),
            format!("{}", 10_000 + (i % 50) * 1_000),
            "展会名单".to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r, c as u16, v).expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let app = build().await;
    let state = app.state.clone();
    let admin = common::user(&state, "admin").await;
    let rep = common::user(&state, "rep1").await;
    let file = workbook(rows);
    let (peak0, rss0) = memory();
    println!(
        "{rows} rows: {:.0} KB xlsx; before: peak {peak0:.0} MB, resident {rss0:.0} MB",
        file.len() as f64 / 1024.0
    );

    let t = Instant::now();
    let id = app::import::service::check(&state, &admin, "pool", "bench.xlsx", file)
        .await
        .expect("check");
    let checked = t.elapsed();
    let v = app::import::service::view(&state, &admin, &id)
        .await
        .expect("view");
    assert_eq!(
        v.accepted as usize,
        rows,
        "refused: {:?}",
        v.refused.first()
    );
    let (peak1, _) = memory();
    println!("check (read, validate, duplicate check, store): {checked:.1?}; peak {peak1:.0} MB");

    // a rep typing a registration while nothing else happens, then during the import
    let mut idle = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        app::customers::service::check_duplicate(&state, &rep, "杭州测试", "")
            .await
            .expect("duplicate check");
        idle.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    report("a rep's duplicate check, idle", idle);

    let t = Instant::now();
    app::import::service::start(&state, &admin, &id)
        .await
        .expect("start");
    let mut samples = Vec::new();
    let mut last = 0;
    let done = loop {
        let v = app::import::service::view(&state, &admin, &id)
            .await
            .expect("view");
        if v.status == "done" {
            break v;
        }
        if v.done >= last + 2_000 {
            last = v.done;
            println!("  {} rows after {:.1?}", v.done, t.elapsed());
        }
        let s = Instant::now();
        app::customers::service::check_duplicate(&state, &rep, "杭州测试", "")
            .await
            .expect("duplicate check");
        samples.push(s.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let imported = t.elapsed();
    let (peak2, rss2) = memory();
    report("a rep's duplicate check, during the import", samples);
    println!(
        "import: {} customers in {imported:.1?} ({:.0} rows/s), {} failed; peak {peak2:.0} MB, resident {rss2:.0} MB (+{:.0} MB over the start)",
        done.imported,
        f64::from(done.imported) / imported.as_secs_f64(),
        done.failed_count,
        rss2 - rss0
    );
}
