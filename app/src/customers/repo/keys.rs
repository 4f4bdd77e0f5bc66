//! The duplicate check's reads: exact name and phone keys, and names near a new one.

use super::*;

/// An exact duplicate: which key matched, when it was registered, the customer.
#[derive(Debug, Clone, SurrealValue)]
pub struct KeyHit {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub customer: String,
    pub owner: Option<String>,
}

pub fn name_key_id(key: &str) -> String {
    format!("n:{key}")
}

pub fn phone_key_id(key: &str) -> String {
    format!("p:{key}")
}

/// The first exact match of the name or a phone, looked up by record id: one
/// point read per key, whatever the number of customers.
pub async fn find_exact(
    db: &Db,
    name_key: Option<&str>,
    phone_keys: &[String],
) -> AppResult<Option<KeyHit>> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(k) = name_key.filter(|k| !k.is_empty()) {
        ids.push(name_key_id(k));
    }
    ids.extend(phone_keys.iter().map(|k| phone_key_id(k)));
    if ids.is_empty() {
        return Ok(None);
    }
    let mut resp = checked(
        db.query(
            "SELECT (IF string::starts_with(record::id(id), 'n:') THEN 'name' ELSE 'phone' END) AS kind, \
               at, record::id(customer) AS customer, \
               (IF customer.owner != NONE THEN record::id(customer.owner) END) AS owner \
             FROM $ids.map(|$k| type::record('customer_key', $k))",
        )
        .bind(("ids", ids))
        .await?,
    )?;
    let mut hits: Vec<KeyHit> = resp.take(0)?;
    // the name first, then phones in the order given
    hits.sort_by_key(|h| h.kind != "name");
    Ok(hits.into_iter().next())
}

#[derive(Debug, SurrealValue)]
pub(super) struct KeyHitRow {
    key: String,
    at: DateTime<Utc>,
    customer: String,
    owner: Option<String>,
}

/// Which of many natural keys ("n:<name key>", "p:<phone key>") are taken, a
/// thousand at a time (an import's duplicate check).
pub async fn find_keys(
    db: &Db,
    keys: &[String],
) -> AppResult<std::collections::HashMap<String, KeyHit>> {
    let mut out = std::collections::HashMap::new();
    for part in keys.chunks(1000) {
        let mut resp = checked(
            db.query(
                "SELECT record::id(id) AS key, at, record::id(customer) AS customer, \
                   (IF customer.owner != NONE THEN record::id(customer.owner) END) AS owner \
                 FROM $ids.map(|$k| type::record('customer_key', $k))",
            )
            .bind(("ids", part.to_vec()))
            .await?,
        )?;
        let rows: Vec<KeyHitRow> = resp.take(0)?;
        for r in rows {
            let kind = if r.key.starts_with("n:") {
                "name"
            } else {
                "phone"
            };
            out.insert(
                r.key,
                KeyHit {
                    kind: kind.into(),
                    at: r.at,
                    customer: r.customer,
                    owner: r.owner,
                },
            );
        }
    }
    Ok(out)
}

#[derive(Debug, SurrealValue)]
pub(super) struct NameRow {
    name: String,
    name_key: String,
    status: String,
    owner: Option<String>,
    department: Option<String>,
}

/// A registered customer with a name similar to the one typed.
#[derive(Debug, Clone, PartialEq)]
pub struct NearRow {
    pub name: String,
    pub status: String,
    pub owner: Option<String>,
    pub department: Option<String>,
}

/// Registered customers with names similar to `name_key` (not identical), at
/// most `max`, with what decides who may read their names.
pub async fn find_near(db: &Db, name_key: &str, max: usize) -> AppResult<Vec<NearRow>> {
    if name_key.is_empty() {
        return Ok(Vec::new());
    }
    let (head, tail) = name_head_tail(name_key);
    let mut resp = checked(
        db.query(
            "SELECT name, name_key, status,
                    (IF owner != NONE THEN record::id(owner) END) AS owner,
                    (IF department != NONE THEN record::id(department) END) AS department
             FROM customer WHERE name_head = $head LIMIT 200;
             SELECT name, name_key, status,
                    (IF owner != NONE THEN record::id(owner) END) AS owner,
                    (IF department != NONE THEN record::id(department) END) AS department
             FROM customer WHERE name_tail = $tail LIMIT 200;",
        )
        .bind(("head", head))
        .bind(("tail", tail))
        .await?,
    )?;
    let mut rows: Vec<NameRow> = resp.take(0)?;
    let more: Vec<NameRow> = resp.take(1)?;
    rows.extend(more);
    let mut out: Vec<NearRow> = Vec::new();
    for r in rows {
        if is_near_match(name_key, &r.name_key) && !out.iter().any(|o| o.name == r.name) {
            out.push(NearRow {
                name: r.name,
                status: r.status,
                owner: r.owner,
                department: r.department,
            });
            if out.len() >= max {
                break;
            }
        }
    }
    Ok(out)
}
