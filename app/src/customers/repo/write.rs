//! Writes: a new customer, and every later change through `transition`.

use super::*;

/// The registered fields, bound as one object (options become NONE).
#[derive(Debug, Clone, SurrealValue)]
pub(super) struct Content {
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

/// The terms a customer is found by (its name, phones, contact and
/// decision-maker), as `customers::search` cuts them.
pub fn search_terms(name: &str, phones: &[String], contacts: &[&str]) -> Vec<String> {
    crate::customers::search::terms(&crate::customers::search::Searchable {
        name,
        phones,
        contacts,
    })
}

/// Writes the search terms of the customers queued in `term_todo` (each new
/// one, and those from before schema 14): one batch of `batch` customers;
/// returns how many it indexed (0: nothing waits). Idempotent: a term's id is
/// [term, customer], so two servers working the queue write each once.
pub async fn index_terms_batch(db: &Db, batch: usize) -> AppResult<usize> {
    #[derive(Debug, Clone, SurrealValue)]
    struct Todo {
        todo: String,
        id: Option<String>,
        name: Option<String>,
        phones: Option<Vec<String>>,
        contact: Option<String>,
        decision_maker: Option<String>,
        contact_names: Option<Vec<String>>,
    }
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS todo, record::id(customer) AS id, customer.name AS name,
                    customer.phones AS phones, customer.contact AS contact,
                    customer.decision_maker AS decision_maker,
                    customer.contact_names AS contact_names
             FROM term_todo LIMIT $n",
        )
        .bind(("n", batch as i64))
        .await?,
    )?;
    let todo: Vec<Todo> = resp.take(0)?;
    if todo.is_empty() {
        return Ok(0);
    }
    let rows: Vec<serde_json::Value> = todo
        .iter()
        .map(|t| {
            let mut contacts: Vec<&str> = vec![
                t.contact.as_deref().unwrap_or_default(),
                t.decision_maker.as_deref().unwrap_or_default(),
            ];
            contacts.extend(t.contact_names.iter().flatten().map(String::as_str));
            contacts.sort_unstable();
            contacts.dedup();
            let terms = match (&t.id, &t.name) {
                (Some(_), Some(name)) => {
                    search_terms(name, t.phones.as_deref().unwrap_or_default(), &contacts)
                }
                _ => Vec::new(),
            };
            serde_json::json!({ "todo": t.todo, "customer": t.id, "terms": terms })
        })
        .collect();
    checked(
        db.query(
            "BEGIN TRANSACTION;
             FOR $r IN $rows {
                 IF $r.customer != NONE {
                     LET $c = type::record('customer', $r.customer);
                     INSERT IGNORE INTO customer_term (array::map($r.terms, |$t| {
                         id: type::record('customer_term', [$t, $r.customer]), term: $t, customer: $c,
                     })) RETURN NONE;
                 };
                 DELETE type::record('term_todo', $r.todo) RETURN NONE;
             };
             COMMIT TRANSACTION;",
        )
        .bind(("rows", rows))
        .await?,
    )?;
    Ok(todo.len())
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
    /// Queue it for its search terms: always, but for the benchmark that
    /// measures registration as it was before search.
    pub index_terms: bool,
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
                 revisit_missed: 0, version: 0,
                 contact_names: array::filter([$v.contact, $v.decision_maker], |$n| $n != ''),
             };
             -- the contact and decision-maker typed at registration are its first contacts
             IF $v.contact != '' {
                 CREATE contact CONTENT {
                     customer: $c, name: $v.contact, title: $v.contact_role,
                     by: type::record('user', $creator), at: $now,
                 } RETURN NONE;
             };
             IF $v.decision_maker != '' AND $v.decision_maker != $v.contact {
                 CREATE contact CONTENT {
                     customer: $c, name: $v.decision_maker, decision_maker: true,
                     birthday: $v.dm_birthday, by: type::record('user', $creator), at: $now,
                 } RETURN NONE;
             };
             -- its search terms are written beside the traffic (`index_terms_batch`):
             -- some fifty records would cut registrations to a quarter
             IF $index_terms { CREATE term_todo CONTENT { customer: $c } RETURN NONE; };
             CREATE customer_history CONTENT {
                 customer: $c, at: $now, actor: type::record('user', $creator), action: $action,
                 to_owner: IF $s.owner != NONE THEN type::record('user', $s.owner) END,
                 to_stage: type::record('stage', $s.stage),
                 feedback: [], day: $day,
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("index_terms", new.index_terms))
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
                 revisit_missed = $s.revisit_missed, version = $version + 1;
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
