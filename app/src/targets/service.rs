//! The targets of a period with their actuals and projections, and setting one.

use crate::auth::model::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::funnel::rules::RELIABLE_IN_PLAY;
use crate::measure::rules::Span;
use crate::measure::service::tree;
use crate::people::rules::subtree;
use crate::state::AppState;
use crate::targets::model::*;
use crate::targets::repo;
use crate::targets::rules::{
    completion, may_see, may_set, month_key, months, parse_month, projection, step, Subject,
    TargetPeriod,
};
use std::collections::HashMap;

/// The most deals a monthly target may ask for.
const MAX_DEALS: i64 = 100_000;

/// The targets `user` may see for the `period` (month, quarter, year) holding
/// `month` (`YYYY-MM`; empty: now).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn view(
    state: &AppState,
    user: &CurrentUser,
    period: &str,
    month: &str,
) -> AppResult<TargetsView> {
    let period =
        TargetPeriod::parse(period).ok_or(AppError::validation("period", "unknown_period"))?;
    let tz = state.config.timezone;
    let today = state.now().with_timezone(&tz).date_naive();
    let this_month = parse_month(&today.format("%Y-%m").to_string()).unwrap_or(today);
    let at = if month.is_empty() {
        this_month
    } else {
        parse_month(month).ok_or(AppError::validation("month", "invalid"))?
    };
    let list = months(period, at);
    let keys: Vec<String> = list.iter().copied().map(month_key).collect();
    let first = list[0];
    let last = *list.last().unwrap_or(&first);
    let open = last >= this_month;
    let tree = tree(state, user).await?;
    let config = crate::funnel::snapshot::config(state).await?;
    let people = crate::people::cache::everyone(state).await?;
    let departments = crate::people::repo::list_departments(&state.db).await?;

    // what was won in the months, per person
    let span = Span {
        from: first,
        until: step(TargetPeriod::Month, last, true),
    };
    let tallies = crate::measure::repo::tallies(&state.db, span, today).await?;
    let forecasts = if open {
        repo::forecasts(&state.db).await?
    } else {
        HashMap::new()
    };
    let targets = repo::targets(&state.db, &keys).await?;
    let changes = repo::changes(&state.db, &keys).await?;

    let mut subjects: Vec<(Subject, String, String)> = Vec::new();
    subjects.push((Subject::Company, String::new(), String::new()));
    for d in &departments {
        subjects.push((
            Subject::Department(d.id.clone()),
            d.name.clone(),
            String::new(),
        ));
    }
    for p in people.iter().filter(|p| p.role == "rep" || p.id == user.id) {
        subjects.push((
            Subject::User(p.id.clone(), p.department.clone()),
            p.name.clone(),
            p.department_name.clone().unwrap_or_default(),
        ));
    }
    let members = |s: &Subject| -> Vec<String> {
        match s {
            Subject::Company => people.iter().map(|p| p.id.clone()).collect(),
            Subject::Department(d) => {
                let set = subtree(&config.org.parents, d);
                people
                    .iter()
                    .filter(|p| set.contains(&p.department))
                    .map(|p| p.id.clone())
                    .collect()
            }
            Subject::User(u, _) => vec![u.clone()],
        }
    };
    let rows = subjects
        .into_iter()
        .filter(|(s, ..)| may_see(user.role, &user.id, &tree, s))
        .map(|(s, name, department_name)| {
            let mine: Vec<&repo::TargetLine> = targets
                .iter()
                .filter(|t| t.kind == s.kind() && t.subject == s.id())
                .collect();
            let target_cents =
                (!mine.is_empty()).then(|| mine.iter().map(|t| t.amount_cents).sum());
            let target_deals = (!mine.is_empty()).then(|| mine.iter().map(|t| t.deals).sum());
            let (mut won_cents, mut won_deals, mut cp, mut in_play) = (0i64, 0i64, 0i64, 0i64);
            for m in members(&s) {
                if let Some(t) = tallies.get(&m) {
                    won_cents += t.won_cents;
                    won_deals += t.won;
                }
                if let Some((c, n)) = forecasts.get(&m) {
                    cp += c;
                    in_play += n;
                }
            }
            let row_changes = changes
                .iter()
                .filter(|c| c.kind == s.kind() && c.subject == s.id())
                .map(|c| TargetChange {
                    month: c.month.clone(),
                    by: c.by_name.clone().unwrap_or_default(),
                    at: c.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                    before_cents: c.before_amount,
                    before_deals: c.before_deals,
                    cents: c.amount_cents,
                    deals: c.deals,
                })
                .collect();
            TargetRow {
                kind: s.kind().into(),
                subject: s.id().into(),
                may_set: may_set(user.role, &user.id, &tree, &s),
                name,
                department_name,
                amount_pct: target_cents.and_then(|t| completion(won_cents, t)),
                deals_pct: target_deals.and_then(|t| completion(won_deals, t)),
                target_cents,
                target_deals,
                won_cents,
                won_deals,
                projection_cents: open.then(|| projection(won_cents, cp)),
                in_play,
                reliable: in_play >= i64::from(RELIABLE_IN_PLAY),
                changes: row_changes,
            }
        })
        .collect();
    Ok(TargetsView {
        period: period.as_str().into(),
        month: month_key(first),
        prev: month_key(step(period, first, false)),
        next: month_key(step(period, first, true)),
        months: keys,
        open,
        rows,
    })
}

/// Sets the monthly target (amount in yuan, deals a whole number) of a person,
/// a department or the company, as the rules allow; every change is kept.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn set(
    state: &AppState,
    user: &CurrentUser,
    kind: &str,
    subject: &str,
    month: &str,
    amount: &str,
    deals: &str,
) -> AppResult<()> {
    let month = parse_month(month).ok_or(AppError::validation("month", "invalid"))?;
    let subject = match kind {
        "company" => Subject::Company,
        "department" => {
            let config = crate::funnel::snapshot::config(state).await?;
            if !config.org.parents.contains_key(subject) {
                return Err(AppError::NotFound);
            }
            Subject::Department(subject.to_string())
        }
        "user" => {
            let people = crate::people::cache::everyone(state).await?;
            let p = people
                .iter()
                .find(|p| p.id == subject)
                .ok_or(AppError::NotFound)?;
            Subject::User(p.id.clone(), p.department.clone())
        }
        _ => return Err(AppError::validation("kind", "invalid")),
    };
    let tree = tree(state, user).await?;
    if !may_set(user.role, &user.id, &tree, &subject) {
        return Err(AppError::Forbidden);
    }
    let cents = crate::customers::input::parse_amount(amount)
        .map_err(|_| AppError::validation("amount", "amount_invalid"))?;
    let deals = match deals.trim() {
        "" => 0,
        d => d
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=MAX_DEALS).contains(d))
            .ok_or(AppError::validation("deals", "number_invalid"))?,
    };
    let month = month_key(month);
    let target = repo::TargetIn {
        kind: subject.kind(),
        subject: subject.id(),
        month: &month,
        amount_cents: cents,
        deals,
    };
    repo::set(&state.db, target, &user.id, state.now()).await
}
