//! Server functions for difficulty alarms and success stories.

use crate::alarms::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

/// open | mine | answered | all
#[server(endpoint = "alarms")]
pub async fn alarms(#[server(default)] filter: String) -> Result<Vec<AlarmCard>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::list(&state, &user, &filter).await
}

#[server(endpoint = "alarm")]
pub async fn alarm(id: String) -> Result<AlarmDetail, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::detail(&state, &user, &id).await
}

#[server(endpoint = "raise_targets")]
pub async fn raise_targets() -> Result<Vec<RaiseTarget>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::raise_targets(&state, &user).await
}

/// Raises an alarm (`kind`: help | lost; `lesson`: what would have helped, for
/// lost) and opens its page.
#[server(endpoint = "raise_alarm")]
pub async fn raise_alarm(
    customer: String,
    kind: String,
    text: String,
    #[server(default)] lesson: String,
) -> Result<String, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let id = crate::alarms::service::raise(&state, &user, &customer, &kind, &text, &lesson).await?;
    leptos_axum::redirect(&format!("/alarms/{id}"));
    Ok(id)
}

/// Photos of what blocks it, added by the raiser (a multipart form: fields
/// `alarm` and `photos`), from the page's script or as a plain form post.
#[server(input = MultipartFormData, endpoint = "alarm_photos")]
pub async fn alarm_photos(data: MultipartData) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let (mut f, photos) = crate::field::api::form::read(data).await?;
    let alarm = f.remove("alarm").unwrap_or_default();
    crate::alarms::service::add_photos(&state, &user, &alarm, photos).await?;
    if crate::field::api::form::wants_page().await {
        leptos_axum::redirect(&format!("/alarms/{alarm}"));
    }
    Ok(())
}

#[server(endpoint = "answer_alarm")]
pub async fn answer_alarm(alarm: String, text: String) -> Result<AnswerItem, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::answer(&state, &user, &alarm, &text).await
}

#[server(endpoint = "like_answer")]
pub async fn like_answer(answer: String) -> Result<bool, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::toggle_like(&state, &user, &answer).await
}

#[server(endpoint = "accept_answer")]
pub async fn accept_answer(alarm: String, answer: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::accept(&state, &user, &alarm, &answer).await
}

#[server(endpoint = "close_alarm")]
pub async fn close_alarm(alarm: String, note: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::close(&state, &user, &alarm, &note).await
}

/// The manager's decision on a lost proposal (`decision`: approve | reject).
#[server(endpoint = "decide_lost_alarm")]
pub async fn decide_lost_alarm(alarm: String, decision: String) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::validation("decision", "required")),
    };
    crate::alarms::service::decide_lost(&state, &user, &alarm, approve).await
}

/// week | month | quarter
#[server(endpoint = "alarm_stats")]
pub async fn alarm_stats(#[server(default)] period: String) -> Result<StatsView, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    let period = if period.is_empty() {
        "month".to_string()
    } else {
        period
    };
    crate::alarms::service::stats(&state, &user, &period).await
}

#[server(endpoint = "story_prompts")]
pub async fn story_prompts() -> Result<Vec<StoryPrompt>, AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::story_prompts(&state, &user).await
}

/// Writes a won customer's story, or (`dismiss` = "1") declines to.
#[server(endpoint = "write_story")]
pub async fn write_story(
    customer: String,
    #[server(default)] text: String,
    #[server(default)] dismiss: String,
) -> Result<(), AppError> {
    let (state, user) = crate::auth::session::caller().await?;
    crate::alarms::service::write_story(&state, &user, &customer, &text, !dismiss.is_empty()).await
}
