//! SurrealDB access for the funnel configuration: stages, the qualification
//! checklist and the per-department limits.

use crate::db::{checked, new_key, Db};
use crate::error::{internal, AppResult};
use crate::funnel::model::{PolicyInfo, QualItem, StageInfo};
use crate::funnel::rules::{default_stages, Destination, Limits, Stage};
use std::collections::HashMap;
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
struct StageRow {
    id: String,
    position: i64,
    name: String,
    probability: i64,
    max_days: Option<i64>,
    feedback: Vec<String>,
    active: bool,
}

impl From<StageRow> for StageInfo {
    fn from(r: StageRow) -> Self {
        StageInfo {
            id: r.id,
            position: r.position,
            name: r.name,
            probability: r.probability.clamp(0, 100) as u8,
            max_days: r.max_days.map(|d| d.clamp(1, 100_000) as u32),
            feedback: r.feedback,
            active: r.active,
        }
    }
}

impl StageInfo {
    pub fn rule(&self) -> Stage {
        Stage {
            name: self.name.clone(),
            probability: self.probability,
            max_days: self.max_days,
        }
    }
}

/// Feedback asked when leaving each default stage (seed 001/003).
const DEFAULT_FEEDBACK: &[&[&str]] = &[
    &["首次电话沟通结果"],
    &["客户需求", "送样安排"],
    &["样品反馈"],
    &["报价及客户反应"],
    &["合同要点"],
    &["交货情况"],
    &[],
];

const DEFAULT_CHECKLIST: &[&str] = &["有明确的采购需求", "已联系到关键人", "有采购预算"];

/// Default stages, checklist and company limits on a database that has none.
/// Idempotent: runs at every start.
pub async fn ensure_defaults(db: &Db) -> AppResult<()> {
    let stages: Vec<serde_json::Value> = default_stages()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            serde_json::json!({
                "key": format!("s{i}"),
                "position": i as i64 * 10,
                "name": s.name,
                "probability": s.probability,
                "max_days": s.max_days,
                "feedback": DEFAULT_FEEDBACK.get(i).copied().unwrap_or(&[]),
            })
        })
        .collect();
    let d = Limits::default();
    checked(
        db.query(
            "BEGIN TRANSACTION;
             IF count(SELECT id FROM stage LIMIT 1) = 0 {
                 FOR $s IN $stages {
                     CREATE type::record('stage', $s.key) CONTENT {
                         position: $s.position, name: $s.name, probability: $s.probability,
                         max_days: $s.max_days ?? NONE, feedback: $s.feedback, active: true,
                     };
                 };
             };
             IF count(SELECT id FROM qualification_item LIMIT 1) = 0 {
                 FOR $i IN array::range(0, array::len($checklist)) {
                     CREATE type::record('qualification_item', 'q' + <string>$i) CONTENT {
                         position: $i * 10, label: $checklist[$i], active: true,
                     };
                 };
             };
             IF record::exists(policy:company) = false {
                 CREATE policy:company CONTENT {
                     followup_days: $p.followup_days, no_deal_days: $p.no_deal_days,
                     max_owned: $p.max_owned, won_counts: false, warn_days: $p.warn_days,
                     destination: 'manager', reclaim_days: 7, daily_claims: NONE,
                     revisit_days: $p.revisit_days,
                 };
             };
             COMMIT TRANSACTION;",
        )
        .bind(("stages", serde_json::Value::Array(stages)))
        .bind(("checklist", DEFAULT_CHECKLIST.to_vec()))
        .bind((
            "p",
            serde_json::json!({
                "followup_days": d.followup_days,
                "no_deal_days": d.no_deal_days,
                "revisit_days": d.revisit_days,
                "max_owned": d.max_owned,
                "warn_days": d.warn_days,
            }),
        ))
        .await?,
    )?;
    Ok(())
}

const STAGE_FIELDS: &str =
    "record::id(id) AS id, position, name, probability, max_days, feedback, active";

