//! SurrealDB access for the feed: events, likes, comments and the push stream.

use crate::db::{checked, Db};
use crate::error::AppResult;
use crate::feed::rules::PageStart;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub subject_name: String,
    pub department: String,
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub text: Option<String>,
    pub detail: Option<String>,
    pub photos: Vec<String>,
    pub flags: Vec<String>,
    pub distance_m: Option<f64>,
    pub at: DateTime<Utc>,
    pub likes: i64,
    pub comments: i64,
    pub company: bool,
    pub link: Option<String>,
}

/// What an event row holds: its own fields only (the department's name comes
/// from the configuration cache, the viewer's likes from `liked`).
const EVENT_FIELDS: &str = "record::id(id) AS id, kind, subject_name, \
    record::id(department) AS department, \
    (IF customer != NONE THEN record::id(customer) END) AS customer, customer_name, \
    text, detail, photos, flags, distance_m, at, likes, comments, company, link";

/// Which events a viewer may see.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Everything (the boss, the admin).
    All,
    /// These departments' events and the company-wide ones.
    Departments(&'a [String]),
}

/// The statements that read one page: one seek per scope on its own index,
/// newest first, each stopping after `$limit` rows. `newest` is the negated
/// time, so newest first is a forward scan (a backward one costs hundreds of
/// milliseconds on SurrealKV at a year of history). The planner serves each with
/// a range scan of `feed_newest`, `feed_company_newest` or
/// `feed_department_newest`; an `OR` of the scopes, or an `IN` over the
/// departments with a time bound, would read the whole history instead (see the
/// feed test on `EXPLAIN ANALYZE`).
pub fn page_statements(scope: Scope, before: bool) -> Vec<String> {
    let select = |cond: Option<String>| {
        let cond = [cond, before.then(|| "newest >= $floor".to_string())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let cond = if cond.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", cond.join(" AND "))
        };
        format!("SELECT {EVENT_FIELDS} FROM feed_event{cond} ORDER BY newest LIMIT $limit")
    };
    match scope {
        Scope::All => vec![select(None)],
        Scope::Departments(depts) => std::iter::once(select(Some("company = true".into())))
            .chain((0..depts.len()).map(|i| {
                select(Some(format!(
                    "department = type::record('department', $d{i})"
                )))
            }))
            .collect(),
    }
}

/// The newest events of the scope, from `start` (an instant in microseconds
/// and the ids already shown there) when given: up to `limit` plus the ones
/// already seen from each scope; the caller merges and cuts (`rules::cut_page`).
pub async fn events(
    db: &Db,
    scope: Scope<'_>,
    start: Option<&PageStart<i64>>,
    limit: usize,
) -> AppResult<Vec<EventRow>> {
    let statements = page_statements(scope, start.is_some());
    let seen = start.map_or(0, |s| s.seen.len());
    let mut q = db
        .query(statements.join(";\n"))
        .bind(("floor", start.map(|s| -s.at)))
        .bind(("limit", (limit + seen) as i64));
    if let Scope::Departments(depts) = scope {
        for (i, d) in depts.iter().enumerate() {
            q = q.bind((format!("d{i}"), d.clone()));
        }
    }
    let mut resp = checked(q.await?)?;
    let mut rows = Vec::new();
    for i in 0..statements.len() {
        let part: Vec<EventRow> = resp.take(i)?;
        rows.extend(part);
    }
    Ok(rows)
}

