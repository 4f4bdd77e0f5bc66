//! Server functions of the customer file.

use crate::customer_file::model::TimelinePage;
use crate::customers::model::CustomerDetail;
use crate::error::AppError;
use leptos::prelude::*;

/// One customer's page, as the signed-in user may see it.
#[server(endpoint = "customer")]
pub async fn get_customer(id: String) -> Result<CustomerDetail, AppError> {
    let user = crate::auth::session::require_user().await?;
    let state = crate::state::app_state()?;
    crate::customer_file::service::detail(&state, &user, &id).await
}

/// A page of one customer's timeline (history, check-ins, follow-ups, alarms),
/// newest first; `before`: the previous page's cursor, empty for the newest.
#[server(endpoint = "customer_timeline")]
pub async fn customer_timeline(
    id: String,
    #[server(default)] before: String,
) -> Result<TimelinePage, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customer_file::timeline::timeline(&state, &user, &id, &before).await
}
