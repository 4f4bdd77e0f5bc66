//! Failed-login limits per account and per IP address.
//!
//! Hand-written rather than `governor`: only *failures* may count (a user who types
//! the right password is never slowed down) and the check must look without
//! consuming, which governor's keyed limiter does not offer. The decision itself is
//! the pure `rules::login_allowed`.
//!
//! Kept in process memory: with several app servers each enforces its own limit,
//! which still bounds guessing to `servers × max` per window.

use super::rules::login_allowed;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Entries beyond this many keys are pruned of stale data first, then dropped oldest.
const MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct LoginThrottle {
    window_secs: u64,
    max_per_account: usize,
    max_per_ip: usize,
    failures: Mutex<HashMap<String, Vec<u64>>>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl LoginThrottle {
    pub fn new(window_secs: u64, max_per_account: usize, max_per_ip: usize) -> Self {
        Self {
            window_secs,
            max_per_account,
            max_per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(login: &str, ip: &str) -> [(String, bool); 2] {
        [(format!("a:{login}"), true), (format!("i:{ip}"), false)]
    }

    /// May this login be attempted now from this address?
    pub fn allows(&self, login: &str, ip: &str) -> bool {
        let now = now_secs();
        let map = match self.failures.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        Self::keys(login, ip).iter().all(|(key, is_account)| {
            let max = if *is_account {
                self.max_per_account
            } else {
                self.max_per_ip
            };
            map.get(key)
                .is_none_or(|f| login_allowed(f, now, self.window_secs, max))
        })
    }

    pub fn record_failure(&self, login: &str, ip: &str) {
        let now = now_secs();
        let mut map = match self.failures.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() >= MAX_KEYS {
            let window = self.window_secs;
            map.retain(|_, f| f.iter().any(|&t| now.saturating_sub(t) < window));
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        for (key, _) in Self::keys(login, ip) {
            let entry = map.entry(key).or_default();
            entry.retain(|&t| now.saturating_sub(t) < self.window_secs);
            entry.push(now);
        }
    }

    pub fn record_success(&self, login: &str) {
        let mut map = match self.failures.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.remove(&format!("a:{login}"));
    }
}
