//! SurrealDB access for difficulty alarms and their answers. Every change of an
//! alarm's status is written under the version it was decided on, with the
//! experience entry it creates, in one transaction.

use crate::db::{checked, Db};
use crate::error::{AppError, AppResult};
use crate::experience::repo::{ExperienceIn, CREATE_ENTRY};
use crate::live::post::{FeedIn, CREATE_EVENT};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
pub struct AlarmIn {
    pub kind: String,
    pub customer: String,
    pub customer_name: String,
    pub industry: String,
    pub stage: String,
    pub stage_name: String,
    pub raiser: String,
    pub raiser_name: String,
    pub department: String,
    pub text: String,
    pub lesson: Option<String>,
    pub photos: Vec<String>,
    pub lost_state: Option<String>,
    pub escalate_at: Option<DateTime<Utc>>,
}

/// Creates the alarm `id` and its company-wide feed event.
pub async fn create(
    db: &Db,
    id: &str,
    a: AlarmIn,
    feed: FeedIn,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let sql = format!(
        "BEGIN TRANSACTION;
         CREATE type::record('alarm', $id) CONTENT {{
             kind: $a.kind, customer: type::record('customer', $a.customer),
             customer_name: $a.customer_name, industry: $a.industry,
             stage: type::record('stage', $a.stage), stage_name: $a.stage_name,
             raiser: type::record('user', $a.raiser), raiser_name: $a.raiser_name,
             department: type::record('department', $a.department),
             text: $a.text, lesson: $a.lesson, photos: $a.photos, status: 'open',
             lost_state: $a.lost_state, at: $now, answers: 0, escalated: 0,
             escalate_at: $a.escalate_at, version: 0,
         }} RETURN NONE;
         {CREATE_EVENT}
         COMMIT TRANSACTION;"
    );
    checked(
        db.query(sql)
            .bind(("id", id.to_string()))
            .bind(("a", a))
            .bind(("feed", feed))
            .bind(("now", now))
            .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct AlarmRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub lost_state: Option<String>,
    pub customer: String,
    pub customer_name: String,
    pub industry: String,
    pub stage: String,
    pub stage_name: String,
    pub raiser: String,
    pub raiser_name: String,
    pub department: String,
    pub department_name: Option<String>,
    pub text: String,
    pub lesson: Option<String>,
    pub photos: Vec<String>,
    pub answers: i64,
    pub escalated: i64,
    pub at: DateTime<Utc>,
    pub first_answer_at: Option<DateTime<Utc>>,
    pub close_note: Option<String>,
    pub accepted: Option<String>,
    pub version: i64,
}

const ALARM_FIELDS: &str = "record::id(id) AS id, kind, status, lost_state, \
    record::id(customer) AS customer, customer_name, industry, record::id(stage) AS stage, \
    stage_name, record::id(raiser) AS raiser, raiser_name, record::id(department) AS department, \
    department.name AS department_name, text, lesson, photos, answers, escalated, at, \
    first_answer_at, close_note, (IF accepted != NONE THEN record::id(accepted) END) AS accepted, \
    version";

/// Which alarms a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    Open,
    Mine,
    Answered,
    All,
}

