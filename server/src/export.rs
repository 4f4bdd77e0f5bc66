//! `GET /export/customers.xlsx`: the customer list a manager (their departments)
//! or the boss (the company) may take out, as an Excel file. Reps are refused.
//! Every export is audited (`customers::service::export`). The column headers
//! come from the translation files, in the user's language.

use app::customers::model::CustomerCard;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use tower_sessions::Session;

/// The translations, as the UI has them.
pub(crate) fn labels(language: &str) -> serde_json::Value {
    app::import::service::locale(language).clone()
}

pub(crate) fn label(all: &serde_json::Value, key: &str) -> String {
    all.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or(key)
        .to_string()
}

/// The workbook's bytes: one row per customer under translated headers.
pub fn workbook(cards: &[CustomerCard], language: &str) -> Result<Vec<u8>, String> {
    let t = labels(language);
    let status = |c: &CustomerCard| {
        let key = match c.status {
            app::customers::model::Status::Draft => "status_draft",
            app::customers::model::Status::Owned => "status_owned",
            app::customers::model::Status::Held => "status_held",
            app::customers::model::Status::Pool => "status_pool",
            app::customers::model::Status::Lost => "status_lost",
        };
        label(&t, key)
    };
    let headers = [
        "field_company",
        "stage",
        "export_status",
        "export_owner",
        "field_industry",
        "field_region",
        "field_size",
        "field_source",
        "field_phones",
        "field_expected_amount",
    ];
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    for (col, key) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, label(&t, key), &bold)
            .map_err(|e| e.to_string())?;
    }
    for (i, c) in cards.iter().enumerate() {
        let row = i as u32 + 1;
        let cells = [
            c.name.clone(),
            c.stage_name.clone(),
            status(c),
            c.owner_name.clone().unwrap_or_default(),
            c.industry.clone(),
            c.region.clone(),
            c.size.clone(),
            c.source.clone(),
            c.phones.join(" / "),
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet
                .write_string(row, col as u16, value)
                .map_err(|e| e.to_string())?;
        }
        sheet
            .write_number(row, 9, c.expected_cents as f64 / 100.0)
            .map_err(|e| e.to_string())?;
    }
    sheet.set_column_width(0, 32).map_err(|e| e.to_string())?;
    book.save_to_buffer().map_err(|e| e.to_string())
}

pub async fn customers_xlsx(State(state): State<AppState>, session: Session) -> Response {
    let user = match app::auth::session::user_of_session(&state.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return error(e),
    };
    let cards = match app::customers::service::export(&state, &user).await {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    match workbook(&cards, &user.language) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"customers.xlsx\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("export workbook: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(crate) fn error(e: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(e)).into_response()
}
