//! Sign-in limits per account and per IP address.
//!
//! Hand-written rather than `governor`: only *failures* may count in the end (a
//! user who types the right password is never slowed down), and the count must
//! be shared by every app server. The decision itself is the pure
//! `rules::login_allowed`.
//!
//! An attempt is counted **before** its password is hashed: `reserve` reads the
//! account's and the address's recent attempts, decides, and writes the new
//! attempt in one transaction that fails if either list changed meanwhile
//! (another attempt got there first: read again and decide again). So ten
//! parallel wrong passwords against a limit of five hash exactly five. A good
//! sign-in then takes its own attempt back and clears its account.
//!
//! The attempts live in the database (`login_attempt`, one record per key), so
//! several app servers sharing it enforce one limit.

use super::rules::login_allowed;
use crate::db::{checked, Db};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug)]
pub struct LoginThrottle {
    window_secs: u64,
    max_per_account: usize,
    max_per_ip: usize,
}

/// A counted attempt, to take back if it succeeds.
#[derive(Debug, Clone)]
pub struct Attempt {
    account: String,
    address: String,
    at: DateTime<Utc>,
}

fn account_key(login: &str) -> String {
    format!("a:{login}")
}

fn ip_key(ip: &str) -> String {
    format!("i:{ip}")
}

/// Reads again and decides again this many times when other attempts keep
/// changing the same keys (each round lets at least one of them through).
const ROUNDS: usize = 64;

#[derive(Debug, Clone, SurrealValue)]
struct Seen {
    account: Vec<DateTime<Utc>>,
    address: Vec<DateTime<Utc>>,
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

    /// Counts an attempt on `login` from `ip` if the limits allow one now;
    /// `None` when they do not (nothing is counted then).
    pub async fn reserve(
        &self,
        db: &Db,
        login: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Option<Attempt>> {
        let (account, address) = (account_key(login), ip_key(ip));
        let since = self.since(now);
        for round in 0..ROUNDS {
            let mut r = checked(
                db.query(
                    "RETURN {
                         account: type::record('login_attempt', $a).at ?? [],
                         address: type::record('login_attempt', $i).at ?? [],
                     }",
                )
                .bind(("a", account.clone()))
                .bind(("i", address.clone()))
                .await?,
            )?;
            let seen: Option<Seen> = r.take(0)?;
            let seen = seen.unwrap_or(Seen {
                account: Vec::new(),
                address: Vec::new(),
            });
            let secs = |ts: &[DateTime<Utc>]| -> Vec<u64> {
                ts.iter()
                    .map(|t| u64::try_from(t.timestamp()).unwrap_or(0))
                    .collect()
            };
            let now_s = u64::try_from(now.timestamp()).unwrap_or(0);
            let allowed = login_allowed(
                &secs(&seen.account),
                now_s,
                self.window_secs,
                self.max_per_account,
            ) && login_allowed(
                &secs(&seen.address),
                now_s,
                self.window_secs,
                self.max_per_ip,
            );
            if !allowed {
                return Ok(None);
            }
            let next = |list: &[DateTime<Utc>]| -> Vec<DateTime<Utc>> {
                list.iter()
                    .copied()
                    .filter(|t| *t > since)
                    .chain(std::iter::once(now))
                    .collect()
            };
            let written = db
                .query(
                    "BEGIN TRANSACTION;
                     LET $ra = type::record('login_attempt', $a);
                     LET $ri = type::record('login_attempt', $i);
                     IF ($ra.at ?? []) != $seen_a OR ($ri.at ?? []) != $seen_i {
                         THROW 'bpc:conflict:race';
                     };
                     UPSERT $ra SET at = $next_a RETURN NONE;
                     UPSERT $ri SET at = $next_i RETURN NONE;
                     COMMIT TRANSACTION;",
                )
                .bind(("a", account.clone()))
                .bind(("i", address.clone()))
                .bind(("seen_a", seen.account.clone()))
                .bind(("seen_i", seen.address.clone()))
                .bind(("next_a", next(&seen.account)))
                .bind(("next_i", next(&seen.address)))
                .await
                .map_err(AppError::from)
                .and_then(checked);
            match written {
                Ok(_) => {
                    return Ok(Some(Attempt {
                        account,
                        address,
                        at: now,
                    }))
                }
                Err(e) if crate::error::is_race(&e) => {
                    // another attempt on the same key won: back off a little
                    // (more each round, spread out) and decide again
                    let pause =
                        1 + (round as u64) + u64::from(uuid::Uuid::new_v4().as_bytes()[0] % 4);
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                Err(e) => return Err(e),
            }
        }
        // still contended after every round: refuse rather than let it through
        Ok(None)
    }

    /// A good sign-in: its account's attempts are cleared and the address gets
    /// this attempt back (the other attempts from the address stay counted).
    pub async fn succeeded(&self, db: &Db, attempt: &Attempt) -> AppResult<()> {
        let mut tries = 0;
        loop {
            match self.give_back(db, attempt).await {
                Err(e) if crate::error::is_race(&e) && tries < 8 => tries += 1,
                other => return other,
            }
        }
    }

    async fn give_back(&self, db: &Db, attempt: &Attempt) -> AppResult<()> {
        checked(
            db.query(
                "BEGIN TRANSACTION;
                 DELETE type::record('login_attempt', $a) RETURN NONE;
                 UPDATE type::record('login_attempt', $i)
                     SET at = array::filter(at, |$t| $t != $at) RETURN NONE;
                 COMMIT TRANSACTION;",
            )
            .bind(("a", attempt.account.clone()))
            .bind(("i", attempt.address.clone()))
            .bind(("at", attempt.at))
            .await?,
        )?;
        Ok(())
    }
}

impl crate::state::Part for LoginThrottle {
    fn create(config: &crate::state::AppConfig) -> Self {
        let l = config.login_limits;
        LoginThrottle::new(l.window_secs, l.max_per_account, l.max_per_ip)
    }
}