/// Stages in funnel order; inactive ones only when `all`.
pub async fn list_stages(db: &Db, all: bool) -> AppResult<Vec<StageInfo>> {
    let sql = format!(
        "SELECT {STAGE_FIELDS} FROM stage WHERE $all OR active = true ORDER BY position, id"
    );
    let mut resp = checked(db.query(sql).bind(("all", all)).await?)?;
    let rows: Vec<StageRow> = resp.take(0)?;
    Ok(rows.into_iter().map(StageInfo::from).collect())
}

pub use crate::funnel::config::{Policy, StageInput};

/// Creates (`id = None`) or changes a stage, audited.
pub async fn save_stage(
    db: &Db,
    actor: &str,
    id: Option<&str>,
    input: StageInput,
) -> AppResult<String> {
    let key = id.map(str::to_string).unwrap_or_else(new_key);
    checked(
        db.query(
            "BEGIN TRANSACTION;
             IF $is_new = false AND record::exists(type::record('stage', $key)) = false {
                 THROW 'bpc:notfound:stage';
             };
             UPSERT type::record('stage', $key) CONTENT {
                 position: $position, name: $name, probability: $probability,
                 max_days: $max_days, feedback: $feedback, active: $active,
             };
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor), action: 'stage.save',
                 target: type::record('stage', $key),
                 detail: { name: $name, probability: $probability, max_days: $max_days, active: $active },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("is_new", id.is_none()))
        .bind(("actor", actor.to_string()))
        .bind(("position", input.position))
        .bind(("name", input.name))
        .bind(("probability", i64::from(input.probability)))
        .bind(("max_days", input.max_days.map(i64::from)))
        .bind(("feedback", input.feedback))
        .bind(("active", input.active))
        .await?,
    )?;
    Ok(key)
}

#[derive(Debug, SurrealValue)]
struct QualRow {
    id: String,
    label: String,
}

pub async fn list_qual_items(db: &Db) -> AppResult<Vec<QualItem>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, label, position FROM qualification_item \
             WHERE active = true ORDER BY position, id",
        )
        .await?,
    )?;
    let rows: Vec<QualRow> = resp.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| QualItem {
            id: r.id,
            label: r.label,
        })
        .collect())
}

/// Adds an item (`id = None`), renames one, or retires it (`active = false`).
pub async fn save_qual_item(
    db: &Db,
    actor: &str,
    id: Option<&str>,
    label: String,
    active: bool,
) -> AppResult<String> {
    let key = id.map(str::to_string).unwrap_or_else(new_key);
    checked(
        db.query(
            "BEGIN TRANSACTION;
             IF $is_new = false AND record::exists(type::record('qualification_item', $key)) = false {
                 THROW 'bpc:notfound:item';
             };
             LET $pos = IF $is_new THEN (math::max((SELECT VALUE position FROM qualification_item)) ?? 0) + 10
                 ELSE type::record('qualification_item', $key).position END;
             UPSERT type::record('qualification_item', $key) CONTENT {
                 position: $pos, label: $label, active: $active,
             };
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor), action: 'checklist.save',
                 target: type::record('qualification_item', $key),
                 detail: { label: $label, active: $active },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key.clone()))
        .bind(("is_new", id.is_none()))
        .bind(("actor", actor.to_string()))
        .bind(("label", label))
        .bind(("active", active))
        .await?,
    )?;
    Ok(key)
}

#[derive(Debug, Clone, SurrealValue)]
struct PolicyRow {
    id: String,
    followup_days: i64,
    no_deal_days: i64,
    max_owned: i64,
    won_counts: bool,
    warn_days: i64,
    destination: String,
    reclaim_days: i64,
    daily_claims: Option<i64>,
    /// NONE on a row written before schema 14: the default.
    revisit_days: Option<i64>,
}

fn clamp_u32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

