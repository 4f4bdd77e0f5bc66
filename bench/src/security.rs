//! The sign-in limit under parallel load (security review M3):
//!
//! - 50 parallel wrong passwords against one account with a limit of 5: how
//!   many were checked (hashed) and how many refused, and how long it took;
//! - 50, then 200, parallel wrong passwords against as many accounts: sign-in
//!   attempts per second (each hashes once: Argon2id, 19 MiB, at most
//!   min(cores, 4) at once), and `/healthz` latency meanwhile (the hashing must
//!   not starve the rest of the server).
//!
//! `cargo run -p bench --bin security` (a debug build hashes at full speed:
//! argon2 is optimised in the dev profile).

use futures::future::join_all;
use std::time::{Duration, Instant};

mod stats;
use stats::report;

async fn attempt(http: &reqwest::Client, base: &str, login: &str) -> u16 {
    http.post(format!("{base}/api/login"))
        .header("accept", "application/json")
        .form(&[("login", login), ("password", "wrong1234")])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let mut settings = server::settings::Settings::for_tests();
    settings.demo = true;
    settings.login_max_per_account = 5;
    settings.login_max_per_ip = 100_000;
    let app = server::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("build: {e}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::new();

    // one account, 50 at once
    let started = Instant::now();
    let statuses = join_all((0..50).map(|_| attempt(&http, &base, "rep1"))).await;
    let checked = statuses.iter().filter(|s| **s == 400).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    println!(
        "one account, 50 parallel wrong passwords, limit 5: {checked} checked, {refused} refused, \
         {} other, in {:.0?}",
        50 - checked - refused,
        started.elapsed()
    );

    for n in [50usize, 200] {
        // /healthz every 10 ms while the attempts run
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let probe = {
            let (http, base, stop) = (http.clone(), base.clone(), stop.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let t = Instant::now();
                    if http.get(format!("{base}/healthz")).send().await.is_err() {
                        break;
                    }
                    times.push(t.elapsed());
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                times
            })
        };
        let started = Instant::now();
        let logins: Vec<String> = (0..n).map(|i| format!("nobody{n}x{i}")).collect();
        let statuses = join_all(logins.iter().map(|l| attempt(&http, &base, l))).await;
        let elapsed = started.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let times = probe.await.unwrap_or_default();
        let checked = statuses.iter().filter(|s| **s == 400).count();
        println!(
            "{n} accounts, one wrong password each, all at once: {checked} checked in {elapsed:.2?} \
             ({:.1} sign-in attempts/s)",
            checked as f64 / elapsed.as_secs_f64()
        );
        if !times.is_empty() {
            report("  /healthz meanwhile", times);
        }
    }
}
