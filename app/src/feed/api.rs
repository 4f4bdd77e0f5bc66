//! Server functions for the feed.

use crate::error::AppError;
use crate::feed::model::{FeedCursor, FeedPage};
use crate::live::model::CommentItem;
use leptos::prelude::*;

/// The newest page of the feed, or an older one from a page's `next`.
#[server(endpoint = "feed")]
pub async fn get_feed(#[server(default)] next: Option<FeedCursor>) -> Result<FeedPage, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::feed::service::feed(&state, &user, next.as_ref()).await
}

/// Likes an event, or takes the like back. Returns whether the user likes it now.
#[server(endpoint = "like")]
pub async fn toggle_like(event: String) -> Result<bool, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::feed::service::toggle_like(&state, &user, &event).await
}

#[server(endpoint = "comment")]
pub async fn comment_on(event: String, text: String) -> Result<CommentItem, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::feed::service::comment(&state, &user, &event, &text).await
}
