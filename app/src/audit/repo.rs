//! The view log.

use crate::db::{checked, Db};
use crate::error::AppResult;
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

/// One owner's customers that a list showed.
#[derive(Debug, Clone, SurrealValue)]
pub struct Listed {
    pub owner: String,
    pub customers: Vec<String>,
}

/// Records one list request that showed other people's customers.
pub async fn record_list(
    db: &Db,
    viewer: &str,
    owners: Vec<Listed>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let shown: usize = owners.iter().map(|o| o.customers.len()).sum();
    checked(
        db.query(
            "CREATE customer_list_view CONTENT {
                 viewer: type::record('user', $viewer), at: $at, shown: $shown,
                 owners: $owners.map(|$o| {
                     owner: type::record('user', $o.owner),
                     customers: $o.customers.map(|$c| type::record('customer', $c)),
                 }),
             } RETURN NONE",
        )
        .bind(("viewer", viewer.to_string()))
        .bind(("at", at))
        .bind(("shown", shown as i64))
        .bind(("owners", owners))
        .await?,
    )?;
    Ok(())
}

/// List requests per viewer since `since`: how many, and how many customers
/// they showed.
#[derive(Debug, Clone, SurrealValue)]
pub struct ListReads {
    pub viewer: String,
    pub lists: i64,
    pub shown: i64,
}

/// Team lists read per viewer from the day of `since` (UTC) on, from the day
/// tallies (the lists themselves carry every customer they showed).
pub async fn list_reads_since(db: &Db, since: DateTime<Utc>) -> AppResult<Vec<ListReads>> {
    // the key is made here from a date, never from input text
    let mut resp = checked(
        db.query(format!(
            "SELECT record::id(viewer) AS viewer, math::sum(lists) AS lists, math::sum(shown) AS shown
             FROM list_read_day:['{}']..['9999-12-31'] GROUP BY viewer",
            since.format("%Y-%m-%d")
        ))
        .await?,
    )?;
    Ok(resp.take(0)?)
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
