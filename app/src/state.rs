//! Server-side state handed to every server function through Leptos context.

use crate::db::Db;
use crate::error::{internal, AppResult};
use crate::photos::PhotoStore;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

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
    pub import: Isolation,
    /// Proxies whose `X-Forwarded-For` is believed (`BPC_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Sign-in attempts allowed per account and per address within a window.
    pub login_limits: LoginLimits,
}

/// How uploads are parsed: in a child process of `exe` (the server binary)
/// with `memory_mb` of address space, or (`exe: None`) in this process.
#[derive(Debug, Clone, Default)]
pub struct Isolation {
    pub exe: Option<std::path::PathBuf>,
    pub memory_mb: u64,
}

/// At most `max_per_account` sign-in attempts on one account and `max_per_ip`
/// from one address within `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_secs: u64,
    pub max_per_account: usize,
    pub max_per_ip: usize,
}

#[derive(Clone)]
pub struct AppState {
    /// Shared, not cloned per request: cloning a `Surreal` handle opens a new
    /// session on a SurrealDB server (its sign-in replayed in the background), and
    /// a query sent before that replay lands is refused ("Method not allowed").
    pub db: Arc<Db>,
    pub config: Arc<AppConfig>,
    pub clock: Arc<AppClock>,
    pub photos: PhotoStore,
    /// How many visits are written at once; the rest wait their turn in order.
    pub visit_writers: Arc<tokio::sync::Semaphore>,
    /// What features keep per app server (caches, the search index, gates).
    parts: Arc<Parts>,
}

/// A piece of state a feature keeps per app server (a cache, an index, a
/// gate), made from the configuration on first use. The kernel knows none of
/// them by name, so no feature's type sits below the features that use it.
pub trait Part: Send + Sync + 'static {
    fn create(config: &AppConfig) -> Self;
}

type PartMap = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

#[derive(Default)]
struct Parts(RwLock<PartMap>);

impl AppState {
    pub fn new(db: Db, config: AppConfig, photos: PhotoStore, visit_writers: usize) -> AppState {
        AppState {
            db: Arc::new(db),
            config: Arc::new(config),
            clock: Arc::default(),
            photos,
            visit_writers: Arc::new(tokio::sync::Semaphore::new(visit_writers)),
            parts: Arc::default(),
        }
    }

    /// This app server's `T`, made on first use.
    pub fn part<T: Part>(&self) -> Arc<T> {
        let key = TypeId::of::<T>();
        let found = self
            .parts
            .0
            .read()
            .ok()
            .and_then(|map| map.get(&key).cloned())
            .and_then(|part| part.downcast::<T>().ok());
        if let Some(part) = found {
            return part;
        }
        let mut map = self.parts.0.write().unwrap_or_else(PoisonError::into_inner);
        let entry = map
            .entry(key)
            .or_insert_with(|| Arc::new(T::create(&self.config)));
        match entry.clone().downcast::<T>() {
            Ok(part) => part,
            // (cannot happen: the map is keyed by the type)
            Err(_) => {
                let part = Arc::new(T::create(&self.config));
                *entry = part.clone();
                part
            }
        }
    }

    /// The same state with its own, fresh `T` (a second app server in a test,
    /// say), sharing every other part.
    pub fn with_fresh<T: Part>(&self) -> AppState {
        let mut map = self
            .parts
            .0
            .read()
            .map(|map| map.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone());
        map.insert(TypeId::of::<T>(), Arc::new(T::create(&self.config)));
        AppState {
            parts: Arc::new(Parts(RwLock::new(map))),
            ..self.clone()
        }
    }

    /// The time every rule is evaluated at.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the company zone, as day sums are keyed (`YYYY-MM-DD`).
    pub fn today(&self) -> String {
        crate::calendar::day_key(self.now(), &self.config.timezone)
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
