use super::*;

/// Outcome of applying the deadline rule to one customer.
#[derive(Debug, PartialEq, Eq)]
pub enum Settled {
    Unchanged,
    Confiscated,
    /// A won customer's revisit day came: its owner was reminded (and the
    /// manager, after two missed revisits); the customer stays.
    Reminded,
}

/// Applies the confiscation rule to one customer read at `row`'s version:
/// idempotent, and safe against a concurrent stage move (the version decides).
pub async fn settle(state: &AppState, ctx: &Ctx, row: &CustomerRow) -> AppResult<Settled> {
    let mut row = row.clone();
    for _ in 0..4 {
        let s = &row.state;
        if !matches!(s.status(), Status::Draft | Status::Owned) {
            return Ok(Settled::Unchanged);
        }
        let Some(stage) = ctx.stage(&s.stage).map(StageInfo::rule) else {
            return Ok(Settled::Unchanged);
        };
        let policy = ctx.policy(s.department.as_deref());
        let clock = if s.status() == Status::Draft {
            schedule(true, &starts(s), &stage, &policy.limits, &ctx.tz)
                .due
                .filter(|(_, at)| ctx.now >= *at)
                .map(|(c, _)| c)
        } else {
            clock_due(ctx.now, &starts(s), &stage, &policy.limits, &ctx.tz)
        };
        let Some(clock) = clock else {
            // Not due (the limits may have changed): store the right deadline.
            let mut fresh = s.clone();
            ctx.scheduled(&mut fresh);
            if fresh.due_at != s.due_at || fresh.warn_at != s.warn_at {
                repo::reschedule(
                    &state.db,
                    &row.id,
                    s.version,
                    fresh.due_at,
                    fresh.due_clock,
                    fresh.warn_at,
                )
                .await?;
            }
            return Ok(Settled::Unchanged);
        };
        if !clock.confiscates() {
            match remind_revisit(state, ctx, &row, &policy.limits).await {
                Ok(()) => return Ok(Settled::Reminded),
                Err(TransitionError::Stale) => match repo::load(&state.db, &row.id).await? {
                    Some(fresh) => {
                        row = fresh;
                        continue;
                    }
                    None => return Ok(Settled::Unchanged),
                },
                Err(TransitionError::Other(e)) => return Err(e),
            }
        }
        let receiver = match policy.limits.destination {
            Destination::Pool => None,
            Destination::Manager => ctx
                .config
                .org
                .head_above(s.department.as_deref(), s.owner.as_deref()),
        };
        let mut next = s.clone();
        next.released_by = s.owner.clone();
        next.released_at = Some(ctx.now);
        next.lost_proposal = None;
        match &receiver {
            Some(manager) => {
                next.status = Status::Held.as_str().into();
                next.owner = Some(manager.clone());
            }
            None => {
                next.status = Status::Pool.as_str().into();
                next.owner = None;
            }
        }
        ctx.scheduled(&mut next);
        let mut notify = Vec::new();
        if let Some(rep) = &s.owner {
            notify.push(NotificationIn {
                user: rep.clone(),
                kind: "confiscated".into(),
                detail: Some(clock.rule().into()),
            });
        }
        if let Some(manager) = &receiver {
            notify.push(NotificationIn {
                user: manager.clone(),
                kind: "inbox".into(),
                detail: Some(clock.rule().into()),
            });
        }
        let history = HistoryIn {
            action: "confiscate".into(),
            rule: Some(clock.rule().into()),
            day: Some(ctx.day()),
            ..Default::default()
        };
        let feed = s.department.clone().map(|department| FeedIn {
            kind: "confiscate".into(),
            subject: s.owner.clone(),
            subject_name: row.owner_name.clone().unwrap_or_default(),
            department,
            customer: Some(row.id.clone()),
            detail: Some(clock.rule().into()),
            ..Default::default()
        });
        match repo::transition(
            &state.db, &row.id, None, s, next, history, notify, feed, ctx.now,
        )
        .await
        {
            Ok(()) => return Ok(Settled::Confiscated),
            Err(TransitionError::Stale) => match repo::load(&state.db, &row.id).await? {
                Some(fresh) => row = fresh,
                None => return Ok(Settled::Unchanged),
            },
            Err(TransitionError::Other(e)) => return Err(e),
        }
    }
    Ok(Settled::Unchanged)
}

