//! Server functions for the referral tree and the referrer picker.

use crate::error::AppError;
use crate::referrals::model::*;
use leptos::prelude::*;

/// The referral page's lists, a page each; `tab` names the list `n` asks more
/// rows of ("show more").
#[server(endpoint = "referrals")]
pub async fn referrals(
    #[server(default)] tab: String,
    #[server(default)] n: u32,
) -> Result<ReferralView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let mut asked = ListsAsked::default();
    match tab.as_str() {
        "thank" => asked.thank = n,
        "serve" => asked.unreferred = n,
        _ => asked.trees = n,
    }
    crate::referrals::service::view(&state, &user, asked).await
}

/// Customers the viewer may name as a referrer, by part of the name.
#[server(endpoint = "referrer_options")]
pub async fn referrer_options(
    #[server(default)] q: String,
) -> Result<Vec<ReferrerOption>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::referrals::service::options(&state, &user, &q).await
}

/// Changes a customer's referrer (empty clears it) and reopens its page.
#[server(endpoint = "set_referrer")]
pub async fn set_referrer(
    customer: String,
    #[server(default)] referred_by: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::referrals::service::set_referrer(&state, &user, &customer, &referred_by).await?;
    leptos_axum::redirect(&format!("/customers/{customer}"));
    Ok(())
}
