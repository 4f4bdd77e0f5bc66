//! Real `bpc` processes for the tests that need one: a server whose memory is
//! its own to measure, or several servers on one database.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process, killed when the test ends however it ends.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    /// A field of `/proc/<pid>/status` in bytes (e.g. `VmRSS`, `VmHWM`: the
    /// peak resident size).
    pub fn status_bytes(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .expect("process status");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or_else(|| panic!("{field} in {status}"))
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("bpc-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn wait_for(url: &str, within: Duration) {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Ok(r) = reqwest::get(url).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{url} not up after {within:?}");
}

/// `bpc` on its own in-memory database with the demo people (no history), on
/// `port`, with `env` on top; ready when this returns.
pub async fn bpc_alone(port: u16, env: &[(&str, &str)]) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bpc"));
    cmd.env("BPC_LISTEN", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", "mem://")
        .env("BPC_DEMO", "true")
        .env("BPC_DEMO_HISTORY", "false")
        .env("BPC_PHOTOS", "mem")
        .env("BPC_SITE_ROOT", "../target/site")
        .env("BPC_COOKIE_SECURE", "false")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let proc = Proc(cmd.spawn().expect("bpc starts"));
    wait_for(
        &format!("http://127.0.0.1:{port}/healthz"),
        Duration::from_secs(120),
    )
    .await;
    proc
}