/// Which of these events `me` likes: one read of the like records' ids.
pub async fn liked(db: &Db, me: &str, events: &[String]) -> AppResult<Vec<String>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut resp = checked(
        db.query(
            "RETURN $events.filter(|$e| record::exists(type::record('feed_like', [$e, $me])))",
        )
        .bind(("me", me.to_string()))
        .bind(("events", events.to_vec()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn event(db: &Db, id: &str) -> AppResult<Option<EventRow>> {
    let sql = format!("SELECT {EVENT_FIELDS} FROM type::record('feed_event', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    Ok(resp.take(0)?)
}

#[derive(Debug, Clone, SurrealValue)]
pub struct CommentRow {
    pub id: String,
    pub event: String,
    pub user_name: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

const COMMENT_FIELDS: &str =
    "record::id(id) AS id, record::id(event) AS event, user_name, text, at";

/// Comments on these events, oldest first.
pub async fn comments_of(db: &Db, events: &[String]) -> AppResult<Vec<CommentRow>> {
    let sql = format!(
        "SELECT {COMMENT_FIELDS} FROM feed_comment \
         WHERE event IN $events ORDER BY at"
    );
    let mut resp = checked(
        db.query(sql)
            .bind(("events", crate::db::record_ids("feed_event", events)))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn comment(db: &Db, id: &str) -> AppResult<Option<CommentRow>> {
    let sql = format!("SELECT {COMMENT_FIELDS} FROM type::record('feed_comment', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    Ok(resp.take(0)?)
}

/// Likes or unlikes; the count is recounted in the same transaction. Returns
/// whether the viewer likes it now. Notifies the subject of a new like.
pub async fn toggle_like(
    db: &Db,
    event: &str,
    user: &str,
    user_name: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut resp = checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $e = type::record('feed_event', $event);
             LET $l = type::record('feed_like', [$event, $user]);
             LET $liked = IF record::exists($l) {
                 DELETE $l; false
             } ELSE {
                 CREATE $l CONTENT { event: $e, user: type::record('user', $user), at: $now };
                 IF $e.subject != NONE AND record::id($e.subject) != $user {
                     CREATE notification CONTENT {
                         user: $e.subject, kind: 'like', customer: $e.customer,
                         customer_name: $e.customer_name, detail: $name, at: $now, read: false,
                     };
                 };
                 true
             };
             UPDATE $e SET likes = count(SELECT id FROM feed_like WHERE event = $e) RETURN NONE;
             COMMIT TRANSACTION;
             RETURN record::exists(type::record('feed_like', [$event, $user]));",
        )
        .bind(("event", event.to_string()))
        .bind(("user", user.to_string()))
        .bind(("name", user_name.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    let n = resp.num_statements();
    let liked: Option<bool> = resp.take(n - 1)?;
    Ok(liked.unwrap_or(false))
}

/// Adds a comment, recounts, and notifies the event's subject (not themself).
#[allow(clippy::too_many_arguments)]
pub async fn add_comment(
    db: &Db,
    event: &str,
    id: &str,
    user: &str,
    user_name: &str,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $e = type::record('feed_event', $event);
             CREATE type::record('feed_comment', $id) CONTENT {
                 event: $e, user: type::record('user', $user), user_name: $name,
                 text: $text, at: $now,
             } RETURN NONE;
             IF $e.subject != NONE AND record::id($e.subject) != $user {
                 CREATE notification CONTENT {
                     user: $e.subject, kind: 'comment', customer: $e.customer,
                     customer_name: $e.customer_name, detail: $name, at: $now, read: false,
                 };
             };
             UPDATE $e SET comments = count(SELECT id FROM feed_comment WHERE event = $e) RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("event", event.to_string()))
        .bind(("id", id.to_string()))
        .bind(("user", user.to_string()))
        .bind(("name", user_name.to_string()))
        .bind(("text", text.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}

/// One row of the push stream.
#[derive(Debug, Clone, SurrealValue)]
pub struct StreamRow {
    pub seq: String,
    pub kind: String,
    pub department: Option<String>,
    pub user: Option<String>,
    pub event: Option<String>,
    #[surreal(rename = "ref")]
    pub reference: Option<String>,
}

const STREAM_FIELDS: &str = "seq, kind, \
    (IF department != NONE THEN record::id(department) END) AS department, \
    (IF user != NONE THEN record::id(user) END) AS user, event, ref";

/// Stream rows from `floor` on, in order.
pub async fn stream_since(db: &Db, floor: &str, limit: usize) -> AppResult<Vec<StreamRow>> {
    let sql =
        format!("SELECT {STREAM_FIELDS} FROM stream WHERE seq >= $floor ORDER BY seq LIMIT $limit");
    let mut resp = checked(
        db.query(sql)
            .bind(("floor", floor.to_string()))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// The newest stream position.
#[derive(Debug, Clone, SurrealValue)]
pub struct AlertRow {
    pub id: String,
    pub title: String,
    pub content: String,
    pub remind_at: DateTime<Utc>,
}

pub async fn alert(db: &Db, id: &str) -> AppResult<Option<AlertRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, title, content, remind_at FROM type::record('reminder', $id)",
        )
        .bind(("id", id.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}
