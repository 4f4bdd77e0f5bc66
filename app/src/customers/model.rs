//! Customers as the UI sees them. Ids are plain strings; record ids stay on the server.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, checklist not complete: not locked, not counted.
    Draft,
    /// Locked to its rep; the clocks run.
    Owned,
    /// Confiscated to a manager, waiting in the inbox.
    Held,
    /// In the public pool (公海).
    Pool,
    /// A manager approved the rep's "lost" post-mortem.
    Lost,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Owned => "owned",
            Status::Held => "held",
            Status::Pool => "pool",
            Status::Lost => "lost",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Draft,
            Status::Owned,
            Status::Held,
            Status::Pool,
            Status::Lost,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// The nearest deadline of an owned customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Due {
    /// "stage", "followup" or "no_deal"; "revisit" for a won customer (then
    /// `days_left` counts to the revisit day, and nothing is confiscated).
    pub clock: String,
    pub at: DateTime<Utc>,
    /// Whole local days left (0 on the last day).
    pub days_left: i64,
    /// Under 3 days: shown in red.
    pub urgent: bool,
    /// A won customer's revisit clock: reminders already sent without a visit.
    #[serde(default)]
    pub missed: u32,
}

/// A customer in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerCard {
    pub id: String,
    pub name: String,
    pub status: Status,
    pub stage_name: String,
    pub probability: u8,
    pub owner_name: Option<String>,
    pub industry: String,
    pub region: String,
    pub size: String,
    pub source: String,
    /// Masked (138****0000) for customers in the pool.
    pub phones: Vec<String>,
    pub due: Option<Due>,
    pub won: bool,
    pub expected_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecklistEntry {
    pub id: String,
    pub label: String,
    pub ticked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// `at` in the company's time zone ("2026-12-03 14:10").
    #[serde(default)]
    pub when: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub rule: Option<String>,
    pub from_owner: Option<String>,
    pub to_owner: Option<String>,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub reason: Option<String>,
    /// (label, answer) pairs written when the stage moved.
    pub feedback: Vec<(String, String)>,
}

/// What the viewer may do with this customer (the server checks again).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Allowed {
    pub tick_checklist: bool,
    pub advance: bool,
    /// Record a visit or follow-up and set the revisit interval (the owner, in
    /// every stage).
    #[serde(default)]
    pub follow_up: bool,
    pub move_back: bool,
    pub propose_lost: bool,
    pub decide_lost: bool,
    pub release: bool,
    /// Inbox actions: reassign, keep, release to pool.
    pub manage: bool,
    pub claim: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextStage {
    pub id: String,
    pub name: String,
    pub feedback: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetail {
    /// Revisit reminder every N days (None: off).
    pub revisit_days: Option<i64>,
    pub card: CustomerCard,
    pub contact: String,
    pub contact_role: String,
    pub decision_maker: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub founded_on: Option<String>,
    pub dm_birthday: Option<String>,
    pub notes: String,
    pub referred_by: Option<(String, String)>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub checklist: Vec<ChecklistEntry>,
    pub stage_id: String,
    pub stage_feedback: Vec<String>,
    /// Forward stages (the first is the next one).
    pub forward: Vec<NextStage>,
    /// Earlier stages (a manager may move back).
    pub backward: Vec<NextStage>,
    pub lost_proposal: Option<String>,
    /// Open difficulty alarms on it: (id, kind, the start of the problem).
    pub open_alarms: Vec<(String, String, String)>,
    pub history: Vec<HistoryEntry>,
    pub allowed: Allowed,
    /// The people at the customer, oldest first.
    #[serde(default)]
    pub contacts: Vec<ContactView>,
    /// When the deal is expected to close (YYYY-MM-DD).
    #[serde(default)]
    pub close_on: Option<String>,
    /// Correction requests waiting for a manager.
    #[serde(default)]
    pub pending: Vec<ChangeView>,
    /// What the viewer may do with the file.
    #[serde(default)]
    pub file: crate::customers::edit::FileRights,
    /// The version the page was read at: a correction sends it back, and one
    /// made on an older version is refused as a conflict.
    #[serde(default)]
    pub version: i64,
}

/// A contact at a customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: String,
    pub name: String,
    pub title: String,
    /// Masked for customers in the pool.
    pub phones: Vec<String>,
    pub reach: String,
    pub decision_maker: bool,
    pub birthday: Option<String>,
    pub notes: String,
}

/// A change to a customer's file, or a request for one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeView {
    pub id: String,
    pub customer: String,
    pub customer_name: String,
    /// "name", "phones", … (`edit::Fact`), or "phone_add", "note", "position",
    /// "expected", "close_on".
    pub field: String,
    pub before: String,
    pub after: String,
    pub reason: Option<String>,
    pub by_name: String,
    /// In the company's time zone.
    pub when: String,
    /// "applied" | "pending" | "approved" | "refused".
    pub status: String,
    pub decided_by_name: Option<String>,
    /// The viewer may approve or refuse it.
    pub decidable: bool,
}

/// What a correction did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corrected {
    Applied,
    Requested,
}

/// A registration as typed by the rep.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerInput {
    pub name: String,
    pub phones: String,
    pub contact: String,
    pub contact_role: String,
    pub decision_maker: String,
    pub address: String,
    pub region: String,
    pub lat: String,
    pub lng: String,
    pub industry: String,
    pub size: String,
    pub source: String,
    pub referred_by: String,
    pub founded_on: String,
    pub dm_birthday: String,
    pub notes: String,
    pub expected_amount: String,
}

/// The answer of the duplicate check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DupCheck {
    /// An exact match: registered by a colleague on that (local) date.
    pub taken_on: Option<NaiveDate>,
    /// Which key matched: "name" or "phone".
    pub taken_by: Option<String>,
    /// The match is the asking rep's own customer.
    pub mine: bool,
    /// Similar names already registered that the asker may read (the rep
    /// must confirm)...
    pub near: Vec<String>,
    /// ...and how many more are registered elsewhere (their names are not
    /// told: a rep typing names must not learn other departments' customers).
    #[serde(default)]
    pub near_hidden: u32,
}

/// A manager's inbox item: a confiscated customer or an open dispute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisputeItem {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub owner_name: Option<String>,
    pub raised_by_name: String,
    pub attempted_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// A rep a manager may hand a customer to, with their current load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignee {
    pub id: String,
    pub name: String,
    pub owned: u32,
    pub cap: u32,
}

/// What a registration did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RegisterOutcome {
    /// Saved. `locked`: the checklist was complete and the customer is the rep's;
    /// `at_cap`: complete, but the rep is at the cap, so it stays a draft.
    Created {
        id: String,
        locked: bool,
        at_cap: bool,
    },
    /// Refused: registered by a colleague (or by the rep, `mine`) on that date.
    Duplicate { on: NaiveDate, mine: bool },
    /// Nothing saved: similar names exist; send again with `confirm_near`.
    NearMatch { names: Vec<String>, hidden: u32 },
}
