//! Database start-up: connect by URL, apply the schema, record its version.

use crate::settings::Settings;
use app::state::Db;
use surrealdb::opt::auth::Root;

/// The schema, one file per table, applied in order at every start
/// (`DEFINE … OVERWRITE` makes that idempotent).
const SCHEMA: &[(&str, &str)] = &[
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
];

/// Bumped whenever a schema file changes meaningfully.
pub const SCHEMA_VERSION: i64 = 12;

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

pub async fn apply_schema(db: &Db) -> Result<(), DbStartError> {
    for (file, sql) in SCHEMA {
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
    }
    db.query("UPSERT meta:schema SET version = $v, applied_at = time::now()")
        .bind(("v", SCHEMA_VERSION))
        .await
        .and_then(|r| r.check())
        .map_err(|source| DbStartError::Schema {
            file: "meta:schema",
            source,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
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
