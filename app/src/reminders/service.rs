//! Reminders: schedule items, revisits and anniversaries; the tick that alerts
//! due reminders and escalates unanswered ones. Each alert and each escalation is
//! claimed by a conditional update first, so two app servers never send one twice.

use crate::auth::model::CurrentUser;
use crate::calendar::local_label;
use crate::customers::service::visit_target;
use crate::db::checked;
use crate::error::{AppError, AppResult};
use crate::reminders::channel::{Channel, Escalation};
use crate::reminders::model::ReminderItem;
use crate::reminders::rules::{
    escalate_at, next_anniversary_alert, next_revisit, parse_local, parse_month_day,
    ANNIVERSARY_DAYS_AHEAD,
};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
struct ReminderRow {
    id: String,
    kind: String,
    title: String,
    content: String,
    customer: Option<String>,
    remind_at: DateTime<Utc>,
    alerted: bool,
    acked: bool,
    escalated: bool,
}

const FIELDS: &str = "record::id(id) AS id, kind, title, content, \
    (IF customer != NONE THEN record::id(customer) END) AS customer, remind_at, \
    alerted_at != NONE AS alerted, acked_at != NONE AS acked, escalated_at != NONE AS escalated";

fn check_text(title: &str, content: &str) -> AppResult<(String, String)> {
    use crate::text::{checked, Shape};
    let title = checked("title", title, Shape::line(100))?;
    if title.is_empty() {
        return Err(AppError::validation("title", "required"));
    }
    let content = checked("content", content, Shape::lines(1000))?;
    Ok((title, content))
}

/// A schedule item for the user at a local date and time.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add(
    state: &AppState,
    user: &CurrentUser,
    date: &str,
    time: &str,
    title: &str,
    content: &str,
) -> AppResult<()> {
    let (title, content) = check_text(title, content)?;
    let at = parse_local(date, time, &state.config.timezone)
        .map_err(|field| AppError::validation(field, "date_invalid"))?;
    if at < state.now() - chrono::Duration::minutes(1) {
        return Err(AppError::validation("time", "in_past"));
    }
    checked(
        state
            .db
            .query(
                "CREATE reminder CONTENT {
                     user: type::record('user', $u), kind: 'schedule', title: $title,
                     content: $content, remind_at: $at, pending_at: $at, created_at: $now,
                 } RETURN NONE",
            )
            .bind(("u", user.id.clone()))
            .bind(("title", title))
            .bind(("content", content))
            .bind(("at", at))
            .bind(("now", state.now()))
            .await?,
    )?;
    Ok(())
}

/// The user's reminders from yesterday on, soonest first.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn list(state: &AppState, user: &CurrentUser) -> AppResult<Vec<ReminderItem>> {
    let sql = format!(
        "SELECT {FIELDS} FROM reminder WHERE user = type::record('user', $u) \
         AND cancelled = false AND remind_at >= $since ORDER BY remind_at LIMIT 100"
    );
    let mut resp = checked(
        state
            .db
            .query(sql)
            .bind(("u", user.id.clone()))
            .bind(("since", state.now() - chrono::Duration::days(1)))
            .await?,
    )?;
    let rows: Vec<ReminderRow> = resp.take(0)?;
    let tz = state.config.timezone;
    Ok(rows
        .into_iter()
        .map(|r| ReminderItem {
            id: r.id,
            kind: r.kind,
            title: r.title,
            content: r.content,
            customer_id: r.customer,
            at_local: local_label(r.remind_at, &tz),
            at: r.remind_at,
            alerted: r.alerted,
            acked: r.acked,
            escalated: r.escalated,
        })
        .collect())
}

/// Acknowledges one of the user's own reminders (stops its escalation).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn ack(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<()> {
    if id.is_empty()
        || id.len() > 80
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
    {
        return Err(AppError::NotFound);
    }
    let mut resp = checked(
        state
            .db
            .query(
                "UPDATE type::record('reminder', $id) SET acked_at = $now, escalate_at = NONE, pending_at = NONE
                 WHERE user = type::record('user', $u) RETURN VALUE record::id(id)",
            )
            .bind(("id", id.to_string()))
            .bind(("u", user.id.clone()))
            .bind(("now", state.now()))
            .await?,
    )?;
    let done: Vec<String> = resp.take(0)?;
    if done.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Sets (or with 0 clears) the revisit interval of a customer the user owns,
/// and schedules the next revisit.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn set_revisit(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    days: &str,
) -> AppResult<()> {
    let days: i64 = days
        .trim()
        .parse()
        .map_err(|_| AppError::validation("days", "number_invalid"))?;
    if !(0..=365).contains(&days) {
        return Err(AppError::validation("days", "number_range"));
    }
    let target = visit_target(state, user, customer).await?;
    if target.row.state.owner.as_deref() != Some(user.id.as_str()) {
        return Err(AppError::Forbidden);
    }
    checked(
        state
            .db
            .query("UPDATE type::record('customer', $c) SET revisit_days = $d RETURN NONE")
            .bind(("c", target.row.id.clone()))
            .bind(("d", (days > 0).then_some(days)))
            .await?,
    )?;
    schedule_revisit(state, &target.row.id).await
}

