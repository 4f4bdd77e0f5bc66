//! Reads of the referral links; changing a customer's referrer.

use crate::db::{checked, record_ids, Db};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A customer as the referral page needs it to build and prune the trees.
#[derive(Debug, Clone, SurrealValue)]
pub struct LinkRow {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub status: String,
    pub owner: Option<String>,
    pub department: Option<String>,
    pub won: bool,
    pub expected_cents: i64,
}

const LINK_FIELDS: &str = "record::id(id) AS id, name, \
    (IF referred_by != NONE THEN record::id(referred_by) END) AS parent, status, \
    (IF owner != NONE THEN record::id(owner) END) AS owner, \
    (IF department != NONE THEN record::id(department) END) AS department, \
    won, expected_cents";

/// The customers the referral page is about: in a tree (referred, or referring
/// others) or won. An index read of exactly those, not of every customer.
pub async fn linked(db: &Db) -> AppResult<Vec<LinkRow>> {
    let mut resp = checked(db.query(linked_statement()).await?)?;
    Ok(resp.take(0)?)
}

/// `linked`'s query (its plan is checked by the tests).
pub fn linked_statement() -> String {
    format!("SELECT {LINK_FIELDS} FROM customer WHERE in_referrals = true")
}

/// The newest touches of those customers (see `referral_touch` in the schema):
/// what a copy in memory was loaded under. A few, so two changes in the same
/// microsecond still differ.
pub async fn touched(db: &Db) -> AppResult<Vec<String>> {
    let mut resp = checked(db.query(TOUCHED).await?)?;
    Ok(resp.take(0)?)
}

/// `touched`'s query (its plan is checked by the tests).
pub const TOUCHED: &str = "SELECT VALUE stamp FROM referral_touch ORDER BY newest LIMIT 4";

/// What a shown customer displays beyond its link: its stage and owner's name.
#[derive(Debug, Clone, SurrealValue)]
pub struct Label {
    pub id: String,
    pub stage_name: Option<String>,
    pub owner_name: Option<String>,
}

/// The labels of the customers a page shows (by id, through the records).
pub async fn labels(db: &Db, ids: &[String]) -> AppResult<Vec<Label>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, stage.name AS stage_name, owner.name AS owner_name \
             FROM $ids",
        )
        .bind(("ids", record_ids("customer", ids)))
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
