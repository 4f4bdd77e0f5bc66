//! The funnel report and the forecast (隐形业绩) for a rep, a department, the company.

use crate::auth::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::funnel::model::{FunnelReport, MonthForecast, RepFunnel};
use crate::funnel::repo::{dated_deals, list_stages, tallies};
use crate::funnel::rules::{
    conversion_rates, default_scope, forecast_by_month, forecast_groups, Deal, StageGroup,
    RELIABLE_IN_PLAY, WON_PROBABILITY,
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
    let by_month = by_month(state, &list_scope, &stages, &index, &in_play).await?;
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
        by_month,
    })
}

/// The forecast by close month: dated open deals read on their index, the
/// undated ones the rest of the open (not won) deals the tallies hold.
async fn by_month(
    state: &AppState,
    scope: &ListScope,
    stages: &[crate::funnel::model::StageInfo],
    index: &std::collections::HashMap<&str, usize>,
    in_play: &[StageGroup],
) -> AppResult<MonthForecast> {
    let probability = |stage: usize| stages.get(stage).map_or(0, |s| s.probability);
    let open = |p: u8| p < WON_PROBABILITY;
    let dated: Vec<Deal> = dated_deals(&state.db, scope)
        .await?
        .into_iter()
        .filter_map(|d| {
            let p = probability(*index.get(d.stage.as_str())?);
            Some(Deal {
                close: chrono::NaiveDate::parse_from_str(&d.close_on, "%Y-%m-%d").ok(),
                cents: d.cents,
                probability: p,
            })
        })
        .filter(|d| open(d.probability) && d.close.is_some())
        .collect();
    let today = crate::calendar::local_day(state.now(), &state.config.timezone);
    let mut f = forecast_by_month(today, &dated);
    // undated: every open deal the tallies count, less the dated ones
    let mut weighted: i128 = 0;
    let mut deals: i64 = 0;
    for g in in_play.iter().filter(|g| open(probability(g.stage))) {
        weighted += i128::from(g.cents.max(0)) * i128::from(probability(g.stage));
        deals += i64::from(g.customers);
    }
    for d in &dated {
        weighted -= i128::from(d.cents.max(0)) * i128::from(d.probability);
        deals -= 1;
    }
    f.undated.cents = ((weighted.max(0) + 50) / 100).min(i128::from(i64::MAX)) as i64;
    f.undated.deals = u32::try_from(deals.max(0)).unwrap_or(0);
    Ok(f)
}
