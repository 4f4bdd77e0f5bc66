//! The anonymous suggestion box. Posting needs a signed-in employee (the box is
//! the company's), but nothing about who posted is stored, logged or sent on:
//! this module writes no log lines and passes no user to the database.

use crate::auth::model::CurrentUser;
use crate::calendar::local_label;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::suggestions::model::{ReplyItem, SuggestionItem, SuggestionsView};
use crate::suggestions::repo;
use crate::suggestions::rules::{
    batch_of, day_of, may_post, may_reply, parse_text, release_at, Status,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Posts a suggestion. Returns when it will appear (local "15:00"). The author
/// is used only to count their posts in the waiting batch ([`FloodGate`]).
pub async fn post(state: &AppState, author: &CurrentUser, text: &str) -> AppResult<String> {
    let text = parse_text(text).map_err(|code| AppError::validation("text", code))?;
    let now = state.now();
    let tz = state.config.timezone;
    if !state
        .part::<FloodGate>()
        .admit(&batch_of(now, &tz), &author.id)
    {
        return Err(AppError::validation("text", "too_many_posts"));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    // a random place in the batch
    let shuffle = (uuid::Uuid::new_v4().as_u64_pair().0 >> 1) as i64;
    repo::create(&state.db, &id, &text, &day_of(now, &tz), shuffle).await?;
    Ok(release_at(now, &tz)
        .with_timezone(&tz)
        .format("%H:%M")
        .to_string())
}

/// Releases the waiting batch (called when the local hour changes).
pub async fn release(state: &AppState) -> AppResult<usize> {
    repo::release(&state.db).await
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn list(state: &AppState, user: &CurrentUser) -> AppResult<SuggestionsView> {
    let tz = state.config.timezone;
    let rows = repo::released(&state.db, 200).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let replies = repo::replies_of(&state.db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| SuggestionItem {
            replies: replies
                .iter()
                .filter(|x| x.suggestion == r.id)
                .map(|x| ReplyItem {
                    user_name: x.user_name.clone(),
                    text: x.text.clone(),
                    status: x.status.clone(),
                    at_local: local_label(x.at, &tz),
                })
                .collect(),
            id: r.id,
            text: r.text,
            day: r.day,
            status: r.status,
        })
        .collect();
    Ok(SuggestionsView {
        items,
        may_reply: may_reply(user.role),
        next_release: release_at(state.now(), &tz)
            .with_timezone(&tz)
            .format("%H:%M")
            .to_string(),
    })
}

/// Boss, managers and admins reply publicly and set the status.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn reply(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    text: &str,
    status: &str,
) -> AppResult<()> {
    if !may_reply(user.role) {
        return Err(AppError::Forbidden);
    }
    let text = parse_text(text).map_err(|code| AppError::validation("text", code))?;
    let status = Status::parse(status).ok_or(AppError::validation("status", "required"))?;
    if id.is_empty() || id.len() > 40 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    if !repo::exists_released(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    repo::reply(
        &state.db,
        id,
        &user.id,
        &user.name,
        &text,
        status.as_str(),
        state.now(),
    )
    .await
}

/// Flood control that keeps nothing about a poster beyond the waiting batch:
/// per person, how many posts they made in it, held only in this process's
/// memory under a keyed hash whose key is drawn anew for each batch, and
/// forgotten when the batch changes. Nothing is stored or logged; after the
/// release not even the counts remain. (Each app server counts its own posts:
/// a flood limit, not an exact quota.)
#[derive(Default)]
pub struct FloodGate {
    inner: Mutex<Gate>,
}

#[derive(Default)]
struct Gate {
    batch: String,
    key: [u8; 32],
    posts: HashMap<[u8; 32], u32>,
}

impl FloodGate {
    /// Counts a post by `who` in `batch` if they may post another.
    pub fn admit(&self, batch: &str, who: &str) -> bool {
        let mut gate = match self.inner.lock() {
            Ok(g) => g,
            // a panic elsewhere while counting leaves a count, not a hazard
            Err(poisoned) => poisoned.into_inner(),
        };
        if gate.batch != batch {
            gate.batch = batch.to_string();
            gate.posts = HashMap::new();
            let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
            gate.key[..16].copy_from_slice(a.as_bytes());
            gate.key[16..].copy_from_slice(b.as_bytes());
        }
        let tag: [u8; 32] = Sha256::new()
            .chain_update(gate.key)
            .chain_update(who.as_bytes())
            .finalize()
            .into();
        let count = gate.posts.entry(tag).or_insert(0);
        if may_post(*count) {
            *count += 1;
            true
        } else {
            false
        }
    }
}

impl crate::state::Part for FloodGate {
    fn create(_: &crate::state::AppConfig) -> Self {
        FloodGate::default()
    }
}
