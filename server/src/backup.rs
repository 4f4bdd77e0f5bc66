//! `bpc backup FILE` and `bpc restore FILE`: the whole database as SurrealQL
//! through SurrealDB's own export and import (definitions, then every record;
//! the import runs under `OPTION IMPORT`, so table events do not run again and
//! the day sums are restored as they were). For the embedded file database and
//! `mem://`; a SurrealDB server is backed up with its own `surreal export`.
//! Photos are files (`BPC_PHOTOS`): copy that directory beside the backup.

use crate::settings::Settings;
use app::db::Db;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}: a SurrealDB server is backed up and restored with its own tools: `surreal export --endpoint http://HOST:PORT --namespace {1} --database {2} FILE` (and `surreal import`)")]
    Remote(String, String, String),
    #[error("cannot open the database {0}: {1} (is BPC still running on it? stop it first)")]
    Open(String, String),
    #[error("export failed: {0}")]
    Export(String),
    #[error("import failed: {0}")]
    Import(String),
    #[error("the database already holds {0} people: restore into a fresh database (a new DATABASE_URL or an empty data directory)")]
    NotEmpty(i64),
    #[error("{0}: no such backup file")]
    Missing(String),
}

/// The database `settings` name, opened without applying the schema (a restore
/// brings its own definitions).
pub async fn open(settings: &Settings) -> Result<Db, BackupError> {
    let url = settings.database_url.clone();
    if url.starts_with("ws://") || url.starts_with("wss://") {
        return Err(BackupError::Remote(
            url,
            settings.database_ns.clone(),
            settings.database_db.clone(),
        ));
    }
    if let Some(dir) = settings.database_dir() {
        std::fs::create_dir_all(&dir).map_err(|e| BackupError::Open(url.clone(), e.to_string()))?;
    }
    let db = surrealdb::engine::any::connect(url.as_str())
        .await
        .map_err(|e| BackupError::Open(url.clone(), e.to_string()))?;
    db.use_ns(settings.database_ns.as_str())
        .use_db(settings.database_db.as_str())
        .await
        .map_err(|e| BackupError::Open(url.clone(), e.to_string()))?;
    Ok(db)
}

/// Tables a backup leaves out: live sign-ins (a backup file must not carry
/// session ids anyone could sign in with) and the sign-in attempt counts.
const NOT_BACKED_UP: &[&str] = &["session", "login_attempt"];

/// Writes the whole database to `file` but [`NOT_BACKED_UP`]; returns its
/// size in bytes.
pub async fn backup(db: &Db, file: &Path) -> Result<u64, BackupError> {
    let tables: Vec<String> = db
        .query("RETURN object::keys((INFO FOR DB).tables)")
        .await
        .and_then(|mut r| r.take(0))
        .map_err(|e| BackupError::Export(e.to_string()))?;
    let tables: Vec<String> = tables
        .into_iter()
        .filter(|t| !NOT_BACKED_UP.contains(&t.as_str()))
        .collect();
    db.export(file)
        .with_config()
        .tables(tables)
        .await
        .map_err(|e| BackupError::Export(e.to_string()))?;
    std::fs::metadata(file)
        .map(|m| m.len())
        .map_err(|e| BackupError::Export(e.to_string()))
}

/// Loads `file` into `db`, which must hold nobody yet (nothing is merged or
/// overwritten).
pub async fn restore(db: &Db, file: &Path) -> Result<(), BackupError> {
    if !file.is_file() {
        return Err(BackupError::Missing(file.display().to_string()));
    }
    let people: Option<i64> = db
        .query("RETURN count(SELECT id FROM user)")
        .await
        .and_then(|mut r| r.take(0))
        .unwrap_or(Some(0));
    match people.unwrap_or(0) {
        0 => {}
        n => return Err(BackupError::NotEmpty(n)),
    }
    db.import(file)
        .await
        .map_err(|e| BackupError::Import(e.to_string()))
}
