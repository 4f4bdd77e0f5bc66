//! Server functions for importing customers (the file itself is posted to
//! `POST /import/check`, a plain multipart form, in `server/src/import.rs`).

use crate::error::AppError;
use crate::import::model::*;
use leptos::prelude::*;

/// Where the signed-in user may import customers to.
#[server(endpoint = "import_targets")]
pub async fn import_targets() -> Result<Vec<TargetOption>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::import::service::targets(&state, &user).await
}

/// A checked file: what would be imported and what is refused, or, once
/// started, how far the import got. Only its importer may read it.
#[server(endpoint = "import_view")]
pub async fn get_import_view(id: String) -> Result<ImportView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::import::service::view(&state, &user, &id).await
}

/// Imports the accepted rows of a checked file (in the background).
#[server(endpoint = "start_import")]
pub async fn start_import(id: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::import::service::start(&state, &user, &id).await
}
