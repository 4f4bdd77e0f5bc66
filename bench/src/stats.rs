//! Percentiles for the load generators.

use std::time::Duration;

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Prints n, p50, p99 and max of the samples.
#[allow(dead_code)] // not every load generator prints a summary line
pub fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    if samples.is_empty() {
        println!("{label}: no samples");
        return;
    }
    println!(
        "{label}: n={} p50={:.2?} p99={:.2?} max={:.2?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or_default()
    );
}

/// This process's resident memory in KiB (Linux), 0 when unknown.
#[allow(dead_code)] // not every load generator reports memory
pub fn rss_kib() -> u64 {
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
