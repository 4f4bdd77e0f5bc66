//! Server functions the live stream's browser client asks first.

use crate::error::AppError;
use leptos::prelude::*;

/// Unread notifications of the signed-in user.
#[server(endpoint = "unread")]
pub async fn unread_count() -> Result<i64, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::live::repo::unread(&state.db, &user.id).await
}

/// The newest stream position: where a page's live socket starts.
#[server(endpoint = "stream_head")]
pub async fn stream_head() -> Result<Option<String>, AppError> {
    crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::live::repo::stream_head(&state.db).await
}
