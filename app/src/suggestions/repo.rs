//! SurrealDB access for the suggestion box. The writes here take no user: there
//! is nothing about the author to store.

use crate::db::{checked, Db};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// Stores a post: a random id (UUIDv4: a v7 would carry the moment), the text,
/// the local date, a random place in its batch, unreleased.
pub async fn create(db: &Db, id: &str, text: &str, day: &str, shuffle: i64) -> AppResult<()> {
    checked(
        db.query(
            "CREATE type::record('suggestion', $id) CONTENT {
                 text: $text, day: $day, released: false, shuffle: $shuffle, status: 'received',
             } RETURN NONE",
        )
        .bind(("id", id.to_string()))
        .bind(("text", text.to_string()))
        .bind(("day", day.to_string()))
        .bind(("shuffle", shuffle))
        .await?,
    )?;
    Ok(())
}

/// Releases every waiting post at once; returns how many.
pub async fn release(db: &Db) -> AppResult<usize> {
    let mut resp = checked(
        db.query("UPDATE suggestion SET released = true WHERE released = false RETURN VALUE id")
            .await?,
    )?;
    let ids: Vec<surrealdb::types::RecordId> = resp.take(0)?;
    Ok(ids.len())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct SuggestionRow {
    pub id: String,
    pub text: String,
    pub day: String,
    pub status: String,
}

/// Released posts, newest day first, in their random order within a day.
pub async fn released(db: &Db, limit: usize) -> AppResult<Vec<SuggestionRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, text, day, status, shuffle FROM suggestion
             WHERE released = true ORDER BY day DESC, shuffle LIMIT $limit",
        )
        .bind(("limit", limit as i64))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn exists_released(db: &Db, id: &str) -> AppResult<bool> {
    let mut resp = checked(
        db.query("RETURN type::record('suggestion', $id).released = true")
            .bind(("id", id.to_string()))
            .await?,
    )?;
    let v: Option<bool> = resp.take(0)?;
    Ok(v.unwrap_or(false))
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ReplyRow {
    pub suggestion: String,
    pub user_name: String,
    pub text: String,
    pub status: String,
    pub at: DateTime<Utc>,
}

pub async fn replies_of(db: &Db, ids: &[String]) -> AppResult<Vec<ReplyRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(suggestion) AS suggestion, user_name, text, status, at
             FROM suggestion_reply
             WHERE suggestion IN $ids ORDER BY at",
        )
        .bind(("ids", crate::db::record_ids("suggestion", ids)))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// A public, signed reply from management, setting the status.
pub async fn reply(
    db: &Db,
    id: &str,
    user: &str,
    user_name: &str,
    text: &str,
    status: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $s = type::record('suggestion', $id);
             CREATE suggestion_reply CONTENT {
                 suggestion: $s, user: type::record('user', $user), user_name: $name,
                 text: $text, status: $status, at: $now,
             } RETURN NONE;
             UPDATE $s SET status = $status RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("user", user.to_string()))
        .bind(("name", user_name.to_string()))
        .bind(("text", text.to_string()))
        .bind(("status", status.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}
