//! Imports as stored (`server/schema/110_import.surql`): the batch with what
//! the check found and how far the import got, and its accepted rows in chunks
//! of [`CHUNK`], so an import of 10,000 rows holds one chunk in memory at a time.

use crate::customers::model::CustomerInput;
use crate::db::{checked, new_key, Db};
use crate::error::AppResult;
use crate::import::model::RowIssue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

/// Rows per stored chunk.
pub const CHUNK: usize = 500;

/// A refused or failed row, with its cells as read (for the error workbook).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredIssue {
    #[serde(flatten)]
    pub issue: RowIssue,
    pub cells: Vec<String>,
}

/// An accepted row, waiting to be imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRow {
    pub row: u32,
    pub input: CustomerInput,
    pub qualified: bool,
    pub cells: Vec<String>,
}

/// A checked file, as stored before anything is imported.
#[derive(Debug, Clone, Serialize)]
pub struct NewBatch {
    pub by: String,
    pub file_name: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub target_name: String,
    pub status: String,
    pub error: Option<String>,
    pub missing: Vec<String>,
    pub headers: Vec<String>,
    pub rows: u32,
    pub accepted: u32,
    pub will_lock: u32,
    pub will_draft: u32,
    pub refused: Vec<StoredIssue>,
}

/// Stores a checked file and its accepted rows; returns the batch id.
pub async fn create(
    db: &Db,
    batch: NewBatch,
    pending: Vec<PendingRow>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let id = new_key();
    let chunks: Vec<serde_json::Value> = pending
        .chunks(CHUNK)
        .map(|c| serde_json::to_value(c).unwrap_or_default())
        .collect();
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $b = type::record('import_batch', $id);
             CREATE $b CONTENT {
                 by: type::record('user', $v.by), created_at: $now, file_name: $v.file_name,
                 target_kind: $v.target_kind, target_id: $v.target_id ?? NONE, target_name: $v.target_name,
                 status: $v.status, error: $v.error ?? NONE, missing: $v.missing, headers: $v.headers,
                 rows: $v.rows, accepted: $v.accepted, will_lock: $v.will_lock,
                 will_draft: $v.will_draft, refused: $v.refused, chunks: array::len($chunks),
                 done: 0, imported: 0, locked: 0, drafts: 0, failed: [],
             } RETURN NONE;
             FOR $i IN 0..array::len($chunks) {
                 CREATE type::record('import_chunk', [$id, $i]) CONTENT {
                     batch: $b, rows: $chunks[$i],
                 } RETURN NONE;
             };
             COMMIT TRANSACTION;",
        )
        .bind(("id", id.clone()))
        .bind(("v", serde_json::to_value(&batch).unwrap_or_default()))
        .bind(("chunks", chunks))
        .bind(("now", now))
        .await?,
    )?;
    Ok(id)
}

/// Checks `user` made since `since`, and the rows they held.
pub async fn checked_since(db: &Db, user: &str, since: DateTime<Utc>) -> AppResult<(i64, i64)> {
    let mut resp = checked(
        db.query(
            "LET $mine = SELECT rows FROM import_batch
                 WHERE by = type::record('user', $u) AND created_at >= $since;
             RETURN [array::len($mine), math::sum($mine.rows)];",
        )
        .bind(("u", user.to_string()))
        .bind(("since", since))
        .await?,
    )?;
    let v: Vec<i64> = resp.take(1)?;
    Ok((
        v.first().copied().unwrap_or(0),
        v.get(1).copied().unwrap_or(0),
    ))
}

#[derive(Debug, Clone, SurrealValue)]
pub struct BatchRow {
    pub id: String,
    pub by: String,
    pub file_name: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub target_name: String,
    pub status: String,
    pub error: Option<String>,
    pub missing: Vec<String>,
    pub headers: Vec<String>,
    pub rows: i64,
    pub accepted: i64,
    pub will_lock: i64,
    pub will_draft: i64,
    pub refused: serde_json::Value,
    pub chunks: i64,
    pub done: i64,
    pub imported: i64,
    pub locked: i64,
    pub drafts: i64,
    pub failed: serde_json::Value,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub purged_at: Option<DateTime<Utc>>,
    pub refused_total: Option<i64>,
    pub failed_total: Option<i64>,
}

impl BatchRow {
    pub fn refused(&self) -> Vec<StoredIssue> {
        serde_json::from_value(self.refused.clone()).unwrap_or_default()
    }
    pub fn failed(&self) -> Vec<StoredIssue> {
        serde_json::from_value(self.failed.clone()).unwrap_or_default()
    }
}