/// A won customer's revisit day has come: remind its owner (and, after two
/// reminders without a visit, the manager), count the miss and move the clock
/// to the next revisit. Written like any transition: once, under the version.
async fn remind_revisit(
    state: &AppState,
    ctx: &Ctx,
    row: &CustomerRow,
    limits: &crate::funnel::rules::Limits,
) -> Result<(), TransitionError> {
    let s = &row.state;
    let missed = u32::try_from(s.revisit_missed).unwrap_or(0);
    // every revisit date passed since the last visit, counted by one reminder
    let passed = revisits_passed(ctx.now, &starts(s), limits, &ctx.tz).max(missed + 1);
    let missed = passed - 1;
    let mut notify = Vec::new();
    if let Some(owner) = &s.owner {
        notify.push(NotificationIn {
            user: owner.clone(),
            kind: "revisit_due".into(),
            detail: Some(missed.to_string()),
        });
        if revisit_tells_manager(missed) {
            if let Some(m) = ctx
                .config
                .org
                .head_above(s.department.as_deref(), Some(owner))
            {
                notify.push(NotificationIn {
                    user: m,
                    kind: "revisit_missed".into(),
                    detail: Some(missed.to_string()),
                });
            }
        }
    }
    let mut next = s.clone();
    next.revisit_missed = i64::from(passed);
    ctx.scheduled(&mut next);
    let history = HistoryIn {
        action: "revisit_due".into(),
        rule: Some(Clock::Revisit.rule().into()),
        reason: Some(missed.to_string()),
        day: Some(ctx.day()),
        ..Default::default()
    };
    repo::transition(
        &state.db, &row.id, None, s, next, history, notify, None, ctx.now,
    )
    .await
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub confiscated: usize,
    pub warned: usize,
}

/// Confiscates every overdue customer and sends due warnings. Reads only the
/// rows the `due_at` / `warn_at` indexes return, so its cost follows the number
/// of overdue customers, not the size of the table.
pub async fn sweep(state: &AppState) -> AppResult<SweepReport> {
    let ctx = Ctx::load(state).await?;
    Ok(SweepReport {
        confiscated: sweep_index(state, &ctx, DueIndex::Deadline).await?,
        warned: sweep_index(state, &ctx, DueIndex::Warning).await?,
    })
}

/// Applies the rule of one index (confiscation or warning) to every customer
/// it returns as due, batch by batch; returns how many it acted on. Each id is
/// looked at once per sweep, so a row the rule leaves alone cannot loop.
pub(super) async fn sweep_index(state: &AppState, ctx: &Ctx, index: DueIndex) -> AppResult<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut acted = 0;
    loop {
        let ids = repo::due_ids(&state.db, index, ctx.now, 200).await?;
        let fresh: Vec<String> = ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        if fresh.is_empty() {
            return Ok(acted);
        }
        for id in fresh {
            let Some(row) = repo::load(&state.db, &id).await? else {
                continue;
            };
            let did = match index {
                DueIndex::Deadline => settle(state, ctx, &row).await? == Settled::Confiscated,
                DueIndex::Warning => warn(state, ctx, &row).await?,
            };
            acted += usize::from(did);
        }
    }
}

/// Sends the warning due for one customer, once per deadline and level.
pub(super) async fn warn(state: &AppState, ctx: &Ctx, row: &CustomerRow) -> AppResult<bool> {
    let s = &row.state;
    let (Some(due), Some(owner)) = (s.due_at, s.owner.as_deref()) else {
        return Ok(false);
    };
    let policy = ctx.policy(s.department.as_deref());
    let level = warning_due(ctx.now, due, policy.limits.warn_days, &ctx.tz);
    let (_, last_day) = warning_starts(due, policy.limits.warn_days, &ctx.tz);
    let (tag, next, mut users) = match level {
        None => return Ok(false),
        Some(Warning::Rep) => ("rep", Some(last_day), vec![owner.to_string()]),
        Some(Warning::RepAndManager) => ("manager", None, vec![owner.to_string()]),
    };
    if level == Some(Warning::RepAndManager) {
        if let Some(m) = ctx
            .config
            .org
            .head_above(s.department.as_deref(), Some(owner))
        {
            users.push(m);
        }
    }
    let warned = format!(
        "{}:{}:{tag}",
        s.due_clock.as_deref().unwrap_or(""),
        due.to_rfc3339()
    );
    if s.warned.as_deref() == Some(warned.as_str()) {
        // sent already; only the index entry is left to move on
        repo::record_warning(
            &state.db,
            &row.id,
            s.warned.clone(),
            warned,
            next,
            vec![],
            ctx.now,
        )
        .await?;
        return Ok(false);
    }
    let notify = users
        .into_iter()
        .map(|user| NotificationIn {
            user,
            kind: format!("warning_{tag}"),
            detail: Some(format!(
                "{}|{}",
                s.due_clock.as_deref().unwrap_or(""),
                due.to_rfc3339()
            )),
        })
        .collect();
    repo::record_warning(
        &state.db,
        &row.id,
        s.warned.clone(),
        warned,
        next,
        notify,
        ctx.now,
    )
    .await
}

/// Reads a customer and applies the deadline rule first (lazy confiscation).
pub(super) async fn load_settled(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<CustomerRow> {
    let id = repo::valid_key(id)?;
    let row = repo::load(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let overdue = row.state.due_at.is_some_and(|d| d <= ctx.now);
    if overdue && settle(state, ctx, &row).await? != Settled::Unchanged {
        return repo::load(&state.db, id).await?.ok_or(AppError::NotFound);
    }
    Ok(row)
}

/// Settles every overdue customer before a list is read.
pub(super) async fn settle_all(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    sweep_index(state, ctx, DueIndex::Deadline)
        .await
        .map(|_| ())
}
