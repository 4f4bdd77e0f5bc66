use super::*;

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn raise_dispute(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    phones: &str,
    note: &str,
) -> AppResult<()> {
    let note = crate::text::checked("note", note, Shape::lines(1000))?;
    let name_key = crate::customers::rules::normalize_company_name(name);
    let hit = repo::find_exact(&state.db, Some(&name_key), &phone_keys(phones))
        .await?
        .ok_or(AppError::NotFound)?;
    if hit.owner.as_deref() == Some(user.id.as_str()) {
        return Err(AppError::conflict("already_yours"));
    }
    repo::insert_dispute(
        &state.db,
        &hit.customer,
        &user.id,
        &user.department_id,
        crate::text::checked("name", name, Shape::line(80))?,
        note,
        state.now(),
    )
    .await?;
    Ok(())
}

/// A rep at the cap lets one customer go to the pool, with a reason.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn release(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    reason: &str,
) -> AppResult<()> {
    let reason = crate::text::checked("reason", reason, Shape::lines(1000))?;
    if reason.is_empty() {
        return Err(AppError::validation("reason", "required"));
    }
    change(state, user, id, |ctx, row, may, _at_cap| {
        if !may.release {
            return Err(
                if row.state.owner.as_deref() == Some(user.id.as_str())
                    && row.state.status() == Status::Owned
                {
                    AppError::conflict("below_cap")
                } else {
                    refusal(row)
                },
            );
        }
        let mut next = row.state.clone();
        next.status = Status::Pool.as_str().into();
        next.released_by = row.state.owner.clone();
        next.released_at = Some(ctx.now);
        next.owner = None;
        next.lost_proposal = None;
        Ok((
            next,
            HistoryIn {
                action: "release".into(),
                reason: Some(reason.clone()),
                ..Default::default()
            },
            vec![],
        ))
    })
    .await
    .map(|_| ())
}

/// Takes a customer from the pool: under the cap, outside the reclaim cooldown
/// for its previous owner, within the daily claim limit.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn claim(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<()> {
    let ctx0 = Ctx::load(state).await?;
    let policy = ctx0.policy(Some(&user.department_id));
    let owned = repo::count_owned(&state.db, &user.id, policy.limits.won_counts_toward_cap).await?;
    if !below_cap(owned, &policy.limits) {
        return Err(AppError::conflict("at_cap"));
    }
    if let Some(max) = policy.daily_claims {
        let since = start_of_local_day(ctx0.now, &ctx0.tz);
        if repo::count_claims_since(&state.db, &user.id, since).await? >= max {
            return Err(AppError::conflict("daily_claims"));
        }
    }
    change(state, user, id, |ctx, row, may, _at_cap| {
        if !may.claim {
            return Err(AppError::conflict("not_in_pool"));
        }
        if row.state.released_by.as_deref() == Some(user.id.as_str()) {
            let released = row.state.released_at.unwrap_or(ctx.now);
            if !reclaim_allowed(ctx.now, released, policy.reclaim_days) {
                return Err(AppError::conflict("reclaim_cooldown"));
            }
        }
        let mut next = row.state.clone();
        hand_to(&mut next, &user.id, &user.department_id, ctx.now);
        Ok((
            next,
            HistoryIn {
                action: "claim".into(),
                ..Default::default()
            },
            vec![],
        ))
    })
    .await
    .map(|_| ())
}

/// Inbox and team actions of a manager: hand a customer to someone in their
/// tree (under that person's cap), keep it, or release it to the pool.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn manage(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    action: &str,
    to_user: &str,
    reason: &str,
) -> AppResult<()> {
    if user.role == Role::Rep {
        return Err(AppError::Forbidden);
    }
    let ctx = Ctx::load(state).await?;
    let tree = ctx.tree_of(user);
    let reason = crate::text::checked("reason", reason, Shape::lines(1000))?;
    let target = match action {
        "reassign" => {
            let (target, active) = crate::auth::repo::find_user(
                &state.db,
                repo::valid_key(to_user)
                    .map_err(|_| AppError::validation("to_user", "not_found"))?,
            )
            .await?
            .ok_or(AppError::validation("to_user", "not_found"))?;
            let in_scope = user.role.can_administer() || tree.contains(&target.department_id);
            if !active || !in_scope || !matches!(target.role, Role::Rep | Role::Manager) {
                return Err(AppError::validation("to_user", "not_found"));
            }
            let p = ctx.policy(Some(&target.department_id));
            let owned =
                repo::count_owned(&state.db, &target.id, p.limits.won_counts_toward_cap).await?;
            if !below_cap(owned, &p.limits) {
                return Err(AppError::conflict("target_at_cap"));
            }
            Some(target)
        }
        "keep" | "pool" => None,
        _ => return Err(AppError::validation("action", "invalid")),
    };
    if action == "pool" && reason.is_empty() {
        return Err(AppError::validation("reason", "required"));
    }
    change(state, user, id, |ctx, row, may, _at_cap| {
        let s = &row.state;
        // held customers in the inbox; a manager may also reassign an owned one in their tree
        let reassigning_owned =
            action == "reassign" && s.status() == Status::Owned && oversees(user, &tree, s);
        if !may.manage && !reassigning_owned {
            return Err(refusal(row));
        }
        let mut next = s.clone();
        let mut notify = Vec::new();
        match (action, &target) {
            ("reassign", Some(t)) => {
                hand_to(&mut next, &t.id, &t.department_id, ctx.now);
                notify.push(NotificationIn {
                    user: t.id.clone(),
                    kind: "assigned".into(),
                    detail: None,
                });
                if let Some(prev) = &s.owner {
                    if prev != &t.id && prev != &user.id {
                        notify.push(NotificationIn {
                            user: prev.clone(),
                            kind: "reassigned_away".into(),
                            detail: None,
                        });
                    }
                }
            }
            ("keep", _) => hand_to(&mut next, &user.id, &user.department_id, ctx.now),
            _ => {
                next.status = Status::Pool.as_str().into();
                next.owner = None;
                next.released_at = Some(ctx.now);
                if next.released_by.is_none() {
                    next.released_by = s.owner.clone();
                }
            }
        }
        Ok((
            next,
            HistoryIn {
                action: action.into(),
                rule: None,
                reason: (!reason.is_empty()).then(|| reason.clone()),
                feedback: vec![],
                day: None,
            },
            notify,
        ))
    })
    .await
    .map(|_| ())
}

