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
            lost_proposal: lost_proposal, version: version }} AS state",
        owner = opt_id("owner"),
        dept = opt_id("department"),
        released = opt_id("released_by"),
    )
});

static ROW_FIELDS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "record::id(id) AS id, name, phones, contact, contact_role, decision_maker, address, \
         region, lat, lng, industry, size, source, {ref_id} AS referred_by, \
         referred_by.name AS referred_name, founded_on, dm_birthday, revisit_days, notes, expected_cents, \
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

/// Pool filters; empty strings mean any.
#[derive(Clone, Debug, Default)]
pub struct PoolFilter {
    pub industry: String,
    pub size: String,
    pub region: String,
    pub source: String,
    pub stage: String,
}

/// A list of `limit` customers: the pool newest first; other lists nearest
/// deadline first (read in deadline order, so a customer about to be taken is
/// on the first page however old it is), then those without a running clock,
/// newest first.
pub async fn list(
    db: &Db,
    scope: &ListScope,
    filter: &PoolFilter,
    limit: usize,
) -> AppResult<Vec<CustomerRow>> {
    let (whose, key) = scope.filter();
    let status = match scope {
        ListScope::Inbox(_) => "status = 'held'",
        ListScope::Pool => "status = 'pool'",
        _ => "status IN ['draft', 'owned', 'held']",
    };
    // only the filters asked for: a condition like `$industry = '' OR …` keeps
    // the planner from reading the pool newest first on its index
    let mut cond: Vec<String> = [whose, status]
        .into_iter()
        .filter(|c| *c != "true")
        .map(str::to_string)
        .collect();
    for (value, clause) in [
        (&filter.industry, "industry = $industry"),
        (&filter.size, "size = $size"),
        (&filter.region, "region = $region"),
        (&filter.source, "source = $source"),
        (&filter.stage, "stage = type::record('stage', $stage)"),
    ] {
        if !value.is_empty() {
            cond.push(clause.to_string());
        }
    }
    let fields = row_fields();
    let read = |sql: String, limit: usize| {
        db.query(sql)
            .bind(("key", key.clone()))
            .bind(("depts", scope.departments()))
            .bind(("industry", filter.industry.clone()))
            .bind(("size", filter.size.clone()))
            .bind(("region", filter.region.clone()))
            .bind(("source", filter.source.clone()))
            .bind(("stage", filter.stage.clone()))
            .bind(("limit", limit as i64))
    };
    if matches!(scope, ListScope::Pool) {
        let sql = format!(
            "SELECT {fields} FROM customer WHERE {} ORDER BY newest LIMIT $limit",
            cond.join(" AND ")
        );
        let mut resp = checked(read(sql, limit).await?)?;
        return Ok(resp.take(0)?);
    }
    // A team's or the company's clocks in deadline order on the deadline index,
    // each checked against the scope, until a page is full; a rep's or an inbox's
    // few customers through their owner index.
    let hint = match scope {
        ListScope::All | ListScope::Departments(_) => "WITH INDEX customer_due ",
        // left to itself the planner walks every clock in the company for one owner
        _ => "WITH INDEX customer_owner ",
    };
    let rest_hint = match scope {
        ListScope::Owner(_) | ListScope::Inbox(_) => hint,
        _ => "",
    };
    let mut resp = checked(
        read(
            format!(
                "SELECT {fields} FROM customer {hint}WHERE due_at >= d'2000-01-01T00:00:00Z' AND {} \
                 ORDER BY due_at LIMIT $limit",
                cond.join(" AND ")
            ),
            limit,
        )
        .await?,
    )?;
    let mut rows: Vec<CustomerRow> = resp.take(0)?;
    if rows.len() < limit {
        let mut resp = checked(
            read(
                format!(
                    "SELECT {fields} FROM customer {rest_hint}WHERE {} AND due_at = NONE \
                     ORDER BY newest LIMIT $limit",
                    cond.join(" AND ")
                ),
                limit - rows.len(),
            )
            .await?,
        )?;
        let rest: Vec<CustomerRow> = resp.take(0)?;
        rows.extend(rest);
    }
    // equal deadlines newest first, as a page has always listed them (the index
    // leaves ties in record-id order, which differs from one database to another)
    rows.sort_by(|a, b| {
        (a.state.due_at.is_none(), a.state.due_at)
            .cmp(&(b.state.due_at.is_none(), b.state.due_at))
            .then(b.created_at.cmp(&a.created_at))
    });
    Ok(rows)
}

