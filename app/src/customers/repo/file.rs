//! The customer file's writes and reads: contacts, and every change kept as
//! before → after (`customer_change`). A change that sets a value carries the
//! version it was decided on; a change that takes a name or phone creates its
//! natural key in the same transaction, so a collision refuses it whole.

use super::*;
use crate::customers::edit::ValidContact;

/// A contact as stored, with who added it.
#[derive(Debug, Clone, SurrealValue)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub title: String,
    pub phones: Vec<String>,
    pub reach: String,
    pub decision_maker: bool,
    pub birthday: Option<String>,
    pub notes: String,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// The customer's contacts, oldest first (the registration's first).
pub async fn contacts(db: &Db, customer: &str) -> AppResult<Vec<ContactRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, name, title, phones, reach, decision_maker, birthday,
                    notes, by.name AS by_name, at
             FROM contact WHERE customer = type::record('customer', $c) ORDER BY at LIMIT 100",
        )
        .bind(("c", customer.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Adds a contact; its name and phones become search terms.
pub async fn add_contact(
    db: &Db,
    customer: &str,
    by: &str,
    c: &ValidContact,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $c = type::record('customer', $id);
             IF !record::exists($c) { THROW 'bpc:notfound'; };
             CREATE contact CONTENT {
                 customer: $c, name: $v.name, title: $v.title, phones: $v.phones,
                 reach: $v.reach, decision_maker: $v.decision_maker, birthday: $v.birthday,
                 notes: $v.notes, by: type::record('user', $by), at: $now,
             } RETURN NONE;
             UPDATE $c SET contact_names = array::union(contact_names ?? [], [$v.name]) RETURN NONE;
             CREATE term_todo CONTENT { customer: $c } RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("id", customer.to_string()))
        .bind(("by", by.to_string()))
        .bind(("now", now))
        .bind(("v", {
            let mut v = serde_json::json!({
                "name": c.name, "title": c.title, "phones": c.phones, "reach": c.reach,
                "decision_maker": c.decision_maker, "notes": c.notes,
            });
            // a JSON null is SurrealDB's NULL, not NONE: an unknown birthday is left out
            if let Some(d) = c.birthday {
                v["birthday"] = serde_json::Value::String(d.to_string());
            }
            v
        }))
        .await?,
    )?;
    Ok(())
}

/// One change to write: what it sets on the customer (a JSON object merged
/// into it; empty for a request), the trail row, and the keys it takes.
pub struct FileWrite<'a> {
    pub customer: &'a str,
    pub by: &'a str,
    pub now: DateTime<Utc>,
    /// The version the change was decided on (`None`: an addition, which
    /// cannot lose anyone's update).
    pub version: Option<i64>,
    pub field: &'a str,
    pub before: String,
    pub after: String,
    pub reason: Option<String>,
    /// 'applied' or 'pending'.
    pub status: &'static str,
    /// Merged into the customer when applied.
    pub set: serde_json::Value,
    /// Natural keys the new value takes ("n:…", "p:…"): refused if held by another.
    pub keys: Vec<String>,
    /// Its search terms change (a name, phones).
    pub reindex: bool,
    /// Clears the close date (a JSON null is not SurrealDB's NONE).
    pub clear_close: bool,
    /// Notifications written with it.
    pub notify: Vec<NotificationIn>,
}

/// What applying a change does to the customer `$c`: takes the natural keys
/// of the new value (refused when another customer holds one), merges the
/// value, clears the close date when asked, and queues new search terms.
const APPLY: &str = "
    FOR $k IN $keys {
        LET $held = type::record('customer_key', $k);
        IF record::exists($held) {
            IF $held.customer != $c { THROW 'bpc:conflict:duplicate'; };
        } ELSE {
            CREATE $held CONTENT { customer: $c, at: $now } RETURN NONE;
        };
    };
    UPDATE $c MERGE $set RETURN NONE;
    IF $clear_close { UPDATE $c SET close_on = NONE RETURN NONE; };
    IF $reindex { CREATE term_todo CONTENT { customer: $c } RETURN NONE; }";