pub(super) fn oversees(user: &CurrentUser, tree: &[String], s: &OwnershipState) -> bool {
    user.role.can_administer() || s.department.as_ref().is_some_and(|d| tree.contains(d))
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn assignees(state: &AppState, user: &CurrentUser) -> AppResult<Vec<Assignee>> {
    if user.role == Role::Rep {
        return Err(AppError::Forbidden);
    }
    let tree = if user.role.can_administer() {
        crate::people::repo::parent_map(&state.db)
            .await?
            .into_keys()
            .collect()
    } else {
        department_tree(state, user).await?
    };
    let ctx = Ctx::load(state).await?;
    Ok(repo::assignees(&state.db, &tree)
        .await?
        .into_iter()
        .map(|a| Assignee {
            cap: ctx.policy(Some(&a.department)).limits.max_owned,
            id: a.id,
            name: a.name,
            owned: a.owned.clamp(0, i64::from(u32::MAX)) as u32,
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn disputes(state: &AppState, user: &CurrentUser) -> AppResult<Vec<DisputeItem>> {
    let rows = match user.role {
        Role::Rep => return Err(AppError::Forbidden),
        Role::Manager => {
            repo::open_disputes(&state.db, Some(&department_tree(state, user).await?)).await?
        }
        _ => repo::open_disputes(&state.db, None).await?,
    };
    Ok(rows
        .into_iter()
        .map(|d| DisputeItem {
            id: d.id,
            customer_id: d.customer,
            customer_name: d.customer_name,
            owner_name: d.owner_name,
            raised_by_name: d.raised_by_name,
            attempted_name: d.attempted_name,
            note: d.note,
            at: d.at,
        })
        .collect())
}

/// The manager decides who keeps a disputed customer (seed 001: whoever is closer
/// to the decision maker). `transfer` hands it to the rep who raised the dispute.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn decide_dispute(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    transfer: bool,
) -> AppResult<()> {
    if user.role == Role::Rep {
        return Err(AppError::Forbidden);
    }
    let tree = department_tree(state, user).await?;
    let d = repo::load_dispute(&state.db, repo::valid_key(id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let may_decide = user.role.can_administer() || tree.contains(&d.raised_by_department);
    if !may_decide {
        return Err(AppError::NotFound);
    }
    if transfer {
        let (raiser, active) = crate::auth::repo::find_user(&state.db, &d.raised_by)
            .await?
            .ok_or(AppError::NotFound)?;
        if !active {
            return Err(AppError::conflict("not_active"));
        }
        let customer_in_scope = user.role.can_administer()
            || d.customer_department
                .as_ref()
                .is_some_and(|c| tree.contains(c));
        if !customer_in_scope {
            return Err(AppError::Forbidden);
        }
        let note = d.note.clone();
        change(state, user, &d.customer, |ctx, row, _may, _at_cap| {
            let s = &row.state;
            if !matches!(s.status(), Status::Owned | Status::Draft | Status::Held) {
                return Err(AppError::conflict("not_owned"));
            }
            let mut next = s.clone();
            let status = s.status();
            hand_to(&mut next, &raiser.id, &raiser.department_id, ctx.now);
            if status == Status::Draft {
                next.status = Status::Draft.as_str().into();
            }
            let mut notify = vec![NotificationIn {
                user: raiser.id.clone(),
                kind: "assigned".into(),
                detail: None,
            }];
            if let Some(prev) = &s.owner {
                notify.push(NotificationIn {
                    user: prev.clone(),
                    kind: "reassigned_away".into(),
                    detail: None,
                });
            }
            Ok((
                next,
                HistoryIn {
                    action: "dispute_transfer".into(),
                    rule: Some("dispute".into()),
                    reason: Some(note.clone()),
                    feedback: vec![],
                    day: None,
                },
                notify,
            ))
        })
        .await?;
    }
    repo::close_dispute(
        &state.db,
        &d.id,
        &user.id,
        if transfer { "transferred" } else { "kept" },
        state.now(),
    )
    .await
}
