//! Server functions of the customer file.

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
