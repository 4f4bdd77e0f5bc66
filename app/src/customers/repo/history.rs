//! A customer's history rows, oldest first.

use super::*;

#[derive(Debug, Clone, SurrealValue)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub action: String,
    pub rule: Option<String>,
    pub from_owner: Option<String>,
    pub to_owner: Option<String>,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub reason: Option<String>,
    pub feedback: Vec<FeedbackIn>,
}

pub async fn history(db: &Db, id: &str) -> AppResult<Vec<HistoryRow>> {
    let mut resp = checked(
        db.query(
            "SELECT at, actor.name AS actor_name, action, rule, from_owner.name AS from_owner, \
               to_owner.name AS to_owner, from_stage.name AS from_stage, \
               to_stage.name AS to_stage, reason, feedback \
             FROM customer_history WHERE customer = type::record('customer', $id) \
             ORDER BY at",
        )
        .bind(("id", id.to_string()))
        .await?,
    )?;
    // read forward (a backward index scan is slow on SurrealKV), newest first
    let mut rows: Vec<HistoryRow> = resp.take(0)?;
    rows.reverse();
    Ok(rows)
}
