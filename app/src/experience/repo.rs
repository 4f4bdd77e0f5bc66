//! SurrealDB access for the experience pool: entries and the full-text search.

use crate::error::AppResult;
use crate::state::{checked, Db};
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

/// How the query's terms combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Every term (few candidates: fast, precise).
    All,
    /// Any term (recall, when all of them find too little).
    Any,
}

/// Entries matching `terms` (the app's grams), best BM25 score first; the
/// newest first without terms. Two steps: ids and scores from the index, then
/// the few rows shown (reading every matching row to sort it is what is slow).
pub async fn search(
    db: &Db,
    terms: &[String],
    how: Match,
    filter: &Filter,
    limit: usize,
) -> AppResult<Vec<EntryRow>> {
    let mut conds = Vec::new();
    if !filter.stage.is_empty() {
        conds.push("stage_name = $stage");
    }
    if !filter.industry.is_empty() {
        conds.push("industry = $industry");
    }
    let ranked = if terms.is_empty() {
        let cond = if conds.is_empty() {
            "true".to_string()
        } else {
            conds.join(" AND ")
        };
        format!("SELECT id, at, 0.0 AS score FROM experience WHERE {cond} ORDER BY at DESC LIMIT $limit")
    } else {
        let op = match how {
            Match::All => "@1,AND@",
            Match::Any => "@1,OR@",
        };
        let mut all = vec![format!("grams {op} $q")];
        all.extend(conds.iter().map(|c| c.to_string()));
        format!(
            "SELECT id, search::score(1) AS score FROM experience WHERE {} \
             ORDER BY score DESC LIMIT $limit",
            all.join(" AND ")
        )
    };
    let mut resp = checked(
        db.query(ranked)
            .bind(("q", terms.join(" ")))
            .bind(("stage", filter.stage.clone()))
            .bind(("industry", filter.industry.clone()))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    #[derive(SurrealValue)]
    struct Ranked {
        id: surrealdb::types::RecordId,
        score: Option<f64>,
    }
    let ranked: Vec<Ranked> = resp.take(0)?;
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<surrealdb::types::RecordId> = ranked.iter().map(|r| r.id.clone()).collect();
    let mut resp = checked(
        db.query(format!("SELECT {FIELDS}, 0.0 AS score FROM $ids"))
            .bind(("ids", ids))
            .await?,
    )?;
    let rows: Vec<EntryRow> = resp.take(0)?;
    // back in the ranked order, with the scores
    let mut out = Vec::with_capacity(rows.len());
    for r in &ranked {
        let key = match &r.id.key {
            surrealdb::types::RecordIdKey::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        if let Some(mut row) = rows.iter().find(|x| x.id == key).cloned() {
            row.score = r.score.unwrap_or(0.0);
            out.push(row);
        }
    }
    Ok(out)
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
