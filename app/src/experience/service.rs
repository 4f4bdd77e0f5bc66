//! The experience pool: searching it, and the entries other features write into it.

use crate::auth::model::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::experience::index::Index;
use crate::experience::model::{ExperienceHit, ExperienceView, Marked};
use crate::experience::repo::{self, EntryRow, ExperienceIn, Filter};
use crate::experience::rules::{highlight, index_terms, query_terms, snippet};
use crate::state::AppState;
use crate::text::Shape;

/// Results per search.
pub const PAGE: usize = 30;
/// How long a result's body may be in a list.
const SNIPPET_CHARS: usize = 140;

/// An entry's searchable terms, from what a reader sees of it.
pub fn entry_in(mut e: ExperienceIn) -> ExperienceIn {
    e.grams = index_terms(&format!(
        "{} {} {} {} {}",
        e.title, e.body, e.customer_name, e.industry, e.stage_name
    ));
    e
}

fn hit(row: EntryRow, terms: &[String], tz: &chrono_tz::Tz, whole: bool) -> ExperienceHit {
    let body = if whole {
        row.body.clone()
    } else {
        snippet(&row.body, terms, SNIPPET_CHARS)
    };
    ExperienceHit {
        id: row.id,
        source: row.source,
        title: highlight(&row.title, terms)
            .into_iter()
            .map(Marked::from)
            .collect(),
        body: highlight(&body, terms)
            .into_iter()
            .map(Marked::from)
            .collect(),
        stage_name: row.stage_name,
        industry: row.industry,
        customer_name: row.customer_name,
        author_name: row.author_name,
        helper_name: row.helper_name,
        alarm_id: row.alarm_id,
        day: row.at.with_timezone(tz).format("%Y-%m-%d").to_string(),
        score: row.score,
    }
}

/// The search index of this app server, and who is filling it.
#[derive(Debug, Default)]
pub struct SearchIndex {
    index: std::sync::RwLock<Index>,
    filling: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    /// The index to read (a panic elsewhere while it was held leaves it usable:
    /// every change is one whole entry).
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Entries committed this long before the newest one the index holds are
/// looked for again (another app server's clock, a transaction that committed
/// late); older ones missing are found by comparing ids.
const RESCAN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);
/// Entries read at once while filling the index.
const FILL_BATCH: usize = 2_000;

fn add_all(search: &SearchIndex, rows: Vec<repo::Indexed>) {
    if rows.is_empty() {
        return;
    }
    let mut index = search.index.write().unwrap_or_else(|e| e.into_inner());
    for r in rows {
        index.add(
            &r.id,
            &r.grams,
            &r.stage_name,
            &r.industry,
            r.at.timestamp_millis(),
        );
    }
}

/// Brings this app server's index up to every committed entry: one read when
/// nothing is new, the entries written since the newest it holds when some are,
/// and a comparison of ids when that does not account for all of them (the
/// first search after a start).
pub async fn synced(state: &AppState) -> AppResult<()> {
    let search = &*state.part::<SearchIndex>();
    let held = || search.read().len() as u64;
    if held() >= repo::count(&state.db).await? {
        return Ok(());
    }
    let _filling = search.filling.lock().await;
    let total = repo::count(&state.db).await?;
    if held() >= total {
        return Ok(()); // another search filled it meanwhile
    }
    let newest = search.read().newest();
    if let Some(ms) = newest {
        if let Some(at) = chrono::DateTime::from_timestamp_millis(ms) {
            add_all(search, repo::written_since(&state.db, at - RESCAN).await?);
        }
        if held() >= total {
            return Ok(());
        }
    }
    let missing: Vec<String> = {
        let ids = repo::all_ids(&state.db).await?;
        let index = search.read();
        ids.into_iter().filter(|id| !index.contains(id)).collect()
    };
    for chunk in missing.chunks(FILL_BATCH) {
        add_all(search, repo::indexed(&state.db, chunk).await?);
    }
    Ok(())
}

/// Entries with every term of the query first, then those with some, each by
/// BM25 score (`index`); the newest without terms.
async fn ranked(
    state: &AppState,
    terms: &[String],
    filter: &Filter,
    limit: usize,
) -> AppResult<Vec<EntryRow>> {
    if terms.is_empty() {
        return repo::newest(&state.db, filter, limit).await;
    }
    synced(state).await?;
    let found =
        state
            .part::<SearchIndex>()
            .read()
            .search(terms, &filter.stage, &filter.industry, limit);
    let ids: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
    let mut rows = repo::rows(&state.db, &ids).await?;
    let mut out = Vec::with_capacity(found.len());
    for f in found {
        if let Some(i) = rows.iter().position(|r| r.id == f.id) {
            let mut row = rows.swap_remove(i);
            row.score = f.score;
            out.push(row);
        }
    }
    Ok(out)
}

/// Everyone in the company searches the pool (entries carry no contact details).
pub async fn search(
    state: &AppState,
    _user: &CurrentUser,
    q: &str,
    stage: &str,
    industry: &str,
) -> AppResult<ExperienceView> {
    let q = crate::text::checked("q", q, Shape::line(200))?;
    let filter = Filter {
        stage: crate::text::checked("stage", stage, Shape::line(100))?,
        industry: crate::text::checked("industry", industry, Shape::line(100))?,
    };
    let terms = query_terms(&q);
    // a query of punctuation only has no terms: nothing can match
    let hits: Vec<ExperienceHit> = if !q.is_empty() && terms.is_empty() {
        Vec::new()
    } else {
        let tz = state.config.timezone;
        ranked(state, &terms, &filter, PAGE)
            .await?
            .into_iter()
            .map(|r| hit(r, &terms, &tz, false))
            .collect()
    };
    Ok(ExperienceView {
        total: hits.len() as i64,
        hits,
        stages: stage_names(state).await?,
        industries: repo::industries(&state.db).await?,
    })
}

/// The entries most like a text being written (an alarm before it is posted).
pub async fn similar(
    state: &AppState,
    _user: &CurrentUser,
    text: &str,
    limit: usize,
) -> AppResult<Vec<ExperienceHit>> {
    let text = crate::text::checked("text", text, Shape::lines(2000))?;
    let terms = query_terms(&text);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let rows = ranked(state, &terms, &Filter::default(), limit).await?;
    let tz = state.config.timezone;
    // every row matched at least one term; in a small pool BM25 may score them
    // all 0 (a term in more than half the entries weighs nothing), so no cut-off
    Ok(rows
        .into_iter()
        .map(|r| hit(r, &terms, &tz, false))
        .collect())
}

/// One entry, whole, marked for `q`.
pub async fn entry(
    state: &AppState,
    _user: &CurrentUser,
    id: &str,
    q: &str,
) -> AppResult<ExperienceHit> {
    if id.is_empty() || id.len() > 40 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    let q = crate::text::checked("q", q, Shape::line(200))?;
    let row = repo::entry(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(hit(row, &query_terms(&q), &state.config.timezone, true))
}

async fn stage_names(state: &AppState) -> AppResult<Vec<String>> {
    let config = crate::funnel::snapshot::config(state).await?;
    Ok(config
        .stages
        .iter()
        .filter(|s| s.active)
        .map(|s| s.name.clone())
        .collect())
}

impl crate::state::Part for SearchIndex {
    fn create(_: &crate::state::AppConfig) -> Self {
        SearchIndex::default()
    }
}
