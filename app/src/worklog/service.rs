//! Daily logs: read the day's activity, save the log and its feed event together.

use crate::auth::model::CurrentUser;
use crate::calendar::{day_bounds, local_day};
use crate::customers::input::parse_amount;
use crate::db::checked;
use crate::error::{AppError, AppResult};
use crate::field::rules::{log_editable, parse_hours, prefill, DayItem};
use crate::live::post::{FeedIn, CREATE_EVENT};
use crate::state::AppState;
use crate::worklog::model::{DailyLogView, DayActivity};
use chrono::{DateTime, NaiveDate, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
struct ItemRow {
    at: DateTime<Utc>,
    kind: String,
    customer: Option<String>,
    detail: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
struct LogRow {
    work: String,
    hours: f64,
    expenses_cents: i64,
}

fn parse_day(day: &str, today: NaiveDate) -> AppResult<NaiveDate> {
    if day.trim().is_empty() {
        return Ok(today);
    }
    day.trim()
        .parse()
        .map_err(|_| AppError::validation("day", "date_invalid"))
}

fn log_id(user: &str, day: NaiveDate) -> String {
    format!("{user}:{day}")
}

/// The user's activity on a local day: check-ins, follow-ups, stage moves.
async fn activity(state: &AppState, user: &str, day: NaiveDate) -> AppResult<Vec<DayItem>> {
    let (start, end) = day_bounds(day, &state.config.timezone);
    let mut resp = checked(
        state
            .db
            .query(
                "SELECT at, 'checkin' AS kind, customer.name AS customer, purpose AS detail FROM checkin
                     WHERE user = type::record('user', $u) AND at >= $start AND at < $end;
                 SELECT at, 'followup' AS kind, customer.name AS customer, text AS detail FROM followup
                     WHERE user = type::record('user', $u) AND at >= $start AND at < $end;
                 SELECT at, (IF action IN ['advance', 'skip'] AND to_stage.probability >= 90 THEN 'won' ELSE action END) AS kind,
                        customer.name AS customer, to_stage.name AS detail FROM customer_history
                     WHERE actor = type::record('user', $u) AND action IN ['advance', 'skip']
                       AND at >= $start AND at < $end;",
            )
            .bind(("u", user.to_string()))
            .bind(("start", start))
            .bind(("end", end))
            .await?,
    )?;
    let mut items = Vec::new();
    for i in 0..3 {
        let rows: Vec<ItemRow> = resp.take(i)?;
        items.extend(rows.into_iter().map(|r| DayItem {
            at: r.at,
            kind: r.kind,
            customer: r.customer.unwrap_or_default(),
            detail: r.detail.unwrap_or_default(),
        }));
    }
    Ok(prefill(&items))
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn view(state: &AppState, user: &CurrentUser, day: &str) -> AppResult<DailyLogView> {
    let tz = state.config.timezone;
    let now = state.now();
    let today = local_day(now, &tz);
    let day = parse_day(day, today)?;
    let items = activity(state, &user.id, day).await?;
    let mut resp = checked(
        state
            .db
            .query("SELECT work, hours, expenses_cents FROM type::record('daily_log', $id)")
            .bind(("id", log_id(&user.id, day)))
            .await?,
    )?;
    let saved: Option<LogRow> = resp.take(0)?;
    Ok(DailyLogView {
        day: day.to_string(),
        today: today.to_string(),
        yesterday: today.pred_opt().unwrap_or(today).to_string(),
        editable: log_editable(day, now, &tz),
        saved: saved.is_some(),
        work: saved.as_ref().map(|s| s.work.clone()).unwrap_or_default(),
        hours: saved.as_ref().map(|s| s.hours).unwrap_or(0.0),
        expenses: saved
            .as_ref()
            .map(|s| format!("{}.{:02}", s.expenses_cents / 100, s.expenses_cents % 100))
            .unwrap_or_default(),
        activity: items
            .into_iter()
            .map(|i| DayActivity {
                time: i.at.with_timezone(&tz).format("%H:%M").to_string(),
                kind: i.kind,
                customer: i.customer,
                detail: i.detail,
            })
            .collect(),
    })
}

/// Saves the log (creating its feed event the first time, updating it after).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    day: &str,
    work: &str,
    hours: &str,
    expenses: &str,
) -> AppResult<()> {
    let tz = state.config.timezone;
    let now = state.now();
    let day = parse_day(day, local_day(now, &tz))?;
    if !log_editable(day, now, &tz) {
        return Err(AppError::conflict("log_closed"));
    }
    let work = crate::text::checked("work", work, crate::text::Shape::lines(5000))?;
    if work.is_empty() {
        return Err(AppError::validation("work", "required"));
    }
    let hours = parse_hours(hours).map_err(|_| AppError::validation("hours", "number_range"))?;
    let expenses_cents = if expenses.trim().is_empty() {
        0
    } else {
        parse_amount(expenses).map_err(|_| AppError::validation("expenses", "amount_invalid"))?
    };
    let excerpt: String = work.chars().take(280).collect();
    let feed = FeedIn {
        kind: "daily_log".into(),
        actor: Some(user.id.clone()),
        subject: Some(user.id.clone()),
        subject_name: user.name.clone(),
        department: user.department_id.clone(),
        text: Some(excerpt.clone()),
        detail: Some(format!("{hours}")),
        ..Default::default()
    };
    let sql = format!(
        "BEGIN TRANSACTION;
         LET $log = type::record('daily_log', $id);
         IF record::exists($log) {{
             UPDATE $log SET work = $work, hours = $hours, expenses_cents = $cents, updated_at = $now;
             IF $log.event != NONE {{
                 UPDATE type::record('feed_event', $log.event) SET text = $excerpt, detail = $feed.detail;
             }};
         }} ELSE {{
             {CREATE_EVENT}
             CREATE $log CONTENT {{
                 user: type::record('user', $user), department: type::record('department', $dept),
                 day: $day, work: $work, hours: $hours, expenses_cents: $cents,
                 created_at: $now, updated_at: $now, event: $feed_id,
             }};
         }};
         COMMIT TRANSACTION;"
    );
    checked(
        state
            .db
            .query(sql)
            .bind(("id", log_id(&user.id, day)))
            .bind(("user", user.id.clone()))
            .bind(("dept", user.department_id.clone()))
            .bind(("day", day.to_string()))
            .bind(("work", work))
            .bind(("hours", hours))
            .bind(("cents", expenses_cents))
            .bind(("excerpt", excerpt))
            .bind(("feed", feed))
            .bind(("now", now))
            .await?,
    )?;
    Ok(())
}
