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
use crate::customers::search::{
    matches as search_matches, matches_masked as search_matches_masked, parse_query, prefixes,
    Query, QueryError, Searchable,
};
use crate::error::{AppError, AppResult};
use crate::funnel::model::StageInfo;
use crate::funnel::repo::{list_qual_items, Policy};
use crate::funnel::rules::{
    below_cap, check_stage_move, clock_due, days_left, days_until, is_urgent, reclaim_allowed,
    revisit_tells_manager, revisits_passed, schedule, warning_due, warning_starts, Clock,
    ClockStarts, Destination, MoveError, Warning, WON_PROBABILITY,
};
use crate::funnel::scope::ListScope;
use crate::funnel::snapshot::{department_tree, ConfigSnapshot};
use crate::live::post::FeedIn;
use crate::live::rules::feed_kind;
use crate::state::AppState;
use crate::text::Shape;
use chrono::{DateTime, Utc};
use std::sync::Arc;

mod clock;
mod file;
mod ownership;
mod ports;
mod read;
mod register;
mod stages;
pub use clock::*;
pub use file::*;
pub use ownership::*;
pub use ports::*;
pub use read::*;
pub use register::*;
pub use stages::*;

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
            revisit_missed: 0,
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
        revisit_missed: u32::try_from(s.revisit_missed).unwrap_or(0),
    }
}

fn clock_name(c: Clock) -> &'static str {
    match c {
        Clock::Stage => "stage",
        Clock::Followup => "followup",
        Clock::NoDeal => "no_deal",
        Clock::Revisit => "revisit",
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
            let clock = s.due_clock.clone().unwrap_or_default();
            // a revisit is a date to keep, not a deadline to beat
            let revisit = clock == clock_name(Clock::Revisit);
            let left = if revisit {
                days_until(ctx.now, at, &ctx.tz)
            } else {
                days_left(ctx.now, at, &ctx.tz)
            };
            Due {
                clock,
                at,
                days_left: left,
                urgent: !revisit && is_urgent(left),
                missed: if revisit {
                    u32::try_from(s.revisit_missed).unwrap_or(0)
                } else {
                    0
                },
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
    s.revisit_missed = 0;
}

/// A visit or a follow-up record: the follow-up clock starts again and the
/// revisit reminders count afresh.
fn followed_up(s: &mut OwnershipState, now: DateTime<Utc>) {
    s.last_followup_at = now;
    s.revisit_missed = 0;
}
