//! Server functions for reminders.

use crate::error::AppError;
use crate::reminders::model::RemindersView;
use leptos::prelude::*;

#[server(endpoint = "reminders")]
pub async fn reminders() -> Result<RemindersView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    Ok(RemindersView {
        today: state
            .now()
            .with_timezone(&state.config.timezone)
            .format("%Y-%m-%d")
            .to_string(),
        items: crate::reminders::service::list(&state, &user).await?,
    })
}

/// A schedule item at a local date ("2026-11-24") and time ("14:30").
#[server(endpoint = "add_reminder")]
pub async fn add_reminder(
    date: String,
    time: String,
    title: String,
    #[server(default)] content: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::reminders::service::add(&state, &user, &date, &time, &title, &content).await
}

#[server(endpoint = "ack_reminder")]
pub async fn ack_reminder(id: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::reminders::service::ack(&state, &user, &id).await
}

/// Revisit a customer every `days` days (0: stop).
#[server(endpoint = "set_revisit")]
pub async fn set_revisit(customer: String, days: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::reminders::service::set_revisit(&state, &user, &customer, &days).await
}
