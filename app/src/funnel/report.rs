//! The funnel report and the forecast (隐形业绩) for a rep, a department, the company.

use crate::auth::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::funnel::model::{FunnelReport, RepFunnel};
use crate::funnel::repo::{list_stages, tallies};
use crate::funnel::rules::{
    conversion_rates, default_scope, forecast_groups, StageGroup, RELIABLE_IN_PLAY,
};
use crate::funnel::scope::ListScope;
use crate::state::AppState;
use std::collections::BTreeMap;

/// `scope` empty: the viewer's default ([`default_scope`]).
pub async fn report(state: &AppState, user: &CurrentUser, scope: &str) -> AppResult<FunnelReport> {
    let scope = if scope.is_empty() {
        default_scope(user.role)
    } else {
        scope
    };
    let list_scope = match (scope, user.role) {
        ("company", Role::Boss | Role::Admin) => ListScope::All,
        ("company", _) => return Err(AppError::Forbidden),
        ("department", Role::Rep) => return Err(AppError::Forbidden),
        ("department", _) => {
            ListScope::Departments(crate::funnel::snapshot::department_tree(state, user).await?)
        }
        _ => ListScope::Owner(user.id.clone()),
    };
    let stages = list_stages(&state.db, false).await?;
    let rules: Vec<_> = stages.iter().map(|s| s.rule()).collect();
    let index: std::collections::HashMap<&str, usize> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // the tallies the database keeps (one row per owner, stage, highest stage
    // reached and status), not the customers themselves
    let (rows, names) = tallies(&state.db, &list_scope).await?;
    let n = stages.len();
    // Only customers still in play count toward the forecast; every customer that
    // reached a stage counts toward conversion.
    let mut in_play: Vec<StageGroup> = Vec::new();
    let mut reached = vec![0u32; n];
    // rep name → (customers in play by stage, customers that reached each stage)
    type RepTally = (Vec<StageGroup>, Vec<u32>);
    let mut per_rep: BTreeMap<String, RepTally> = BTreeMap::new();
    for r in &rows {
        let Some(&i) = index.get(r.stage.as_str()) else {
            continue;
        };
        let count = r.n.clamp(0, i64::from(u32::MAX)) as u32;
        let top = (r.reached.max(0) as usize).min(n.saturating_sub(1)).max(i);
        for slot in reached.iter_mut().take(top + 1) {
            *slot += count;
        }
        let name = r
            .owner
            .as_ref()
            .and_then(|o| names.get(o))
            .cloned()
            .unwrap_or_default();
        let rep = per_rep
            .entry(name)
            .or_insert_with(|| (Vec::new(), vec![0u32; n]));
        for slot in rep.1.iter_mut().take(top + 1) {
            *slot += count;
        }
        if r.status == "owned" {
            let group = StageGroup {
                stage: i,
                customers: count,
                cents: r.cents,
            };
            in_play.push(group);
            rep.0.push(group);
        }
    }
    let total = forecast_groups(&rules, &in_play);
    let per_rep = per_rep
        .into_iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, (customers, reached))| {
            let f = forecast_groups(&rules, &customers);
            RepFunnel {
                name,
                per_stage: f.per_stage,
                success: conversion_rates(&reached),
                expected_cents: f.expected_cents,
            }
        })
        .collect();
    Ok(FunnelReport {
        scope: match list_scope {
            ListScope::All => "company",
            ListScope::Departments(_) => "department",
            _ => "mine",
        }
        .to_string(),
        stages,
        per_stage: total.per_stage,
        conversion: conversion_rates(&reached),
        expected_cents: total.expected_cents,
        in_play: total.in_play,
        reliable: total.in_play >= RELIABLE_IN_PLAY,
        per_rep,
    })
}
