//! Server functions for the experience pool.

use crate::error::AppError;
use crate::experience::model::{ExperienceHit, ExperienceView};
use leptos::prelude::*;

#[server(endpoint = "search_experience")]
pub async fn search_experience(
    #[server(default)] q: String,
    #[server(default)] stage: String,
    #[server(default)] industry: String,
) -> Result<ExperienceView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::experience::service::search(&state, &user, &q, &stage, &industry).await
}

/// The entries most like an alarm being written.
#[server(endpoint = "similar_experience")]
pub async fn similar_experience(text: String) -> Result<Vec<ExperienceHit>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::experience::service::similar(&state, &user, &text, 3).await
}

#[server(endpoint = "experience_entry")]
pub async fn experience_entry(
    id: String,
    #[server(default)] q: String,
) -> Result<ExperienceHit, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::experience::service::entry(&state, &user, &id, &q).await
}
