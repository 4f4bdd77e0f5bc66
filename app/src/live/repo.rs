//! Where the stream stands, and a user's unread notifications.

use crate::db::{checked, Db};
use crate::error::AppResult;

pub async fn stream_head(db: &Db) -> AppResult<Option<String>> {
    let mut resp = checked(
        db.query("SELECT VALUE seq FROM stream ORDER BY seq DESC LIMIT 1")
            .await?,
    )?;
    let v: Vec<String> = resp.take(0)?;
    Ok(v.into_iter().next())
}

pub async fn unread(db: &Db, user: &str) -> AppResult<i64> {
    let mut resp = checked(
        db.query(
            "RETURN count(SELECT id FROM notification WHERE user = type::record('user', $u) AND read = false)",
        )
        .bind(("u", user.to_string()))
        .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0))
}
