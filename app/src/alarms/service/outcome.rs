//! Answering an alarm and what follows: likes, the accepted answer that goes
//! to the experience pool, closing, and the lost proposal decided through it.

use super::*;

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

pub(super) fn act_error(code: &'static str) -> AppError {
    match code {
        "forbidden" => AppError::Forbidden,
        other => AppError::conflict(other),
    }
}

/// The experience entry an alarm becomes: its problem and what solved it, with
/// the customer's stage, industry and name (never its contacts).
pub(super) fn entry_of(
    row: &AlarmRow,
    source: &str,
    body: String,
    helper: Option<String>,
) -> ExperienceIn {
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
