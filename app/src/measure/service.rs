//! Ranking boards, a person's profile (curves, stage success), the score's
//! settings and the daily pipeline snapshot.

use crate::auth::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::measure::model::*;
use crate::measure::repo;
use crate::measure::rules::{
    in_first_weeks, ranks, score, settled_through, shown_rows, stage_counts, stage_rates,
    to_settle, value, weakest_stage, DaySum, Measure, PeriodChoice, Span, SpanError, Tally,
    Weights,
};
use crate::people::rules::subtree;
use crate::state::AppState;
use chrono::{Duration, NaiveDate, Timelike};
use std::collections::{HashMap, HashSet};

/// Rows a board shows before "show all".
pub const TOP: usize = 20;

fn today_date(state: &AppState) -> NaiveDate {
    crate::calendar::local_day(state.now(), &state.config.timezone)
}

/// Who a board ranks: reps always; managers on the two alarm boards (answering
/// the team's alarms is their work too) and on any other where they did work of
/// their own in either period; the boss and admins never.
fn measured(role: &str, measure: Measure, worked: bool) -> bool {
    match role {
        "rep" => true,
        "manager" => worked || matches!(measure, Measure::Supported | Measure::Resolved),
        _ => false,
    }
}

/// The departments `user` oversees (their subtree; all for the boss and
/// admins) — empty for a rep.
pub async fn tree(state: &AppState, user: &CurrentUser) -> AppResult<HashSet<String>> {
    let config = crate::funnel::snapshot::config(state).await?;
    Ok(match user.role {
        Role::Manager => subtree(&config.org.parents, &user.department_id),
        Role::Boss | Role::Admin => config.org.parents.keys().cloned().collect(),
        Role::Rep => HashSet::new(),
    })
}

/// Whether `user` may open the profile of a person in `department`.
fn may_view(user: &CurrentUser, tree: &HashSet<String>, person: &str, department: &str) -> bool {
    user.id == person
        || matches!(user.role, Role::Boss | Role::Admin)
        || (user.role == Role::Manager && tree.contains(department))
}

/// The scopes `user` may pick, the default first.
async fn scope_options(
    state: &AppState,
    user: &CurrentUser,
    reps_see_company: bool,
) -> AppResult<Vec<ScopeOption>> {
    let departments = crate::people::repo::list_departments(&state.db).await?;
    let name = |id: &str| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let company = ScopeOption {
        key: "company".into(),
        label: String::new(),
    };
    let dept = |id: &str| ScopeOption {
        key: format!("department:{id}"),
        label: name(id),
    };
    let mut out = Vec::new();
    match user.role {
        Role::Boss | Role::Admin => {
            out.push(company);
            out.extend(departments.iter().map(|d| dept(&d.id)));
        }
        Role::Manager => {
            let tree = tree(state, user).await?;
            out.push(dept(&user.department_id));
            out.extend(
                departments
                    .iter()
                    .filter(|d| d.id != user.department_id && tree.contains(&d.id))
                    .map(|d| dept(&d.id)),
            );
        }
        Role::Rep => {
            out.push(dept(&user.department_id));
            if reps_see_company {
                out.push(company);
            }
        }
    }
    Ok(out)
}

fn span_error(e: SpanError) -> AppError {
    match e {
        SpanError::Reversed => AppError::validation("to", "range_reversed"),
        SpanError::TooLong => AppError::validation("to", "range_too_long"),
    }
}

/// Values of `measure` for everyone over `span` (`None` where a pipeline has no
/// snapshot).
async fn values(
    state: &AppState,
    measure: Measure,
    span: Span,
    today: NaiveDate,
    weights: &Weights,
) -> AppResult<HashMap<String, Option<i64>>> {
    if measure.is_snapshot() {
        let day = (span.until <= today).then(|| span.last());
        let pipes = repo::pipelines(&state.db, day).await?;
        return Ok(pipes
            .into_iter()
            .map(|(u, (cp, n))| {
                let t = Tally {
                    pipe_cp: Some(cp),
                    pipe_n: Some(n),
                    ..Default::default()
                };
                (u, value(measure, &t, weights))
            })
            .collect());
    }
    let tallies = repo::tallies(&state.db, span, today).await?;
    Ok(tallies
        .into_iter()
        .map(|(u, t)| (u, value(measure, &t, weights)))
        .collect())
}

