//! Server functions for the ranking boards and profiles.

use crate::error::AppError;
use crate::measure::model::*;
use leptos::prelude::*;

/// A board: `measure` (score, hours, …), `period` (month, last_week, custom with
/// `from`/`to`, …), `scope` (company, department:<id>); empty takes the default.
#[server(endpoint = "ranking_board")]
pub async fn ranking_board(
    #[server(default)] measure: String,
    #[server(default)] period: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] scope: String,
    #[server(default)] all: bool,
) -> Result<BoardView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::measure::service::board(&state, &user, &measure, &period, &from, &to, &scope, all).await
}

/// A person's curves and stage success over the last `weeks` (4, 12, 26).
#[server(endpoint = "person_profile")]
pub async fn person_profile(
    id: String,
    #[server(default)] weeks: String,
) -> Result<ProfileView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::measure::service::profile(&state, &user, &id, &weeks).await
}

#[server(endpoint = "measure_settings")]
pub async fn get_measure_settings() -> Result<MeasureSettings, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::measure::service::settings(&state, &user).await
}

#[server(endpoint = "save_measure_settings")]
pub async fn save_measure_settings(
    advance: String,
    visit: String,
    followup: String,
    confiscation: String,
    #[server(default)] reps_see_company: Option<String>,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::measure::service::save_settings(
        &state,
        &user,
        &advance,
        &visit,
        &followup,
        &confiscation,
        reps_see_company.is_some(),
    )
    .await
}