static WRITE_SQL: LazyLock<String> = LazyLock::new(|| {
    "BEGIN TRANSACTION;
             LET $c = type::record('customer', $id);
             LET $v = $c.version;
             IF $v = NONE { THROW 'bpc:notfound'; };
             IF $version != NONE AND $v != $version { THROW 'bpc:conflict:stale'; };
             IF $status = 'applied' { {APPLY} };
             UPDATE $c SET version = $v + 1 RETURN NONE;
             CREATE customer_change CONTENT {
                 customer: $c, department: $c.department, field: $field, before: $before,
                 after: $after, reason: $reason, by: type::record('user', $by), at: $now,
                 status: $status,
             } RETURN NONE;
             FOR $n IN $notify {
                 CREATE notification CONTENT {
                     user: type::record('user', $n.user), kind: $n.kind, customer: $c,
                     customer_name: $c.name, detail: $n.detail, at: $now, read: false,
                 } RETURN NONE;
             };
             COMMIT TRANSACTION;"
        .replace("{APPLY}", APPLY)
});

static DECIDE_SQL: LazyLock<String> = LazyLock::new(|| {
    "BEGIN TRANSACTION;
             LET $ch = type::record('customer_change', $change);
             IF $ch.status != 'pending' { THROW 'bpc:conflict:decided'; };
             UPDATE $ch SET status = IF $approve THEN 'approved' ELSE 'refused' END,
                 decided_by = type::record('user', $by), decided_at = $now RETURN NONE;
             IF $customer != NONE {
                 LET $c = type::record('customer', $customer);
                 IF $version != NONE AND $c.version != $version { THROW 'bpc:conflict:stale'; };
                 {APPLY};
                 UPDATE $c SET version = version + 1 RETURN NONE;
             };
             FOR $n IN $notify {
                 CREATE notification CONTENT {
                     user: type::record('user', $n.user), kind: $n.kind, customer: $ch.customer,
                     customer_name: $ch.customer.name, detail: $n.detail, at: $now, read: false,
                 } RETURN NONE;
             };
             COMMIT TRANSACTION;"
        .replace("{APPLY}", APPLY)
});

/// Writes one change in one transaction: `Conflict("stale")` when the customer
/// moved on since `version`, `Conflict("duplicate")` when a key is another
/// customer's.
pub async fn write_change(db: &Db, w: FileWrite<'_>) -> AppResult<()> {
    let result = db
        .query(WRITE_SQL.as_str())
        .bind(("id", w.customer.to_string()))
        .bind(("id", w.customer.to_string()))
        .bind(("by", w.by.to_string()))
        .bind(("now", w.now))
        .bind(("version", w.version))
        .bind(("field", w.field.to_string()))
        .bind(("before", w.before))
        .bind(("after", w.after))
        .bind(("reason", w.reason))
        .bind(("status", w.status))
        .bind(("set", w.set))
        .bind(("keys", w.keys))
        .bind(("reindex", w.reindex))
        .bind(("clear_close", w.clear_close))
        .bind(("notify", w.notify))
        .await;
    written(result)
}

/// A file write's answer: two writers committing at the same moment is the
/// same conflict as a version that moved on (the other one won).
fn written(result: Result<surrealdb::IndexedResults, surrealdb::Error>) -> AppResult<()> {
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(()),
        Err(e) if crate::error::is_race(&e) => Err(AppError::Conflict {
            code: "stale".into(),
        }),
        Err(e) => Err(e),
    }
}

/// A change as stored, with the names the page shows.
#[derive(Debug, Clone, SurrealValue)]
pub struct ChangeRow {
    pub id: String,
    pub customer: String,
    pub customer_name: Option<String>,
    pub field: String,
    pub before: String,
    pub after: String,
    pub reason: Option<String>,
    pub by: String,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    pub status: String,
    pub decided_by_name: Option<String>,
}