/// A ranking board. Empty arguments take the defaults: the efficiency score,
/// this month, the viewer's widest usual scope.
#[allow(clippy::too_many_arguments)]
pub async fn board(
    state: &AppState,
    user: &CurrentUser,
    measure: &str,
    period: &str,
    from: &str,
    to: &str,
    scope: &str,
    all: bool,
) -> AppResult<BoardView> {
    let measure = if measure.is_empty() {
        Measure::Score
    } else {
        Measure::parse(measure).ok_or(AppError::validation("measure", "unknown_measure"))?
    };
    let period = if period.is_empty() { "month" } else { period };
    let choice = PeriodChoice::parse(period, from, to)
        .ok_or(AppError::validation("period", "unknown_period"))?;
    let today = today_date(state);
    let (shown, prev) = choice.spans(today).map_err(span_error)?;
    let (weights, reps_see_company) = repo::settings(&state.db).await?;
    let scopes = scope_options(state, user, reps_see_company).await?;
    let scope = if scope.is_empty() {
        scopes.first().map(|s| s.key.clone()).unwrap_or_default()
    } else {
        scope.to_string()
    };
    if !scopes.iter().any(|s| s.key == scope) {
        return Err(AppError::Forbidden);
    }
    let config = crate::funnel::snapshot::config(state).await?;
    let departments: Option<HashSet<String>> = scope
        .strip_prefix("department:")
        .map(|d| subtree(&config.org.parents, d));
    let now = values(state, measure, shown, today, &weights).await?;
    let before = values(state, measure, prev, today, &weights).await?;
    let worked = |id: &str| {
        [&now, &before]
            .iter()
            .any(|m| m.get(id).is_some_and(|v| v.is_some_and(|v| v != 0)))
    };
    let people: Vec<crate::people::repo::PersonRow> = crate::people::cache::everyone(state)
        .await?
        .iter()
        .filter(|p| measured(&p.role, measure, worked(&p.id)))
        .filter(|p| {
            departments
                .as_ref()
                .is_none_or(|set| set.contains(&p.department))
        })
        .cloned()
        .collect();
    let get = |m: &HashMap<String, Option<i64>>, id: &str| -> Option<i64> {
        match m.get(id) {
            Some(v) => *v,
            // no row: nothing done; a pipeline is unknown only when that day
            // has no snapshot at all
            None if measure.is_snapshot() && m.is_empty() => None,
            None => Some(0),
        }
    };
    let current: Vec<Option<i64>> = people.iter().map(|p| get(&now, &p.id)).collect();
    let previous: Vec<Option<i64>> = people.iter().map(|p| get(&before, &p.id)).collect();
    let rank_now = ranks(&current);
    let rank_before = ranks(&previous);
    let viewer_tree = tree(state, user).await?;
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by(|&a, &b| {
        rank_now[a]
            .cmp(&rank_now[b])
            .then_with(|| people[a].name.cmp(&people[b].name))
    });
    let me = order.iter().position(|&i| people[i].id == user.id);
    let rows = shown_rows(order.len(), me, if all { usize::MAX } else { TOP })
        .into_iter()
        .map(|pos| {
            let i = order[pos];
            let p = &people[i];
            BoardRow {
                user_id: p.id.clone(),
                name: p.name.clone(),
                department_name: p.department_name.clone().unwrap_or_default(),
                rank: rank_now[i],
                value: current[i],
                prev_value: previous[i],
                prev_rank: previous[i].map(|_| rank_before[i]),
                me: p.id == user.id,
                linked: may_view(user, &viewer_tree, &p.id, &p.department),
            }
        })
        .collect();
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(BoardView {
        measure: measure.as_str().into(),
        period: period.into(),
        scope,
        from: fmt(shown.from),
        to: fmt(shown.last()),
        prev_from: fmt(prev.from),
        prev_to: fmt(prev.last()),
        rows,
        people: people.len(),
        scopes,
        weights,
        all,
    })
}

/// A person's profile: time and efficiency curves against their department's
/// daily average over the last `weeks` (4, 12 or 26), and stage success.
pub async fn profile(
    state: &AppState,
    user: &CurrentUser,
    person: &str,
    weeks: &str,
) -> AppResult<ProfileView> {
    let weeks: u32 = match weeks {
        "" => 4,
        w => w
            .parse()
            .ok()
            .filter(|w| [4, 12, 26].contains(w))
            .ok_or(AppError::validation("weeks", "invalid"))?,
    };
    let people = crate::people::cache::everyone(state).await?;
    let viewer_tree = tree(state, user).await?;
    let p = people
        .iter()
        .find(|p| p.id == person)
        .filter(|p| may_view(user, &viewer_tree, &p.id, &p.department))
        .ok_or(AppError::Forbidden)?;
    let tz = state.config.timezone;
    let today = today_date(state);
    let span = Span {
        from: today - Duration::days(i64::from(weeks) * 7 - 1),
        until: today + Duration::days(1),
    };
    let (weights, _) = repo::settings(&state.db).await?;
    // the department's average is per rep (its manager writes no daily log)
    let members: Vec<String> = people
        .iter()
        .filter(|q| q.department == p.department && q.role == "rep")
        .map(|q| q.id.clone())
        .collect();
    let (mine, dept) = repo::curves(&state.db, &p.id, &p.department, span).await?;
    let headcount = members.len().max(1) as f64;
    let by_day = |rows: &[repo::DayRow]| {
        let mut out: HashMap<String, DaySum> = HashMap::new();
        for r in rows {
            out.entry(r.day.clone()).or_default().add(&r.sum());
        }
        out
    };
    let (mine, dept) = (by_day(&mine), by_day(&dept));
    let (stages, weakest) = stage_success(state, &mine, &dept).await?;
    let joined = p
        .joined_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| p.created_at.with_timezone(&tz).date_naive());
    let days = (0..span.days())
        .map(|i| {
            let day = span.from + Duration::days(i);
            let key = day.format("%Y-%m-%d").to_string();
            let t = mine.get(&key).map(|r| r.tally).unwrap_or_default();
            let d = dept.get(&key).map(|r| r.tally).unwrap_or_default();
            CurveDay {
                hours: t.hours,
                score: score(&t, &weights),
                dept_hours: d.hours / headcount,
                dept_score: score(&d, &weights) as f64 / headcount,
                new: in_first_weeks(joined, day),
                day: key,
            }
        })
        .collect();
    Ok(ProfileView {
        user_id: p.id.clone(),
        name: p.name.clone(),
        role: p.role.clone(),
        department_name: p.department_name.clone().unwrap_or_default(),
        joined: joined.format("%Y-%m-%d").to_string(),
        weeks,
        days,
        stages,
        weakest,
        weights,
        own: p.id == user.id,
    })
}

