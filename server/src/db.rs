//! Database start-up: connect by URL, apply the schema, record its version.

use crate::settings::Settings;
use app::db::Db;
use surrealdb::opt::auth::Root;

/// The schema, one file per table, applied in order (`DEFINE … OVERWRITE` makes
/// that idempotent). A start applies only what changed since the last one (see
/// [`first_changed`]): redefining an index rebuilds it, and rebuilding every
/// index took 207 s at a year of a 200-person company.
pub const SCHEMA: &[(&str, &str)] = &[
    ("000_meta", include_str!("../schema/000_meta.surql")),
    (
        "010_department",
        include_str!("../schema/010_department.surql"),
    ),
    ("020_user", include_str!("../schema/020_user.surql")),
    ("030_session", include_str!("../schema/030_session.surql")),
    (
        "035_login_attempt",
        include_str!("../schema/035_login_attempt.surql"),
    ),
    (
        "040_audit_log",
        include_str!("../schema/040_audit_log.surql"),
    ),
    ("050_funnel", include_str!("../schema/050_funnel.surql")),
    ("060_customer", include_str!("../schema/060_customer.surql")),
    ("070_field", include_str!("../schema/070_field.surql")),
    ("080_config", include_str!("../schema/080_config.surql")),
    ("090_team", include_str!("../schema/090_team.surql")),
    ("100_measure", include_str!("../schema/100_measure.surql")),
    ("110_import", include_str!("../schema/110_import.surql")),
    ("120_newest", include_str!("../schema/120_newest.surql")),
    (
        "130_referrals",
        include_str!("../schema/130_referrals.surql"),
    ),
    (
        "140_funnel_tally",
        include_str!("../schema/140_funnel_tally.surql"),
    ),
    (
        "150_list_reads",
        include_str!("../schema/150_list_reads.surql"),
    ),
    (
        "160_upgrade_14",
        include_str!("../schema/160_upgrade_14.surql"),
    ),
    (
        "170_customer_file",
        include_str!("../schema/170_customer_file.surql"),
    ),
];

/// Bumped whenever a schema file changes meaningfully.
pub const SCHEMA_VERSION: i64 = 15;

#[derive(Debug, thiserror::Error)]
pub enum DbStartError {
    #[error("cannot create database directory {0}: {1}")]
    Dir(String, std::io::Error),
    #[error("cannot open database {url}: {source}")]
    Connect {
        url: String,
        source: surrealdb::Error,
    },
    #[error("schema file {file} failed: {source}")]
    Schema {
        file: &'static str,
        source: surrealdb::Error,
    },
    #[error("default funnel settings failed: {0}")]
    Defaults(app::error::AppError),
}

pub async fn connect(settings: &Settings) -> Result<Db, DbStartError> {
    if let Some(dir) = settings.database_dir() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| DbStartError::Dir(dir.display().to_string(), e))?;
    }
    let url = settings.database_url.clone();
    let connect_err = |source| DbStartError::Connect {
        url: url.clone(),
        source,
    };
    let db = surrealdb::engine::any::connect(settings.database_url.as_str())
        .await
        .map_err(connect_err)?;
    if let (Some(user), Some(pass)) = (&settings.database_user, &settings.database_pass) {
        db.signin(Root {
            username: user.clone(),
            password: pass.clone(),
        })
        .await
        .map_err(connect_err)?;
    }
    db.use_ns(settings.database_ns.as_str())
        .use_db(settings.database_db.as_str())
        .await
        .map_err(connect_err)?;
    apply_schema(&db).await?;
    app::funnel::repo::ensure_defaults(&db)
        .await
        .map_err(DbStartError::Defaults)?;
    Ok(db)
}

/// What the last start applied: the schema version and each file's digest.
#[derive(Debug, Default, serde::Deserialize)]
struct Applied {
    version: Option<i64>,
    #[serde(default)]
    files: std::collections::HashMap<String, String>,
}

/// The position of the first schema file to apply again: every file from it on
/// is applied, in order, so each definition ends as a full run would leave it
/// (a later file may redefine what an earlier one defined). All of them after a
/// version change (its one-time backfills are gated on the version), none when
/// nothing changed.
pub fn first_changed(
    applied_version: Option<i64>,
    applied: &std::collections::HashMap<String, String>,
    now: &[(&str, String)],
    version: i64,
) -> usize {
    if applied_version != Some(version) {
        return 0;
    }
    now.iter()
        .position(|(file, digest)| applied.get(*file) != Some(digest))
        .unwrap_or(now.len())
}