/// Customers this user owns that count toward the cap.
pub async fn count_owned(db: &Db, user: &str, won_counts: bool) -> AppResult<u32> {
    let mut resp = checked(
        db.query(
            "RETURN count(SELECT id FROM customer WHERE owner = type::record('user', $u) \
             AND status = 'owned' AND ($won_counts OR won = false))",
        )
        .bind(("u", user.to_string()))
        .bind(("won_counts", won_counts))
        .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
}

/// Claims this user made from the pool since `since`.
pub async fn count_claims_since(db: &Db, user: &str, since: DateTime<Utc>) -> AppResult<u32> {
    let mut resp = checked(
        db.query(
            "RETURN count(SELECT id FROM customer_history WHERE actor = type::record('user', $u) \
             AND action = 'claim' AND at >= $since)",
        )
        .bind(("u", user.to_string()))
        .bind(("since", since))
        .await?,
    )?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32)
}

/// An exact duplicate: which key matched, when it was registered, the customer.
#[derive(Debug, Clone, SurrealValue)]
pub struct KeyHit {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub customer: String,
    pub owner: Option<String>,
}

fn name_key_id(key: &str) -> String {
    format!("n:{key}")
}

fn phone_key_id(key: &str) -> String {
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
struct KeyHitRow {
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
struct NameRow {
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

/// The registered fields, bound as one object (options become NONE).
#[derive(Debug, Clone, SurrealValue)]
struct Content {
    name: String,
    name_key: String,
    phones: Vec<String>,
    phone_keys: Vec<String>,
    contact: String,
    contact_role: String,
    decision_maker: String,
    address: String,
    region: String,
    lat: Option<f64>,
    lng: Option<f64>,
    industry: String,
    size: String,
    source: String,
    referred_by: Option<String>,
    founded_on: Option<String>,
    dm_birthday: Option<String>,
    notes: String,
    expected_cents: i64,
}

/// A new customer's first state, decided by the caller.
pub struct NewCustomer<'a> {
    pub valid: &'a ValidCustomer,
    pub creator: &'a str,
    pub state: OwnershipState,
    pub now: DateTime<Utc>,
    /// `now`'s local day in the company zone.
    pub day: String,
    /// The history row's action when not a registration ('import').
    pub action: Option<&'static str>,
}

/// Creates the customer with its natural keys in one transaction. A key that
/// exists already (checked inside the transaction, or lost in a race at commit)
/// refuses the whole registration: `Conflict("duplicate")`.
pub async fn insert(db: &Db, new: NewCustomer<'_>) -> AppResult<String> {
    let key = new_key();
    let v = new.valid;
    let mut keys = vec![name_key_id(&v.name_key)];
    keys.extend(v.phone_keys.iter().map(|k| phone_key_id(k)));
    let (head, tail) = name_head_tail(&v.name_key);
    let action = match new.action {
        Some(a) => a,
        None if new.state.status == "owned" => "register_locked",
        None => "register",
    };
    let result = db
        .query(
            "BEGIN TRANSACTION;
             LET $c = type::record('customer', $key);
             FOR $k IN $keys {
                 IF record::exists(type::record('customer_key', $k)) {
                     THROW 'bpc:conflict:duplicate';
                 };
                 CREATE type::record('customer_key', $k) CONTENT { customer: $c, at: $now };
             };
             IF $v.referred_by != NONE AND record::exists(type::record('customer', $v.referred_by)) = false {
                 THROW 'bpc:validation:referred_by:not_found';
             };
             CREATE $c CONTENT {
                 name: $v.name, name_key: $v.name_key, name_head: $head, name_tail: $tail,
                 phones: $v.phones, phone_keys: $v.phone_keys,
                 contact: $v.contact, contact_role: $v.contact_role,
                 decision_maker: $v.decision_maker, address: $v.address, region: $v.region,
                 lat: $v.lat, lng: $v.lng, industry: $v.industry, size: $v.size, source: $v.source,
                 referred_by: IF $v.referred_by != NONE THEN type::record('customer', $v.referred_by) END,
                 founded_on: $v.founded_on, dm_birthday: $v.dm_birthday, notes: $v.notes,
                 expected_cents: $v.expected_cents,
                 created_by: type::record('user', $creator), created_at: $now,
                 status: $s.status,
                 owner: IF $s.owner != NONE THEN type::record('user', $s.owner) END,
                 department: IF $s.department != NONE THEN type::record('department', $s.department) END,
                 checklist: $s.checklist, stage: type::record('stage', $s.stage), won: $s.won,
                 reached: $s.reached, stage_entered_at: $s.stage_entered_at,
                 last_followup_at: $s.last_followup_at, owned_since: $s.owned_since,
                 due_at: $s.due_at, due_clock: $s.due_clock, warn_at: $s.warn_at,
                 warned: NONE, released_by: NONE, released_at: NONE, lost_proposal: NONE,
                 version: 0,
             };
             CREATE customer_history CONTENT {
                 customer: $c, at: $now, actor: type::record('user', $creator), action: $action,
                 to_owner: IF $s.owner != NONE THEN type::record('user', $s.owner) END,
                 to_stage: type::record('stage', $s.stage),
                 feedback: [], day: $day,
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("keys", keys))
        .bind(("head", head))
        .bind(("tail", tail))
        .bind(("now", new.now))
        .bind(("day", new.day))
        .bind(("creator", new.creator.to_string()))
        .bind(("action", action))
        .bind((
            "v",
            Content {
                name: v.name.clone(),
                name_key: v.name_key.clone(),
                phones: v.phones.clone(),
                phone_keys: v.phone_keys.clone(),
                contact: v.contact.clone(),
                contact_role: v.contact_role.clone(),
                decision_maker: v.decision_maker.clone(),
                address: v.address.clone(),
                region: v.region.clone(),
                lat: v.location.map(|l| l.0),
                lng: v.location.map(|l| l.1),
                industry: v.industry.clone(),
                size: v.size.clone(),
                source: v.source.clone(),
                referred_by: v.referred_by.clone(),
                founded_on: v.founded_on.map(|d| d.to_string()),
                dm_birthday: v.dm_birthday.map(|d| d.to_string()),
                notes: v.notes.clone(),
                expected_cents: v.expected_cents,
            },
        ))
        .bind(("s", new.state))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(key),
        Err(e) if crate::error::is_race(&e) || matches!(e, AppError::Internal { .. }) => {
            // Lost a race at commit (or a unique key refused the write): the
            // other registration holds a key now.
            let exact = find_exact(db, Some(&v.name_key), &v.phone_keys).await?;
            if exact.is_some() {
                Err(AppError::conflict("duplicate"))
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}

/// One row of the history appended by a transition.
#[derive(Debug, Clone, Default, SurrealValue)]
pub struct HistoryIn {
    pub action: String,
    /// The local day the work was done (company zone), which credits it on the
    /// boards (`server/schema/100_measure.surql`).
    pub day: Option<String>,
    pub rule: Option<String>,
    pub reason: Option<String>,
    pub feedback: Vec<FeedbackIn>,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct FeedbackIn {
    pub label: String,
    pub answer: String,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct NotificationIn {
    pub user: String,
    pub kind: String,
    pub detail: Option<String>,
}

/// Why a transition did not happen.
#[derive(Debug)]
pub enum TransitionError {
    /// Someone else changed the customer since it was read: re-read and decide again.
    Stale,
    Other(AppError),
}

impl From<AppError> for TransitionError {
    fn from(e: AppError) -> Self {
        TransitionError::Other(e)
    }
}

static TRANSITION_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "BEGIN TRANSACTION;
             LET $c = type::record('customer', $id);
             IF $c.version != $version {{ THROW 'bpc:conflict:stale'; }};
             UPDATE $c SET
                 status = $s.status,
                 owner = IF $s.owner != NONE THEN type::record('user', $s.owner) END,
                 department = IF $s.department != NONE THEN type::record('department', $s.department) END,
                 checklist = $s.checklist, stage = type::record('stage', $s.stage), won = $s.won,
                 reached = $s.reached, stage_entered_at = $s.stage_entered_at,
                 last_followup_at = $s.last_followup_at, owned_since = $s.owned_since,
                 due_at = $s.due_at, due_clock = $s.due_clock, warn_at = $s.warn_at,
                 warned = $s.warned,
                 released_by = IF $s.released_by != NONE THEN type::record('user', $s.released_by) END,
                 released_at = $s.released_at, lost_proposal = $s.lost_proposal,
                 version = $version + 1;
             CREATE customer_history CONTENT {{
                 customer: $c, at: $now,
                 actor: IF $actor != NONE THEN type::record('user', $actor) END,
                 action: $h.action, rule: $h.rule, reason: $h.reason, feedback: $h.feedback,
                 day: $h.day,
                 from_owner: IF $from_owner != NONE THEN type::record('user', $from_owner) END,
                 from_status: $from_status,
                 to_owner: IF $s.owner != NONE THEN type::record('user', $s.owner) END,
                 from_stage: type::record('stage', $from_stage),
                 to_stage: type::record('stage', $s.stage),
             }};
             FOR $n IN $notify {{
                 CREATE notification CONTENT {{
                     user: type::record('user', $n.user), kind: $n.kind, customer: $c,
                     customer_name: $c.name, detail: $n.detail, at: $now, read: false,
                 }};
             }};
             IF $feed != NONE {{ {CREATE_EVENT} }};
             -- a win asks its rep for the story, once per customer, with the win
             IF $story {{
                 LET $p = type::record('story_prompt', $id);
                 IF !record::exists($p) {{
                     CREATE $p CONTENT {{
                         user: type::record('user', $s.owner), customer: $c,
                         customer_name: $c.name, at: $now, state: 'open',
                     }} RETURN NONE;
                 }};
             }};
             COMMIT TRANSACTION;"
    )
});

/// Writes `next` over a customer read at `before.version`, with its history row,
/// notifications and feed event, in one transaction. `Stale` when the version
/// moved on or a concurrent transaction won the commit. (Nine arguments: each is
/// one part of the single transaction, and a struct would only rename them.)
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    db: &Db,
    id: &str,
    actor: Option<&str>,
    before: &OwnershipState,
    next: OwnershipState,
    history: HistoryIn,
    notify: Vec<NotificationIn>,
    feed: Option<FeedIn>,
    now: DateTime<Utc>,
) -> Result<(), TransitionError> {
    // the move that wins the customer (a first time) asks its owner for the story
    let story = next.won && !before.won && next.owner.is_some();
    let result = db
        .query(TRANSITION_SQL.as_str())
        .bind(("story", story))
        .bind(("feed", feed))
        .bind(("id", id.to_string()))
        .bind(("version", before.version))
        .bind(("s", next))
        .bind(("now", now))
        .bind(("actor", actor.map(str::to_string)))
        .bind(("from_owner", before.owner.clone()))
        .bind(("from_status", before.status.clone()))
        .bind(("from_stage", before.stage.clone()))
        .bind(("h", history))
        .bind(("notify", notify))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(()),
        Err(AppError::Conflict { code }) if code == "stale" => Err(TransitionError::Stale),
        // a write-write conflict at commit: the other transaction won
        Err(e) if crate::error::is_race(&e) => Err(TransitionError::Stale),
        Err(e) => Err(TransitionError::Other(e)),
    }
}

/// Records that a warning went out, once per deadline and level: a sweep that
/// runs twice, or two sweepers, send it once.
pub async fn record_warning(
    db: &Db,
    id: &str,
    expected_warned: Option<String>,
    warned: String,
    next_warn_at: Option<DateTime<Utc>>,
    notify: Vec<NotificationIn>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = db
        .query(
            "BEGIN TRANSACTION;
             LET $c = type::record('customer', $id);
             IF $c.warned != $expected { THROW 'bpc:conflict:stale'; };
             UPDATE $c SET warned = $warned, warn_at = $next;
             FOR $n IN $notify {
                 CREATE notification CONTENT {
                     user: type::record('user', $n.user), kind: $n.kind, customer: $c,
                     customer_name: $c.name, detail: $n.detail, at: $now, read: false,
                 };
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.to_string()))
        .bind(("expected", expected_warned))
        .bind(("warned", warned))
        .bind(("next", next_warn_at))
        .bind(("notify", notify))
        .bind(("now", now))
        .await;
    match result.map_err(AppError::from).and_then(checked) {
        Ok(_) => Ok(true),
        // stale, or lost the race at commit: the other sweep sent it
        Err(AppError::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The two indexed instants the sweeper scans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueIndex {
    /// `due_at`: the nearest deadline (confiscation).
    Deadline,
    /// `warn_at`: the next warning.
    Warning,
}

/// Ids of customers whose `index` instant has passed: a range scan of that
/// index. The lower bound keeps out NONE, which sorts before every datetime.
pub async fn due_ids(
    db: &Db,
    index: DueIndex,
    now: DateTime<Utc>,
    limit: usize,
) -> AppResult<Vec<String>> {
    let field = match index {
        DueIndex::Deadline => "due_at",
        DueIndex::Warning => "warn_at",
    };
    let sql = format!(
        "SELECT VALUE record::id(id) FROM customer \
         WHERE {field} >= d'1970-01-01T00:00:00Z' AND {field} <= $now LIMIT $limit"
    );
    let mut resp = checked(
        db.query(sql)
            .bind(("now", now))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    let ids: Vec<String> = resp.take(0)?;
    Ok(ids)
}

/// Refreshes the stored deadline of a customer whose limits changed (no history:
/// nothing about ownership changed).
pub async fn reschedule(
    db: &Db,
    id: &str,
    version: i64,
    due_at: Option<DateTime<Utc>>,
    due_clock: Option<String>,
    warn_at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    checked(
        db.query(
            "UPDATE type::record('customer', $id) SET due_at = $due, due_clock = $clock, \
             warn_at = $warn WHERE version = $version",
        )
        .bind(("id", id.to_string()))
        .bind(("version", version))
        .bind(("due", due_at))
        .bind(("clock", due_clock))
        .bind(("warn", warn_at))
        .await?,
    )?;
    Ok(())
}

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

const DISPUTE_FIELDS: &str = "record::id(id) AS id, record::id(customer) AS customer, \
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
