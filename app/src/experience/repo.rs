//! SurrealDB access for the experience pool: entries and the full-text search.

use crate::db::{checked, Db};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

/// A new entry, written inside another transaction by [`CREATE_ENTRY`] (bind it
/// as `$exp`, with `$now`).
#[derive(Debug, Clone, Default, SurrealValue)]
pub struct ExperienceIn {
    pub source: String,
    pub title: String,
    pub body: String,
    /// `rules::index_terms` of title and body.
    pub grams: String,
    pub stage: Option<String>,
    pub stage_name: String,
    pub industry: String,
    pub customer_name: String,
    pub author_name: String,
    pub helper_name: Option<String>,
    pub alarm: Option<String>,
    pub customer: Option<String>,
}

/// SurrealQL creating the entry bound as `$exp` at `$now`.
pub const CREATE_ENTRY: &str = "
    CREATE experience CONTENT {
        source: $exp.source, title: $exp.title, body: $exp.body, grams: $exp.grams,
        stage: IF $exp.stage != NONE THEN type::record('stage', $exp.stage) END,
        stage_name: $exp.stage_name, industry: $exp.industry,
        customer_name: $exp.customer_name, author_name: $exp.author_name,
        helper_name: $exp.helper_name,
        alarm: IF $exp.alarm != NONE THEN type::record('alarm', $exp.alarm) END,
        customer: IF $exp.customer != NONE THEN type::record('customer', $exp.customer) END,
        at: $now,
    } RETURN NONE;";

pub async fn create(db: &Db, exp: ExperienceIn, now: DateTime<Utc>) -> AppResult<()> {
    checked(
        db.query(CREATE_ENTRY)
            .bind(("exp", exp))
            .bind(("now", now))
            .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct EntryRow {
    pub id: String,
    pub source: String,
    pub title: String,
    pub body: String,
    pub stage_name: String,
    pub industry: String,
    pub customer_name: String,
    pub author_name: String,
    pub helper_name: Option<String>,
    pub alarm_id: Option<String>,
    pub at: DateTime<Utc>,
    pub score: f64,
}

const FIELDS: &str = "record::id(id) AS id, source, title, body, stage_name, industry, \
    customer_name, author_name, helper_name, \
    (IF alarm != NONE THEN record::id(alarm) END) AS alarm_id, at";

/// Filters besides the words.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub stage: String,
    pub industry: String,
}

/// The newest entries (no words asked for).
pub async fn newest(db: &Db, filter: &Filter, limit: usize) -> AppResult<Vec<EntryRow>> {
    let mut conds = vec![];
    if !filter.stage.is_empty() {
        conds.push("stage_name = $stage");
    }
    if !filter.industry.is_empty() {
        conds.push("industry = $industry");
    }
    let cond = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    // `newest` (the negated time): newest first as a forward index scan
    let sql =
        format!("SELECT {FIELDS}, 0.0 AS score FROM experience{cond} ORDER BY newest LIMIT $limit");
    let mut resp = checked(
        db.query(sql)
            .bind(("stage", filter.stage.clone()))
            .bind(("industry", filter.industry.clone()))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// The entries with these ids, in no particular order.
pub async fn rows(db: &Db, ids: &[String]) -> AppResult<Vec<EntryRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut resp = checked(
        db.query(format!(
            "SELECT {FIELDS}, 0.0 AS score FROM $ids.map(|$i| type::record('experience', $i))"
        ))
        .bind(("ids", ids.to_vec()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// How many entries there are.
pub async fn count(db: &Db) -> AppResult<u64> {
    let mut resp = checked(db.query("RETURN exp_count:entries.n ?? 0").await?)?;
    let n: Option<i64> = resp.take(0)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// What the search index holds of an entry.
#[derive(Debug, Clone, SurrealValue)]
pub struct Indexed {
    pub id: String,
    pub grams: String,
    pub stage_name: String,
    pub industry: String,
    pub at: DateTime<Utc>,
}

const INDEXED: &str = "record::id(id) AS id, grams, stage_name, industry, at";

/// Entries written at or after `since`.
pub async fn written_since(db: &Db, since: DateTime<Utc>) -> AppResult<Vec<Indexed>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {INDEXED} FROM experience WHERE at >= $since ORDER BY at"
        ))
        .bind(("since", since))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Every entry's id.
pub async fn all_ids(db: &Db) -> AppResult<Vec<String>> {
    let mut resp = checked(
        db.query("SELECT VALUE record::id(id) FROM experience")
            .await?,
    )?;
    Ok(resp.take(0)?)
}

/// The entries with these ids, as the index holds them.
pub async fn indexed(db: &Db, ids: &[String]) -> AppResult<Vec<Indexed>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT {INDEXED} FROM $ids.map(|$i| type::record('experience', $i))"
        ))
        .bind(("ids", ids.to_vec()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn entry(db: &Db, id: &str) -> AppResult<Option<EntryRow>> {
    let sql = format!("SELECT {FIELDS}, 0.0 AS score FROM type::record('experience', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    Ok(resp.take(0)?)
}

/// The industries entries are tagged with, most common first (the filter's choices).
pub async fn industries(db: &Db) -> AppResult<Vec<String>> {
    let mut resp = checked(
        db.query("SELECT VALUE record::id(id) FROM experience_industry ORDER BY n DESC LIMIT 30")
            .await?,
    )?;
    Ok(resp.take(0)?)
}
