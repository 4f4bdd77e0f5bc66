//! Difficulty alarms: raising one on your own customer, answering, liking,
//! accepting, closing, the lost proposal decided through its alarm, escalation of
//! unanswered alarms, success stories and the statistics. Every function takes the
//! user asking and checks what they may see and do.

use crate::alarms::model::*;
use crate::alarms::repo::{self, AlarmChange, AlarmIn, AlarmRow, AnswerRow, ListFilter, NotifyIn};
use crate::alarms::rules::{
    apply, next_escalation, period_start, person_stats, Act, Actor, AlarmFact, AlarmState, Kind,
    LostState, Period, Status, WorkWeek, MAX_TEXT, MIN_POST_MORTEM,
};
use crate::auth::model::{CurrentUser, Role};
use crate::calendar::local_label;
use crate::customers::service as customers;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::experience::repo::ExperienceIn;
use crate::experience::service::entry_in;
use crate::live::post::FeedIn;
use crate::state::AppState;
use crate::text::Shape;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

mod escalation;
mod outcome;
mod stats;
mod stories;
pub use escalation::*;
pub use outcome::*;
pub use stats::*;
pub use stories::*;

/// Alarm ids are UUIDv7 strings; anything else is not found.
fn valid_id(id: &str) -> AppResult<&str> {
    if id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

/// A required text field: cleaned, at most [`MAX_TEXT`] characters, not empty.
fn required(field: &str, raw: &str) -> AppResult<String> {
    let text = crate::text::checked(field, raw, Shape::lines(MAX_TEXT))?;
    if text.is_empty() {
        return Err(AppError::validation(field, "required"));
    }
    Ok(text)
}

fn state_of(row: &AlarmRow) -> AlarmState {
    AlarmState {
        kind: Kind::parse(&row.kind).unwrap_or(Kind::Help),
        status: Status::parse(&row.status).unwrap_or(Status::Closed),
        lost: row.lost_state.as_deref().and_then(LostState::parse),
    }
}

fn card(row: &AlarmRow, tz: &chrono_tz::Tz, now: DateTime<Utc>) -> AlarmCard {
    let waited = match (row.status.as_str(), row.first_answer_at) {
        (_, Some(first)) => Some((first - row.at).num_minutes().max(0)),
        ("open", None) => Some((now - row.at).num_minutes().max(0)),
        _ => None,
    };
    AlarmCard {
        id: row.id.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        lost_state: row.lost_state.clone(),
        customer_name: row.customer_name.clone(),
        industry: row.industry.clone(),
        stage_name: row.stage_name.clone(),
        raiser_name: row.raiser_name.clone(),
        department_name: row.department_name.clone().unwrap_or_default(),
        text: row.text.clone(),
        answers: row.answers,
        escalated: row.escalated,
        at: row.at,
        at_local: local_label(row.at, tz),
        wait_minutes: waited,
    }
}

fn answer_of(a: AnswerRow, accepted: Option<&str>, tz: &chrono_tz::Tz) -> AnswerItem {
    AnswerItem {
        accepted: accepted == Some(a.id.as_str()),
        id: a.id,
        user_name: a.user_name,
        department_name: a.department_name.unwrap_or_default(),
        text: a.text,
        likes: a.likes,
        liked: a.liked,
        at_local: local_label(a.at, tz),
        at: a.at,
    }
}

/// An answer as the live stream pushes it.
pub async fn answer_item(db: &Db, tz: &chrono_tz::Tz, id: &str) -> AppResult<Option<AnswerItem>> {
    let Some(a) = repo::answer(db, "", id).await? else {
        return Ok(None);
    };
    let accepted = repo::load(db, &a.alarm).await?.and_then(|r| r.accepted);
    Ok(Some(answer_of(a, accepted.as_deref(), tz)))
}

/// The user's own customers they may raise an alarm on.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn raise_targets(state: &AppState, user: &CurrentUser) -> AppResult<Vec<RaiseTarget>> {
    let cards = customers::list_customers(state, user, "mine").await?;
    Ok(cards
        .into_iter()
        .filter(|c| c.status == crate::customers::model::Status::Owned)
        .map(|c| RaiseTarget {
            id: c.id,
            name: c.name,
            stage_name: c.stage_name,
        })
        .collect())
}

fn escalation_start(state: &AppState, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    next_escalation(
        at,
        0,
        state.config.alarm_escalate_hours,
        &WorkWeek::default(),
        &state.config.timezone,
    )
}

