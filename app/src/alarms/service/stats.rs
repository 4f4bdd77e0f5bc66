//! Alarm statistics per person for a week, month or quarter.

use super::*;

/// Alarm statistics for the current week, month or quarter: the boss and admin
/// see every manager's row, a manager their department tree's people, a rep
/// their own row.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn stats(state: &AppState, user: &CurrentUser, period: &str) -> AppResult<StatsView> {
    let period = Period::parse(period).ok_or(AppError::validation("period", "unknown_period"))?;
    let tz = state.config.timezone;
    let now = state.now();
    let from = period_start(period, now, &tz);
    let (alarms, answers) = repo::facts_since(&state.db, from).await?;
    let mut by_alarm: HashMap<&str, Vec<(String, DateTime<Utc>)>> = HashMap::new();
    for a in &answers {
        by_alarm
            .entry(a.alarm.as_str())
            .or_default()
            .push((a.user.clone(), a.at));
    }
    let facts: Vec<AlarmFact> = alarms
        .iter()
        .map(|a| AlarmFact {
            raiser: a.raiser.clone(),
            department: a.department.clone(),
            at: a.at,
            open: a.status == "open",
            answers: by_alarm.remove(a.id.as_str()).unwrap_or_default(),
            accepted: a.accepted_by.clone(),
        })
        .collect();
    let config = crate::funnel::snapshot::config(state).await?;
    let subtree = |d: &str| -> Vec<String> {
        crate::people::rules::subtree(&config.org.parents, d)
            .into_iter()
            .collect()
    };
    let all_departments: Vec<String> = config.org.parents.keys().cloned().collect();
    let people = crate::people::cache::everyone(state).await?;
    let my_tree = match user.role {
        Role::Manager => subtree(&user.department_id),
        _ => Vec::new(),
    };
    let shown: Vec<&crate::people::repo::PersonRow> = people
        .iter()
        .filter(|p| match user.role {
            Role::Boss | Role::Admin => p.role == "manager",
            Role::Manager => my_tree.contains(&p.department),
            Role::Rep => p.id == user.id,
        })
        .collect();
    let rows: Vec<StatsRow> = shown
        .into_iter()
        .map(|p| {
            let scope = match p.role.as_str() {
                "manager" => subtree(&p.department),
                "boss" | "admin" => all_departments.clone(),
                _ => vec![p.department.clone()],
            };
            let s = person_stats(&p.id, &scope, &facts, now);
            StatsRow {
                user_id: p.id.clone(),
                name: p.name.clone(),
                department_name: p.department_name.clone().unwrap_or_default(),
                role: p.role.clone(),
                raised: s.raised,
                supported: s.supported,
                resolved: s.resolved,
                median_first_answer_minutes: s.median_first_answer_minutes,
                support_rate: s.support_rate,
                resolve_rate: s.resolve_rate,
                unanswered_over_day: s.unanswered_over_day,
            }
        })
        .collect();
    let covered = match user.role {
        Role::Boss | Role::Admin => facts.len(),
        Role::Manager => facts
            .iter()
            .filter(|f| my_tree.contains(&f.department))
            .count(),
        Role::Rep => facts.iter().filter(|f| f.raiser == user.id).count(),
    };
    Ok(StatsView {
        period: period.as_str().into(),
        from: from.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        rows,
        alarms: covered as i64,
    })
}