/// For each stage, the share of the customers that left it in the person's hands
/// forwards, against their department's reps, over `since` onwards; and the
/// weakest stage.
async fn stage_success(
    state: &AppState,
    mine: &HashMap<String, DaySum>,
    dept: &HashMap<String, DaySum>,
) -> AppResult<(Vec<StageSuccess>, Option<usize>)> {
    let config = crate::funnel::snapshot::config(state).await?;
    let stages: Vec<_> = config.stages.iter().filter(|s| s.active).collect();
    let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
    let total = |days: &HashMap<String, DaySum>| {
        let mut all = DaySum::default();
        days.values().for_each(|d| all.add(d));
        (
            stage_counts(&ids, &all.moved),
            stage_counts(&ids, &all.dropped),
        )
    };
    let (moved, dropped) = total(mine);
    let (dept_moved, dept_dropped) = total(dept);
    let mine = stage_rates(&moved, &dropped);
    let dept = stage_rates(&dept_moved, &dept_dropped);
    let decided: Vec<u32> = moved.iter().zip(&dropped).map(|(m, d)| m + d).collect();
    let weakest = weakest_stage(&mine, &decided, &dept);
    let out = stages
        .windows(2)
        .enumerate()
        .map(|(i, w)| StageSuccess {
            stage: w[0].name.clone(),
            next: w[1].name.clone(),
            reached: decided[i],
            mine: mine[i],
            department: dept[i],
        })
        .collect();
    Ok((out, weakest))
}

/// The board settings (admin only).
pub async fn settings(state: &AppState, user: &CurrentUser) -> AppResult<MeasureSettings> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let (weights, reps_see_company) = repo::settings(&state.db).await?;
    Ok(MeasureSettings {
        weights,
        reps_see_company,
    })
}

/// Saves the score's weights (each a whole number 0–100) and whether reps see
/// the company board (admin only, audited).
pub async fn save_settings(
    state: &AppState,
    user: &CurrentUser,
    advance: &str,
    visit: &str,
    followup: &str,
    confiscation: &str,
    reps_see_company: bool,
) -> AppResult<()> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let weight = |field: &'static str, s: &str| -> AppResult<i64> {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|w| (0..=100).contains(w))
            .ok_or(AppError::validation(field, "weight_range"))
    };
    let w = Weights {
        advance: weight("advance", advance)?,
        visit: weight("visit", visit)?,
        followup: weight("followup", followup)?,
        confiscation: weight("confiscation", confiscation)?,
    };
    repo::save_settings(&state.db, &user.id, w, reps_see_company, state.now()).await
}

/// Writes everyone's open pipeline into today's day sums; in the first hour of a
/// day also into yesterday's, so each day ends with its closing value.
/// Writes each department's days that can no longer change into `dept_day`
/// (see [`settled_through`]), a month at a time, from the day after the last
/// settled one, or from the first day with sums when `again` (after a load of
/// past days, as the demo does) or when nothing was settled yet. Returns the
/// number of days written. Safe to run on every app server: each writes the
/// same sums.
pub async fn settle(state: &AppState, again: bool) -> AppResult<i64> {
    let today = today_date(state);
    let settled = if again {
        None
    } else {
        repo::settled(&state.db).await?
    };
    let first = match settled {
        Some(_) => None,
        None => repo::first_day(&state.db).await?,
    };
    let Some(all) = to_settle(settled, first, today) else {
        return Ok(0);
    };
    let mut from = all.from;
    while from < all.until {
        let until = (from + Duration::days(31)).min(all.until);
        let span = Span { from, until };
        let sums = repo::department_days(&state.db, span).await?;
        repo::write_settled(&state.db, &sums, until - Duration::days(1)).await?;
        from = until;
    }
    debug_assert!(all.until - Duration::days(1) == settled_through(today));
    Ok(all.days())
}

pub async fn snapshot(state: &AppState) -> AppResult<()> {
    let local = state.now().with_timezone(&state.config.timezone);
    let today = local.date_naive();
    if local.hour() == 0 {
        repo::snapshot_pipelines(&state.db, today - Duration::days(1)).await?;
    }
    repo::snapshot_pipelines(&state.db, today).await
}