const CHANGE_FIELDS: &str = "record::id(id) AS id, record::id(customer) AS customer, \
    customer.name AS customer_name, field, before, after, reason, record::id(by) AS by, \
    by.name AS by_name, at, status, decided_by.name AS decided_by_name";

/// The customer's correction requests still waiting.
pub async fn pending_on(db: &Db, customer: &str) -> AppResult<Vec<ChangeRow>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {CHANGE_FIELDS} FROM customer_change WITH INDEX change_customer
             WHERE customer = type::record('customer', $c) AND status = 'pending'
             ORDER BY at LIMIT 50"
        ))
        .bind(("c", customer.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Requests waiting in these departments (a manager's list), oldest first.
pub async fn pending_in(db: &Db, departments: &[String]) -> AppResult<Vec<ChangeRow>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {CHANGE_FIELDS} FROM customer_change
             WHERE department IN $d.map(|$x| type::record('department', $x)) AND status = 'pending'
             ORDER BY at LIMIT 200"
        ))
        .bind(("d", departments.to_vec()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Every request waiting (the boss's list).
pub async fn pending_all(db: &Db) -> AppResult<Vec<ChangeRow>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {CHANGE_FIELDS} FROM customer_change WHERE status = 'pending'
             ORDER BY at LIMIT 200"
        ))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// One change by id.
pub async fn change(db: &Db, id: &str) -> AppResult<Option<ChangeRow>> {
    let id = valid_key(id)?;
    let mut resp = checked(
        db.query(format!(
            "SELECT {CHANGE_FIELDS} FROM type::record('customer_change', $id)"
        ))
        .bind(("id", id.to_string()))
        .await?,
    )?;
    let rows: Vec<ChangeRow> = resp.take(0)?;
    Ok(rows.into_iter().next())
}

/// Marks a pending request decided; with `apply`, writes its value (and takes
/// its keys) in the same transaction. `Conflict("decided")` if someone decided
/// it first; `Conflict("changed_since")` when the field no longer holds the
/// request's `before` (checked by the caller's `still`).
pub async fn decide_change(
    db: &Db,
    change: &str,
    by: &str,
    approve: bool,
    apply: Option<FileWrite<'_>>,
    notify: Vec<NotificationIn>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (customer, set, keys, reindex, clear_close, version) = match apply {
        Some(w) => (
            Some(w.customer.to_string()),
            w.set,
            w.keys,
            w.reindex,
            w.clear_close,
            w.version,
        ),
        None => (
            None,
            serde_json::Value::Null,
            Vec::new(),
            false,
            false,
            None,
        ),
    };
    let result = db
        .query(DECIDE_SQL.as_str())
        .bind(("change", change.to_string()))
        .bind(("by", by.to_string()))
        .bind(("approve", approve))
        .bind(("customer", customer))
        .bind(("set", set))
        .bind(("keys", keys))
        .bind(("reindex", reindex))
        .bind(("clear_close", clear_close))
        .bind(("version", version))
        .bind(("notify", notify))
        .bind(("now", now))
        .await;
    written(result)
}

/// What a correction compares and changes: the registered facts as stored.
#[derive(Debug, Clone, SurrealValue)]
pub struct FactsRow {
    pub name: String,
    pub name_key: String,
    pub phones: Vec<String>,
    pub phone_keys: Vec<String>,
    pub industry: String,
    pub region: String,
    pub address: String,
    pub source: String,
    pub size: String,
    pub close_on: Option<String>,
    pub expected_cents: i64,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub notes: String,
    pub version: i64,
}

pub async fn facts(db: &Db, customer: &str) -> AppResult<Option<FactsRow>> {
    let mut resp = checked(
        db.query(
            "SELECT name, name_key, phones, phone_keys, industry, region, address, source, size,
                    close_on, expected_cents, lat, lng, notes, version
             FROM type::record('customer', $c)",
        )
        .bind(("c", customer.to_string()))
        .await?,
    )?;
    let rows: Vec<FactsRow> = resp.take(0)?;
    Ok(rows.into_iter().next())
}
