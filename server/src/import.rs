//! Customer import over HTTP: `GET /import/template.xlsx` (the columns, in both
//! languages), `POST /import/check` (the file, a plain multipart form: checked
//! and stored as a batch, then a redirect to its page) and
//! `GET /import/{id}/errors.xlsx` (the refused rows with their reasons, to fix
//! and import again). The rules and the import itself are in `app::import`.

use crate::export::{error, label, labels};
use app::error::AppError;
use app::import::model::RowIssue;
use app::import::repo::StoredIssue;
use app::import::rules::{COLUMNS, MAX_BYTES};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rust_xlsxwriter::{Format, Workbook};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tower_sessions::Session;

/// The largest request `POST /import/check` reads: the file and the target.
pub const CHECK_BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx(bytes: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The template: one header per column, "中文 / English", required ones marked
/// with *, and a second sheet saying how rows are checked.
pub fn template() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let (zh, en) = (labels("zh-CN"), labels("en"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(label(&zh, "import_title"))?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (col, c) in COLUMNS.iter().enumerate() {
        let mark = if c.required { " *" } else { "" };
        let header = format!("{} / {}{mark}", label(&zh, c.label), label(&en, c.label));
        sheet.write_string_with_format(0, col as u16, &header, &bold)?;
        // typed as text, so phones keep their leading zeros
        sheet.set_column_format(col as u16, &text)?;
        sheet.set_column_width(col as u16, if col == 0 { 32 } else { 18 })?;
    }
    let help = book.add_worksheet();
    help.set_name(format!(
        "{} {}",
        label(&zh, "import_help"),
        label(&en, "import_help")
    ))?;
    help.set_column_width(0, 120)?;
    for (row, key) in ["import_step_fill", "import_step_check", "import_rules_note"]
        .iter()
        .enumerate()
    {
        help.write_string(row as u32 * 2, 0, label(&zh, key))?;
        help.write_string(row as u32 * 2 + 1, 0, label(&en, key))?;
    }
    book.save_to_buffer()
}

pub async fn template_xlsx() -> Response {
    match template() {
        Ok(bytes) => xlsx(bytes, "bpc-customers.xlsx"),
        Err(e) => error(app::error::internal(format!("import template: {e}"))),
    }
}

/// Renders an app page for the form's own request (the caller's cookies and
/// language), so a refused upload answers with its status and the import form
/// saying why, with or without JavaScript.
pub type PageRenderer = Arc<
    dyn Fn(Request<Body>) -> Pin<Box<dyn Future<Output = Response> + Send + 'static>> + Send + Sync,
>;

#[derive(Clone)]
pub struct ImportState {
    pub app: AppState,
    pub page: PageRenderer,
}

/// The import form with `code` as its error, answered with `status`.
async fn refused(
    page: &PageRenderer,
    headers: &HeaderMap,
    session: &Session,
    status: StatusCode,
    code: &str,
) -> Response {
    let mut request = Request::new(Body::empty());
    *request.uri_mut() = match format!("/customers/import?error={code}").parse() {
        Ok(uri) => uri,
        Err(_) => return status.into_response(),
    };
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE, header::HOST] {
        if let Some(v) = headers.get(&name) {
            request.headers_mut().insert(name, v.clone());
        }
    }
    // the page's own server functions (the frame, the targets) read the session
    // the session layer put on the form's request
    request.extensions_mut().insert(session.clone());
    let mut response = page(request).await;
    *response.status_mut() = status;
    response
}

pub async fn check(
    State(import): State<ImportState>,
    session: Session,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let state = &import.app;
    let user = match app::auth::session::user_of_session(&state.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return error(e),
    };
    let back = |status: StatusCode, code: &'static str| {
        refused(&import.page, &headers, &session, status, code)
    };
    let Ok(mut multipart) = multipart else {
        return back(StatusCode::BAD_REQUEST, "unreadable").await;
    };
    let too_large = StatusCode::PAYLOAD_TOO_LARGE;
    let (mut target, mut file_name, mut bytes) = (String::new(), String::new(), Vec::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == too_large => return back(too_large, "too_large").await,
            Err(_) => return back(StatusCode::BAD_REQUEST, "unreadable").await,
        };
        match field.name() {
            Some("target") => match field.text().await {
                Ok(t) if t.len() <= 200 => target = t,
                _ => return back(StatusCode::BAD_REQUEST, "unreadable").await,
            },
            Some("file") => {
                file_name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) if b.len() > MAX_BYTES => return back(too_large, "too_large").await,
                    Ok(b) => bytes = b.to_vec(),
                    Err(e) if e.status() == too_large => return back(too_large, "too_large").await,
                    Err(_) => return back(StatusCode::BAD_REQUEST, "unreadable").await,
                }
            }
            _ => {}
        }
    }
    if bytes.is_empty() {
        return back(StatusCode::BAD_REQUEST, "no_file").await;
    }
    match app::import::service::check(state, &user, &target, &file_name, bytes).await {
        Ok(id) => Redirect::to(&format!("/customers/import/{id}")).into_response(),
        Err(AppError::Forbidden) => back(StatusCode::FORBIDDEN, "forbidden").await,
        Err(AppError::RateLimited) => back(StatusCode::TOO_MANY_REQUESTS, "daily_limit").await,
        Err(AppError::Validation { field, code }) if field == "file" => {
            let code = app::import::isolate::known_refusal(&code);
            back(StatusCode::BAD_REQUEST, code).await
        }
        Err(e) => error(e),
    }
}

