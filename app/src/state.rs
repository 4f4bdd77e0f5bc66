//! Server-side state handed to every server function through Leptos context.

use crate::auth::throttle::LoginThrottle;
use crate::error::{internal, AppError, AppResult};
use std::sync::Arc;

pub type Db = surrealdb::Surreal<surrealdb::engine::any::Any>;

/// Settings the app layer needs (the server crate reads them from the environment).
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub timezone: chrono_tz::Tz,
    /// When false, a first start shows the one-time setup page instead of demo data.
    pub demo: bool,
    /// Minutes an in-app reminder waits for an acknowledgement before it escalates.
    pub escalate_after_minutes: i64,
    /// Working hours an alarm waits for a first answer before its raiser's manager
    /// hears of it (twice as many: the manager above).
    pub alarm_escalate_hours: i64,
    /// Where uploaded spreadsheets are parsed (a memory-limited child process).
    pub import: crate::import::isolate::Isolation,
    /// Proxies whose `X-Forwarded-For` is believed (`BPC_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Clone)]
pub struct AppState {
    /// Shared, not cloned per request: cloning a `Surreal` handle opens a new
    /// session on a SurrealDB server (its sign-in replayed in the background), and
    /// a query sent before that replay lands is refused ("Method not allowed").
    pub db: Arc<Db>,
    pub config: Arc<AppConfig>,
    pub throttle: Arc<LoginThrottle>,
    pub clock: Arc<AppClock>,
    pub photos: crate::field::photos::PhotoStore,
    /// Stages, departments and limits, reloaded only when they change.
    pub snapshots: Arc<crate::funnel::snapshot::SnapshotCache>,
    pub people: Arc<crate::people::cache::PeopleCache>,
    /// The referral page's customers, reloaded only when one of them changes.
    pub referrals: Arc<crate::referrals::cache::ReferralCache>,
    /// The experience pool's search index (each app server its own, kept up
    /// to date from the database).
    pub search: Arc<crate::experience::service::SearchIndex>,
    /// The suggestion box's flood limit (in memory only, see its doc).
    pub suggestion_gate: Arc<crate::suggestions::service::FloodGate>,
    /// How many visits are written at once; the rest wait their turn in order.
    pub visit_writers: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The time every rule is evaluated at.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// Wall-clock time, plus an offset that only a test server (`BPC_TEST_CLOCK=1`)
/// lets anyone move, so browser tests can let 30 days pass without waiting.
///
/// The offset is kept in microseconds: in whole seconds, `set(at)` put the
/// clock up to a second before or after `at` depending on whether `at` lay in
/// the future or the past of the real date, so a test's outcome depended on
/// the day it ran.
#[derive(Debug, Default)]
pub struct AppClock {
    offset_micros: std::sync::atomic::AtomicI64,
}

impl AppClock {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let offset = self
            .offset_micros
            .load(std::sync::atomic::Ordering::Relaxed);
        chrono::Utc::now() + chrono::Duration::microseconds(offset)
    }
    pub fn advance(&self, secs: i64) {
        self.offset_micros.fetch_add(
            secs.saturating_mul(1_000_000),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    /// Puts the clock at `at` (the demo generator replays past days this way),
    /// or back on the wall clock with `None`.
    pub fn set(&self, at: Option<chrono::DateTime<chrono::Utc>>) {
        let offset = at.map_or(0, |at| {
            (at - chrono::Utc::now())
                .num_microseconds()
                .unwrap_or(i64::MAX)
        });
        self.offset_micros
            .store(offset, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The state from context; missing state is a wiring bug, reported as internal.
pub fn app_state() -> AppResult<AppState> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| internal("AppState missing"))
}

/// Prefix of the codes our SurrealQL `THROW`s carry, e.g. `bpc:conflict:login_taken`.
const THROWN_PREFIX: &str = "bpc:";

/// Turns a failed statement into an `AppError`: a `THROW "bpc:kind:code"` from our own
/// queries becomes the matching typed error, anything else is internal.
pub fn db_error(err: surrealdb::Error) -> AppError {
    if err.is_thrown() {
        if let Some(pos) = err.message().find(THROWN_PREFIX) {
            let code = &err.message()[pos + THROWN_PREFIX.len()..];
            let code = code.trim_end_matches(['\'', '"', '`']);
            let mut parts = code.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("conflict"), Some(c), _) => return AppError::conflict(c),
                (Some("notfound"), _, _) => return AppError::NotFound,
                (Some("forbidden"), _, _) => return AppError::Forbidden,
                (Some("validation"), Some(field), Some(c)) => {
                    return AppError::validation(field, c)
                }
                _ => {}
            }
        }
    }
    // A transaction that lost at commit (a write-write conflict, or a key
    // another one created first): typed, so callers retry exactly these.
    if err.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict)
        || err.is_already_exists()
    {
        return crate::error::lost_race(err);
    }
    internal(err)
}

/// Checks every statement of a response; the first error decides.
pub fn checked(mut resp: surrealdb::IndexedResults) -> AppResult<surrealdb::IndexedResults> {
    let mut errors: Vec<(usize, surrealdb::Error)> = resp.take_errors().into_iter().collect();
    errors.sort_by_key(|(i, _)| *i);
    // In a failed transaction every statement reports an error; the thrown one is
    // the informative one, so prefer it.
    if let Some(pos) = errors.iter().position(|(_, e)| e.is_thrown()) {
        return Err(db_error(errors.swap_remove(pos).1));
    }
    // then why it failed (a lost write race at commit, say) over the statements
    // reported as not executed because of it
    let not_executed = |e: &surrealdb::Error| {
        e.query_details() == Some(&surrealdb::types::QueryError::NotExecuted)
    };
    if let Some(pos) = errors.iter().position(|(_, e)| !not_executed(e)) {
        return Err(db_error(errors.swap_remove(pos).1));
    }
    match errors.into_iter().next() {
        Some((_, e)) => Err(db_error(e)),
        None => Ok(resp),
    }
}

/// Record ids of one table, to bind for `field IN $ids`. (A `$keys.map(|$k|
/// type::record(…))` inside a WHERE hides the list from the query planner, which
/// then reads the whole table: 780 ms instead of 0.3 ms for a feed page's comments
/// at a year of history.)
pub fn record_ids(table: &str, keys: &[String]) -> Vec<surrealdb::types::RecordId> {
    keys.iter()
        .map(|k| surrealdb::types::RecordId::new(table, k.as_str()))
        .collect()
}

/// A fresh record key: 20 lowercase hex characters.
pub fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..20].to_string()
}