pub async fn list(db: &Db, me: &str, filter: ListFilter, limit: usize) -> AppResult<Vec<AlarmRow>> {
    let cond = match filter {
        ListFilter::Open => " WHERE status = 'open'",
        ListFilter::Mine => " WHERE raiser = type::record('user', $me)",
        ListFilter::Answered => {
            " WHERE id IN (SELECT VALUE alarm FROM alarm_answer WHERE user = type::record('user', $me))"
        }
        ListFilter::All => "",
    };
    // `newest` (the negated time): newest first as a forward index scan
    let sql = format!("SELECT {ALARM_FIELDS} FROM alarm{cond} ORDER BY newest LIMIT $limit");
    let mut resp = checked(
        db.query(sql)
            .bind(("me", me.to_string()))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn load(db: &Db, id: &str) -> AppResult<Option<AlarmRow>> {
    let sql = format!("SELECT {ALARM_FIELDS} FROM type::record('alarm', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    Ok(resp.take(0)?)
}

/// An alarm's version alone (what a live status message carries).
pub async fn version(db: &Db, id: &str) -> AppResult<Option<i64>> {
    let mut resp = checked(
        db.query("SELECT VALUE version FROM type::record('alarm', $id)")
            .bind(("id", id.to_string()))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Adds photos (content addresses) to an alarm, each once.
pub async fn add_photos(db: &Db, id: &str, photos: Vec<String>) -> AppResult<()> {
    checked(
        db.query(
            "UPDATE type::record('alarm', $id) SET photos = array::union(photos, $photos) RETURN NONE",
        )
        .bind(("id", id.to_string()))
        .bind(("photos", photos))
        .await?,
    )?;
    Ok(())
}

/// The open alarms on a customer.
pub async fn open_on(db: &Db, customer: &str) -> AppResult<Vec<AlarmRow>> {
    let sql = format!(
        "SELECT {ALARM_FIELDS} FROM alarm WHERE customer = type::record('customer', $c) \
         AND status = 'open' ORDER BY at"
    );
    let mut resp = checked(db.query(sql).bind(("c", customer.to_string())).await?)?;
    // read forward (a backward index scan is slow on SurrealKV), shown newest first
    let mut rows: Vec<AlarmRow> = resp.take(0)?;
    rows.reverse();
    Ok(rows)
}

#[derive(Debug, Clone, SurrealValue)]
pub struct AnswerRow {
    pub id: String,
    pub alarm: String,
    pub user: String,
    pub user_name: String,
    pub department_name: Option<String>,
    pub text: String,
    pub likes: i64,
    pub liked: bool,
    pub at: DateTime<Utc>,
}

const ANSWER_FIELDS: &str = "record::id(id) AS id, record::id(alarm) AS alarm, \
    record::id(user) AS user, user_name, department.name AS department_name, text, likes, at, \
    record::exists(type::record('alarm_answer_like', [record::id(id), $me])) AS liked";

pub async fn answers(db: &Db, me: &str, alarm: &str) -> AppResult<Vec<AnswerRow>> {
    let sql = format!(
        "SELECT {ANSWER_FIELDS} FROM alarm_answer \
         WHERE alarm = type::record('alarm', $alarm) ORDER BY at"
    );
    let mut resp = checked(
        db.query(sql)
            .bind(("me", me.to_string()))
            .bind(("alarm", alarm.to_string()))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn answer(db: &Db, me: &str, id: &str) -> AppResult<Option<AnswerRow>> {
    let sql = format!("SELECT {ANSWER_FIELDS} FROM type::record('alarm_answer', $id)");
    let mut resp = checked(
        db.query(sql)
            .bind(("me", me.to_string()))
            .bind(("id", id.to_string()))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Adds an answer to an open alarm: counts it, stamps the first answer (which
/// stops escalation) and tells the raiser.
#[allow(clippy::too_many_arguments)]
pub async fn add_answer(
    db: &Db,
    alarm: &str,
    id: &str,
    user: &str,
    user_name: &str,
    department: &str,
    text: &str,
    now: DateTime<Utc>,
    day: &str,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $a = type::record('alarm', $alarm);
             IF $a.status != 'open' { THROW 'bpc:conflict:alarm_closed'; };
             CREATE type::record('alarm_answer', $id) CONTENT {
                 alarm: $a, user: type::record('user', $user), user_name: $name,
                 department: type::record('department', $dept), text: $text, at: $now, likes: 0,
                 day: $day,
             } RETURN NONE;
             UPDATE $a SET answers += 1,
                 first_answer_at = IF first_answer_at = NONE THEN $now ELSE first_answer_at END,
                 escalate_at = NONE RETURN NONE;
             CREATE notification CONTENT {
                 user: $a.raiser, kind: 'alarm_answer', customer: $a.customer,
                 customer_name: $a.customer_name, detail: $name,
                 link: '/alarms/' + $alarm, at: $now, read: false,
             };
             COMMIT TRANSACTION;",
        )
        .bind(("alarm", alarm.to_string()))
        .bind(("id", id.to_string()))
        .bind(("user", user.to_string()))
        .bind(("name", user_name.to_string()))
        .bind(("dept", department.to_string()))
        .bind(("text", text.to_string()))
        .bind(("now", now))
        .bind(("day", day.to_string()))
        .await?,
    )?;
    Ok(())
}

/// Likes or unlikes an answer; returns whether the viewer likes it now.
pub async fn toggle_like(db: &Db, answer: &str, user: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let mut resp = checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $ans = type::record('alarm_answer', $answer);
             LET $l = type::record('alarm_answer_like', [$answer, $user]);
             IF record::exists($l) { DELETE $l; } ELSE {
                 CREATE $l CONTENT { answer: $ans, user: type::record('user', $user), at: $now };
             };
             UPDATE $ans SET likes = count(SELECT id FROM alarm_answer_like WHERE answer = $ans) RETURN NONE;
             COMMIT TRANSACTION;
             RETURN record::exists(type::record('alarm_answer_like', [$answer, $user]));",
        )
        .bind(("answer", answer.to_string()))
        .bind(("user", user.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    let n = resp.num_statements();
    let liked: Option<bool> = resp.take(n - 1)?;
    Ok(liked.unwrap_or(false))
}

/// A status change decided on `version`.
#[derive(Debug, Clone, Default, SurrealValue)]
pub struct AlarmChange {
    pub status: String,
    pub lost_state: Option<String>,
    pub accepted: Option<String>,
    pub accepted_by: Option<String>,
    pub closed_by: Option<String>,
    pub close_note: Option<String>,
    /// Who hears about it (the raiser, the helper): (user, kind).
    pub notify: Vec<NotifyIn>,
}

#[derive(Debug, Clone, Default, SurrealValue)]
pub struct NotifyIn {
    pub user: String,
    pub kind: String,
    pub detail: Option<String>,
}

/// Writes `change` over the alarm read at `version`, with the experience entry
/// it creates. `Conflict(stale)` when someone changed it meanwhile.
pub async fn change(
    db: &Db,
    id: &str,
    version: i64,
    change: AlarmChange,
    experience: Option<ExperienceIn>,
    now: DateTime<Utc>,
    day: String,
) -> AppResult<()> {
    let sql = format!(
        "BEGIN TRANSACTION;
         LET $a = type::record('alarm', $id);
         IF $a.version != $version {{ THROW 'bpc:conflict:stale'; }};
         UPDATE $a SET status = $c.status, lost_state = $c.lost_state,
             accepted = IF $c.accepted != NONE THEN type::record('alarm_answer', $c.accepted) END,
             accepted_by = IF $c.accepted_by != NONE THEN type::record('user', $c.accepted_by) END,
             closed_by = IF $c.closed_by != NONE THEN type::record('user', $c.closed_by) END,
             close_note = $c.close_note,
             closed_at = IF $c.status != 'open' THEN $now END,
             closed_day = IF $c.status != 'open' THEN $day END,
             escalate_at = IF $c.status != 'open' THEN NONE ELSE escalate_at END,
             version = $version + 1 RETURN NONE;
         FOR $n IN $c.notify {{
             CREATE notification CONTENT {{
                 user: type::record('user', $n.user), kind: $n.kind, customer: $a.customer,
                 customer_name: $a.customer_name, detail: $n.detail,
                 link: '/alarms/' + $id, at: $now, read: false,
             }};
         }};
         IF $exp != NONE {{ {CREATE_ENTRY} }};
         COMMIT TRANSACTION;"
    );
    // A race at commit is usually over the day sums the events keep (another
    // person's check-in in the same department, the same day), not over the
    // alarm: write again, as read. If the alarm itself moved on, the version
    // check says so (stale) and the user decides again.
    let mut attempt = 0;
    loop {
        let result = db
            .query(sql.as_str())
            .bind(("id", id.to_string()))
            .bind(("version", version))
            .bind(("c", change.clone()))
            .bind(("exp", experience.clone()))
            .bind(("now", now))
            .bind(("day", day.clone()))
            .await;
        match result.map_err(AppError::from).and_then(checked) {
            Ok(_) => return Ok(()),
            Err(e) if crate::error::is_race(&e) && attempt < RACE_RETRIES => attempt += 1,
            Err(e) if crate::error::is_race(&e) => return Err(AppError::conflict("stale")),
            Err(e) => return Err(e),
        }
    }
}

/// Times a change lost at commit is written again before it is called stale.
const RACE_RETRIES: usize = 4;

/// The experience entry made from an alarm, if any.
pub async fn experience_of(db: &Db, alarm: &str) -> AppResult<Option<String>> {
    let mut resp = checked(
        db.query(
            "SELECT VALUE record::id(id) FROM experience \
             WHERE alarm = type::record('alarm', $a) LIMIT 1",
        )
        .bind(("a", alarm.to_string()))
        .await?,
    )?;
    let v: Vec<String> = resp.take(0)?;
    Ok(v.into_iter().next())
}

/// Alarms due to escalate at `now` (unanswered, open).
#[derive(Debug, Clone, SurrealValue)]
pub struct DueRow {
    pub id: String,
    pub escalated: i64,
    pub raiser: String,
    pub department: String,
    pub at: DateTime<Utc>,
}

pub async fn due_escalations(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<DueRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, escalated, record::id(raiser) AS raiser,
                    record::id(department) AS department, at
             FROM alarm WHERE escalate_at >= d'1970-01-01' AND escalate_at <= $now
               AND status = 'open' AND first_answer_at = NONE LIMIT 200",
        )
        .bind(("now", now))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Steps an alarm from escalation `level` to the next, telling `target`; false
/// when another server got there first or it was answered meanwhile.
pub async fn escalate(
    db: &Db,
    id: &str,
    level: i64,
    next: Option<DateTime<Utc>>,
    target: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = db
        .query(
            "BEGIN TRANSACTION;
             LET $a = type::record('alarm', $id);
             IF $a.escalated != $level OR $a.first_answer_at != NONE OR $a.status != 'open' {
                 THROW 'bpc:conflict:stale';
             };
             UPDATE $a SET escalated = $level + 1, escalate_at = $next RETURN NONE;
             IF $target != NONE {
                 CREATE notification CONTENT {
                     user: type::record('user', $target), kind: 'alarm_escalated',
                     customer: $a.customer, customer_name: $a.customer_name,
                     detail: $a.raiser_name, link: '/alarms/' + $id, at: $now, read: false,
                 };
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("level", level))
        .bind(("next", next))
        .bind(("target", target))
        .bind(("now", now))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(true),
        Err(AppError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Active bosses (who hears when there is no manager above).
pub async fn bosses(db: &Db) -> AppResult<Vec<String>> {
    let mut resp = checked(
        db.query("SELECT VALUE record::id(id) FROM user WHERE role = 'boss' AND active = true")
            .await?,
    )?;
    Ok(resp.take(0)?)
}

// ---------------------------------------------------------------------------
// Statistics

#[derive(Debug, Clone, SurrealValue)]
pub struct FactRow {
    pub id: String,
    pub raiser: String,
    pub department: String,
    pub at: DateTime<Utc>,
    pub status: String,
    pub accepted_by: Option<String>,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct AnswerFactRow {
    pub alarm: String,
    pub user: String,
    pub at: DateTime<Utc>,
}

/// Alarms raised since `from`, and the answers given since then (an answer
/// always follows its alarm, so these include every answer to those alarms).
pub async fn facts_since(
    db: &Db,
    from: DateTime<Utc>,
) -> AppResult<(Vec<FactRow>, Vec<AnswerFactRow>)> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, record::id(raiser) AS raiser,
                    record::id(department) AS department, at, status,
                    (IF accepted_by != NONE THEN record::id(accepted_by) END) AS accepted_by
             FROM alarm WHERE at >= $from;
             SELECT record::id(alarm) AS alarm, record::id(user) AS user, at
             FROM alarm_answer WHERE at >= $from;",
        )
        .bind(("from", from))
        .await?,
    )?;
    Ok((resp.take(0)?, resp.take(1)?))
}

// ---------------------------------------------------------------------------
// Success stories

#[derive(Debug, Clone, SurrealValue)]
pub struct PromptRow {
    pub customer: String,
    pub customer_name: String,
    pub user: String,
    pub state: String,
}

pub async fn open_prompts(db: &Db, user: &str) -> AppResult<Vec<PromptRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(customer) AS customer, customer_name, record::id(user) AS user, state
             FROM story_prompt WHERE user = type::record('user', $u) AND state = 'open'
             ORDER BY at DESC LIMIT 20",
        )
        .bind(("u", user.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn prompt(db: &Db, customer: &str) -> AppResult<Option<PromptRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(customer) AS customer, customer_name, record::id(user) AS user, state
             FROM type::record('story_prompt', $c)",
        )
        .bind(("c", customer.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Closes an open prompt as written (with its entry) or dismissed; false when it
/// was no longer open.
pub async fn close_prompt(
    db: &Db,
    customer: &str,
    state: &str,
    experience: Option<ExperienceIn>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let sql = format!(
        "BEGIN TRANSACTION;
         LET $p = type::record('story_prompt', $c);
         IF $p.state != 'open' {{ THROW 'bpc:conflict:story_closed'; }};
         UPDATE $p SET state = $state RETURN NONE;
         IF $exp != NONE {{ {CREATE_ENTRY} }};
         COMMIT TRANSACTION;"
    );
    let result = db
        .query(sql)
        .bind(("c", customer.to_string()))
        .bind(("state", state.to_string()))
        .bind(("exp", experience))
        .bind(("now", now))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(true),
        Err(AppError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
