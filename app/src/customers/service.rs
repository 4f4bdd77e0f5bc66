//! The ownership engine's server side: loads what the rules need, asks them, and
//! writes the outcome through `repo::transition`. Every function takes the user
//! asking and checks what they may see and do.

use crate::auth::model::{CurrentUser, Role};
use crate::calendar::start_of_local_day;
use crate::customers::input::{mask_phone, parse_customer, phone_keys};
use crate::customers::lock::{allowed, can_see, sees_phones, Standing, Viewer};
use crate::customers::model::*;
use crate::customers::repo::{
    self, CustomerRow, DueIndex, FeedbackIn, HistoryIn, NotificationIn, OwnershipState, PoolFilter,
    TransitionError,
};
use crate::error::{AppError, AppResult};
use crate::funnel::model::StageInfo;
use crate::funnel::repo::{list_qual_items, Policy};
use crate::funnel::rules::{
    below_cap, check_stage_move, confiscation_due, days_left, is_urgent, reclaim_allowed, schedule,
    warning_due, warning_starts, Clock, ClockStarts, Destination, MoveError, Warning,
    WON_PROBABILITY,
};
use crate::funnel::scope::ListScope;
use crate::funnel::snapshot::{department_tree, ConfigSnapshot};
use crate::live::post::FeedIn;
use crate::live::rules::feed_kind;
use crate::state::AppState;
use crate::text::Shape;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What one request needs to apply the rules: stages, limits, departments
/// (this server's shared copy), and time.
pub struct Ctx {
    pub config: Arc<ConfigSnapshot>,
    pub now: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    pub async fn load(state: &AppState) -> AppResult<Ctx> {
        Ok(Ctx {
            config: crate::funnel::snapshot::config(state).await?,
            now: state.now(),
            tz: state.config.timezone,
        })
    }

    /// Today in the company zone, as the boards count days.
    pub fn day(&self) -> String {
        crate::calendar::day_key(self.now, &self.tz)
    }

    /// The departments `user` oversees (see `department_tree`), from the links
    /// already loaded.
    fn tree_of(&self, user: &CurrentUser) -> Vec<String> {
        self.config.org.tree_of(user)
    }

    fn active_stages(&self) -> Vec<&StageInfo> {
        self.config.stages.iter().filter(|s| s.active).collect()
    }

    fn stage(&self, id: &str) -> Option<&StageInfo> {
        self.config.stages.iter().find(|s| s.id == id)
    }

    /// Index of a stage among the active ones (an inactive stage sorts by position).
    fn index_of(&self, id: &str) -> Option<usize> {
        self.active_stages().iter().position(|s| s.id == id)
    }

    fn policy(&self, department: Option<&str>) -> Policy {
        self.config.policies.for_department(department)
    }

    /// A new customer's state, its clocks starting now (a customer put in the
    /// pool is released now).
    fn new_state(
        &self,
        status: Status,
        owner: Option<String>,
        department: Option<String>,
        checklist: Vec<String>,
        stage: String,
    ) -> OwnershipState {
        let mut s = OwnershipState {
            status: status.as_str().into(),
            owner,
            department,
            checklist,
            stage,
            won: false,
            reached: 0,
            stage_entered_at: self.now,
            last_followup_at: self.now,
            owned_since: self.now,
            due_at: None,
            due_clock: None,
            warn_at: None,
            warned: None,
            released_by: None,
            released_at: (status == Status::Pool).then_some(self.now),
            lost_proposal: None,
            version: 0,
        };
        self.scheduled(&mut s);
        s
    }

    /// The deadlines a state should store, recomputed from its clocks.
    fn scheduled(&self, s: &mut OwnershipState) {
        let running = matches!(s.status(), Status::Draft | Status::Owned);
        let stage = self.stage(&s.stage).map(StageInfo::rule);
        match (running, stage) {
            (true, Some(stage)) => {
                let policy = self.policy(s.department.as_deref());
                let plan = schedule(
                    s.status() == Status::Draft,
                    &starts(s),
                    &stage,
                    &policy.limits,
                    &self.tz,
                );
                s.due_at = plan.due.map(|d| d.1);
                s.due_clock = plan.due.map(|d| clock_name(d.0).to_string());
                s.warn_at = plan.warn_at;
            }
            _ => {
                s.due_at = None;
                s.due_clock = None;
                s.warn_at = None;
            }
        }
        s.warned = None;
    }
}

fn starts(s: &OwnershipState) -> ClockStarts {
    ClockStarts {
        stage_entered_at: s.stage_entered_at,
        last_followup_at: s.last_followup_at,
        owned_since: s.owned_since,
        won: s.won,
    }
}

fn clock_name(c: Clock) -> &'static str {
    match c {
        Clock::Stage => "stage",
        Clock::Followup => "followup",
        Clock::NoDeal => "no_deal",
    }
}

