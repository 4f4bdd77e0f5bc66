//! Funnel configuration and reports, as the UI sees them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageInfo {
    pub id: String,
    pub position: i64,
    pub name: String,
    pub probability: u8,
    pub max_days: Option<u32>,
    /// Labels of the feedback a rep writes to move on from this stage.
    pub feedback: Vec<String>,
    pub active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualItem {
    pub id: String,
    pub label: String,
}

/// The limits in force for a department (or the company defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// `None`: the company defaults.
    pub department_id: Option<String>,
    pub department_name: Option<String>,
    /// True when the department has no override of its own.
    pub inherited: bool,
    pub followup_days: u32,
    pub no_deal_days: u32,
    pub max_owned: u32,
    pub won_counts: bool,
    pub warn_days: u32,
    /// "manager" or "pool".
    pub destination: String,
    pub reclaim_days: u32,
    pub daily_claims: Option<u32>,
    /// A won customer's revisit interval.
    pub revisit_days: u32,
    /// Where these limits work against the stage limits (the page warns).
    pub contradictions: Vec<PolicyContradiction>,
}

/// A warning on the policy page, with the numbers it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyContradiction {
    /// The no-deal clock is shorter than the stage limits before the won stage.
    NoDealBeforeWon { no_deal_days: u32, stage_days: u32 },
}

/// One rep's row in the funnel report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepFunnel {
    pub name: String,
    pub per_stage: Vec<u32>,
    /// Share of the customers that reached a stage and went on to the next, per stage.
    pub success: Vec<Option<u8>>,
    pub expected_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelReport {
    /// "mine", "department" or "company".
    pub scope: String,
    pub stages: Vec<StageInfo>,
    pub per_stage: Vec<u32>,
    pub conversion: Vec<Option<u8>>,
    pub expected_cents: i64,
    pub in_play: u32,
    pub reliable: bool,
    pub per_rep: Vec<RepFunnel>,
    /// Open deals by their expected close month (seed 001 §6: next month's number).
    #[serde(default)]
    pub by_month: MonthForecast,
}

/// Σ amount × probability of open deals in one bucket, and how many.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthSum {
    /// "2027-01"; empty for the buckets that are not a month.
    pub month: String,
    pub cents: i64,
    pub deals: u32,
}

/// The forecast by expected close date: this month and the next two, deals whose
/// date has passed without a win, those further out, and those without a date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthForecast {
    pub months: Vec<MonthSum>,
    pub overdue: MonthSum,
    pub later: MonthSum,
    pub undated: MonthSum,
}
