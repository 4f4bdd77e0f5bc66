//! SurrealDB access for customers. Every ownership or stage change goes through
//! `transition`: one transaction that checks the version the decision was made on,
//! writes the new state, appends the history row and the notifications. Two
//! writers deciding on the same version: the database lets exactly one through.

use crate::customers::input::{name_head_tail, ValidCustomer};
use crate::customers::model::Status;
use crate::customers::rules::is_near_match;
use crate::db::{checked, new_key, Db};
use crate::error::{AppError, AppResult};
use crate::funnel::scope::ListScope;
use crate::live::post::{FeedIn, CREATE_EVENT};
use chrono::{DateTime, Utc};
use std::sync::LazyLock;
use surrealdb::types::SurrealValue;

mod disputes;
mod file;
mod history;
mod keys;
mod lists;
mod write;
pub use disputes::*;
pub use file::*;
pub use history::*;
pub use keys::*;
pub use lists::*;
pub use write::*;

/// A customer as stored, with the names the UI shows.
#[derive(Debug, Clone, SurrealValue)]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub phones: Vec<String>,
    pub contact: String,
    pub contact_role: String,
    pub decision_maker: String,
    pub address: String,
    pub region: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub industry: String,
    pub size: String,
    pub source: String,
    pub referred_by: Option<String>,
    pub referred_name: Option<String>,
    pub founded_on: Option<String>,
    pub dm_birthday: Option<String>,
    pub revisit_days: Option<i64>,
    pub notes: String,
    pub expected_cents: i64,
    pub close_on: Option<String>,
    /// Every contact's name (search).
    pub contact_names: Vec<String>,
    pub created_by: String,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub owner_name: Option<String>,
    pub state: OwnershipState,
}

/// Everything a transition may change. Loaded whole, changed in Rust by the
/// rules, written back whole under the version it was loaded at.
#[derive(Debug, Clone, PartialEq, SurrealValue)]
pub struct OwnershipState {
    pub status: String,
    pub owner: Option<String>,
    pub department: Option<String>,
    pub checklist: Vec<String>,
    pub stage: String,
    pub won: bool,
    pub reached: i64,
    pub stage_entered_at: DateTime<Utc>,
    pub last_followup_at: DateTime<Utc>,
    pub owned_since: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_clock: Option<String>,
    pub warn_at: Option<DateTime<Utc>>,
    pub warned: Option<String>,
    pub released_by: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub lost_proposal: Option<String>,
    /// Revisit reminders sent since the last follow-up (a won customer's clock).
    pub revisit_missed: i64,
    pub version: i64,
}

impl OwnershipState {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Lost)
    }
}

fn opt_id(field: &str) -> String {
    format!("(IF {field} != NONE THEN record::id({field}) END)")
}

/// The SELECT list for a `CustomerRow`, built once.
pub fn row_fields() -> &'static str {
    &ROW_FIELDS
}

/// The SELECT expression for an `OwnershipState`, built once.
static STATE_FIELDS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{{ status: status, owner: {owner}, department: {dept}, checklist: checklist, \
            stage: record::id(stage), won: won, reached: reached, \
            stage_entered_at: stage_entered_at, last_followup_at: last_followup_at, \
            owned_since: owned_since, due_at: due_at, due_clock: due_clock, warn_at: warn_at, \
            warned: warned, released_by: {released}, released_at: released_at, \
            lost_proposal: lost_proposal, revisit_missed: revisit_missed ?? 0, \
            version: version }} AS state",
        owner = opt_id("owner"),
        dept = opt_id("department"),
        released = opt_id("released_by"),
    )
});

static ROW_FIELDS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "record::id(id) AS id, name, phones, contact, contact_role, decision_maker, address, \
         region, lat, lng, industry, size, source, {ref_id} AS referred_by, \
         referred_by.name AS referred_name, founded_on, dm_birthday, revisit_days, notes, expected_cents, close_on, contact_names ?? [] AS contact_names, \
         record::id(created_by) AS created_by, created_by.name AS created_by_name, created_at, \
         owner.name AS owner_name, {state}",
        ref_id = opt_id("referred_by"),
        state = STATE_FIELDS.as_str(),
    )
});

static LOAD_SQL: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM type::record('customer', $id)", row_fields()));

/// What a visit needs of a customer: its name, where it is, its revisit interval
/// and its ownership state (no linked names, unlike `CustomerRow`).
#[derive(Debug, Clone, SurrealValue)]
pub struct VisitRow {
    pub id: String,
    pub name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub revisit_days: Option<i64>,
    pub state: OwnershipState,
}

impl From<CustomerRow> for VisitRow {
    fn from(r: CustomerRow) -> VisitRow {
        VisitRow {
            id: r.id,
            name: r.name,
            lat: r.lat,
            lng: r.lng,
            revisit_days: r.revisit_days,
            state: r.state,
        }
    }
}

static VISIT_LOAD_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT record::id(id) AS id, name, lat, lng, revisit_days, {} \
         FROM type::record('customer', $id)",
        STATE_FIELDS.as_str()
    )
});

pub async fn load_for_visit(db: &Db, id: &str) -> AppResult<Option<VisitRow>> {
    let mut resp = checked(
        db.query(VISIT_LOAD_SQL.as_str())
            .bind(("id", id.to_string()))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn load(db: &Db, id: &str) -> AppResult<Option<CustomerRow>> {
    let mut resp = checked(
        db.query(LOAD_SQL.as_str())
            .bind(("id", id.to_string()))
            .await?,
    )?;
    let row: Option<CustomerRow> = resp.take(0)?;
    Ok(row)
}

/// Active users who may own customers in these departments, with their load.
#[derive(Debug, Clone, SurrealValue)]
pub struct AssigneeRow {
    pub id: String,
    pub name: String,
    pub department: String,
    pub owned: i64,
}

pub async fn assignees(db: &Db, departments: &[String]) -> AppResult<Vec<AssigneeRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, name, record::id(department) AS department, \
               count(SELECT id FROM customer WHERE owner = $parent.id AND status = 'owned') AS owned \
             FROM user WHERE active = true AND role IN ['rep', 'manager'] \
               AND department IN $depts ORDER BY name",
        )
        .bind(("depts", crate::db::record_ids("department", departments)))
        .await?,
    )?;
    let rows: Vec<AssigneeRow> = resp.take(0)?;
    Ok(rows)
}

/// A sanity guard used by callers that map ids from the wire.
pub fn valid_key(id: &str) -> AppResult<&str> {
    if !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

/// Audits a customer export: who, which list, how many rows (the time is the row's own).
pub async fn record_export(db: &Db, user: &str, view: &str, rows: usize) -> AppResult<()> {
    checked(
        db.query(
            "CREATE audit_log CONTENT {
                 actor: type::record('user', $u), action: 'export_customers',
                 target: type::record('user', $u), detail: { view: $view, rows: $rows },
             } RETURN NONE",
        )
        .bind(("u", user.to_string()))
        .bind(("view", view.to_string()))
        .bind(("rows", rows as i64))
        .await?,
    )?;
    Ok(())
}