fn viewer<'a>(user: &'a CurrentUser, tree: &'a [String]) -> Viewer<'a> {
    Viewer {
        id: &user.id,
        role: user.role,
        department_tree: tree,
    }
}

/// Whether `user` (overseeing `tree`) may open a customer with this status,
/// owner and department: the customer page's own rule, for lists built elsewhere.
pub fn sees(
    user: &CurrentUser,
    tree: &[String],
    status: &str,
    owner: Option<&str>,
    department: Option<&str>,
) -> bool {
    let Some(status) = Status::parse(status) else {
        return false;
    };
    let standing = Standing {
        status,
        owner,
        department,
        lost_proposed: false,
        first_stage: false,
        last_stage: false,
    };
    can_see(&viewer(user, tree), &standing)
}

/// The customer a referrer field names: its id (as the picker sends it) or its
/// company name (typed; matched as registration matches duplicates), among the
/// customers `user` may see. `referred_by:not_found` otherwise.
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

fn standing<'a>(ctx: &Ctx, s: &'a OwnershipState) -> Standing<'a> {
    let index = ctx.index_of(&s.stage);
    let count = ctx.active_stages().len();
    Standing {
        status: s.status(),
        owner: s.owner.as_deref(),
        department: s.department.as_deref(),
        lost_proposed: s.lost_proposal.is_some(),
        first_stage: index == Some(0),
        last_stage: index.is_some_and(|i| i + 1 >= count) || index.is_none(),
    }
}

fn card(ctx: &Ctx, row: &CustomerRow, show_phones: bool) -> CustomerCard {
    let s = &row.state;
    let stage = ctx.stage(&s.stage);
    CustomerCard {
        id: row.id.clone(),
        name: row.name.clone(),
        status: s.status(),
        stage_name: stage.map(|x| x.name.clone()).unwrap_or_default(),
        probability: stage.map(|x| x.probability).unwrap_or(0),
        owner_name: row.owner_name.clone(),
        industry: row.industry.clone(),
        region: row.region.clone(),
        size: row.size.clone(),
        source: row.source.clone(),
        phones: if show_phones {
            row.phones.clone()
        } else {
            row.phones.iter().map(|p| mask_phone(p)).collect()
        },
        due: s.due_at.map(|at| {
            let left = days_left(ctx.now, at, &ctx.tz);
            Due {
                clock: s.due_clock.clone().unwrap_or_default(),
                at,
                days_left: left,
                urgent: is_urgent(left),
            }
        }),
        won: s.won,
        expected_cents: row.expected_cents,
    }
}

/// Fresh clocks for a new owner.
fn hand_to(s: &mut OwnershipState, owner: &str, department: &str, now: DateTime<Utc>) {
    s.status = Status::Owned.as_str().into();
    s.owner = Some(owner.to_string());
    s.department = Some(department.to_string());
    s.stage_entered_at = now;
    s.last_followup_at = now;
    s.owned_since = now;
    s.lost_proposal = None;
}

// ---------------------------------------------------------------------------
// Confiscation: the sweeper and every read apply the same function.

