//! Reading an uploaded file where a failure cannot take the server down.
//!
//! `file::read_table` already bounds what a file may cost, but a failed
//! allocation aborts a Rust process (it is not a panic the server could
//! catch), so the parse runs in a child process: the server's own binary
//! started as `bpc parse-import`, limited to its start-up size plus
//! `memory_mb` of address space and 30 s of CPU, reading the file on stdin and
//! writing the rows as JSON on stdout. If the child dies or overruns, the
//! upload is refused ("too_complex") and the server goes on.

use crate::import::file::{read_table, FileRefusal};
use crate::import::rules::MAX_BYTES;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

/// The sub-command a server binary answers with [`child_main`].
pub const SUBCOMMAND: &str = "parse-import";
/// Where the child learns its memory limit.
const MEMORY_ENV: &str = "BPC_PARSE_MEMORY_MB";
/// CPU seconds a parse may take (a 10,000-row file takes well under 2).
const CPU_SECS: u64 = 30;
/// Wall time the server waits for the child.
const WAIT: Duration = Duration::from_secs(60);
/// The most a child may answer: the rows' text is bounded by
/// `file::MAX_UNPACKED`, JSON adds quotes and escapes.
const MAX_ANSWER: u64 = 256 * 1024 * 1024;

pub use crate::state::Isolation;

type Answer = Result<Vec<Vec<String>>, String>;

/// The rows of an uploaded file, read as `isolation` says.
pub async fn read_table_isolated(
    isolation: &Isolation,
    bytes: Vec<u8>,
) -> Result<Vec<Vec<String>>, FileRefusal> {
    let isolation = isolation.clone();
    tokio::task::spawn_blocking(move || match isolation.exe {
        None => read_table(&bytes),
        Some(exe) => match in_child(exe, isolation.memory_mb, bytes) {
            Ok(answer) => answer.map_err(|code| known_refusal(&code)),
            Err(e) => {
                tracing::warn!(error = %e, "import parse child failed");
                Err("too_complex")
            }
        },
    })
    .await
    .unwrap_or(Err("too_complex"))
}

/// Runs the child (blocking: called on a blocking thread), feeding it `bytes`
/// while reading its answer, and kills it past [`WAIT`].
fn in_child(exe: PathBuf, memory_mb: u64, bytes: Vec<u8>) -> std::io::Result<Answer> {
    let mut child = std::process::Command::new(exe)
        .arg(SUBCOMMAND)
        .env(MEMORY_ENV, memory_mb.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("no stdin"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    // write and read at once: a child answering early must not block on a full pipe
    let writer = std::thread::spawn(move || {
        // a child that died early closes its end: its exit status tells why
        let _ = stdin.write_all(&bytes);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.take(MAX_ANSWER).read_to_end(&mut out).map(|_| out)
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > WAIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("timed out"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let out = reader
        .join()
        .map_err(|_| std::io::Error::other("reader panicked"))??;
    if !status.success() {
        return Err(std::io::Error::other(format!("child exited: {status}")));
    }
    serde_json::from_slice(&out).map_err(std::io::Error::other)
}

/// A refusal code as one of ours (the child can only send ours, but the wire
/// is text).
pub fn known_refusal(code: &str) -> FileRefusal {
    [
        "too_large",
        "too_many_rows",
        "empty",
        "unreadable",
        "unsupported",
        "too_big_inside",
    ]
    .into_iter()
    .find(|c| *c == code)
    .unwrap_or("too_complex")
}

/// `bpc parse-import`: limits itself, reads a file on stdin, writes its rows
/// (or the refusal) as JSON on stdout. Returns the exit code.
pub fn child_main() -> i32 {
    let memory_mb = std::env::var(MEMORY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(512);
    if limit_self(memory_mb).is_err() {
        // unlimited parsing is what this process exists to prevent
        return 3;
    }
    let mut bytes = Vec::new();
    if std::io::stdin()
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return 4;
    }
    let answer: Answer = read_table(&bytes).map_err(str::to_string);
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer).map_err(std::io::Error::from);
    match written.and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 5,
    }
}

/// Address space: what the process maps now plus `memory_mb`; CPU: [`CPU_SECS`].
fn limit_self(memory_mb: u64) -> std::io::Result<()> {
    let now = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmSize:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024);
    let limit = now + memory_mb * 1024 * 1024;
    rlimit::setrlimit(rlimit::Resource::AS, limit, limit)?;
    rlimit::setrlimit(rlimit::Resource::CPU, CPU_SECS, CPU_SECS)?;
    Ok(())
}
