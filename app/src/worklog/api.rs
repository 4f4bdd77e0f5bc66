//! Server functions for daily logs.

use crate::error::AppError;
use crate::worklog::model::DailyLogView;
use leptos::prelude::*;

/// The signed-in user's log for a local day (empty: today), with the day's activity.
#[server(endpoint = "daily_log")]
pub async fn daily_log(#[server(default)] day: String) -> Result<DailyLogView, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::worklog::service::view(&state, &user, &day).await
}

#[server(endpoint = "save_daily_log")]
pub async fn save_daily_log(
    #[server(default)] day: String,
    work: String,
    #[server(default)] hours: String,
    #[server(default)] expenses: String,
) -> Result<(), AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::worklog::service::save(&state, &user, &day, &work, &hours, &expenses).await
}
