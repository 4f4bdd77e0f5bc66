use super::*;

/// A whole list (as many cards as a list shows at most).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn list_customers(
    state: &AppState,
    user: &CurrentUser,
    view: &str,
) -> AppResult<Vec<CustomerCard>> {
    list_page(state, user, view, crate::customers::rules::LIST_MAX as u32).await
}

/// A list as the page shows it: `asked` cards (a page when 0; see
/// `rules::list_rows`), nearest deadline first.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    view: &str,
    asked: u32,
) -> AppResult<Vec<CustomerCard>> {
    let ctx = Ctx::load(state).await?;
    settle_all(state, &ctx).await?;
    let scope = list_scope(&ctx, user, view)?;
    let limit = crate::customers::rules::list_rows(asked);
    let rows = repo::list(&state.db, &scope, &PoolFilter::default(), limit).await?;
    shown(state, &ctx, user, &scope, &rows).await
}

/// A list found by a search box (`q`): the same scope, phones and audit as
/// [`list_page`], the customers whose name, pinyin, phones or contacts hold the
/// fragment. A rep's own list and an inbox are read whole and filtered here; a
/// team or the company through the term index (`repo::search`).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn search_page(
    state: &AppState,
    user: &CurrentUser,
    view: &str,
    q: &str,
    asked: u32,
) -> AppResult<Vec<CustomerCard>> {
    let query = match parse_query(q) {
        Ok(query) => query,
        Err(QueryError::Empty) => return list_page(state, user, view, asked).await,
        Err(QueryError::TooShort) => return Err(AppError::validation("q", "search_short")),
    };
    let ctx = Ctx::load(state).await?;
    settle_all(state, &ctx).await?;
    let scope = list_scope(&ctx, user, view)?;
    let limit = crate::customers::rules::list_rows(asked);
    let rows = found(state, &scope, &PoolFilter::default(), &query, limit).await?;
    shown(state, &ctx, user, &scope, &rows).await
}

/// A list's rows as cards: phones of the viewer's own customers and inbox
/// only (the rest are masked until the customer is opened, and the opening
/// recorded); a team's or the company's list is recorded in the view audit.
async fn shown(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    scope: &ListScope,
    rows: &[CustomerRow],
) -> AppResult<Vec<CustomerCard>> {
    let own = |r: &CustomerRow| {
        matches!(scope, ListScope::Inbox(_)) || r.state.owner.as_deref() == Some(user.id.as_str())
    };
    if matches!(scope, ListScope::All | ListScope::Departments(_)) {
        crate::audit::service::record_list(
            state,
            user,
            rows.iter()
                .map(|r| (r.id.as_str(), r.state.owner.as_deref())),
        )
        .await?;
    }
    Ok(rows.iter().map(|r| card(ctx, r, own(r))).collect())
}

/// The customers of a scope a query finds, `limit` at most.
async fn found(
    state: &AppState,
    scope: &ListScope,
    filter: &PoolFilter,
    query: &Query,
    limit: usize,
) -> AppResult<Vec<CustomerRow>> {
    // the pool's phones are masked: found by the whole number only
    let masked = matches!(scope, ListScope::Pool);
    let holds = |r: &CustomerRow| {
        let mut contacts = vec![r.contact.as_str(), r.decision_maker.as_str()];
        contacts.extend(r.contact_names.iter().map(String::as_str));
        let s = Searchable {
            name: &r.name,
            phones: &r.phones,
            contacts: &contacts,
        };
        if masked {
            search_matches_masked(&s, query)
        } else {
            search_matches(&s, query)
        }
    };
    let rows = match scope {
        // a rep's own customers (or an inbox) are few: read them all, keep the found
        ListScope::Owner(_) | ListScope::Inbox(_) => {
            repo::list(&state.db, scope, filter, OWN_SEARCH_MAX).await?
        }
        _ => repo::search(&state.db, scope, filter, &prefixes(query), limit).await?,
    };
    // the index finds by a term's first characters: a longer fragment is checked whole
    Ok(rows.into_iter().filter(|r| holds(r)).take(limit).collect())
}

/// Most customers one search reads in a scope (a rep owns far fewer).
const OWN_SEARCH_MAX: usize = 5000;

/// The scope of a list view as `user` may read it.
fn list_scope(ctx: &Ctx, user: &CurrentUser, view: &str) -> AppResult<ListScope> {
    Ok(match (view, user.role) {
        ("team", Role::Boss | Role::Admin) => ListScope::All,
        ("team", Role::Manager) => ListScope::Departments(ctx.tree_of(user)),
        ("team", Role::Rep) => return Err(AppError::Forbidden),
        ("inbox", Role::Rep) => return Err(AppError::Forbidden),
        ("inbox", _) => ListScope::Inbox(user.id.clone()),
        _ => ListScope::Owner(user.id.clone()),
    })
}

/// The pool found by a search box, with the pool's filters; phones masked.
pub async fn pool_search(
    state: &AppState,
    filter: PoolFilter,
    q: &str,
    asked: u32,
) -> AppResult<Vec<CustomerCard>> {
    let query = match parse_query(q) {
        Ok(query) => query,
        Err(QueryError::Empty) => return pool_page(state, filter, asked).await,
        Err(QueryError::TooShort) => return Err(AppError::validation("q", "search_short")),
    };
    let ctx = Ctx::load(state).await?;
    settle_all(state, &ctx).await?;
    let limit = crate::customers::rules::list_rows(asked);
    let rows = found(state, &ListScope::Pool, &filter, &query, limit).await?;
    Ok(rows.iter().map(|r| card(&ctx, r, false)).collect())
}

