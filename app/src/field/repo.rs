//! SurrealDB access for visits and follow-ups: the record, the customer's clocks
//! and the feed event in one transaction.

use crate::customers::repo::OwnershipState;
use crate::db::{checked, Db};
use crate::error::{AppError, AppResult};
use crate::live::post::{FeedIn, CREATE_EVENT};
use chrono::{DateTime, Utc};
use std::sync::LazyLock;
use surrealdb::types::SurrealValue;

/// A visit or follow-up to store. `id` is `<user>:<idempotency key>`.
#[derive(Debug, Clone, SurrealValue)]
pub struct VisitIn {
    pub id: String,
    pub user: String,
    pub department: String,
    pub customer: String,
    pub purpose: String,
    pub text: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy: Option<f64>,
    pub distance_m: Option<f64>,
    pub flags: Vec<String>,
    pub photos: Vec<String>,
    pub captured_at: Option<DateTime<Utc>>,
    /// The local day of the visit (company zone), which credits it on the boards.
    pub day: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    Checkin,
    Followup,
}

static VISIT_SQL: LazyLock<[String; 2]> = LazyLock::new(|| {
    let body = |create: &str| {
        format!(
            "BEGIN TRANSACTION;
             LET $c = type::record('customer', $v.customer);
             IF $clocks != NONE {{
                 -- only the customer as it was read (one fetch, not a check and a write)
                 LET $moved = (UPDATE $c SET last_followup_at = $clocks.last_followup_at,
                     due_at = $clocks.due_at, due_clock = $clocks.due_clock,
                     warn_at = $clocks.warn_at, warned = $clocks.warned,
                     revisit_missed = $clocks.revisit_missed, version = $version + 1 WHERE version = $version RETURN VALUE version);
                 IF array::len($moved) == 0 {{ THROW 'bpc:conflict:stale'; }};
             }};
             {create}
             {CREATE_EVENT}
             COMMIT TRANSACTION;"
        )
    };
    [
        body(
            "CREATE type::record('checkin', $v.id) CONTENT {
                 user: type::record('user', $v.user),
                 department: type::record('department', $v.department),
                 customer: $c, purpose: $v.purpose, lat: $v.lat, lng: $v.lng,
                 accuracy: $v.accuracy, distance_m: $v.distance_m, flags: $v.flags,
                 photos: $v.photos, captured_at: $v.captured_at, at: $now, day: $v.day,
             } RETURN NONE;",
        ),
        body(
            "CREATE type::record('followup', $v.id) CONTENT {
                 user: type::record('user', $v.user),
                 department: type::record('department', $v.department),
                 customer: $c, text: $v.text, photos: $v.photos, at: $now, day: $v.day,
             } RETURN NONE;",
        ),
    ]
});

/// Why a visit was not written.
#[derive(Debug)]
pub enum VisitError {
    /// The customer changed since it was read, or the same key raced in: re-read.
    Retry,
    Other(AppError),
}

/// Stores the visit, resets the customer's clocks (when `clocks` is given, at
/// `version`) and adds the feed event, in one transaction.
pub async fn record_visit(
    db: &Db,
    kind: VisitKind,
    visit: VisitIn,
    clocks: Option<OwnershipState>,
    version: i64,
    feed: FeedIn,
    now: DateTime<Utc>,
) -> Result<(), VisitError> {
    let sql = &VISIT_SQL[match kind {
        VisitKind::Checkin => 0,
        VisitKind::Followup => 1,
    }];
    let result = db
        .query(sql.as_str())
        .bind(("v", visit))
        .bind(("clocks", clocks))
        .bind(("version", version))
        .bind(("feed", feed))
        .bind(("now", now))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(()),
        Err(AppError::Conflict { code }) if code == "stale" => Err(VisitError::Retry),
        // a write conflict, or the same record id created concurrently
        Err(e) if crate::error::is_race(&e) => Err(VisitError::Retry),
        Err(e) => Err(VisitError::Other(e)),
    }
}

/// A stored check-in, for answering a repeated key.
#[derive(Debug, Clone, SurrealValue)]
pub struct StoredCheckin {
    pub customer_name: String,
    pub distance_m: Option<f64>,
    pub flags: Vec<String>,
}

pub async fn stored_checkin(db: &Db, id: &str) -> AppResult<Option<StoredCheckin>> {
    let mut resp = checked(
        db.query(
            "SELECT customer.name AS customer_name, distance_m, flags \
             FROM type::record('checkin', $id)",
        )
        .bind(("id", id.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn visit_exists(db: &Db, kind: VisitKind, id: &str) -> AppResult<bool> {
    let table = match kind {
        VisitKind::Checkin => "checkin",
        VisitKind::Followup => "followup",
    };
    let mut resp = checked(
        db.query("RETURN record::exists(type::record($table, $id))")
            .bind(("table", table))
            .bind(("id", id.to_string()))
            .await?,
    )?;
    let b: Option<bool> = resp.take(0)?;
    Ok(b.unwrap_or(false))
}

/// Customers a user may check in at: their own (drafts and owned), plus a
/// manager's department tree, with positions.
#[derive(Debug, Clone, SurrealValue)]
pub struct PlaceRow {
    pub id: String,
    pub name: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// What the picker's search box finds a customer by.
    pub phones: Vec<String>,
    pub contact: String,
    pub decision_maker: String,
    /// Every contact's name, those added after registration too.
    pub contact_names: Vec<String>,
}

pub async fn places(db: &Db, user: &str, departments: &[String]) -> AppResult<Vec<PlaceRow>> {
    // one read on the owner index and one on the department index (an OR of the
    // two would read every customer), merged here
    let mut statements = vec![format!(
        "SELECT {PLACE_FIELDS} FROM customer \
         WHERE owner = type::record('user', $u) AND status IN ['draft', 'owned', 'held'] LIMIT 2000"
    )];
    if !departments.is_empty() {
        statements.push(format!(
            "SELECT {PLACE_FIELDS} FROM customer \
             WHERE department IN $depts \
               AND status IN ['draft', 'owned'] LIMIT 2000"
        ));
    }
    let mut resp = checked(
        db.query(statements.join(";"))
            .bind(("u", user.to_string()))
            .bind(("depts", crate::db::record_ids("department", departments)))
            .await?,
    )?;
    let mut rows: Vec<PlaceRow> = resp.take(0)?;
    if statements.len() > 1 {
        let more: Vec<PlaceRow> = resp.take(1)?;
        rows.extend(more);
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    rows.dedup_by(|a, b| a.id == b.id);
    rows.truncate(2000);
    Ok(rows)
}

const PLACE_FIELDS: &str =
    "record::id(id) AS id, name, address, lat, lng, phones, contact, decision_maker, \
     contact_names ?? [] AS contact_names";
