use super::*;

/// The customer a referrer field names: its id (as the picker sends it) or its
/// company name (typed; matched as registration matches duplicates), among the
/// customers `user` may see. `referred_by:not_found` otherwise.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn resolve_referrer(
    state: &AppState,
    user: &CurrentUser,
    text: &str,
) -> AppResult<String> {
    let not_found = || AppError::validation("referred_by", "not_found");
    let tree = department_tree(state, user).await?;
    let by_id = match repo::valid_key(text) {
        Ok(key) => repo::load(&state.db, key).await?,
        Err(_) => None,
    };
    let row = match by_id {
        Some(row) => row,
        None => {
            let key = crate::customers::rules::normalize_company_name(text);
            let hit = repo::find_exact(&state.db, Some(&key), &[])
                .await?
                .ok_or_else(not_found)?;
            repo::load(&state.db, &hit.customer)
                .await?
                .ok_or_else(not_found)?
        }
    };
    let s = &row.state;
    if !sees(
        user,
        &tree,
        s.status().as_str(),
        s.owner.as_deref(),
        s.department.as_deref(),
    ) {
        return Err(not_found());
    }
    Ok(row.id)
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn check_duplicate(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    phones: &str,
) -> AppResult<DupCheck> {
    let name_key = crate::customers::rules::normalize_company_name(name);
    dup_check_keys(state, user, &name_key, &phone_keys(phones)).await
}

/// The duplicate check on normalized keys (the registration has them already).
pub(super) async fn dup_check_keys(
    state: &AppState,
    user: &CurrentUser,
    name_key: &str,
    phone_keys: &[String],
) -> AppResult<DupCheck> {
    let exact = repo::find_exact(&state.db, Some(name_key), phone_keys).await?;
    let near = if exact.is_none() && name_key.chars().count() >= 2 {
        repo::find_near(&state.db, name_key, 5).await?
    } else {
        Vec::new()
    };
    // names the asker may read: their own, the pool's, their departments' (a
    // manager), all (boss, admin); the rest are only counted
    let tree = match user.role {
        Role::Manager => Some(Ctx::load(state).await?.tree_of(user)),
        _ => None,
    };
    let readable = |n: &repo::NearRow| {
        n.owner.as_deref() == Some(user.id.as_str())
            || n.status == Status::Pool.as_str()
            || matches!(user.role, Role::Boss | Role::Admin)
            || tree
                .as_ref()
                .zip(n.department.as_ref())
                .is_some_and(|(t, d)| t.contains(d))
    };
    let near_hidden = near.iter().filter(|n| !readable(n)).count() as u32;
    let near: Vec<String> = near
        .into_iter()
        .filter(|n| readable(n))
        .map(|n| n.name)
        .collect();
    Ok(DupCheck {
        taken_on: exact
            .as_ref()
            .map(|h| h.at.with_timezone(&state.config.timezone).date_naive()),
        taken_by: exact.as_ref().map(|h| h.kind.clone()),
        mine: exact
            .as_ref()
            .is_some_and(|h| h.owner.as_deref() == Some(user.id.as_str())),
        near,
        near_hidden,
    })
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn register(
    state: &AppState,
    user: &CurrentUser,
    input: CustomerInput,
    ticked: Vec<String>,
    confirm_near: bool,
) -> AppResult<RegisterOutcome> {
    let valid = parse_customer(&input).map_err(|(f, c)| AppError::validation(f, c))?;
    let dup = dup_check_keys(state, user, &valid.name_key, &valid.phone_keys).await?;
    if let Some(on) = dup.taken_on {
        return Ok(RegisterOutcome::Duplicate { on, mine: dup.mine });
    }
    if (!dup.near.is_empty() || dup.near_hidden > 0) && !confirm_near {
        return Ok(RegisterOutcome::NearMatch {
            names: dup.near,
            hidden: dup.near_hidden,
        });
    }
    let ctx = Ctx::load(state).await?;
    // the referrer as picked (its id) or typed (its name), among customers the
    // registering user may see
    let mut valid = valid;
    if let Some(referrer) = valid.referred_by.take() {
        valid.referred_by = Some(resolve_referrer(state, user, &referrer).await?);
    }
    let first = ctx
        .active_stages()
        .first()
        .map(|s| s.id.clone())
        .ok_or_else(|| crate::error::internal("no active stage"))?;
    let items = list_qual_items(&state.db).await?;
    let checklist: Vec<String> = items
        .iter()
        .filter(|i| ticked.contains(&i.id))
        .map(|i| i.id.clone())
        .collect();
    let complete = checklist.len() == items.len();
    let policy = ctx.policy(Some(&user.department_id));
    let owned = repo::count_owned(&state.db, &user.id, policy.limits.won_counts_toward_cap).await?;
    let lock = complete && below_cap(owned, &policy.limits);
    let s = ctx.new_state(
        if lock { Status::Owned } else { Status::Draft },
        Some(user.id.clone()),
        Some(user.department_id.clone()),
        checklist,
        first,
    );
    let new = repo::NewCustomer {
        valid: &valid,
        creator: &user.id,
        state: s,
        now: ctx.now,
        day: ctx.day(),
        action: None,
        index_terms: true,
    };
    match repo::insert(&state.db, new).await {
        Ok(id) => Ok(RegisterOutcome::Created {
            id,
            locked: lock,
            at_cap: complete && !lock,
        }),
        Err(AppError::Conflict { code }) if code == "duplicate" => {
            // lost the race: tell the date like any other duplicate
            let dup = dup_check_keys(state, user, &valid.name_key, &valid.phone_keys).await?;
            Ok(RegisterOutcome::Duplicate {
                on: dup
                    .taken_on
                    .unwrap_or_else(|| ctx.now.with_timezone(&ctx.tz).date_naive()),
                mine: dup.mine,
            })
        }
        Err(e) => Err(e),
    }
}

/// Where an import puts its customers (checked by the import service: who may
/// import where).
#[derive(Clone, Debug, PartialEq)]
pub enum ImportTo {
    /// Locked to this rep (or manager) when qualified and below their cap,
    /// otherwise their draft.
    Owner(CurrentUser),
    /// In the inbox of the department's manager (the nearest head above).
    Department(String),
    /// In the public pool.
    Pool,
}

/// What became of one imported row.
#[derive(Clone, Debug, PartialEq)]
pub enum Imported {
    Locked,
    Draft,
    Held,
    Pool,
    /// Already registered: on that local date, and whether it is the owner's.
    Duplicate {
        on: chrono::NaiveDate,
        mine: bool,
    },
}

/// Registers one imported customer through the same checks and the same
/// transaction as a registration; its history row says 'import', with the
/// importer as actor (an import is not a new customer won by work, so the
/// boards do not count it).
pub async fn import_one(
    state: &AppState,
    ctx: &Ctx,
    importer: &CurrentUser,
    to: &ImportTo,
    input: &CustomerInput,
    qualified: bool,
) -> AppResult<Imported> {
    let mut valid = parse_customer(input).map_err(|(f, c)| AppError::validation(f, c))?;
    let duplicate = |hit: repo::KeyHit, owner: Option<&str>| Imported::Duplicate {
        on: hit.at.with_timezone(&ctx.tz).date_naive(),
        mine: owner.is_some() && hit.owner.as_deref() == owner,
    };
    let owner_id = match to {
        ImportTo::Owner(u) => Some(u.id.as_str()),
        _ => None,
    };
    if let Some(hit) = repo::find_exact(&state.db, Some(&valid.name_key), &valid.phone_keys).await?
    {
        return Ok(duplicate(hit, owner_id));
    }
    if let Some(referrer) = valid.referred_by.take() {
        valid.referred_by = Some(resolve_referrer(state, importer, &referrer).await?);
    }
    let first = ctx
        .active_stages()
        .first()
        .map(|s| s.id.clone())
        .ok_or_else(|| crate::error::internal("no active stage"))?;
    let (status, owner, department, checklist) = match to {
        ImportTo::Owner(u) => {
            let checklist: Vec<String> = if qualified {
                list_qual_items(&state.db)
                    .await?
                    .into_iter()
                    .map(|i| i.id)
                    .collect()
            } else {
                Vec::new()
            };
            let policy = ctx.policy(Some(&u.department_id));
            let lock = qualified
                && below_cap(
                    repo::count_owned(&state.db, &u.id, policy.limits.won_counts_toward_cap)
                        .await?,
                    &policy.limits,
                );
            let status = if lock { Status::Owned } else { Status::Draft };
            (
                status,
                Some(u.id.clone()),
                Some(u.department_id.clone()),
                checklist,
            )
        }
        ImportTo::Department(d) => {
            let receiver = ctx
                .config
                .org
                .head_above(Some(d), None)
                .ok_or(AppError::validation("target", "no_manager"))?;
            (Status::Held, Some(receiver), Some(d.clone()), Vec::new())
        }
        ImportTo::Pool => (Status::Pool, None, None, Vec::new()),
    };
    let s = ctx.new_state(status, owner, department, checklist, first);
    let new = repo::NewCustomer {
        valid: &valid,
        creator: &importer.id,
        state: s,
        now: ctx.now,
        day: ctx.day(),
        action: Some("import"),
        index_terms: true,
    };
    match repo::insert(&state.db, new).await {
        Ok(_) => Ok(match status {
            Status::Owned => Imported::Locked,
            Status::Draft => Imported::Draft,
            Status::Held => Imported::Held,
            _ => Imported::Pool,
        }),
        Err(AppError::Conflict { code }) if code == "duplicate" => {
            // registered meanwhile
            match repo::find_exact(&state.db, Some(&valid.name_key), &valid.phone_keys).await? {
                Some(hit) => Ok(duplicate(hit, owner_id)),
                None => Err(AppError::conflict("duplicate")),
            }
        }
        Err(e) => Err(e),
    }
}