impl From<&PolicyRow> for Policy {
    fn from(r: &PolicyRow) -> Self {
        Policy {
            limits: Limits {
                followup_days: clamp_u32(r.followup_days),
                no_deal_days: clamp_u32(r.no_deal_days),
                max_owned: clamp_u32(r.max_owned),
                won_counts_toward_cap: r.won_counts,
                warn_days: clamp_u32(r.warn_days),
                destination: if r.destination == "pool" {
                    Destination::Pool
                } else {
                    Destination::Manager
                },
                revisit_days: r
                    .revisit_days
                    .map_or(Limits::default().revisit_days, clamp_u32),
            },
            reclaim_days: clamp_u32(r.reclaim_days),
            daily_claims: r.daily_claims.map(clamp_u32),
        }
    }
}

/// Every policy row: `"company"` and department keys.
#[derive(Clone, Debug)]
pub struct Policies {
    by_key: HashMap<String, Policy>,
    parents: HashMap<String, Option<String>>,
}

impl Policies {
    /// The department's own override, else its nearest ancestor's, else the company's.
    pub fn for_department(&self, department: Option<&str>) -> Policy {
        let mut current = department.map(str::to_string);
        let mut guard = 0;
        while let Some(d) = current {
            if let Some(p) = self.by_key.get(&d) {
                return *p;
            }
            current = self.parents.get(&d).cloned().flatten();
            guard += 1;
            if guard > 64 {
                break;
            }
        }
        self.by_key.get("company").copied().unwrap_or(Policy {
            limits: Limits::default(),
            reclaim_days: 7,
            daily_claims: None,
        })
    }

    pub fn has_override(&self, department: &str) -> bool {
        self.by_key.contains_key(department)
    }
}

pub async fn load_policies(db: &Db) -> AppResult<Policies> {
    let parents = crate::people::repo::parent_map(db).await?;
    load_policies_with(db, parents).await
}

/// The same, for a caller that has read the department links already.
pub async fn load_policies_with(
    db: &Db,
    parents: HashMap<String, Option<String>>,
) -> AppResult<Policies> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, followup_days, no_deal_days, max_owned, won_counts, \
             warn_days, destination, reclaim_days, daily_claims, revisit_days FROM policy",
        )
        .await?,
    )?;
    let rows: Vec<PolicyRow> = resp.take(0)?;
    Ok(Policies {
        by_key: rows
            .iter()
            .map(|r| (r.id.clone(), Policy::from(r)))
            .collect(),
        parents,
    })
}

pub fn policy_info(
    policy: &Policy,
    department: Option<(&str, &str)>,
    inherited: bool,
) -> PolicyInfo {
    let l = &policy.limits;
    PolicyInfo {
        department_id: department.map(|d| d.0.to_string()),
        department_name: department.map(|d| d.1.to_string()),
        inherited,
        followup_days: l.followup_days,
        no_deal_days: l.no_deal_days,
        max_owned: l.max_owned,
        won_counts: l.won_counts_toward_cap,
        warn_days: l.warn_days,
        destination: match l.destination {
            Destination::Pool => "pool",
            Destination::Manager => "manager",
        }
        .to_string(),
        reclaim_days: policy.reclaim_days,
        daily_claims: policy.daily_claims,
        revisit_days: l.revisit_days,
        contradictions: Vec::new(),
    }
}