/// Raises an alarm on one of the user's own customers: `help` (what blocks it),
/// or `lost` (why it failed and what would have helped: the lost proposal, for
/// the manager to decide). Returns the alarm's id.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn raise(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    kind: &str,
    text: &str,
    lesson: &str,
) -> AppResult<String> {
    let kind = Kind::parse(kind).ok_or(AppError::validation("kind", "required"))?;
    let text = required("text", text)?;
    let lesson = crate::text::checked("lesson", lesson, Shape::lines(MAX_TEXT))?;
    if kind == Kind::Lost {
        if text.chars().count() < MIN_POST_MORTEM {
            return Err(AppError::validation("text", "post_mortem_short"));
        }
        if lesson.is_empty() {
            return Err(AppError::validation("lesson", "required"));
        }
    }
    if customer.is_empty() {
        return Err(AppError::validation("customer", "required"));
    }
    let subject = customers::alarm_subject(state, user, customer).await?;
    if !subject.owned_by_user {
        return Err(AppError::Forbidden);
    }
    if kind == Kind::Lost {
        let open = repo::open_on(&state.db, &subject.id).await?;
        if open
            .iter()
            .any(|a| a.lost_state.as_deref() == Some(LostState::Proposed.as_str()))
        {
            return Err(AppError::conflict("lost_pending"));
        }
        // The customer carries the proposal (its history and the manager's
        // notification). A proposal left without its alarm (a failure between
        // the two writes) is reused rather than refused.
        if !subject.lost_proposed {
            customers::propose_lost(state, user, &subject.id, &text).await?;
        }
    }
    let now = state.now();
    let id = uuid::Uuid::now_v7().to_string();
    let feed = FeedIn {
        kind: format!("alarm_{}", kind.as_str()),
        actor: Some(user.id.clone()),
        subject: Some(user.id.clone()),
        subject_name: user.name.clone(),
        department: user.department_id.clone(),
        text: Some(text.chars().take(280).collect()),
        detail: Some(format!("{} · {}", subject.name, subject.stage_name)),
        company: true,
        link: Some(format!("/alarms/{id}")),
        ..Default::default()
    };
    repo::create(
        &state.db,
        &id,
        AlarmIn {
            kind: kind.as_str().into(),
            customer: subject.id.clone(),
            customer_name: subject.name.clone(),
            industry: subject.industry.clone(),
            stage: subject.stage.clone(),
            stage_name: subject.stage_name.clone(),
            raiser: user.id.clone(),
            raiser_name: user.name.clone(),
            department: user.department_id.clone(),
            text,
            lesson: (kind == Kind::Lost).then_some(lesson),
            photos: Vec::new(),
            lost_state: (kind == Kind::Lost).then(|| LostState::Proposed.as_str().to_string()),
            escalate_at: escalation_start(state, now),
        },
        feed,
        now,
    )
    .await?;
    Ok(id)
}

fn list_filter(s: &str) -> AppResult<ListFilter> {
    match s {
        "" | "open" => Ok(ListFilter::Open),
        "mine" => Ok(ListFilter::Mine),
        "answered" => Ok(ListFilter::Answered),
        "all" => Ok(ListFilter::All),
        _ => Err(AppError::validation("filter", "unknown_filter")),
    }
}

/// Alarms are for the whole company: everyone signed in reads the list.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn list(state: &AppState, user: &CurrentUser, filter: &str) -> AppResult<Vec<AlarmCard>> {
    let filter = list_filter(filter)?;
    let rows = repo::list(&state.db, &user.id, filter, 100).await?;
    let (tz, now) = (state.config.timezone, state.now());
    Ok(rows.iter().map(|r| card(r, &tz, now)).collect())
}

async fn actor(state: &AppState, user: &CurrentUser, row: &AlarmRow) -> AppResult<Actor> {
    Ok(Actor {
        raiser: row.raiser == user.id,
        manager: row.raiser != user.id
            && crate::funnel::snapshot::config(state)
                .await?
                .org
                .manages(user, &row.department),
    })
}

async fn load(state: &AppState, id: &str) -> AppResult<AlarmRow> {
    let id = valid_id(id)?;
    repo::load(&state.db, id).await?.ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn detail(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<AlarmDetail> {
    let row = load(state, id).await?;
    let tz = state.config.timezone;
    let who = actor(state, user, &row).await?;
    let s = state_of(&row);
    let may = AlarmMay {
        add_photos: who.raiser && s.status == Status::Open,
        answer: apply(s, Act::Answer, who).is_ok(),
        accept: apply(s, Act::Accept, who).is_ok(),
        close: apply(s, Act::Close, who).is_ok(),
        decide_lost: apply(s, Act::ApproveLost, who).is_ok(),
    };
    let answers = repo::answers(&state.db, &user.id, &row.id)
        .await?
        .into_iter()
        .map(|a| answer_of(a, row.accepted.as_deref(), &tz))
        .collect();
    let visible = customers::may_view(state, user, &row.customer).await?;
    Ok(AlarmDetail {
        card: card(&row, &tz, state.now()),
        lesson: row.lesson.clone(),
        photos: row.photos.clone(),
        answers,
        customer_id: visible.then(|| row.customer.clone()),
        close_note: row.close_note.clone(),
        experience_id: repo::experience_of(&state.db, &row.id).await?,
        may,
        version: row.version,
    })
}

/// The raiser adds photos of what blocks it while the alarm is open (at most
/// six in all).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add_photos(
    state: &AppState,
    user: &CurrentUser,
    alarm: &str,
    photos: Vec<bytes::Bytes>,
) -> AppResult<()> {
    let row = load(state, alarm).await?;
    if row.raiser != user.id {
        return Err(AppError::Forbidden);
    }
    if row.status != "open" {
        return Err(AppError::conflict("alarm_closed"));
    }
    if photos.is_empty() {
        return Err(AppError::validation("photos", "required"));
    }
    if row.photos.len() + photos.len() > crate::photos::MAX_PHOTOS {
        return Err(AppError::validation("photos", "too_many"));
    }
    let hashes = crate::field::service::store_photos(state, photos).await?;
    repo::add_photos(&state.db, &row.id, hashes).await
}
