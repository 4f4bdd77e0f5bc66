//! Disputes over who registered a customer first.

use super::*;

#[derive(Debug, Clone, SurrealValue)]
pub struct DisputeRow {
    pub id: String,
    pub customer: String,
    pub customer_name: String,
    pub owner_name: Option<String>,
    pub customer_department: Option<String>,
    pub raised_by: String,
    pub raised_by_name: String,
    pub raised_by_department: String,
    pub attempted_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

pub(super) const DISPUTE_FIELDS: &str = "record::id(id) AS id, record::id(customer) AS customer, \
    customer.name AS customer_name, customer.owner.name AS owner_name, \
    (IF customer.department != NONE THEN record::id(customer.department) END) AS customer_department, \
    record::id(raised_by) AS raised_by, raised_by.name AS raised_by_name, \
    record::id(department) AS raised_by_department, attempted_name, note, at";

pub async fn insert_dispute(
    db: &Db,
    customer: &str,
    raised_by: &str,
    department: &str,
    attempted_name: String,
    note: String,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let key = new_key();
    checked(
        db.query(
            "BEGIN TRANSACTION;
             IF count(SELECT id FROM dispute WHERE department = type::record('department', $dept)
                      AND status = 'open' AND customer = type::record('customer', $customer)
                      AND raised_by = type::record('user', $by)) > 0 {
                 THROW 'bpc:conflict:dispute_open';
             };
             CREATE type::record('dispute', $key) CONTENT {
                 customer: type::record('customer', $customer), raised_by: type::record('user', $by),
                 department: type::record('department', $dept), attempted_name: $name,
                 note: $note, at: $now, status: 'open',
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("customer", customer.to_string()))
        .bind(("by", raised_by.to_string()))
        .bind(("dept", department.to_string()))
        .bind(("name", attempted_name))
        .bind(("note", note))
        .bind(("now", now))
        .await?,
    )?;
    Ok(key)
}

pub async fn open_disputes(db: &Db, departments: Option<&[String]>) -> AppResult<Vec<DisputeRow>> {
    let sql = format!(
        "SELECT {DISPUTE_FIELDS} FROM dispute WHERE status = 'open' AND \
         ($all OR department IN $depts) ORDER BY at"
    );
    let mut resp = checked(
        db.query(sql)
            .bind(("all", departments.is_none()))
            .bind((
                "depts",
                crate::db::record_ids("department", departments.unwrap_or_default()),
            ))
            .await?,
    )?;
    let rows: Vec<DisputeRow> = resp.take(0)?;
    Ok(rows)
}

pub async fn load_dispute(db: &Db, id: &str) -> AppResult<Option<DisputeRow>> {
    let sql = format!(
        "SELECT {DISPUTE_FIELDS} FROM dispute WHERE id = type::record('dispute', $id) AND status = 'open'"
    );
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    let rows: Vec<DisputeRow> = resp.take(0)?;
    Ok(rows.into_iter().next())
}

pub async fn close_dispute(
    db: &Db,
    id: &str,
    actor: &str,
    status: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $d = type::record('dispute', $id);
             IF $d.status != 'open' { THROW 'bpc:conflict:stale'; };
             UPDATE $d SET status = $status, decided_by = type::record('user', $actor), decided_at = $now;
             CREATE notification CONTENT {
                 user: $d.raised_by, kind: 'dispute_' + $status, customer: $d.customer,
                 customer_name: $d.attempted_name, at: $now, read: false,
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("actor", actor.to_string()))
        .bind(("status", status.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}