#[derive(Debug, Clone, SurrealValue)]
struct RevisitRow {
    name: String,
    owner: Option<String>,
    status: String,
    revisit_days: Option<i64>,
    last_followup_at: DateTime<Utc>,
}

/// (Re)schedules a customer's revisit reminder from its last follow-up: called
/// after every visit and when the interval changes. One reminder per customer.
pub async fn schedule_revisit(state: &AppState, customer: &str) -> AppResult<()> {
    let mut resp = checked(
        state
            .db
            .query(
                "SELECT name, (IF owner != NONE THEN record::id(owner) END) AS owner, status,
                        revisit_days, last_followup_at FROM type::record('customer', $c)",
            )
            .bind(("c", customer.to_string()))
            .await?,
    )?;
    let Some(row): Option<RevisitRow> = resp.take(0)? else {
        return Ok(());
    };
    let rid = format!("rv:{customer}");
    match (row.revisit_days, row.owner) {
        (Some(days), Some(owner)) if row.status == "owned" && days > 0 => {
            let at = next_revisit(row.last_followup_at, days as u32, &state.config.timezone);
            checked(
                state
                    .db
                    .query(
                        "UPSERT type::record('reminder', $rid) CONTENT {
                             user: type::record('user', $owner), kind: 'revisit', title: $title,
                             content: '', customer: type::record('customer', $c), remind_at: $at,
                             pending_at: $at, created_at: $now, cancelled: false,
                             -- a new revisit cycle: alert and escalate afresh
                             alerted_at: NONE, acked_at: NONE, escalated_at: NONE, escalate_at: NONE,
                         } RETURN NONE",
                    )
                    .bind(("rid", rid))
                    .bind(("owner", owner))
                    .bind(("title", row.name))
                    .bind(("c", customer.to_string()))
                    .bind(("at", at))
                    .bind(("now", state.now()))
                    .await?,
            )?;
        }
        _ => {
            checked(
                state
                    .db
                    .query("UPDATE type::record('reminder', $rid) SET cancelled = true, pending_at = NONE, escalate_at = NONE RETURN NONE")
                    .bind(("rid", rid))
                    .await?,
            )?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
struct AnniversaryRow {
    id: String,
    name: String,
    owner: String,
    dm_birthday: Option<String>,
    founded_on: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
struct ContactBirthdayRow {
    contact: String,
    id: String,
    name: String,
    owner: String,
    person: String,
    birthday: String,
}

/// Creates the next birthday and founding-date reminders of owned customers,
/// and the birthdays of their contacts (the decision-maker typed at
/// registration is the customer's own birthday reminder),
/// `ANNIVERSARY_DAYS_AHEAD` days ahead. Idempotent: the id is the alert's date.
pub async fn schedule_anniversaries(state: &AppState) -> AppResult<usize> {
    let mut resp = checked(
        state
            .db
            .query(
                "SELECT record::id(id) AS id, name, record::id(owner) AS owner, dm_birthday, founded_on
                 FROM customer WHERE status = 'owned' AND owner != NONE
                   AND (dm_birthday != NONE OR founded_on != NONE);
                 SELECT record::id(id) AS contact, record::id(customer) AS id,
                        customer.name AS name, record::id(customer.owner) AS owner,
                        name AS person, birthday
                 FROM contact WHERE birthday != NONE AND customer.status = 'owned'
                   AND customer.owner != NONE
                   AND !(decision_maker = true AND birthday = customer.dm_birthday);",
            )
            .await?,
    )?;
    let rows: Vec<AnniversaryRow> = resp.take(0)?;
    let contacts: Vec<ContactBirthdayRow> = resp.take(1)?;
    // (id prefix, owner, kind, title, customer, date)
    let mut dates: Vec<(String, String, &str, String, String, String)> = Vec::new();
    for r in rows {
        for (kind, date) in [("birthday", &r.dm_birthday), ("founded", &r.founded_on)] {
            if let Some(d) = date {
                let prefix = format!("{kind}:{}", r.id);
                dates.push((
                    prefix,
                    r.owner.clone(),
                    kind,
                    r.name.clone(),
                    r.id.clone(),
                    d.clone(),
                ));
            }
        }
    }
    for c in contacts {
        let title = format!("{} · {}", c.name, c.person);
        dates.push((
            format!("cbirthday:{}", c.contact),
            c.owner,
            "birthday",
            title,
            c.id,
            c.birthday,
        ));
    }
    let tz = state.config.timezone;
    let now = state.now();
    let mut made = 0;
    for (prefix, owner, kind, title, customer, date) in dates {
        let Some(md) = parse_month_day(&date) else {
            continue;
        };
        let at = next_anniversary_alert(md, ANNIVERSARY_DAYS_AHEAD, now, &tz);
        let rid = format!("{prefix}:{}", at.format("%Y%m%d"));
        let mut resp = checked(
            state
                .db
                .query(
                    "IF !record::exists(type::record('reminder', $rid)) {
                         CREATE type::record('reminder', $rid) CONTENT {
                             user: type::record('user', $owner), kind: $kind, title: $title,
                             content: '', customer: type::record('customer', $c),
                             remind_at: $at, pending_at: $at, created_at: $now,
                         };
                         RETURN true;
                     } ELSE { RETURN false; }",
                )
                .bind(("rid", rid))
                .bind(("owner", owner))
                .bind(("kind", kind))
                .bind(("title", title))
                .bind(("c", customer))
                .bind(("at", at))
                .bind(("now", now))
                .await?,
        )?;
        if resp.take::<Option<bool>>(0)?.unwrap_or(false) {
            made += 1;
        }
    }
    Ok(made)
}

#[derive(Debug, Clone, SurrealValue)]
struct DueRow {
    id: String,
    user: String,
    title: String,
    customer: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
struct EscalateRow {
    login: String,
    name: String,
    phone: Option<String>,
    title: String,
    content: String,
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub alerted: usize,
    pub escalated: usize,
}

/// Alerts the due reminders (in-app: a notification and a live alert), then
/// escalates those unanswered for `escalate_after_minutes` through `channel`.
pub async fn tick(state: &AppState, channel: &dyn Channel) -> AppResult<TickReport> {
    let now = state.now();
    let mut report = TickReport::default();
    let mut resp = checked(
        state
            .db
            .query(
                "SELECT record::id(id) AS id, record::id(user) AS user, title,
                        (IF customer != NONE THEN record::id(customer) END) AS customer
                 FROM reminder WHERE pending_at >= d'1970-01-01' AND pending_at <= $now LIMIT 200",
            )
            .bind(("now", now))
            .await?,
    )?;
    let due: Vec<DueRow> = resp.take(0)?;
    let after = state.config.escalate_after_minutes;
    for r in due {
        // claim it: only the first tick (of any server) to get here alerts
        let mut resp = checked(
            state
                .db
                .query(
                    "BEGIN TRANSACTION;
                     LET $r = type::record('reminder', $id);
                     LET $claimed = (UPDATE $r SET alerted_at = $now, pending_at = NONE, escalate_at = $esc
                         WHERE pending_at != NONE AND alerted_at = NONE RETURN VALUE id);
                     IF array::len($claimed) > 0 {
                         CREATE notification CONTENT {
                             user: type::record('user', $user), kind: 'reminder',
                             customer: IF $c != NONE THEN type::record('customer', $c) END,
                             customer_name: $title, detail: $title, at: $now, read: false,
                         };
                     };
                     COMMIT TRANSACTION;
                     RETURN record::exists(type::record('reminder', $id)) AND type::record('reminder', $id).alerted_at = $now;",
                )
                .bind(("id", r.id.clone()))
                .bind(("user", r.user.clone()))
                .bind(("title", r.title.clone()))
                .bind(("c", r.customer.clone()))
                .bind(("now", now))
                .bind(("esc", escalate_at(now, after)))
                .await?,
        )?;
        let n = resp.num_statements();
        if resp.take::<Option<bool>>(n - 1)?.unwrap_or(false) {
            report.alerted += 1;
        }
    }
    let mut resp = checked(
        state
            .db
            .query(
                "SELECT record::id(id) AS id FROM reminder
                 WHERE escalate_at >= d'1970-01-01' AND escalate_at <= $now AND acked_at = NONE LIMIT 200",
            )
            .bind(("now", now))
            .await?,
    )?;
    let ids: Vec<IdRow> = resp.take(0)?;
    for IdRow { id } in ids {
        let mut resp = checked(
            state
                .db
                .query(
                    "UPDATE type::record('reminder', $id) SET escalated_at = $now, escalate_at = NONE
                     WHERE escalate_at != NONE AND acked_at = NONE AND escalated_at = NONE
                     RETURN user.login AS login, user.name AS name, user.phone AS phone, title, content",
                )
                .bind(("id", id))
                .bind(("now", now))
                .await?,
        )?;
        let claimed: Vec<EscalateRow> = resp.take(0)?;
        for e in claimed {
            let msg = Escalation {
                login: e.login,
                name: e.name,
                phone: e.phone,
                title: e.title,
                content: e.content,
            };
            match channel.send(&msg).await {
                Ok(()) => report.escalated += 1,
                Err(err) => tracing::warn!("escalation via {} failed: {err}", channel.name()),
            }
        }
    }
    Ok(report)
}

#[derive(Debug, Clone, SurrealValue)]
struct IdRow {
    id: String,
}
