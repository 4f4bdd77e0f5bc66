//! The configuration the rules read on every request (stages, the department
//! tree with its heads, the limits), cached per app server.
//!
//! Every change to those tables stamps `meta:config` in its own transaction
//! (`server/schema/080_config.surql`). A reader asks for the stamp (one record
//! read) and reuses its copy while the stamp is the one it was loaded under, so a
//! change made through any app server is seen by all of them at their next read.

use crate::auth::model::{CurrentUser, Role};
use crate::db::{checked, Db};
use crate::error::AppResult;
use crate::funnel::model::StageInfo;
use crate::funnel::repo::{list_stages, load_policies_with, Policies};
use crate::people::org::Org;
use crate::state::{AppConfig, AppState, Part};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use surrealdb::types::SurrealValue;

/// Stages (all, in funnel order), limits and the department links.
#[derive(Debug)]
pub struct ConfigSnapshot {
    pub stages: Vec<StageInfo>,
    pub policies: Policies,
    /// The departments' tree and heads.
    pub org: Org,
}

impl ConfigSnapshot {
    async fn load(db: &Db) -> AppResult<ConfigSnapshot> {
        let stages = list_stages(db, true).await?;
        let mut resp = checked(
            db.query(
                "SELECT record::id(id) AS id, \
                   (IF parent != NONE THEN record::id(parent) END) AS parent_id, \
                   (IF head != NONE THEN record::id(head) END) AS head_id \
                 FROM department",
            )
            .await?,
        )?;
        let links: Vec<DepartmentLinks> = resp.take(0)?;
        let parents: HashMap<String, Option<String>> = links
            .iter()
            .map(|d| (d.id.clone(), d.parent_id.clone()))
            .collect();
        let policies = load_policies_with(db, parents.clone()).await?;
        Ok(ConfigSnapshot {
            stages,
            policies,
            org: Org {
                heads: links.into_iter().map(|d| (d.id, d.head_id)).collect(),
                parents,
            },
        })
    }
}

#[derive(Debug, SurrealValue)]
struct DepartmentLinks {
    id: String,
    parent_id: Option<String>,
    head_id: Option<String>,
}

/// One app server's copy, with the stamp it was loaded under.
#[derive(Debug, Default)]
pub struct SnapshotCache {
    current: RwLock<Option<(Option<String>, Arc<ConfigSnapshot>)>>,
}

impl SnapshotCache {
    /// The configuration as of now: the cached copy when nothing changed since it
    /// was loaded, else a fresh one.
    pub async fn get(&self, db: &Db) -> AppResult<Arc<ConfigSnapshot>> {
        let mut resp = checked(db.query("RETURN meta:config.stamp").await?)?;
        let stamp: Option<String> = resp.take(0)?;
        if let Some(hit) = self.cached(&stamp) {
            return Ok(hit);
        }
        // Loaded after the stamp was read, so at least as new as that stamp says;
        // a change landing meanwhile moves the stamp and the next read reloads.
        let fresh = Arc::new(ConfigSnapshot::load(db).await?);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some((stamp, fresh.clone()));
        }
        Ok(fresh)
    }

    fn cached(&self, stamp: &Option<String>) -> Option<Arc<ConfigSnapshot>> {
        let slot = self.current.read().ok()?;
        match slot.as_ref() {
            Some((s, snap)) if s == stamp => Some(snap.clone()),
            _ => None,
        }
    }
}

impl Part for SnapshotCache {
    fn create(_: &AppConfig) -> Self {
        SnapshotCache::default()
    }
}

/// The configuration as of now, through this app server's cache.
pub async fn config(state: &AppState) -> AppResult<Arc<ConfigSnapshot>> {
    state.part::<SnapshotCache>().get(&state.db).await
}

/// The departments `user` manages ([`Org::tree_of`]), from this server's copy.
pub async fn department_tree(state: &AppState, user: &CurrentUser) -> AppResult<Vec<String>> {
    if user.role == Role::Rep {
        return Ok(Vec::new());
    }
    Ok(config(state).await?.org.tree_of(user))
}
