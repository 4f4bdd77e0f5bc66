//! Server functions of the notifications page (same endpoints as before).

use crate::error::AppError;
use crate::notifications::model::Notification;
use leptos::prelude::*;

#[server(endpoint = "notifications")]
pub async fn notifications() -> Result<Vec<Notification>, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::notifications::service::notifications(&state, &user).await
}

#[server(endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::notifications::repo::mark_notifications_read(&state.db, &user.id).await
}
