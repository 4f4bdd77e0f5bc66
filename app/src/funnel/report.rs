//! The funnel report and the forecast (隐形业绩) for a rep, a department, the company.

use crate::auth::model::{CurrentUser, Role};
use crate::customers::repo::{funnel_rows, ListScope};
use crate::error::{AppError, AppResult};
use crate::funnel::model::{FunnelReport, RepFunnel};
use crate::funnel::repo::list_stages;
use crate::funnel::rules::{conversion_rates, default_scope, forecast, RELIABLE_IN_PLAY};
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
            ListScope::Departments(crate::customers::service::department_tree(state, user).await?)
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
    let rows = funnel_rows(&state.db, &list_scope).await?;
    let n = stages.len();
    // Only customers still in play count toward the forecast; every customer that
    // reached a stage counts toward conversion.
    let mut in_play: Vec<(usize, i64)> = Vec::new();
    let mut reached = vec![0u32; n];
    // rep name → (customers in play as (stage, amount), customers that reached each stage)
    type RepTally = (Vec<(usize, i64)>, Vec<u32>);
    let mut per_rep: BTreeMap<String, RepTally> = BTreeMap::new();
    for r in &rows {
        let Some(&i) = index.get(r.stage.as_str()) else {
            continue;
        };
        let top = (r.reached.max(0) as usize).min(n.saturating_sub(1)).max(i);
        for slot in reached.iter_mut().take(top + 1) {
            *slot += 1;
        }
        let rep = per_rep
            .entry(r.owner_name.clone().unwrap_or_default())
            .or_insert_with(|| (Vec::new(), vec![0u32; n]));
        for slot in rep.1.iter_mut().take(top + 1) {
            *slot += 1;
        }
        if r.status == "owned" {
            in_play.push((i, r.expected_cents));
            rep.0.push((i, r.expected_cents));
        }
    }
    let total = forecast(&rules, &in_play);
    let per_rep = per_rep
        .into_iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, (customers, reached))| {
            let f = forecast(&rules, &customers);
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
