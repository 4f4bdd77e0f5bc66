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

impl HistoryRow {
    /// The row as a page shows it, its time in the company's zone.
    pub fn entry(self, tz: &chrono_tz::Tz) -> crate::customers::model::HistoryEntry {
        crate::customers::model::HistoryEntry {
            when: crate::calendar::local_stamp(self.at, tz),
            at: self.at,
            actor_name: self.actor_name,
            action: self.action,
            rule: self.rule,
            from_owner: self.from_owner,
            to_owner: self.to_owner,
            from_stage: self.from_stage,
            to_stage: self.to_stage,
            reason: self.reason,
            feedback: self
                .feedback
                .into_iter()
                .map(|f| (f.label, f.answer))
                .collect(),
        }
    }
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