/// The pool's newest 300, newest first (what the demo's reps pick from).
pub async fn pool(state: &AppState, filter: PoolFilter) -> AppResult<Vec<CustomerCard>> {
    pool_page(state, filter, 300).await
}

/// The pool as the page shows it: `asked` cards (a page when 0).
pub async fn pool_page(
    state: &AppState,
    filter: PoolFilter,
    asked: u32,
) -> AppResult<Vec<CustomerCard>> {
    let ctx = Ctx::load(state).await?;
    settle_all(state, &ctx).await?;
    let limit = crate::customers::rules::list_rows(asked);
    let rows = repo::list(&state.db, &ListScope::Pool, &filter, limit).await?;
    Ok(rows.iter().map(|r| card(&ctx, r, false)).collect())
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn detail(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<CustomerDetail> {
    let ctx = Ctx::load(state).await?;
    let row = load_settled(state, &ctx, id).await?;
    let tree = ctx.tree_of(user);
    let v = viewer(user, &tree);
    let st = standing(&ctx, &row.state);
    if !can_see(&v, &st) {
        // The same answer as a customer that does not exist: nothing is revealed.
        return Err(AppError::NotFound);
    }
    // a manager, the boss or an admin opening someone else's customer is recorded
    crate::audit::service::record(state, user, &row.id, row.state.owner.as_deref()).await?;
    let policy = ctx.policy(Some(&user.department_id));
    let owned = repo::count_owned(&state.db, &user.id, policy.limits.won_counts_toward_cap).await?;
    let at_cap = !below_cap(owned, &policy.limits);
    let items = list_qual_items(&state.db).await?;
    let history = repo::history(&state.db, &row.id).await?;
    let active = ctx.active_stages();
    let index = ctx.index_of(&row.state.stage);
    let to_next = |s: &&StageInfo| NextStage {
        id: s.id.clone(),
        name: s.name.clone(),
        feedback: s.feedback.clone(),
    };
    let (forward, backward) = match index {
        Some(i) => (
            active[i + 1..].iter().map(to_next).collect(),
            active[..i].iter().rev().map(to_next).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let stage = ctx.stage(&row.state.stage);
    let show_phones = sees_phones(&v, &st);
    let (contacts, pending, file) = file_part(state, &ctx, &v, &st, &row.id, show_phones).await?;
    Ok(CustomerDetail {
        contacts,
        pending,
        file,
        close_on: row.close_on.clone(),
        version: row.state.version,
        // filled by the customer file, which may read alarms
        open_alarms: Vec::new(),
        card: card(&ctx, &row, show_phones),
        contact: row.contact.clone(),
        contact_role: row.contact_role.clone(),
        decision_maker: row.decision_maker.clone(),
        address: row.address.clone(),
        lat: row.lat,
        lng: row.lng,
        founded_on: row.founded_on.clone(),
        dm_birthday: row.dm_birthday.clone(),
        revisit_days: row.revisit_days,
        notes: row.notes.clone(),
        referred_by: row.referred_by.clone().zip(row.referred_name.clone()),
        created_by_name: row.created_by_name.clone().unwrap_or_default(),
        created_at: row.created_at,
        checklist: items
            .iter()
            .map(|i| ChecklistEntry {
                id: i.id.clone(),
                label: i.label.clone(),
                ticked: row.state.checklist.contains(&i.id),
            })
            .collect(),
        stage_id: row.state.stage.clone(),
        stage_feedback: stage.map(|s| s.feedback.clone()).unwrap_or_default(),
        forward,
        backward,
        lost_proposal: row.state.lost_proposal.clone(),
        history: history.into_iter().map(|h| h.entry(&ctx.tz)).collect(),
        allowed: allowed(&v, &st, at_cap),
    })
}

/// Whether `user` may open customer `id`'s page (false when it is gone).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn may_view(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<bool> {
    let ctx = Ctx::load(state).await?;
    let Ok(key) = repo::valid_key(id) else {
        return Ok(false);
    };
    let Some(row) = repo::load(&state.db, key).await? else {
        return Ok(false);
    };
    let tree = ctx.tree_of(user);
    Ok(can_see(&viewer(user, &tree), &standing(&ctx, &row.state)))
}

/// The most rows one export carries.
pub const EXPORT_LIMIT: usize = 50_000;

/// The customers a manager (their department tree) or the boss and admin (the
/// company) take out as a file; reps may not (a leaving rep must not walk away
/// with the list). Every export is in the audit log: who, which list, how many rows.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn export(state: &AppState, user: &CurrentUser) -> AppResult<Vec<CustomerCard>> {
    let ctx = Ctx::load(state).await?;
    let scope = match user.role {
        Role::Boss | Role::Admin => ListScope::All,
        Role::Manager => ListScope::Departments(ctx.tree_of(user)),
        Role::Rep => return Err(AppError::Forbidden),
    };
    settle_all(state, &ctx).await?;
    let rows = repo::list(&state.db, &scope, &PoolFilter::default(), EXPORT_LIMIT).await?;
    let view = if matches!(scope, ListScope::All) {
        "company"
    } else {
        "team"
    };
    repo::record_export(&state.db, &user.id, view, rows.len()).await?;
    Ok(rows.iter().map(|r| card(&ctx, r, true)).collect())
}
