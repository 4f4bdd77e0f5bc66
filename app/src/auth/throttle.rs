//! Failed-login limits per account and per IP address.
//!
//! Hand-written rather than `governor`: only *failures* may count (a user who types
//! the right password is never slowed down) and the check must look without
//! consuming, which governor's keyed limiter does not offer. The decision itself is
//! the pure `rules::login_allowed`.
//!
//! The failures live in the database (`login_failure`), so several app servers
//! sharing it enforce one limit: alternating between servers gains nothing.

use super::rules::login_allowed;
use crate::error::AppResult;
use crate::state::{checked, Db};
use chrono::{DateTime, Duration, Utc};

#[derive(Debug)]
pub struct LoginThrottle {
    window_secs: u64,
    max_per_account: usize,
    max_per_ip: usize,
}

fn account_key(login: &str) -> String {
    format!("a:{login}")
}

fn ip_key(ip: &str) -> String {
    format!("i:{ip}")
}

impl LoginThrottle {
    pub fn new(window_secs: u64, max_per_account: usize, max_per_ip: usize) -> Self {
        Self {
            window_secs,
            max_per_account,
            max_per_ip,
        }
    }

    fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::seconds(i64::try_from(self.window_secs).unwrap_or(i64::MAX / 2))
    }

    /// May this login be attempted now from this address?
    pub async fn allows(
        &self,
        db: &Db,
        login: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let mut r = checked(
            db.query(
                "SELECT VALUE at FROM login_failure WHERE key = $a AND at > $since LIMIT $la;
                 SELECT VALUE at FROM login_failure WHERE key = $i AND at > $since LIMIT $li;",
            )
            .bind(("a", account_key(login)))
            .bind(("i", ip_key(ip)))
            .bind(("since", self.since(now)))
            .bind(("la", self.max_per_account))
            .bind(("li", self.max_per_ip))
            .await?,
        )?;
        let secs = |ts: Vec<DateTime<Utc>>| -> Vec<u64> {
            ts.iter()
                .map(|t| u64::try_from(t.timestamp()).unwrap_or(0))
                .collect()
        };
        let account: Vec<DateTime<Utc>> = r.take(0)?;
        let address: Vec<DateTime<Utc>> = r.take(1)?;
        let now_s = u64::try_from(now.timestamp()).unwrap_or(0);
        Ok(login_allowed(
            &secs(account),
            now_s,
            self.window_secs,
            self.max_per_account,
        ) && login_allowed(&secs(address), now_s, self.window_secs, self.max_per_ip))
    }

    /// Counts a failure against the account and the address (and forgets their
    /// failures that fell out of the window).
    pub async fn record_failure(
        &self,
        db: &Db,
        login: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        checked(
            db.query(
                "BEGIN;
                 DELETE login_failure WHERE key IN [$a, $i] AND at <= $since;
                 CREATE login_failure CONTENT { key: $a, at: $now } RETURN NONE;
                 CREATE login_failure CONTENT { key: $i, at: $now } RETURN NONE;
                 COMMIT;",
            )
            .bind(("a", account_key(login)))
            .bind(("i", ip_key(ip)))
            .bind(("since", self.since(now)))
            .bind(("now", now))
            .await?,
        )?;
        Ok(())
    }

    /// A good sign-in clears its account's failures (not the address's).
    pub async fn record_success(&self, db: &Db, login: &str) -> AppResult<()> {
        checked(
            db.query("DELETE login_failure WHERE key = $a")
                .bind(("a", account_key(login)))
                .await?,
        )?;
        Ok(())
    }
}
