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

// ---------------------------------------------------------------------------
// Raising

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

// ---------------------------------------------------------------------------
// Reading

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

// ---------------------------------------------------------------------------
// Answering

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn answer(
    state: &AppState,
    user: &CurrentUser,
    alarm: &str,
    text: &str,
) -> AppResult<AnswerItem> {
    let text = required("text", text)?;
    let row = load(state, alarm).await?;
    let who = actor(state, user, &row).await?;
    apply(state_of(&row), Act::Answer, who).map_err(act_error)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = state.now();
    repo::add_answer(
        &state.db,
        &row.id,
        &id,
        &user.id,
        &user.name,
        &user.department_id,
        &text,
        now,
        &crate::calendar::day_key(now, &state.config.timezone),
    )
    .await?;
    let tz = state.config.timezone;
    Ok(AnswerItem {
        id,
        user_name: user.name.clone(),
        department_name: user.department_name.clone(),
        text,
        likes: 0,
        liked: false,
        accepted: false,
        at: now,
        at_local: local_label(now, &tz),
    })
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn toggle_like(state: &AppState, user: &CurrentUser, answer: &str) -> AppResult<bool> {
    let id = valid_id(answer)?;
    repo::answer(&state.db, &user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    repo::toggle_like(&state.db, id, &user.id, state.now()).await
}

fn act_error(code: &'static str) -> AppError {
    match code {
        "forbidden" => AppError::Forbidden,
        other => AppError::conflict(other),
    }
}

// ---------------------------------------------------------------------------
// Resolving

/// The experience entry an alarm becomes: its problem and what solved it, with
/// the customer's stage, industry and name (never its contacts).
fn entry_of(row: &AlarmRow, source: &str, body: String, helper: Option<String>) -> ExperienceIn {
    entry_in(ExperienceIn {
        source: source.into(),
        title: row.text.clone(),
        body,
        stage: Some(row.stage.clone()),
        stage_name: row.stage_name.clone(),
        industry: row.industry.clone(),
        customer_name: row.customer_name.clone(),
        author_name: row.raiser_name.clone(),
        helper_name: helper,
        alarm: Some(row.id.clone()),
        customer: Some(row.customer.clone()),
        ..Default::default()
    })
}

/// The raiser accepts an answer that solved it: the alarm is resolved and the
/// problem with that answer becomes an experience entry.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn accept(
    state: &AppState,
    user: &CurrentUser,
    alarm: &str,
    answer: &str,
) -> AppResult<()> {
    let row = load(state, alarm).await?;
    let who = actor(state, user, &row).await?;
    let next = apply(state_of(&row), Act::Accept, who).map_err(act_error)?;
    let a = repo::answer(&state.db, &user.id, valid_id(answer)?)
        .await?
        .filter(|a| a.alarm == row.id)
        .ok_or(AppError::validation("answer", "required"))?;
    let exp = entry_of(&row, "alarm", a.text.clone(), Some(a.user_name.clone()));
    repo::change(
        &state.db,
        &row.id,
        row.version,
        AlarmChange {
            status: next.status.as_str().into(),
            lost_state: row.lost_state.clone(),
            accepted: Some(a.id.clone()),
            accepted_by: Some(a.user.clone()),
            notify: vec![NotifyIn {
                user: a.user.clone(),
                kind: "alarm_accepted".into(),
                detail: Some(user.name.clone()),
            }],
            ..Default::default()
        },
        Some(exp),
        state.now(),
        state.today(),
    )
    .await
}

/// The raiser's manager closes an alarm with a note; a note that says how it was
/// solved becomes an experience entry too.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn close(state: &AppState, user: &CurrentUser, alarm: &str, note: &str) -> AppResult<()> {
    let note = required("note", note)?;
    let row = load(state, alarm).await?;
    let who = actor(state, user, &row).await?;
    let next = apply(state_of(&row), Act::Close, who).map_err(act_error)?;
    let exp = entry_of(&row, "alarm", note.clone(), Some(user.name.clone()));
    repo::change(
        &state.db,
        &row.id,
        row.version,
        AlarmChange {
            status: next.status.as_str().into(),
            lost_state: row.lost_state.clone(),
            closed_by: Some(user.id.clone()),
            close_note: Some(note),
            notify: vec![NotifyIn {
                user: row.raiser.clone(),
                kind: "alarm_closed".into(),
                detail: Some(user.name.clone()),
            }],
            ..Default::default()
        },
        Some(exp),
        state.now(),
        state.today(),
    )
    .await
}

