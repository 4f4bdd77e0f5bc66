//! Server functions for the view audit.

use crate::audit::model::*;
use crate::error::AppError;
use leptos::prelude::*;

/// The boss's overview of who opened whose customers.
#[server(endpoint = "view_audit")]
pub async fn get_view_audit() -> Result<ViewAudit, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::audit::service::overview(&state, &user).await
}

/// Who opened `person`'s customers (the person, the boss, admins).
#[server(endpoint = "views_of")]
pub async fn views_of(person: String) -> Result<Vec<ViewRow>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::audit::service::of_person(&state, &user, &person).await
}