pub async fn find(db: &Db, id: &str) -> AppResult<Option<BatchRow>> {
    let mut resp = checked(
        db.query(
            "SELECT record::id(id) AS id, record::id(by) AS by, file_name, target_kind, target_id,
                    target_name, status, error, missing, headers, rows, accepted, will_lock,
                    will_draft, refused, chunks, done, imported, locked, drafts, failed,
                    started_at, finished_at, purged_at, refused_total, failed_total
             FROM type::record('import_batch', $id)",
        )
        .bind(("id", id.to_string()))
        .await?,
    )?;
    Ok(resp.take(0)?)
}

/// Marks a checked batch as running; false when it was not waiting (already
/// started by another request or another app server).
/// Marks a checked batch as running and audits the start (who, which file,
/// where, how many rows) in the same transaction: an import that never ends is
/// on record too. False when it was not waiting to start.
pub async fn start(
    db: &Db,
    id: &str,
    actor: &str,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut resp = checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $started = UPDATE type::record('import_batch', $id)
                 SET status = 'running', started_at = $now
                 WHERE status = 'checked' RETURN VALUE record::id(id);
             IF array::len($started) > 0 {
                 CREATE audit_log CONTENT {
                     actor: type::record('user', $actor), action: 'import.start',
                     target: type::record('import_batch', $id), detail: $detail,
                 } RETURN NONE;
             };
             COMMIT TRANSACTION;
             RETURN array::len($started) > 0;",
        )
        .bind(("id", id.to_string()))
        .bind(("actor", actor.to_string()))
        .bind(("detail", detail))
        .bind(("now", now))
        .await?,
    )?;
    let started: Option<bool> = resp.take(resp.num_statements() - 1)?;
    Ok(started == Some(true))
}

/// One chunk of accepted rows.
pub async fn chunk(db: &Db, id: &str, i: i64) -> AppResult<Vec<PendingRow>> {
    let mut resp = checked(
        db.query("SELECT VALUE rows FROM type::record('import_chunk', [$id, $i])")
            .bind(("id", id.to_string()))
            .bind(("i", i))
            .await?,
    )?;
    let rows: Option<serde_json::Value> = resp.take(0)?;
    Ok(rows
        .and_then(|r| serde_json::from_value(r).ok())
        .unwrap_or_default())
}

/// Progress so far: counts, and the rows that failed since the last call.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    pub done: u32,
    pub imported: u32,
    pub locked: u32,
    pub drafts: u32,
}

pub async fn progress(
    db: &Db,
    id: &str,
    p: &Progress,
    failed: &[StoredIssue],
    finished: Option<DateTime<Utc>>,
) -> AppResult<()> {
    checked(
        db.query(
            "UPDATE type::record('import_batch', $id) SET done = $p.done, imported = $p.imported,
                 locked = $p.locked, drafts = $p.drafts, failed += $failed,
                 status = IF $finished != NONE THEN 'done' ELSE status END,
                 finished_at = $finished
             RETURN NONE",
        )
        .bind(("id", id.to_string()))
        .bind(("p", serde_json::to_value(p).unwrap_or_default()))
        .bind(("failed", serde_json::to_value(failed).unwrap_or_default()))
        .bind(("finished", finished))
        .await?,
    )?;
    Ok(())
}

/// Drops the uploaded cells of batches made before `cutoff` (refused and failed
/// rows, the chunks of rows waiting to be imported), keeping their counts; a
/// check never started becomes 'expired'. Running imports are left alone.
/// Returns how many batches were purged.
pub async fn purge_before(db: &Db, cutoff: DateTime<Utc>, now: DateTime<Utc>) -> AppResult<usize> {
    let mut resp = checked(
        db.query(
            "LET $old = SELECT VALUE id FROM import_batch
                 WHERE created_at < $cutoff AND purged_at = NONE AND status != 'running';
             FOR $b IN $old {
                 UPDATE $b SET
                     refused_total = array::len(refused), failed_total = array::len(failed),
                     refused = [], failed = [], purged_at = $now,
                     status = IF status = 'checked' THEN 'expired' ELSE status END
                 RETURN NONE;
                 DELETE import_chunk WHERE batch = $b RETURN NONE;
             };
             RETURN array::len($old);",
        )
        .bind(("cutoff", cutoff))
        .bind(("now", now))
        .await?,
    )?;
    let n: Option<i64> = resp.take(2)?;
    Ok(n.unwrap_or(0).max(0) as usize)
}

/// The import's audit row: who imported how many customers where.
pub async fn audit(db: &Db, actor: &str, id: &str, detail: serde_json::Value) -> AppResult<()> {
    checked(
        db.query(
            "CREATE audit_log CONTENT {
                 actor: type::record('user', $actor), action: 'import',
                 target: type::record('import_batch', $id), detail: $detail,
             } RETURN NONE",
        )
        .bind(("actor", actor.to_string()))
        .bind(("id", id.to_string()))
        .bind(("detail", detail))
        .await?,
    )?;
    Ok(())
}
