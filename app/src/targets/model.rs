//! What the targets page sends.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetsView {
    /// month | quarter | year
    pub period: String,
    /// The period's first month (`YYYY-MM`), and the ones before and after it.
    pub month: String,
    pub prev: String,
    pub next: String,
    /// The months covered.
    pub months: Vec<String>,
    /// Whether the period has not ended (a projection is shown).
    pub open: bool,
    pub rows: Vec<TargetRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    /// user | department | company
    pub kind: String,
    /// The person's or department's id; empty for the company.
    pub subject: String,
    pub name: String,
    /// The department (for a person).
    pub department_name: String,
    /// Sums over the months; `None` when no month has a target.
    pub target_cents: Option<i64>,
    pub target_deals: Option<i64>,
    pub won_cents: i64,
    pub won_deals: i64,
    pub amount_pct: Option<u32>,
    pub deals_pct: Option<u32>,
    /// Closed plus the forecast of the 25–90 % stages (open periods).
    pub projection_cents: Option<i64>,
    /// Customers in the 25–90 % stages behind the forecast.
    pub in_play: i64,
    /// Fewer than 14 in play: the forecast is not reliable.
    pub reliable: bool,
    /// Whether the viewer may set this row's monthly target.
    pub may_set: bool,
    pub changes: Vec<TargetChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetChange {
    pub month: String,
    pub by: String,
    /// Local time.
    pub at: String,
    pub before_cents: Option<i64>,
    pub before_deals: Option<i64>,
    pub cents: i64,
    pub deals: i64,
}
