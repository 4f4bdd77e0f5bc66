//! Server functions for customers. Each one is a public endpoint: it finds out who
//! is asking, and the service checks what they may see and do.
// Form-backed server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use crate::customers::model::*;
use crate::error::AppError;
use leptos::prelude::*;

/// Checks a name and phones as the rep types (the save checks again).
#[server(endpoint = "check_duplicate")]
pub async fn check_duplicate(name: String, phones: String) -> Result<DupCheck, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::check_duplicate(&state, &user, &name, &phones).await
}

#[server(endpoint = "register_customer")]
pub async fn register_customer(
    name: String,
    phones: String,
    #[server(default)] contact: String,
    #[server(default)] contact_role: String,
    #[server(default)] decision_maker: String,
    #[server(default)] address: String,
    #[server(default)] region: String,
    #[server(default)] lat: String,
    #[server(default)] lng: String,
    #[server(default)] industry: String,
    #[server(default)] size: String,
    #[server(default)] source: String,
    #[server(default)] referred_by: String,
    #[server(default)] founded_on: String,
    #[server(default)] dm_birthday: String,
    #[server(default)] notes: String,
    #[server(default)] expected_amount: String,
    #[server(default)] ticked: Vec<String>,
    #[server(default)] confirm_near: bool,
) -> Result<RegisterOutcome, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let input = CustomerInput {
        name,
        phones,
        contact,
        contact_role,
        decision_maker,
        address,
        region,
        lat,
        lng,
        industry,
        size,
        source,
        referred_by,
        founded_on,
        dm_birthday,
        notes,
        expected_amount,
    };
    let outcome =
        crate::customers::service::register(&state, &user, input, ticked, confirm_near).await?;
    if let RegisterOutcome::Created { id, .. } = &outcome {
        leptos_axum::redirect(&format!("/customers/{id}"));
    }
    Ok(outcome)
}

/// Asks the rep's manager to decide who keeps a company registered twice.
#[server(endpoint = "raise_dispute")]
pub async fn raise_dispute(
    name: String,
    phones: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::raise_dispute(&state, &user, &name, &phones, &note).await
}

/// `view`: "mine" (default), "team" (managers), "inbox" (managers); `q`: a
/// search box's text (a name, phone digits, pinyin or a contact), empty for all.
#[server(endpoint = "customers")]
pub async fn list_customers(
    view: String,
    #[server(default)] n: u32,
    #[server(default)] q: String,
) -> Result<Vec<CustomerCard>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::search_page(&state, &user, &view, &q, n).await
}

/// Returns true when the last tick locked the customer to the rep.
#[server(endpoint = "tick_checklist")]
pub async fn tick_checklist(
    id: String,
    #[server(default)] ticked: Vec<String>,
) -> Result<bool, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::tick_checklist(&state, &user, &id, ticked).await
}

#[server(endpoint = "move_stage")]
pub async fn move_stage(
    id: String,
    to_stage: String,
    #[server(default)] answers: Vec<String>,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::move_stage(&state, &user, &id, &to_stage, answers, &reason).await
}

#[server(endpoint = "release_customer")]
pub async fn release_customer(
    id: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::release(&state, &user, &id, &reason).await
}

#[server(endpoint = "pool")]
pub async fn pool(
    #[server(default)] industry: String,
    #[server(default)] size: String,
    #[server(default)] region: String,
    #[server(default)] source: String,
    #[server(default)] stage: String,
    #[server(default)] n: u32,
    #[server(default)] q: String,
) -> Result<Vec<CustomerCard>, AppError> {
    let (state, _user) = crate::auth::session::caller().await?;
    let filter = crate::customers::repo::PoolFilter {
        industry,
        size,
        region,
        source,
        stage,
    };
    crate::customers::service::pool_search(&state, filter, &q, n).await
}

#[server(endpoint = "claim_customer")]
pub async fn claim_customer(id: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::claim(&state, &user, &id).await?;
    leptos_axum::redirect(&format!("/customers/{id}"));
    Ok(())
}

/// A manager's decision on a customer: `action` = "reassign" (to `to_user`),
/// "keep", or "pool" (with a reason).
#[server(endpoint = "manage_customer")]
pub async fn manage_customer(
    id: String,
    action: String,
    #[server(default)] to_user: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::manage(&state, &user, &id, &action, &to_user, &reason).await
}

#[server(endpoint = "assignees")]
pub async fn assignees() -> Result<Vec<Assignee>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::assignees(&state, &user).await
}

#[server(endpoint = "disputes")]
pub async fn disputes() -> Result<Vec<DisputeItem>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::disputes(&state, &user).await
}

#[server(endpoint = "decide_dispute")]
pub async fn decide_dispute(id: String, transfer: bool) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::decide_dispute(&state, &user, &id, transfer).await
}
