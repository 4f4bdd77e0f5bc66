//! Reads of the referral links; changing a customer's referrer.

use crate::error::AppResult;
use crate::state::{checked, Db};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
pub struct LinkRow {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub status: String,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub department: Option<String>,
    pub won: bool,
    pub expected_cents: i64,
    pub stage_name: Option<String>,
}

const LINK_FIELDS: &str = "record::id(id) AS id, name, \
    (IF referred_by != NONE THEN record::id(referred_by) END) AS parent, status, \
    (IF owner != NONE THEN record::id(owner) END) AS owner, owner.name AS owner_name, \
    (IF department != NONE THEN record::id(department) END) AS department, \
    won, expected_cents, stage.name AS stage_name";

/// Every customer with its referrer (one pass over the customers).
pub async fn links(db: &Db) -> AppResult<Vec<LinkRow>> {
    let mut resp = checked(
        db.query(format!("SELECT {LINK_FIELDS} FROM customer"))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Customers whose name holds `q`, won ones first (the caller keeps the ones
/// the viewer may see).
pub async fn named(db: &Db, q: &str, limit: usize) -> AppResult<Vec<LinkRow>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {LINK_FIELDS} FROM customer WHERE string::contains(name, $q) \
             ORDER BY won DESC, name LIMIT $limit"
        ))
        .bind(("q", q.to_string()))
        .bind(("limit", limit as i64))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Sets (or clears) the referrer, with a history row naming the actor.
pub async fn set_referrer(
    db: &Db,
    customer: &str,
    referrer: Option<String>,
    actor: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $c = type::record('customer', $id);
             LET $r = IF $ref != NONE THEN type::record('customer', $ref) END;
             UPDATE $c SET referred_by = $r RETURN NONE;
             CREATE customer_history CONTENT {
                 customer: $c, at: $now, actor: type::record('user', $actor), action: 'referrer',
                 reason: IF $r != NONE THEN $r.name END, feedback: [],
             } RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("id", customer.to_string()))
        .bind(("ref", referrer))
        .bind(("actor", actor.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}
