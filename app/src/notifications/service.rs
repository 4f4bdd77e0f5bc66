//! A user's newest notifications, with times in the company's zone.

use crate::auth::model::CurrentUser;
use crate::calendar::local_label;
use crate::error::AppResult;
use crate::notifications::model::Notification;
use crate::notifications::repo;
use crate::state::AppState;

/// The newest 50.
pub async fn notifications(state: &AppState, user: &CurrentUser) -> AppResult<Vec<Notification>> {
    let tz = state.config.timezone;
    Ok(repo::notifications(&state.db, &user.id, 50)
        .await?
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            kind: n.kind,
            customer_id: n.customer,
            customer_name: n.customer_name,
            detail: n.detail,
            at_local: local_label(n.at, &tz),
            at: n.at,
            read: n.read,
            link: n.link,
        })
        .collect())
}
