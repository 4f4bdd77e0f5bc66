use super::*;

/// Runs `decide` on the settled customer and writes its outcome, retrying
/// when a concurrent change wins the commit. `decide` also learns whether the
/// user is at their cap. Returns the state written.
pub(super) async fn change<F>(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    decide: F,
) -> AppResult<OwnershipState>
where
    F: Fn(
        &Ctx,
        &CustomerRow,
        &crate::customers::model::Allowed,
        bool,
    ) -> AppResult<(OwnershipState, HistoryIn, Vec<NotificationIn>)>,
{
    for _ in 0..4 {
        let ctx = Ctx::load(state).await?;
        let tree = ctx.tree_of(user);
        let row = load_settled(state, &ctx, id).await?;
        let v = viewer(user, &tree);
        let st = standing(&ctx, &row.state);
        if !can_see(&v, &st) {
            // The rep it was just taken from learns why; anyone else learns nothing.
            return Err(
                if row.state.released_by.as_deref() == Some(user.id.as_str()) {
                    AppError::conflict("not_owned")
                } else {
                    AppError::NotFound
                },
            );
        }
        let policy = ctx.policy(Some(&user.department_id));
        let owned =
            repo::count_owned(&state.db, &user.id, policy.limits.won_counts_toward_cap).await?;
        let at_cap = !below_cap(owned, &policy.limits);
        let may = allowed(&v, &st, at_cap);
        let (mut next, mut history, notify) = decide(&ctx, &row, &may, at_cap)?;
        history.day = Some(ctx.day());
        ctx.scheduled(&mut next);
        let feed = feed_kind(&history.action, next.won && !row.state.won).map(|kind| FeedIn {
            kind: kind.into(),
            actor: Some(user.id.clone()),
            subject: row.state.owner.clone().or_else(|| Some(user.id.clone())),
            subject_name: row.owner_name.clone().unwrap_or_else(|| user.name.clone()),
            department: row
                .state
                .department
                .clone()
                .unwrap_or_else(|| user.department_id.clone()),
            customer: Some(row.id.clone()),
            text: history.reason.clone(),
            detail: ctx.stage(&next.stage).map(|s| s.name.clone()),
            ..Default::default()
        });
        match repo::transition(
            &state.db,
            &row.id,
            Some(&user.id),
            &row.state,
            next.clone(),
            history,
            notify,
            feed,
            ctx.now,
        )
        .await
        {
            Ok(()) => return Ok(next),
            Err(TransitionError::Stale) => continue,
            Err(TransitionError::Other(e)) => return Err(e),
        }
    }
    Err(AppError::conflict("stale"))
}

