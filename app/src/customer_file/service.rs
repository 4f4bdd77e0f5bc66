//! One customer's page: the customer as the viewer may see it, with the open
//! difficulty alarms on it.

use crate::auth::model::CurrentUser;
use crate::customers::model::CustomerDetail;
use crate::error::AppResult;
use crate::state::AppState;

/// The customer `id` as `user` may see it (refused as the customers feature
/// refuses), with its open alarms: (id, kind, the start of the problem).
pub async fn detail(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<CustomerDetail> {
    let mut detail = crate::customers::service::detail(state, user, id).await?;
    detail.open_alarms = crate::alarms::repo::open_on(&state.db, &detail.card.id)
        .await?
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                a.kind.clone(),
                a.text.chars().take(80).collect(),
            )
        })
        .collect();
    Ok(detail)
}
