//! Server functions for the suggestion box. `post_suggestion` passes the session's
//! user on only to prove the poster is an employee; the service stores nothing of it.

use crate::error::AppError;
use crate::suggestions::model::SuggestionsView;
use leptos::prelude::*;

#[server(endpoint = "suggestions")]
pub async fn suggestions() -> Result<SuggestionsView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::suggestions::service::list(&state, &user).await
}

/// Returns when the post will appear (local "15:00").
#[server(endpoint = "post_suggestion")]
pub async fn post_suggestion(text: String) -> Result<String, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::suggestions::service::post(&state, &user, &text).await
}

#[server(endpoint = "reply_suggestion")]
pub async fn reply_suggestion(id: String, text: String, status: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::suggestions::service::reply(&state, &user, &id, &text, &status).await
}
