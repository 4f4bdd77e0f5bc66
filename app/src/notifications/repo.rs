//! Reading and marking a user's notifications. (They are written by the
//! features whose changes cause them, in the same transaction.)

use crate::db::{checked, Db};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
pub struct NotificationRow {
    pub id: String,
    pub kind: String,
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
    pub read: bool,
    pub link: Option<String>,
}

pub async fn notifications(db: &Db, user: &str, limit: usize) -> AppResult<Vec<NotificationRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, kind, \
               (IF customer != NONE THEN record::id(customer) END) AS customer, \
               customer_name, detail, at, read, link \
             FROM notification WHERE user = type::record('user', $u) ORDER BY newest LIMIT $limit",
        )
        .bind(("u", user.to_string()))
        .bind(("limit", limit as i64))
        .await?,
    )?;
    let rows: Vec<NotificationRow> = resp.take(0)?;
    Ok(rows)
}

pub async fn mark_notifications_read(db: &Db, user: &str) -> AppResult<()> {
    checked(
        db.query("UPDATE notification SET read = true WHERE user = type::record('user', $u) AND read = false")
            .bind(("u", user.to_string()))
            .await?,
    )?;
    Ok(())
}