/// The manager decides a lost proposal. Approved: the customer leaves the rep as
/// lost (its history kept) and the post-mortem becomes an experience entry.
/// Rejected: the customer stays with the rep and the alarm stays open for answers.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn decide_lost(
    state: &AppState,
    user: &CurrentUser,
    alarm: &str,
    approve: bool,
) -> AppResult<()> {
    let row = load(state, alarm).await?;
    let who = actor(state, user, &row).await?;
    let act = if approve {
        Act::ApproveLost
    } else {
        Act::RejectLost
    };
    let next = apply(state_of(&row), act, who).map_err(act_error)?;
    // The customer first: its rules (who may decide, a proposal pending) have the
    // last word. A customer already decided (a failure between the two writes)
    // is not decided again.
    let subject = customers::alarm_subject(state, user, &row.customer).await?;
    if subject.lost_proposed {
        customers::decide_lost(state, user, &row.customer, approve).await?;
    }
    let exp = approve.then(|| entry_of(&row, "lost", row.lesson.clone().unwrap_or_default(), None));
    repo::change(
        &state.db,
        &row.id,
        row.version,
        AlarmChange {
            status: next.status.as_str().into(),
            lost_state: next.lost.map(|l| l.as_str().to_string()),
            closed_by: approve.then(|| user.id.clone()),
            ..Default::default()
        },
        exp,
        state.now(),
        state.today(),
    )
    .await
}

// ---------------------------------------------------------------------------
// Escalation

/// What one escalation pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EscalationReport {
    pub escalated: usize,
}

