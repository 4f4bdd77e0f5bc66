//! Server functions for the funnel: the report, and the admin's configuration.
// Form-backed server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::funnel::model::*;
use leptos::prelude::*;

/// `scope`: "mine", "department" (managers: their tree) or "company" (boss/admin).
#[server(endpoint = "funnel")]
pub async fn get_funnel(scope: String) -> Result<FunnelReport, AppError> {
    let user = crate::auth::session::require_user().await?;
    crate::funnel::report::report(&crate::state::app_state()?, &user, &scope).await
}

/// Every stage, the inactive ones too (admin page); anyone signed in may read them.
#[server(endpoint = "stages")]
pub async fn list_stages() -> Result<Vec<StageInfo>, AppError> {
    crate::auth::session::require_user().await?;
    crate::funnel::repo::list_stages(&crate::state::app_state()?.db, true).await
}

/// Creates (empty `id`) or changes a stage. `feedback`: one label per line.
#[server(endpoint = "save_stage")]
pub async fn save_stage(
    id: String,
    name: String,
    probability: String,
    #[server(default)] max_days: String,
    #[server(default)] feedback: String,
    position: String,
    #[server(default)] active: bool,
) -> Result<String, AppError> {
    let user = crate::auth::session::require_admin().await?;
    let input = crate::funnel::config::parse_stage(
        &name,
        &probability,
        &max_days,
        &feedback,
        &position,
        active,
    )
    .map_err(|(f, c)| AppError::validation(f, c))?;
    let id = id.trim();
    crate::funnel::repo::save_stage(
        &crate::state::app_state()?.db,
        &user.id,
        (!id.is_empty()).then_some(id),
        input,
    )
    .await
}

#[server(endpoint = "qual_items")]
pub async fn list_qual_items() -> Result<Vec<QualItem>, AppError> {
    crate::auth::session::require_user().await?;
    crate::funnel::repo::list_qual_items(&crate::state::app_state()?.db).await
}

#[server(endpoint = "save_qual_item")]
pub async fn save_qual_item(
    id: String,
    label: String,
    #[server(default)] retire: bool,
) -> Result<String, AppError> {
    let user = crate::auth::session::require_admin().await?;
    let label = crate::text::checked("label", &label, crate::text::Shape::line(60))?;
    if label.is_empty() {
        return Err(AppError::validation("label", "required"));
    }
    let id = id.trim();
    crate::funnel::repo::save_qual_item(
        &crate::state::app_state()?.db,
        &user.id,
        (!id.is_empty()).then_some(id),
        label,
        !retire,
    )
    .await
}

/// The company defaults first, then every department with its limits in force.
#[server(endpoint = "policies")]
pub async fn list_policies() -> Result<Vec<PolicyInfo>, AppError> {
    crate::auth::session::require_admin().await?;
    crate::funnel::config::policies(&crate::state::app_state()?).await
}

/// Saves the company defaults (empty `department_id`) or a department's
/// override; `inherit` removes the override.
#[server(endpoint = "save_policy")]
pub async fn save_policy(
    #[server(default)] department_id: String,
    #[server(default)] inherit: bool,
    #[server(default)] followup_days: String,
    #[server(default)] no_deal_days: String,
    #[server(default)] max_owned: String,
    #[server(default)] won_counts: bool,
    #[server(default)] warn_days: String,
    #[server(default)] destination: String,
    #[server(default)] reclaim_days: String,
    #[server(default)] daily_claims: String,
    #[server(default)] revisit_days: String,
) -> Result<(), AppError> {
    let user = crate::auth::session::require_admin().await?;
    let dept = department_id.trim();
    let dept = (!dept.is_empty()).then_some(dept);
    let policy = if inherit && dept.is_some() {
        None
    } else {
        Some(
            crate::funnel::config::parse_policy(
                &followup_days,
                &no_deal_days,
                &max_owned,
                won_counts,
                &warn_days,
                &destination,
                &reclaim_days,
                &daily_claims,
                &revisit_days,
            )
            .map_err(|(f, c)| AppError::validation(f, c))?,
        )
    };
    crate::funnel::repo::save_policy(&crate::state::app_state()?.db, &user.id, dept, policy).await
}
