//! Importing customers: where an importer may put them, the check of a file
//! (a dry run: nothing is written but the batch), and the import itself, run in
//! the background a row at a time through registration's own transaction.

use crate::auth::model::{CurrentUser, Role};
use crate::customers::service::{import_one, Ctx, ImportTo, Imported};
use crate::error::{AppError, AppResult};
use crate::import::file::FileRefusal;
use crate::import::isolate::read_table_isolated;
use crate::import::model::{ImportView, RowIssue, TargetOption};
use crate::import::repo::{self, NewBatch, PendingRow, Progress, StoredIssue};
use crate::import::rules::{check_rows, map_headers, plan_locks, RowCheck};
use crate::people::rules::subtree;
use crate::state::AppState;
use std::sync::LazyLock;

/// Every translation of each key, for reading headers in either language.
static LOCALES: LazyLock<Vec<serde_json::Value>> = LazyLock::new(|| {
    [
        include_str!("../../locales/zh-CN.json"),
        include_str!("../../locales/en.json"),
    ]
    .iter()
    .map(|t| serde_json::from_str(t).unwrap_or_default())
    .collect()
});

/// One language's translations as JSON (English for "en", Chinese otherwise),
/// for what the server writes outside pages (workbooks).
pub fn locale(language: &str) -> &'static serde_json::Value {
    &LOCALES[usize::from(language == "en")]
}

/// A translation key in every language.
pub fn labels(key: &str) -> Vec<String> {
    LOCALES
        .iter()
        .filter_map(|l| l.get(key).and_then(|v| v.as_str()).map(str::to_string))
        .collect()
}

/// Where `user` may import to: a rep into their own name; a manager also for
/// the people and into the inboxes of their department tree; the boss and
/// admins for anyone, any department's inbox, or the public pool.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn targets(state: &AppState, user: &CurrentUser) -> AppResult<Vec<TargetOption>> {
    let option = |value: String, kind: &str, name: &str| TargetOption {
        value,
        kind: kind.into(),
        name: name.into(),
    };
    let mut out = Vec::new();
    if matches!(user.role, Role::Rep | Role::Manager) {
        out.push(option("me".into(), "me", ""));
    }
    if user.role == Role::Rep {
        return Ok(out);
    }
    let config = crate::funnel::snapshot::config(state).await?;
    let tree = match user.role {
        Role::Manager => Some(subtree(&config.org.parents, &user.department_id)),
        _ => None,
    };
    let within = |d: &str| tree.as_ref().is_none_or(|t| t.contains(d));
    let mut people = crate::people::repo::list_users(&state.db).await?;
    people.retain(|p| {
        p.active
            && p.id != user.id
            && matches!(p.role, Role::Rep | Role::Manager)
            && within(&p.department_id)
    });
    people.sort_by(|a, b| (&a.department_name, &a.name).cmp(&(&b.department_name, &b.name)));
    for p in people {
        out.push(option(
            format!("rep:{}", p.id),
            "rep",
            &format!("{} · {}", p.name, p.department_name),
        ));
    }
    for d in crate::people::repo::list_departments(&state.db).await? {
        if within(&d.id) {
            out.push(option(
                format!("department:{}", d.id),
                "department",
                &d.name,
            ));
        }
    }
    if matches!(user.role, Role::Boss | Role::Admin) {
        out.push(option("pool".into(), "pool", ""));
    }
    Ok(out)
}

/// A chosen target, checked against what `user` may choose.
struct Target {
    to: ImportTo,
    kind: String,
    id: Option<String>,
    name: String,
}

async fn target(state: &AppState, user: &CurrentUser, value: &str) -> AppResult<Target> {
    let value = if value.is_empty() && user.role == Role::Rep {
        "me"
    } else {
        value
    };
    let option = targets(state, user)
        .await?
        .into_iter()
        .find(|o| o.value == value)
        .ok_or(AppError::Forbidden)?;
    let id = value.split_once(':').map(|(_, id)| id.to_string());
    let to = match (option.kind.as_str(), &id) {
        ("me", _) => ImportTo::Owner(user.clone()),
        ("rep", Some(id)) => {
            let (person, active) = crate::auth::repo::find_user(&state.db, id)
                .await?
                .ok_or(AppError::Forbidden)?;
            if !active {
                return Err(AppError::Forbidden);
            }
            ImportTo::Owner(person)
        }
        ("department", Some(id)) => ImportTo::Department(id.clone()),
        ("pool", _) => ImportTo::Pool,
        _ => return Err(AppError::Forbidden),
    };
    Ok(Target {
        to,
        kind: option.kind,
        id,
        name: option.name,
    })
}