/// Unanswered alarms past their escalation time tell the raiser's manager (level
/// 1), then the manager's manager or the boss (level 2), through notifications.
pub async fn escalate(state: &AppState) -> AppResult<EscalationReport> {
    let now = state.now();
    let hours = state.config.alarm_escalate_hours;
    let mut report = EscalationReport::default();
    let org = crate::funnel::snapshot::config(state).await?.org.clone();
    for due in repo::due_escalations(&state.db, now).await? {
        let manager = org.head_above(Some(&due.department), Some(&due.raiser));
        let target = match due.escalated {
            0 => manager,
            _ => {
                let above = manager.as_deref().and_then(|m| {
                    org.headed_by(m)
                        .and_then(|d| org.head_above(Some(&d), Some(m)))
                });
                match above {
                    Some(a) => Some(a),
                    None => repo::bosses(&state.db)
                        .await?
                        .into_iter()
                        .find(|b| Some(b) != manager.as_ref() && *b != due.raiser),
                }
            }
        };
        let next = next_escalation(
            due.at,
            due.escalated + 1,
            hours,
            &WorkWeek::default(),
            &state.config.timezone,
        );
        if repo::escalate(&state.db, &due.id, due.escalated, next, target, now).await? {
            report.escalated += 1;
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------------------
// Success stories

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn story_prompts(state: &AppState, user: &CurrentUser) -> AppResult<Vec<StoryPrompt>> {
    Ok(repo::open_prompts(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|p| StoryPrompt {
            customer_id: p.customer,
            customer_name: p.customer_name,
        })
        .collect())
}

/// Writes (or, with `dismiss`, declines) the story of a won customer.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn write_story(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    text: &str,
    dismiss: bool,
) -> AppResult<()> {
    let key = crate::customers::repo::valid_key(customer)?;
    let prompt = repo::prompt(&state.db, key)
        .await?
        .filter(|p| p.user == user.id)
        .ok_or(AppError::NotFound)?;
    if prompt.state != "open" {
        return Err(AppError::conflict("story_closed"));
    }
    let exp = if dismiss {
        None
    } else {
        let text = required("text", text)?;
        let subject = customers::alarm_subject(state, user, key).await;
        let (stage, stage_name, industry) = match subject {
            Ok(s) => (Some(s.stage), s.stage_name, s.industry),
            Err(_) => (None, String::new(), String::new()),
        };
        Some(entry_in(ExperienceIn {
            source: "won".into(),
            title: text,
            body: String::new(),
            stage,
            stage_name,
            industry,
            customer_name: prompt.customer_name.clone(),
            author_name: user.name.clone(),
            customer: Some(key.to_string()),
            ..Default::default()
        }))
    };
    let state_name = if dismiss { "dismissed" } else { "written" };
    if repo::close_prompt(&state.db, key, state_name, exp, state.now()).await? {
        Ok(())
    } else {
        Err(AppError::conflict("story_closed"))
    }
}

// ---------------------------------------------------------------------------
// Statistics

/// Alarm statistics for the current week, month or quarter: the boss and admin
/// see every manager's row, a manager their department tree's people, a rep
/// their own row.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn stats(state: &AppState, user: &CurrentUser, period: &str) -> AppResult<StatsView> {
    let period = Period::parse(period).ok_or(AppError::validation("period", "unknown_period"))?;
    let tz = state.config.timezone;
    let now = state.now();
    let from = period_start(period, now, &tz);
    let (alarms, answers) = repo::facts_since(&state.db, from).await?;
    let mut by_alarm: HashMap<&str, Vec<(String, DateTime<Utc>)>> = HashMap::new();
    for a in &answers {
        by_alarm
            .entry(a.alarm.as_str())
            .or_default()
            .push((a.user.clone(), a.at));
    }
    let facts: Vec<AlarmFact> = alarms
        .iter()
        .map(|a| AlarmFact {
            raiser: a.raiser.clone(),
            department: a.department.clone(),
            at: a.at,
            open: a.status == "open",
            answers: by_alarm.remove(a.id.as_str()).unwrap_or_default(),
            accepted: a.accepted_by.clone(),
        })
        .collect();
    let config = crate::funnel::snapshot::config(state).await?;
    let subtree = |d: &str| -> Vec<String> {
        crate::people::rules::subtree(&config.org.parents, d)
            .into_iter()
            .collect()
    };
    let all_departments: Vec<String> = config.org.parents.keys().cloned().collect();
    let people = crate::people::cache::everyone(state).await?;
    let my_tree = match user.role {
        Role::Manager => subtree(&user.department_id),
        _ => Vec::new(),
    };
    let shown: Vec<&crate::people::repo::PersonRow> = people
        .iter()
        .filter(|p| match user.role {
            Role::Boss | Role::Admin => p.role == "manager",
            Role::Manager => my_tree.contains(&p.department),
            Role::Rep => p.id == user.id,
        })
        .collect();
    let rows: Vec<StatsRow> = shown
        .into_iter()
        .map(|p| {
            let scope = match p.role.as_str() {
                "manager" => subtree(&p.department),
                "boss" | "admin" => all_departments.clone(),
                _ => vec![p.department.clone()],
            };
            let s = person_stats(&p.id, &scope, &facts, now);
            StatsRow {
                user_id: p.id.clone(),
                name: p.name.clone(),
                department_name: p.department_name.clone().unwrap_or_default(),
                role: p.role.clone(),
                raised: s.raised,
                supported: s.supported,
                resolved: s.resolved,
                median_first_answer_minutes: s.median_first_answer_minutes,
                support_rate: s.support_rate,
                resolve_rate: s.resolve_rate,
                unanswered_over_day: s.unanswered_over_day,
            }
        })
        .collect();
    let covered = match user.role {
        Role::Boss | Role::Admin => facts.len(),
        Role::Manager => facts
            .iter()
            .filter(|f| my_tree.contains(&f.department))
            .count(),
        Role::Rep => facts.iter().filter(|f| f.raiser == user.id).count(),
    };
    Ok(StatsView {
        period: period.as_str().into(),
        from: from.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        rows,
        alarms: covered as i64,
    })
}
