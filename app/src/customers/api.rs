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

// ---------------------------------------------------------------------------
// The customer file: adding is free, correcting a registered fact is a request
// for a rep (see `customers::edit`).

/// Adds a contact to customer `id`.
#[server(endpoint = "add_contact")]
pub async fn add_contact(
    id: String,
    name: String,
    #[server(default)] title: String,
    #[server(default)] phones: String,
    #[server(default)] reach: String,
    #[server(default)] decision_maker: String,
    #[server(default)] birthday: String,
    #[server(default)] notes: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let input = crate::customers::edit::ContactInput {
        name,
        title,
        phones,
        reach,
        decision_maker: matches!(decision_maker.as_str(), "on" | "true" | "yes"),
        birthday,
        notes,
    };
    crate::customers::service::add_contact(&state, &user, &id, input).await
}

/// Adds phone numbers to customer `id`.
#[server(endpoint = "add_phones")]
pub async fn add_phones(id: String, phones: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::add_phones(&state, &user, &id, &phones).await
}

/// Adds a note to customer `id`'s file.
#[server(endpoint = "add_note")]
pub async fn add_note(id: String, text: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::add_note(&state, &user, &id, &text).await
}

/// Sets where customer `id` is.
#[server(endpoint = "set_position")]
pub async fn set_position(id: String, lat: String, lng: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::set_position(&state, &user, &id, &lat, &lng).await
}

/// Sets the expected amount (yuan) and close date (YYYY-MM-DD, empty: none);
/// `version`: the one the page was read at.
#[server(endpoint = "set_expected")]
pub async fn set_expected(
    id: String,
    #[server(default)] expected_amount: String,
    #[server(default)] close_on: String,
    version: i64,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::set_expected(
        &state,
        &user,
        &id,
        &expected_amount,
        &close_on,
        version,
    )
    .await
}

/// Corrects a registered fact (`field`: name, phones, industry, region,
/// address, source, size): applied for a manager, a request for a rep.
#[server(endpoint = "correct_customer")]
pub async fn correct_customer(
    id: String,
    field: String,
    #[server(default)] value: String,
    #[server(default)] reason: String,
    version: i64,
) -> Result<Corrected, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::correct(&state, &user, &id, &field, &value, &reason, version).await
}

/// Approves (`approve` = "yes") or refuses a correction request.
#[server(endpoint = "decide_change")]
pub async fn decide_change(change: String, approve: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::decide_change(&state, &user, &change, approve == "yes").await
}

/// The correction requests the signed-in manager may decide.
#[server(endpoint = "pending_changes")]
pub async fn pending_changes() -> Result<Vec<ChangeView>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::customers::service::pending_requests(&state, &user).await
}