/// Outcome of applying the deadline rule to one customer.
#[derive(Debug, PartialEq, Eq)]
pub enum Settled {
    Unchanged,
    Confiscated,
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
            confiscation_due(ctx.now, &starts(s), &stage, &policy.limits, &ctx.tz)
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
async fn sweep_index(state: &AppState, ctx: &Ctx, index: DueIndex) -> AppResult<usize> {
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
async fn warn(state: &AppState, ctx: &Ctx, row: &CustomerRow) -> AppResult<bool> {
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
async fn load_settled(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<CustomerRow> {
    let id = repo::valid_key(id)?;
    let row = repo::load(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let overdue = row.state.due_at.is_some_and(|d| d <= ctx.now);
    if overdue && settle(state, ctx, &row).await? == Settled::Confiscated {
        return repo::load(&state.db, id).await?.ok_or(AppError::NotFound);
    }
    Ok(row)
}

/// Settles every overdue customer before a list is read.
async fn settle_all(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    sweep_index(state, ctx, DueIndex::Deadline)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------------------
// Registration and the duplicate check.

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
async fn dup_check_keys(
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

// ---------------------------------------------------------------------------
// Reading.

/// A whole list (as many cards as a list shows at most).
pub async fn list_customers(
    state: &AppState,
    user: &CurrentUser,
    view: &str,
) -> AppResult<Vec<CustomerCard>> {
    list_page(state, user, view, crate::customers::rules::LIST_MAX as u32).await
}

/// A list as the page shows it: `asked` cards (a page when 0; see
/// `rules::list_rows`), nearest deadline first.
pub async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    view: &str,
    asked: u32,
) -> AppResult<Vec<CustomerCard>> {
    let ctx = Ctx::load(state).await?;
    settle_all(state, &ctx).await?;
    let scope = match (view, user.role) {
        ("team", Role::Boss | Role::Admin) => ListScope::All,
        ("team", Role::Manager) => ListScope::Departments(ctx.tree_of(user)),
        ("team", Role::Rep) => return Err(AppError::Forbidden),
        ("inbox", Role::Rep) => return Err(AppError::Forbidden),
        ("inbox", _) => ListScope::Inbox(user.id.clone()),
        _ => ListScope::Owner(user.id.clone()),
    };
    let limit = crate::customers::rules::list_rows(asked);
    let rows = repo::list(&state.db, &scope, &PoolFilter::default(), limit).await?;
    // a list shows phones of the viewer's own customers and inbox only; the
    // rest are masked until the customer is opened (and the opening recorded)
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
    Ok(rows.iter().map(|r| card(&ctx, r, own(r))).collect())
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
    Ok(CustomerDetail {
        // filled by the customer file, which may read alarms
        open_alarms: Vec::new(),
        card: card(&ctx, &row, sees_phones(&v, &st)),
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
        history: history
            .into_iter()
            .map(|h| HistoryEntry {
                at: h.at,
                actor_name: h.actor_name,
                action: h.action,
                rule: h.rule,
                from_owner: h.from_owner,
                to_owner: h.to_owner,
                from_stage: h.from_stage,
                to_stage: h.to_stage,
                reason: h.reason,
                feedback: h
                    .feedback
                    .into_iter()
                    .map(|f| (f.label, f.answer))
                    .collect(),
            })
            .collect(),
        allowed: allowed(&v, &st, at_cap),
    })
}

// ---------------------------------------------------------------------------
// Changes. Each: read (settled) → check with the rules → transition at the read
// version. A stale version means someone else acted first: decide again.

/// Runs `decide` on the settled customer and writes its outcome, retrying
/// when a concurrent change wins the commit. `decide` also learns whether the
/// user is at their cap. Returns the state written.
async fn change<F>(
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

fn manager_of(ctx: &Ctx, s: &OwnershipState) -> Option<String> {
    ctx.config
        .org
        .head_above(s.department.as_deref(), s.owner.as_deref())
}

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
            next.last_followup_at = ctx.now;
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
fn refusal(row: &CustomerRow) -> AppError {
    match row.state.status() {
        Status::Owned | Status::Draft => AppError::Forbidden,
        Status::Held | Status::Pool | Status::Lost => AppError::conflict("not_owned"),
    }
}

fn move_error(e: MoveError) -> AppError {
    match e {
        MoveError::SameStage => AppError::validation("to_stage", "same_stage"),
        MoveError::UnknownStage => AppError::validation("to_stage", "unknown_stage"),
        MoveError::SkipNeedsReason => AppError::validation("reason", "skip_needs_reason"),
        MoveError::BackwardNeedsManager => AppError::Forbidden,
    }
}

/// Moves a customer to another stage: forward by its owner (with the stage's
/// feedback, or a reason when skipping), backward only by a manager (with a reason).
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

/// A rep at the cap lets one customer go to the pool, with a reason.
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

fn oversees(user: &CurrentUser, tree: &[String], s: &OwnershipState) -> bool {
    user.role.can_administer() || s.department.as_ref().is_some_and(|d| tree.contains(d))
}

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

// ---------------------------------------------------------------------------
// Visits (check-ins and follow-ups) reset the follow-up clock; they are written
// by `field::service`, which asks here what the customer is and may become.

/// A customer as a visit sees it: settled, visible to the user, with the clock
/// state a visit by this user would write (`None`: a visit does not count for
/// the clocks, e.g. a manager visiting a rep's customer, or a draft).
pub struct VisitTarget {
    pub row: repo::VisitRow,
    pub now: DateTime<Utc>,
    pub clocks: Option<OwnershipState>,
}

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
        next.last_followup_at = ctx.now;
        ctx.scheduled(&mut next);
        next
    });
    Ok(VisitTarget {
        row,
        now: ctx.now,
        clocks,
    })
}

// ---------------------------------------------------------------------------
// What difficulty alarms need to know about a customer and the people around it.

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

fn subject_of(ctx: &Ctx, user: &CurrentUser, row: &CustomerRow, visible: bool) -> AlarmSubject {
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

/// Whether `user` may open customer `id`'s page (false when it is gone).
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

// ---------------------------------------------------------------------------
// Export

/// The most rows one export carries.
pub const EXPORT_LIMIT: usize = 50_000;

/// The customers a manager (their department tree) or the boss and admin (the
/// company) take out as a file; reps may not (a leaving rep must not walk away
/// with the list). Every export is in the audit log: who, which list, how many rows.
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
