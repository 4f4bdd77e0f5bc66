//! Server functions for the view audit.

use crate::audit::model::*;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn ctx() -> Result<(crate::state::AppState, crate::auth::model::CurrentUser), AppError> {
    let user = crate::auth::session::require_user().await?;
    Ok((crate::state::app_state()?, user))
}

/// The boss's overview of who opened whose customers.
#[server(endpoint = "view_audit")]
pub async fn get_view_audit() -> Result<ViewAudit, AppError> {
    let (state, user) = ctx().await?;
    crate::audit::service::overview(&state, &user).await
}

/// Who opened `person`'s customers (the person, the boss, admins).
#[server(endpoint = "views_of")]
pub async fn views_of(person: String) -> Result<Vec<ViewRow>, AppError> {
    let (state, user) = ctx().await?;
    crate::audit::service::of_person(&state, &user, &person).await
}
