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

/// Entries matching any of `terms` (the app's grams), best BM25 score first;
/// the newest first without terms.
pub async fn search(
    db: &Db,
    terms: &[String],
    filter: &Filter,
    limit: usize,
) -> AppResult<Vec<EntryRow>> {
    let filters =
        "($stage = '' OR stage_name = $stage) AND ($industry = '' OR industry = $industry)";
    let sql = if terms.is_empty() {
        format!(
            "SELECT {FIELDS}, 0.0 AS score FROM experience WHERE {filters} \
             ORDER BY at DESC LIMIT $limit"
        )
    } else {
        format!(
            "SELECT {FIELDS}, search::score(1) AS score FROM experience \
             WHERE grams @1,OR@ $q AND {filters} ORDER BY score DESC LIMIT $limit"
        )
    };
    let mut resp = checked(
        db.query(sql)
            .bind(("q", terms.join(" ")))
            .bind(("stage", filter.stage.clone()))
            .bind(("industry", filter.industry.clone()))
            .bind(("limit", limit as i64))
            .await?,
    )?;
    Ok(resp.take(0)?)
}

pub async fn entry(db: &Db, id: &str) -> AppResult<Option<EntryRow>> {
    let sql = format!("SELECT {FIELDS}, 0.0 AS score FROM type::record('experience', $id)");
    let mut resp = checked(db.query(sql).bind(("id", id.to_string())).await?)?;
    Ok(resp.take(0)?)
}

/// The industries of the newest entries, most common first (the filter's choices).
pub async fn recent_industries(db: &Db) -> AppResult<Vec<String>> {
    let mut resp = checked(
        db.query(
            "SELECT industry, count() AS n FROM \
             (SELECT industry, at FROM experience ORDER BY at DESC LIMIT 500) \
             GROUP BY industry",
        )
        .await?,
    )?;
    #[derive(SurrealValue)]
    struct Row {
        industry: String,
        n: i64,
    }
    let mut rows: Vec<Row> = resp.take(0)?;
    rows.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.industry.cmp(&b.industry)));
    Ok(rows
        .into_iter()
        .map(|r| r.industry)
        .filter(|i| !i.is_empty())
        .take(30)
        .collect())
}