/// A file name as shown: no control characters, at most 120 characters.
fn shown_name(raw: &str) -> String {
    let name: String = raw
        .chars()
        .filter(|c| !c.is_control() && !crate::text::is_bidi_control(*c))
        .take(120)
        .collect();
    if name.trim().is_empty() {
        "import".into()
    } else {
        name
    }
}

fn issue(
    row: usize,
    cells: &[String],
    name_col: Option<usize>,
    field: &str,
    code: &str,
) -> StoredIssue {
    StoredIssue {
        issue: RowIssue {
            row: row as u32,
            name: name_col
                .and_then(|i| cells.get(i))
                .map(|n| n.trim().chars().take(80).collect())
                .unwrap_or_default(),
            field: field.into(),
            code: code.into(),
            on: None,
            same_as: None,
        },
        cells: cells.to_vec(),
    }
}

/// What reading and checking a file found (done off the async threads: a large
/// workbook takes a moment to unpack).
enum Checked {
    Refused(&'static str),
    Missing(Vec<&'static str>),
    Rows {
        headers: Vec<String>,
        fields: Vec<Option<&'static str>>,
        rows: Vec<Vec<String>>,
        checks: Vec<RowCheck>,
    },
}

fn check_file(rows: Result<Vec<Vec<String>>, FileRefusal>) -> Checked {
    let mut rows = match rows {
        Ok(r) => r,
        Err(code) => return Checked::Refused(code),
    };
    let headers = rows.remove(0);
    let fields = match map_headers(&headers, labels) {
        Ok(f) => f,
        Err(missing) => return Checked::Missing(missing),
    };
    let checks = check_rows(&rows, &fields);
    Checked::Rows {
        headers,
        fields,
        rows,
        checks,
    }
}

/// Checks a file as an import into `target` would take it, row by row, with
/// registration's rules and the duplicate check against the database and the
/// rows above; stores the outcome as a batch (nothing else is written) and
/// returns its id. Refused when `user` may not import into `target`, and with
/// `Validation { field: "file", code }` when the file cannot be read at all
/// (`code` as `import_err_<code>` words it).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn check(
    state: &AppState,
    user: &CurrentUser,
    target_value: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<String> {
    let t = target(state, user, target_value).await?;
    let tz = state.config.timezone;
    let today = crate::calendar::local_midnight(state.now().with_timezone(&tz).date_naive(), &tz);
    let (checks, checked_rows) = repo::checked_since(&state.db, &user.id, today).await?;
    if !crate::import::rules::may_check(checks, checked_rows) {
        return Err(AppError::RateLimited);
    }
    let rows = read_table_isolated(&state.config.import, bytes).await;
    let checked = tokio::task::spawn_blocking(move || check_file(rows))
        .await
        .map_err(|e| crate::error::internal(format!("import check: {e}")))?;
    let mut batch = NewBatch {
        by: user.id.clone(),
        file_name: shown_name(file_name),
        target_kind: t.kind.clone(),
        target_id: t.id.clone(),
        target_name: t.name.clone(),
        status: "invalid".into(),
        error: None,
        missing: Vec::new(),
        headers: Vec::new(),
        rows: 0,
        accepted: 0,
        will_lock: 0,
        will_draft: 0,
        refused: Vec::new(),
    };
    let (headers, fields, rows, checks) = match checked {
        // a file that cannot be read at all leaves nothing to keep: the form
        // says why and the file is chosen again
        Checked::Refused(code) => return Err(AppError::validation("file", code)),
        Checked::Missing(missing) => {
            batch.error = Some("missing_columns".into());
            batch.missing = missing.into_iter().map(String::from).collect();
            return repo::create(&state.db, batch, Vec::new(), state.now()).await;
        }
        Checked::Rows {
            headers,
            fields,
            rows,
            checks,
        } => (headers, fields, rows, checks),
    };
    let name_col = fields.iter().position(|f| *f == Some("name"));
    // the database's side of the duplicate check, for every valid row at once
    let keys_of = |v: &crate::customers::input::ValidCustomer| -> Vec<String> {
        std::iter::once(format!("n:{}", v.name_key))
            .chain(v.phone_keys.iter().map(|p| format!("p:{p}")))
            .collect()
    };
    let all_keys: Vec<String> = checks
        .iter()
        .filter_map(|c| match c {
            RowCheck::Valid(v, _) => Some(keys_of(v)),
            _ => None,
        })
        .flatten()
        .collect();
    let taken = crate::customers::repo::find_keys(&state.db, &all_keys).await?;
    let owner = match &t.to {
        ImportTo::Owner(u) => Some(u.id.clone()),
        _ => None,
    };
    batch.rows = checks.iter().filter(|c| **c != RowCheck::Blank).count() as u32;
    let mut pending: Vec<PendingRow> = Vec::new();
    for (i, (cells, check)) in rows.iter().zip(checks).enumerate() {
        let row = i + 2;
        match check {
            RowCheck::Blank => continue,
            RowCheck::Invalid(field, code) => {
                batch.refused.push(issue(row, cells, name_col, field, code));
            }
            RowCheck::SameAs(earlier) => {
                let mut is = issue(row, cells, name_col, "name", "same_as");
                is.issue.same_as = Some(earlier as u32);
                batch.refused.push(is);
            }
            RowCheck::Valid(v, qualified) => {
                if let Some(hit) = keys_of(&v).iter().find_map(|k| taken.get(k)) {
                    let mine = owner.is_some() && hit.owner == owner;
                    let code = if mine { "duplicate_mine" } else { "duplicate" };
                    let field = if hit.kind == "name" { "name" } else { "phones" };
                    let mut is = issue(row, cells, name_col, field, code);
                    is.issue.on = Some(
                        hit.at
                            .with_timezone(&state.config.timezone)
                            .date_naive()
                            .format("%Y-%m-%d")
                            .to_string(),
                    );
                    batch.refused.push(is);
                    continue;
                }
                let (input, _) = crate::import::rules::row_input(cells, &fields);
                pending.push(PendingRow {
                    row: row as u32,
                    input,
                    qualified,
                    cells: cells.clone(),
                });
            }
        }
    }
    batch.accepted = pending.len() as u32;
    if let ImportTo::Owner(u) = &t.to {
        let ctx = Ctx::load(state).await?;
        let limits = ctx
            .config
            .policies
            .for_department(Some(&u.department_id))
            .limits;
        let owned =
            crate::customers::repo::count_owned(&state.db, &u.id, limits.won_counts_toward_cap)
                .await?;
        let qualified: Vec<bool> = pending.iter().map(|p| p.qualified).collect();
        let locks = plan_locks(owned, limits.max_owned, &qualified);
        batch.will_lock = locks.iter().filter(|l| **l).count() as u32;
        batch.will_draft = batch.accepted - batch.will_lock;
    }
    batch.headers = headers;
    batch.status = if pending.is_empty() {
        "invalid"
    } else {
        "checked"
    }
    .into();
    if pending.is_empty() && batch.refused.is_empty() {
        batch.error = Some("empty".into());
    }
    repo::create(&state.db, batch, pending, state.now()).await
}

/// The batch, for the person who made it (anyone else: not found).
async fn own_batch(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<repo::BatchRow> {
    let id = crate::customers::repo::valid_key(id).map_err(|_| AppError::NotFound)?;
    repo::find(&state.db, id)
        .await?
        .filter(|b| b.by == user.id)
        .ok_or(AppError::NotFound)
}

fn shown(issues: &[StoredIssue]) -> Vec<RowIssue> {
    issues
        .iter()
        .take(crate::import::model::SHOWN)
        .map(|i| i.issue.clone())
        .collect()
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn view(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<ImportView> {
    let b = own_batch(state, user, id).await?;
    let (refused, failed) = (b.refused(), b.failed());
    let n = |v: i64| v.max(0) as u32;
    let expired = b.purged_at.is_some();
    Ok(ImportView {
        id: b.id.clone(),
        file_name: b.file_name.clone(),
        target_kind: b.target_kind.clone(),
        target_name: b.target_name.clone(),
        status: b.status.clone(),
        error: b.error.clone(),
        missing: b.missing.clone(),
        rows: n(b.rows),
        accepted: n(b.accepted),
        will_lock: n(b.will_lock),
        will_draft: n(b.will_draft),
        refused: shown(&refused),
        refused_count: b.refused_total.map_or(refused.len() as u32, n),
        done: n(b.done),
        imported: n(b.imported),
        locked: n(b.locked),
        drafts: n(b.drafts),
        failed: shown(&failed),
        failed_count: b.failed_total.map_or(failed.len() as u32, n),
        expired,
        seconds: b
            .started_at
            .zip(b.finished_at)
            .map(|(s, f)| (f - s).num_milliseconds() as f64 / 1000.0),
    })
}

/// Every refused and failed row with its cells, in row order, and the file's
/// headers: the error workbook's content.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn errors(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> AppResult<(Vec<String>, Vec<StoredIssue>)> {
    let b = own_batch(state, user, id).await?;
    // the file's cells are kept KEEP_DAYS days, then the workbook is gone
    if b.purged_at.is_some() {
        return Err(AppError::NotFound);
    }
    let mut all = b.refused();
    all.extend(b.failed());
    all.sort_by_key(|i| i.issue.row);
    Ok((b.headers.clone(), all))
}

/// Starts a checked import in the background; the page follows its progress.
/// The target is checked again (the importer's rights may have changed).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn start(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<()> {
    let b = own_batch(state, user, id).await?;
    if b.status != "checked" {
        return Err(AppError::conflict("import_started"));
    }
    let value = match (&b.target_kind[..], &b.target_id) {
        ("me", _) => "me".to_string(),
        ("pool", _) => "pool".to_string(),
        (kind, Some(id)) => format!("{kind}:{id}"),
        _ => return Err(AppError::Forbidden),
    };
    let t = target(state, user, &value).await?;
    let detail = serde_json::json!({
        "file": b.file_name, "target": t.kind, "target_id": t.id, "rows": b.accepted,
    });
    if !repo::start(&state.db, &b.id, &user.id, detail, state.now()).await? {
        return Err(AppError::conflict("import_started"));
    }
    let (state, user) = (state.clone(), user.clone());
    tokio::spawn(async move {
        if let Err(e) = run(&state, &user, &b, &t).await {
            tracing::error!(batch = %b.id, "import failed: {e:?}");
            let _ = repo::progress(
                &state.db,
                &b.id,
                &Progress::default(),
                &[],
                Some(state.now()),
            )
            .await;
        }
    });
    Ok(())
}

/// Days an import keeps the file's cells (its refused rows for the error
/// workbook, its rows waiting to be imported).
pub const KEEP_DAYS: i64 = 7;

/// Drops the cells of imports older than [`KEEP_DAYS`] (run by the sweeper
/// about once an hour). Returns how many batches were purged.
pub async fn purge_expired(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    repo::purge_before(&state.db, now - chrono::Duration::days(KEEP_DAYS), now).await
}

/// Progress is written every this many rows.
const PROGRESS_EVERY: u32 = 50;

async fn run(
    state: &AppState,
    user: &CurrentUser,
    b: &repo::BatchRow,
    t: &Target,
) -> AppResult<()> {
    let mut p = Progress::default();
    let mut failed: Vec<StoredIssue> = Vec::new();
    let mut failed_total = 0u32;
    for i in 0..b.chunks {
        let rows = repo::chunk(&state.db, &b.id, i).await?;
        let ctx = Ctx::load(state).await?;
        for r in rows {
            let mut fail = |field: &str, code: &str, on: Option<String>| {
                failed.push(StoredIssue {
                    issue: RowIssue {
                        row: r.row,
                        name: r.input.name.chars().take(80).collect(),
                        field: field.into(),
                        code: code.into(),
                        on,
                        same_as: None,
                    },
                    cells: r.cells.clone(),
                });
            };
            match import_one(state, &ctx, user, &t.to, &r.input, r.qualified).await {
                Ok(Imported::Duplicate { on, mine }) => fail(
                    "name",
                    if mine { "duplicate_mine" } else { "duplicate" },
                    Some(on.format("%Y-%m-%d").to_string()),
                ),
                Ok(done) => {
                    p.imported += 1;
                    match done {
                        Imported::Locked => p.locked += 1,
                        Imported::Draft => p.drafts += 1,
                        _ => {}
                    }
                }
                Err(AppError::Validation { field, code }) => fail(&field, &code, None),
                Err(e) => {
                    tracing::error!(batch = %b.id, row = r.row, "import row: {e:?}");
                    fail("", "error", None)
                }
            }
            p.done += 1;
            if p.done % PROGRESS_EVERY == 0 {
                failed_total += failed.len() as u32;
                repo::progress(&state.db, &b.id, &p, &failed, None).await?;
                failed.clear();
            }
            // one row at a time: other requests are served in between
            tokio::task::yield_now().await;
        }
    }
    failed_total += failed.len() as u32;
    repo::progress(&state.db, &b.id, &p, &failed, Some(state.now())).await?;
    let detail = serde_json::json!({
        "file": b.file_name, "target": t.kind, "target_id": t.id,
        "imported": p.imported, "locked": p.locked, "drafts": p.drafts, "failed": failed_total,
    });
    repo::audit(&state.db, &user.id, &b.id, detail).await?;
    tracing::info!(batch = %b.id, imported = p.imported, failed = failed_total, "import done");
    Ok(())
}