/// A refused row's reason in `language`, as the page words it.
fn reason(t: &serde_json::Value, i: &RowIssue) -> String {
    let on = i.on.clone().unwrap_or_default();
    let text = match i.code.as_str() {
        "duplicate" => format!("{} {on}", label(t, "dup_taken")),
        "duplicate_mine" => format!("{} {on}", label(t, "dup_mine")),
        "same_as" => {
            label(t, "import_same_as").replace("{n}", &i.same_as.unwrap_or_default().to_string())
        }
        code => {
            let key = format!("err_{code}");
            if t.get(&key).is_some() {
                label(t, &key)
            } else {
                label(t, "err_invalid")
            }
        }
    };
    let field = COLUMNS.iter().find(|c| c.field == i.field);
    match field {
        Some(c) if !i.code.starts_with("duplicate") && i.code != "same_as" => {
            format!("{}：{text}", label(t, c.label))
        }
        _ => text,
    }
}

/// The file's own columns for every refused or failed row, and a last column
/// with the reason: fix the cells, delete the last column, import again.
pub fn errors_workbook(
    headers: &[String],
    issues: &[StoredIssue],
    language: &str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let t = labels(language);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let width = headers
        .len()
        .max(issues.iter().map(|i| i.cells.len()).max().unwrap_or(0));
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, h, &bold)?;
        sheet.set_column_format(col as u16, &text)?;
    }
    sheet.write_string_with_format(0, width as u16, label(&t, "import_reason"), &bold)?;
    sheet.set_column_width(width as u16, 48)?;
    for (r, issue) in issues.iter().enumerate() {
        let row = r as u32 + 1;
        for (col, cell) in issue.cells.iter().enumerate() {
            sheet.write_string(row, col as u16, cell)?;
        }
        sheet.write_string(
            row,
            width as u16,
            format!(
                "{} {}：{}",
                label(&t, "import_row"),
                issue.issue.row,
                reason(&t, &issue.issue)
            ),
        )?;
    }
    book.save_to_buffer()
}

pub async fn errors_xlsx(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let user = match app::auth::session::user_of_session(&state.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return error(e),
    };
    let (headers, issues) = match app::import::service::errors(&state, &user, &id).await {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    match errors_workbook(&headers, &issues, &user.language) {
        Ok(bytes) => xlsx(bytes, "bpc-import-errors.xlsx"),
        Err(e) => error(app::error::internal(format!("import errors workbook: {e}"))),
    }
}