fn digest(sql: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Applies the schema files that changed since the last start (and those after
/// them); returns how many were applied.
pub async fn apply_schema(db: &Db) -> Result<usize, DbStartError> {
    let now: Vec<(&str, String)> = SCHEMA.iter().map(|(f, sql)| (*f, digest(sql))).collect();
    // a new database has no meta table yet: nothing was applied
    let applied: Applied = match db
        .query("SELECT version, files FROM ONLY meta:schema")
        .await
        .and_then(|r| r.check())
    {
        Ok(mut r) => r
            .take::<Option<serde_json::Value>>(0)
            .ok()
            .flatten()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        Err(_) => Applied::default(),
    };
    let from = first_changed(applied.version, &applied.files, &now, SCHEMA_VERSION);
    if from == SCHEMA.len() {
        tracing::info!("schema {SCHEMA_VERSION} unchanged");
        return Ok(0);
    }
    for (file, sql) in &SCHEMA[from..] {
        let started = std::time::Instant::now();
        // Redefining an index over a large table can lose a write race inside the
        // store ("can be retried"); seen once starting on a year of history.
        let mut attempt = 1;
        loop {
            let result = match db.query(*sql).await {
                Ok(resp) => resp.check().map(|_| ()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => break,
                Err(e) if attempt < 3 && e.to_string().contains("can be retried") => {
                    attempt += 1;
                    tracing::warn!("schema file {file} lost a write race, applying it again: {e}");
                }
                Err(source) => return Err(DbStartError::Schema { file, source }),
            }
        }
        tracing::info!("schema file {file} applied in {:?}", started.elapsed());
    }
    let files: serde_json::Map<String, serde_json::Value> = now
        .into_iter()
        .map(|(f, d)| (f.to_string(), serde_json::Value::String(d)))
        .collect();
    db.query("UPSERT meta:schema SET version = $v, files = $files, applied_at = time::now()")
        .bind(("v", SCHEMA_VERSION))
        .bind(("files", serde_json::Value::Object(files)))
        .await
        .and_then(|r| r.check())
        .map_err(|source| DbStartError::Schema {
            file: "meta:schema",
            source,
        })?;
    Ok(SCHEMA.len() - from)
}

#[cfg(test)]
mod tests {
    use super::first_changed;
    use std::collections::HashMap;

    /// A start applies the first changed file and every one after it; all after
    /// a version change or on a new database; none when nothing changed.
    #[test]
    fn a_start_applies_from_the_first_changed_file_on() {
        let now = |d: [&str; 3]| -> Vec<(&'static str, String)> {
            ["a", "b", "c"]
                .into_iter()
                .zip(d)
                .map(|(f, d)| (f, d.to_string()))
                .collect()
        };
        let applied = |d: &[(&str, &str)]| -> HashMap<String, String> {
            d.iter()
                .map(|(f, x)| (f.to_string(), x.to_string()))
                .collect()
        };
        let same = applied(&[("a", "1"), ("b", "2"), ("c", "3")]);
        // (version kept, digests kept, digests now, first file to apply, why)
        type Case = (
            Option<i64>,
            HashMap<String, String>,
            [&'static str; 3],
            usize,
            &'static str,
        );
        let cases: &[Case] = &[
            (Some(5), same.clone(), ["1", "2", "3"], 3, "nothing changed"),
            (None, HashMap::new(), ["1", "2", "3"], 0, "a new database"),
            (
                Some(4),
                same.clone(),
                ["1", "2", "3"],
                0,
                "the version moved",
            ),
            (
                Some(5),
                HashMap::new(),
                ["1", "2", "3"],
                0,
                "digests not kept yet",
            ),
            (
                Some(5),
                same.clone(),
                ["1", "9", "3"],
                1,
                "the middle file changed",
            ),
            (
                Some(5),
                same.clone(),
                ["1", "2", "9"],
                2,
                "the last file changed",
            ),
            (
                Some(5),
                same.clone(),
                ["9", "2", "3"],
                0,
                "the first file changed",
            ),
            (
                Some(5),
                applied(&[("a", "1"), ("b", "2")]),
                ["1", "2", "3"],
                2,
                "a new file",
            ),
        ];
        for (version, kept, digests, from, why) in cases {
            assert_eq!(
                first_changed(*version, kept, &now(*digests), 5),
                *from,
                "{why}"
            );
        }
    }

    /// The schema's events count stage success with the same actions as the rules.
    #[test]
    fn stage_success_actions_match_the_rules() {
        let sql = include_str!("../schema/100_measure.surql");
        let list = |actions: &[&str]| {
            let quoted: Vec<String> = actions.iter().map(|a| format!("'{a}'")).collect();
            format!("[{}]", quoted.join(", "))
        };
        // the event and the one-time count of older history
        assert_eq!(
            sql.matches(&list(&app::measure::rules::MOVED_ON)).count(),
            2
        );
        assert_eq!(sql.matches(&list(&app::measure::rules::DROPPED)).count(), 2);
    }
}
