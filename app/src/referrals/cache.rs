//! The referral page's customers, kept in memory by each app server.
//!
//! Every change that matters to the page (a referrer, a win, an owner, a status,
//! a department, an amount, a name) touches that customer's row in
//! `referral_touch` in its own transaction (`server/schema/060_customer.surql`).
//! A reader asks for the newest touches (one short index read) and reuses its
//! copy while they are the ones it was loaded under, so a change made through
//! any app server is seen by all of them at their next read.
//!
//! A transaction that takes its time stamp before another but commits after it
//! could hide behind the newer stamp; a copy is therefore also reloaded once it
//! is a minute old.

use crate::db::Db;
use crate::error::AppResult;
use crate::referrals::repo::{self, LinkRow};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const MAX_AGE: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Copy {
    touched: Vec<String>,
    loaded: Instant,
    rows: Arc<Vec<LinkRow>>,
}

#[derive(Debug, Default)]
pub struct ReferralCache {
    current: RwLock<Option<Copy>>,
    /// One load at a time: readers arriving meanwhile wait and share it.
    loading: tokio::sync::Mutex<()>,
}

impl ReferralCache {
    /// The page's customers as of now.
    pub async fn rows(&self, db: &Db) -> AppResult<Arc<Vec<LinkRow>>> {
        let touched = repo::touched(db).await?;
        if let Some(hit) = self.cached(&touched) {
            return Ok(hit);
        }
        let _turn = self.loading.lock().await;
        if let Some(hit) = self.cached(&touched) {
            return Ok(hit);
        }
        // Loaded after the touches were read, so at least as new as they say; a
        // change landing meanwhile adds a newer touch and the next read reloads.
        let rows = Arc::new(repo::linked(db).await?);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(Copy {
                touched,
                loaded: Instant::now(),
                rows: rows.clone(),
            });
        }
        Ok(rows)
    }

    fn cached(&self, touched: &[String]) -> Option<Arc<Vec<LinkRow>>> {
        let slot = self.current.read().ok()?;
        match slot.as_ref() {
            Some(c) if c.touched == touched && c.loaded.elapsed() < MAX_AGE => Some(c.rows.clone()),
            _ => None,
        }
    }
}

impl crate::state::Part for ReferralCache {
    fn create(_: &crate::state::AppConfig) -> Self {
        ReferralCache::default()
    }
}
