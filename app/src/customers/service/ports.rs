use super::*;

/// A customer as a visit sees it: settled, visible to the user, with the clock
/// state a visit by this user would write (`None`: a visit does not count for
/// the clocks, e.g. a manager visiting a rep's customer, or a draft).
pub struct VisitTarget {
    pub row: repo::VisitRow,
    pub now: DateTime<Utc>,
    pub clocks: Option<OwnershipState>,
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn visit_target(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> AppResult<VisitTarget> {
    let ctx = Ctx::load(state).await?;
    let tree = ctx.tree_of(user);
    let key = repo::valid_key(id)?;
    // the short read; an overdue customer is settled first, through the whole row
    let row = match repo::load_for_visit(&state.db, key).await? {
        Some(row) if row.state.due_at.is_none_or(|d| d > ctx.now) => row,
        Some(_) => load_settled(state, &ctx, key).await?.into(),
        None => return Err(AppError::NotFound),
    };
    if !can_see(&viewer(user, &tree), &standing(&ctx, &row.state)) {
        return Err(AppError::NotFound);
    }
    let counts =
        row.state.status() == Status::Owned && row.state.owner.as_deref() == Some(&user.id);
    let clocks = counts.then(|| {
        let mut next = row.state.clone();
        followed_up(&mut next, ctx.now);
        ctx.scheduled(&mut next);
        next
    });
    Ok(VisitTarget {
        row,
        now: ctx.now,
        clocks,
    })
}

/// A customer as an alarm sees it: what colleagues may read (name, industry,
/// stage), never its phones, contacts or address.
#[derive(Debug, Clone)]
pub struct AlarmSubject {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub stage: String,
    pub stage_name: String,
    /// The user asking owns it now.
    pub owned_by_user: bool,
    /// The user asking may open the customer's page.
    pub visible: bool,
    pub lost_proposed: bool,
    pub status: Status,
}

/// The customer `id` as `user` may raise an alarm on it (settled first, so an
/// overdue customer is confiscated before anyone raises on it). Not found when it
/// does not exist or the user may not see it.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn alarm_subject(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> AppResult<AlarmSubject> {
    let ctx = Ctx::load(state).await?;
    let row = load_settled(state, &ctx, id).await?;
    let tree = ctx.tree_of(user);
    let visible = can_see(&viewer(user, &tree), &standing(&ctx, &row.state));
    if !visible {
        return Err(AppError::NotFound);
    }
    Ok(subject_of(&ctx, user, &row, visible))
}

pub(super) fn subject_of(
    ctx: &Ctx,
    user: &CurrentUser,
    row: &CustomerRow,
    visible: bool,
) -> AlarmSubject {
    let s = &row.state;
    AlarmSubject {
        id: row.id.clone(),
        name: row.name.clone(),
        industry: row.industry.clone(),
        stage: s.stage.clone(),
        stage_name: ctx
            .stage(&s.stage)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        owned_by_user: s.owner.as_deref() == Some(user.id.as_str()) && s.status() == Status::Owned,
        visible,
        lost_proposed: s.lost_proposal.is_some(),
        status: s.status(),
    }
}

/// The key of customer `id` if `user` may read it (its page's rule: the
/// owner, their managers, the boss; a pool customer everyone), settled first.
/// Not found otherwise, as for a customer that does not exist.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn readable(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<String> {
    let ctx = Ctx::load(state).await?;
    let row = load_settled(state, &ctx, id).await?;
    let tree = ctx.tree_of(user);
    if !can_see(&viewer(user, &tree), &standing(&ctx, &row.state)) {
        return Err(AppError::NotFound);
    }
    Ok(row.id)
}
