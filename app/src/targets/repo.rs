//! Targets and their changes.

use crate::db::{checked, Db};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
pub struct TargetLine {
    pub kind: String,
    pub subject: String,
    pub month: String,
    pub amount_cents: i64,
    pub deals: i64,
}

/// Every target of `months`.
pub async fn targets(db: &Db, months: &[String]) -> AppResult<Vec<TargetLine>> {
    let mut resp = checked(
        db.query("SELECT kind, subject, month, amount_cents, deals FROM target WHERE month IN $m")
            .bind(("m", months.to_vec()))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

#[derive(Debug, Clone, SurrealValue)]
pub struct ChangeLine {
    pub kind: String,
    pub subject: String,
    pub month: String,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    pub before_amount: Option<i64>,
    pub before_deals: Option<i64>,
    pub amount_cents: i64,
    pub deals: i64,
}

/// Every change to a target of `months`, oldest first.
pub async fn changes(db: &Db, months: &[String]) -> AppResult<Vec<ChangeLine>> {
    let mut resp = checked(
        db.query(
            "SELECT target.kind AS kind, target.subject AS subject, month, by.name AS by_name, at,
                    before_amount, before_deals, amount_cents, deals
             FROM target_change WHERE month IN $m ORDER BY at",
        )
        .bind(("m", months.to_vec()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// One monthly target as set.
pub struct TargetIn<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
    pub month: &'a str,
    pub amount_cents: i64,
    pub deals: i64,
}

/// Sets one monthly target and keeps the change, in one transaction.
pub async fn set(db: &Db, t: TargetIn<'_>, by: &str, now: DateTime<Utc>) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $t = type::record('target', [$kind, $subject, $month]);
             LET $before = (SELECT amount_cents, deals FROM $t)[0];
             UPSERT $t SET kind = $kind, subject = $subject, month = $month,
                 amount_cents = $amount, deals = $deals,
                 set_by = type::record('user', $by), set_at = $now RETURN NONE;
             CREATE target_change CONTENT {
                 target: $t, month: $month,
                 before_amount: $before.amount_cents, before_deals: $before.deals,
                 amount_cents: $amount, deals: $deals, by: type::record('user', $by), at: $now,
             } RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("kind", t.kind.to_string()))
        .bind(("subject", t.subject.to_string()))
        .bind(("month", t.month.to_string()))
        .bind(("amount", t.amount_cents))
        .bind(("deals", t.deals))
        .bind(("by", by.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
struct PlayRow {
    user: String,
    cp_play: Option<i64>,
    n: Option<i64>,
}

/// Everyone's forecast now: Σ amount × probability over their customers in the
/// 25–90 % stages, and how many.
pub async fn forecasts(db: &Db) -> AppResult<HashMap<String, (i64, i64)>> {
    let mut resp = checked(
        db.query("SELECT record::id(user) AS user, cp_play, n FROM rep_pipe")
            .await?,
    )?;
    let rows: Vec<PlayRow> = resp.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user, (r.cp_play.unwrap_or(0), r.n.unwrap_or(0))))
        .collect())
}
