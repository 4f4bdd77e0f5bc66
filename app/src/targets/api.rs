//! Server functions for sales targets.

use crate::error::AppError;
use crate::targets::model::*;
use leptos::prelude::*;

/// The targets of a period (`period`: month, quarter, year; `month`: YYYY-MM).
#[server(endpoint = "targets")]
pub async fn targets(
    #[server(default)] period: String,
    #[server(default)] month: String,
) -> Result<TargetsView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::targets::service::view(&state, &user, &period, &month).await
}

/// Sets a monthly target (`kind`: user, department, company; `amount` in yuan).
#[server(endpoint = "set_target")]
pub async fn set_target(
    kind: String,
    #[server(default)] subject: String,
    month: String,
    #[server(default)] amount: String,
    #[server(default)] deals: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::targets::service::set(&state, &user, &kind, &subject, &month, &amount, &deals).await
}