pub(super) fn manager_of(ctx: &Ctx, s: &OwnershipState) -> Option<String> {
    ctx.config
        .org
        .head_above(s.department.as_deref(), s.owner.as_deref())
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn tick_checklist(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    ticked: Vec<String>,
) -> AppResult<bool> {
    let items = list_qual_items(&state.db).await?;
    let written = change(state, user, id, |ctx, row, may, at_cap| {
        if !may.tick_checklist {
            return Err(refusal(row));
        }
        let mut next = row.state.clone();
        next.checklist = items
            .iter()
            .filter(|i| ticked.contains(&i.id))
            .map(|i| i.id.clone())
            .collect();
        let complete = next.checklist.len() == items.len();
        let mut action = "checklist";
        if complete {
            if at_cap {
                return Err(AppError::conflict("at_cap"));
            }
            next.status = Status::Owned.as_str().into();
            next.stage_entered_at = ctx.now;
            followed_up(&mut next, ctx.now);
            next.owned_since = ctx.now;
            action = "qualify";
        }
        Ok((
            next,
            HistoryIn {
                action: action.into(),
                ..Default::default()
            },
            vec![],
        ))
    })
    .await?;
    Ok(written.status() == Status::Owned)
}

/// Why an action is refused: not yours / not in this state.
pub(super) fn refusal(row: &CustomerRow) -> AppError {
    match row.state.status() {
        Status::Owned | Status::Draft => AppError::Forbidden,
        Status::Held | Status::Pool | Status::Lost => AppError::conflict("not_owned"),
    }
}

pub(super) fn move_error(e: MoveError) -> AppError {
    match e {
        MoveError::SameStage => AppError::validation("to_stage", "same_stage"),
        MoveError::UnknownStage => AppError::validation("to_stage", "unknown_stage"),
        MoveError::SkipNeedsReason => AppError::validation("reason", "skip_needs_reason"),
        MoveError::BackwardNeedsManager => AppError::Forbidden,
    }
}

/// Moves a customer to another stage: forward by its owner (with the stage's
/// feedback, or a reason when skipping), backward only by a manager (with a reason).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn move_stage(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    to_stage: &str,
    answers: Vec<String>,
    reason: &str,
) -> AppResult<()> {
    let reason = crate::text::checked("reason", reason, Shape::lines(1000))?;
    // (a win's story prompt is written by the transition itself: repo::transition)
    change(state, user, id, |ctx, row, may, _at_cap| {
        let active = ctx.active_stages();
        let from = ctx
            .index_of(&row.state.stage)
            .ok_or(AppError::validation("to_stage", "unknown_stage"))?;
        let to = ctx
            .index_of(to_stage)
            .ok_or(AppError::validation("to_stage", "unknown_stage"))?;
        let backward = to < from;
        // only the owner moves forward, only a manager moves back
        if backward && !may.move_back || !backward && !may.advance {
            return Err(refusal(row));
        }
        check_stage_move(from, to, active.len(), may.move_back, &reason).map_err(move_error)?;
        if backward && reason.is_empty() {
            return Err(AppError::validation("reason", "required"));
        }
        let current = active[from];
        let mut feedback = Vec::new();
        if !backward {
            for (i, label) in current.feedback.iter().enumerate() {
                let answer = crate::text::checked(
                    "answers",
                    answers.get(i).map_or("", String::as_str),
                    Shape::lines(1000),
                )?;
                if answer.is_empty() && to == from + 1 {
                    return Err(AppError::validation("answers", "feedback_required"));
                }
                feedback.push(FeedbackIn {
                    label: label.clone(),
                    answer,
                });
            }
        }
        let target = active[to];
        let mut next = row.state.clone();
        next.stage = target.id.clone();
        next.stage_entered_at = ctx.now;
        // a new stage (a win, or back from one): revisits count from here
        next.revisit_missed = 0;
        next.reached = next.reached.max(to as i64);
        next.won = target.probability >= WON_PROBABILITY;
        let action = if backward {
            "back"
        } else if to > from + 1 {
            "skip"
        } else {
            "advance"
        };
        let mut notify = Vec::new();
        if backward {
            if let Some(owner) = &row.state.owner {
                notify.push(NotificationIn {
                    user: owner.clone(),
                    kind: "moved_back".into(),
                    detail: Some(target.name.clone()),
                });
            }
        } else if next.won && !row.state.won {
            if let Some(m) = manager_of(ctx, &row.state) {
                notify.push(NotificationIn {
                    user: m,
                    kind: "won".into(),
                    detail: Some(target.name.clone()),
                });
            }
        }
        Ok((
            next,
            HistoryIn {
                action: action.into(),
                rule: None,
                reason: (!reason.is_empty()).then(|| reason.clone()),
                feedback,
                day: None,
            },
            notify,
        ))
    })
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn propose_lost(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    post_mortem: &str,
) -> AppResult<()> {
    let text = crate::text::checked("post_mortem", post_mortem, Shape::lines(2000))?;
    if text.chars().count() < 10 {
        return Err(AppError::validation("post_mortem", "post_mortem_short"));
    }
    change(state, user, id, |ctx, row, may, _at_cap| {
        if !may.propose_lost {
            return Err(refusal(row));
        }
        let mut next = row.state.clone();
        next.lost_proposal = Some(text.clone());
        let notify = manager_of(ctx, &row.state)
            .map(|m| {
                vec![NotificationIn {
                    user: m,
                    kind: "lost_proposed".into(),
                    detail: None,
                }]
            })
            .unwrap_or_default();
        Ok((
            next,
            HistoryIn {
                action: "lost_proposed".into(),
                reason: Some(text.clone()),
                ..Default::default()
            },
            notify,
        ))
    })
    .await
    .map(|_| ())
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn decide_lost(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    approve: bool,
) -> AppResult<()> {
    change(state, user, id, |ctx, row, may, _at_cap| {
        if !may.decide_lost {
            return Err(refusal(row));
        }
        let mut next = row.state.clone();
        let action = if approve {
            next.status = Status::Lost.as_str().into();
            next.released_by = row.state.owner.clone();
            next.released_at = Some(ctx.now);
            next.owner = None;
            "lost"
        } else {
            next.lost_proposal = None;
            "lost_rejected"
        };
        let notify = row
            .state
            .owner
            .clone()
            .map(|o| {
                vec![NotificationIn {
                    user: o,
                    kind: action.into(),
                    detail: None,
                }]
            })
            .unwrap_or_default();
        Ok((
            next,
            HistoryIn {
                action: action.into(),
                reason: row.state.lost_proposal.clone(),
                ..Default::default()
            },
            notify,
        ))
    })
    .await
    .map(|_| ())
}
