//! Everyone active, cached per app server: the boards, targets, alarm statistics
//! and the view audit read the whole list on every load.
//!
//! A change to a person's name, role, department, activity or start day stamps
//! `meta:people` in its own transaction (`server/schema/020_user.surql`); a
//! department's rename stamps `meta:config`. A reader asks for both stamps (two
//! record reads) and reuses its copy while they are the ones it was loaded
//! under, so a change made through any app server is seen by all at their next read.

use crate::db::{checked, Db};
use crate::error::AppResult;
use crate::people::repo::{active_people, PersonRow};
use crate::state::{AppConfig, AppState, Part};
use std::sync::{Arc, RwLock};

type Stamps = (Option<String>, Option<String>);

/// One app server's copy, with the stamps it was loaded under.
#[derive(Debug, Default)]
pub struct PeopleCache {
    current: RwLock<Option<(Stamps, Arc<Vec<PersonRow>>)>>,
}

impl PeopleCache {
    /// Everyone active, by name, as of now.
    pub async fn get(&self, db: &Db) -> AppResult<Arc<Vec<PersonRow>>> {
        let mut resp = checked(
            db.query("RETURN meta:people.stamp; RETURN meta:config.stamp")
                .await?,
        )?;
        let stamps: Stamps = (resp.take(0)?, resp.take(1)?);
        if let Some(hit) = self.cached(&stamps) {
            return Ok(hit);
        }
        // read after the stamps, so at least as new as they say
        let fresh = Arc::new(active_people(db).await?);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some((stamps, fresh.clone()));
        }
        Ok(fresh)
    }

    fn cached(&self, stamps: &Stamps) -> Option<Arc<Vec<PersonRow>>> {
        let slot = self.current.read().ok()?;
        match slot.as_ref() {
            Some((s, people)) if s == stamps => Some(people.clone()),
            _ => None,
        }
    }
}

impl Part for PeopleCache {
    fn create(_: &AppConfig) -> Self {
        PeopleCache::default()
    }
}

/// Everyone active, through this app server's cache.
pub async fn everyone(state: &AppState) -> AppResult<Arc<Vec<PersonRow>>> {
    state.part::<PeopleCache>().get(&state.db).await
}