/// Saves the company defaults (`department = None`) or a department's override;
/// `clear` removes a department's override (it inherits again).
pub async fn save_policy(
    db: &Db,
    actor: &str,
    department: Option<&str>,
    policy: Option<Policy>,
) -> AppResult<()> {
    let key = department.unwrap_or("company").to_string();
    let body = policy.map(|p| {
        let info = policy_info(&p, None, false);
        serde_json::json!({
            "followup_days": info.followup_days,
            "no_deal_days": info.no_deal_days,
            "max_owned": info.max_owned,
            "won_counts": info.won_counts,
            "warn_days": info.warn_days,
            "destination": info.destination,
            "reclaim_days": info.reclaim_days,
            "daily_claims": info.daily_claims,
            "revisit_days": info.revisit_days,
        })
    });
    if department.is_none() && body.is_none() {
        return Err(internal("the company policy cannot be removed"));
    }
    checked(
        db.query(
            "BEGIN TRANSACTION;
             IF $dept != NONE AND record::exists(type::record('department', $dept)) = false {
                 THROW 'bpc:notfound:department';
             };
             IF $body = NONE {
                 DELETE type::record('policy', $key);
             } ELSE {
                 UPSERT type::record('policy', $key) CONTENT {
                     followup_days: $body.followup_days, no_deal_days: $body.no_deal_days,
                     max_owned: $body.max_owned, won_counts: $body.won_counts,
                     warn_days: $body.warn_days, destination: $body.destination,
                     reclaim_days: $body.reclaim_days, daily_claims: $body.daily_claims ?? NONE,
                     revisit_days: $body.revisit_days,
                 };
             };
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor), action: 'policy.save',
                 target: type::record('policy', $key), detail: { policy: $body },
             };
             COMMIT TRANSACTION;",
        )
        .bind(("key", key))
        .bind(("dept", department.map(str::to_string)))
        .bind(("body", body))
        .bind(("actor", actor.to_string()))
        .await?,
    )?;
    Ok(())
}

/// Customers standing together, as the `funnel_tally` event counts them: one
/// owner, stage, highest stage reached and status (owned, held or lost).
#[derive(Debug, Clone, SurrealValue)]
pub struct TallyRow {
    pub owner: Option<String>,
    pub stage: String,
    pub reached: i64,
    pub status: String,
    pub n: i64,
    pub cents: i64,
}

/// The funnel's tallies in a scope (the customers' own index conditions, on the
/// tallies' owner and department), and the owners' names.
pub async fn tallies(
    db: &Db,
    scope: &crate::funnel::scope::ListScope,
) -> AppResult<(Vec<TallyRow>, HashMap<String, String>)> {
    let (cond, key) = scope.filter();
    let mut resp = checked(
        db.query(format!(
            "SELECT (IF owner != NONE THEN record::id(owner) END) AS owner, \
               record::id(stage) AS stage, reached, status, n, cents \
             FROM funnel_tally WHERE {cond} AND n > 0"
        ))
        .bind(("key", key))
        .bind(("depts", scope.departments()))
        .await?,
    )?;
    let rows: Vec<TallyRow> = resp.take(0)?;
    let mut owners: Vec<String> = rows.iter().filter_map(|r| r.owner.clone()).collect();
    owners.sort();
    owners.dedup();
    let mut names = HashMap::new();
    if !owners.is_empty() {
        let mut resp = checked(
            db.query("SELECT VALUE [record::id(id), name] FROM $ids")
                .bind(("ids", crate::db::record_ids("user", &owners)))
                .await?,
        )?;
        let pairs: Vec<(String, String)> = resp.take(0)?;
        names.extend(pairs);
    }
    Ok((rows, names))
}

/// An open deal with a close date: (close date, expected cents, stage id).
#[derive(Debug, Clone, SurrealValue)]
pub struct DatedDeal {
    pub close_on: String,
    pub cents: i64,
    pub stage: String,
}

/// The owned, not yet won customers of `scope` that have a close date, read
/// on the close-date index.
pub async fn dated_deals(
    db: &Db,
    scope: &crate::funnel::scope::ListScope,
) -> AppResult<Vec<DatedDeal>> {
    let (cond, key) = scope.filter();
    let mut resp = checked(
        db.query(format!(
            "SELECT close_on, expected_cents AS cents, record::id(stage) AS stage \
             FROM customer WITH INDEX customer_close \
             WHERE close_on > '' AND status = 'owned' AND won = false AND {cond}"
        ))
        .bind(("key", key))
        .bind(("depts", scope.departments()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}
