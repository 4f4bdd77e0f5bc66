//! Recording openings of other people's customers, and reading the log: the
//! boss's overview and a rep's own list.

use crate::audit::model::*;
use crate::audit::repo::{self, ViewLine};
use crate::audit::rules::{bursts, recorded, weekly, View};
use crate::auth::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};

/// Weeks the boss's overview counts.
pub const WEEKS: usize = 12;
/// Latest openings listed.
const RECENT: usize = 100;
/// Days a rep's list goes back.
const OWN_DAYS: i64 = 90;

/// Records that `user` opened `customer` (owned by `owner`) when the rule says
/// so. Awaited by the page that opens it: one small write, and never lost.
pub async fn record(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    owner: Option<&str>,
) -> AppResult<()> {
    match owner {
        Some(o) if recorded(&user.id, user.role == Role::Rep, Some(o)) => {
            repo::record(&state.db, &user.id, o, customer, state.now()).await
        }
        _ => Ok(()),
    }
}

/// Records a list request (the team list) by `user` that showed these
/// `(customer, owner)` pairs: one row, the customers summarised per owner,
/// counting only the ones an opening would record (others' customers).
pub async fn record_list<'a>(
    state: &AppState,
    user: &CurrentUser,
    shown: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> AppResult<()> {
    let mut owners: Vec<repo::Listed> = Vec::new();
    for (customer, owner) in shown {
        let Some(o) = owner.filter(|o| recorded(&user.id, user.role == Role::Rep, Some(o))) else {
            continue;
        };
        match owners.iter_mut().find(|l| l.owner == o) {
            Some(l) => l.customers.push(customer.to_string()),
            None => owners.push(repo::Listed {
                owner: o.to_string(),
                customers: vec![customer.to_string()],
            }),
        }
    }
    if owners.is_empty() {
        return Ok(());
    }
    repo::record_list(&state.db, &user.id, owners, state.now()).await
}

fn local(at: DateTime<Utc>, tz: &chrono_tz::Tz) -> String {
    at.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string()
}

fn row(v: &ViewLine, tz: &chrono_tz::Tz) -> ViewRow {
    ViewRow {
        viewer_name: v.viewer_name.clone().unwrap_or_default(),
        owner_name: v.owner_name.clone().unwrap_or_default(),
        customer_id: v.customer.clone(),
        customer_name: v.customer_name.clone().unwrap_or_default(),
        at: local(v.at, tz),
    }
}

/// The boss's and admins' overview: openings per viewer per week, the bursts,
/// the latest openings.
pub async fn overview(state: &AppState, user: &CurrentUser) -> AppResult<ViewAudit> {
    if !matches!(user.role, Role::Boss | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let tz = state.config.timezone;
    let now = state.now();
    let lines = repo::since(&state.db, now - Duration::weeks(WEEKS as i64)).await?;
    let views: Vec<View> = lines
        .iter()
        .map(|l| View {
            viewer: l.viewer.clone(),
            owner: l.owner.clone(),
            customer: l.customer.clone(),
            at: l.at,
        })
        .collect();
    let (starts, counts) = weekly(&views, now, WEEKS, &tz);
    let lists = repo::list_reads_since(&state.db, now - Duration::weeks(WEEKS as i64)).await?;
    let people = crate::people::cache::everyone(state).await?;
    let name_of = |id: &str| {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let mut viewers: Vec<ViewerWeeks> = people
        .iter()
        .filter(|p| {
            p.role == "manager"
                || counts.contains_key(&p.id)
                || lists.iter().any(|l| l.viewer == p.id)
        })
        .map(|p| {
            let c = counts.get(&p.id).cloned().unwrap_or_else(|| vec![0; WEEKS]);
            let l = lists.iter().find(|l| l.viewer == p.id);
            ViewerWeeks {
                user_id: p.id.clone(),
                name: p.name.clone(),
                role: p.role.clone(),
                total: c.iter().sum(),
                counts: c,
                lists: l.map_or(0, |l| l.lists.max(0) as u32),
                listed: l.map_or(0, |l| l.shown.max(0) as u32),
            }
        })
        .collect();
    viewers.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    let bursts = bursts(&views)
        .into_iter()
        .map(|b| BurstRow {
            viewer_name: name_of(&b.viewer),
            owner_name: name_of(&b.owner),
            customers: b.customers,
            from: local(b.from, &tz),
            to: local(b.to, &tz),
        })
        .collect();
    let recent = lines
        .iter()
        .rev()
        .take(RECENT)
        .map(|l| row(l, &tz))
        .collect();
    Ok(ViewAudit {
        weeks: starts
            .iter()
            .map(|d| d.format("%m-%d").to_string())
            .collect(),
        viewers,
        bursts,
        recent,
    })
}

/// Who opened `person`'s customers in the last 90 days: for the person
/// themself, the boss and admins.
pub async fn of_person(
    state: &AppState,
    user: &CurrentUser,
    person: &str,
) -> AppResult<Vec<ViewRow>> {
    if user.id != person && !matches!(user.role, Role::Boss | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let tz = state.config.timezone;
    let lines = repo::of_owner(
        &state.db,
        person,
        state.now() - Duration::days(OWN_DAYS),
        200,
    )
    .await?;
    Ok(lines.iter().map(|l| row(l, &tz)).collect())
}
