//! The view log.

use crate::error::AppResult;
use crate::state::{checked, Db};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// Records one opening.
pub async fn record(
    db: &Db,
    viewer: &str,
    owner: &str,
    customer: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "CREATE customer_view CONTENT {
                 viewer: type::record('user', $viewer), owner: type::record('user', $owner),
                 customer: type::record('customer', $customer), at: $at,
             } RETURN NONE",
        )
        .bind(("viewer", viewer.to_string()))
        .bind(("owner", owner.to_string()))
        .bind(("customer", customer.to_string()))
        .bind(("at", at))
        .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ViewLine {
    pub viewer: String,
    pub viewer_name: Option<String>,
    pub owner: String,
    pub owner_name: Option<String>,
    pub customer: String,
    pub customer_name: Option<String>,
    pub at: DateTime<Utc>,
}

const FIELDS: &str = "record::id(viewer) AS viewer, viewer.name AS viewer_name, \
    record::id(owner) AS owner, owner.name AS owner_name, \
    record::id(customer) AS customer, customer.name AS customer_name, at";

/// Every opening since `since`, oldest first.
pub async fn since(db: &Db, since: DateTime<Utc>) -> AppResult<Vec<ViewLine>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {FIELDS} FROM customer_view WHERE at >= $since ORDER BY at"
        ))
        .bind(("since", since))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Openings of `owner`'s customers since `since`, newest first, at most `limit`.
pub async fn of_owner(
    db: &Db,
    owner: &str,
    since: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<ViewLine>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {FIELDS} FROM customer_view \
             WHERE owner = type::record('user', $owner) AND at >= $since ORDER BY at DESC LIMIT $limit"
        ))
        .bind(("owner", owner.to_string()))
        .bind(("since", since))
        .bind(("limit", limit as i64))
        .await?,
    )?;
    Ok(resp.take(0)?)
}
