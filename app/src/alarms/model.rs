//! What the alarm pages receive.

pub use crate::live::model::AnswerItem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An alarm in a list: what anyone in the company may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmCard {
    pub id: String,
    /// help | lost
    pub kind: String,
    /// open | resolved | closed | lost
    pub status: String,
    /// proposed | rejected (lost alarms)
    pub lost_state: Option<String>,
    pub customer_name: String,
    pub industry: String,
    pub stage_name: String,
    pub raiser_name: String,
    pub department_name: String,
    pub text: String,
    pub answers: i64,
    pub escalated: i64,
    pub at: DateTime<Utc>,
    pub at_local: String,
    /// Minutes it has waited for a first answer (still waiting), or waited.
    pub wait_minutes: Option<i64>,
}

/// What the viewer may do on an alarm's page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmMay {
    /// The raiser, while it is open.
    pub add_photos: bool,
    pub answer: bool,
    pub accept: bool,
    pub close: bool,
    pub decide_lost: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmDetail {
    pub card: AlarmCard,
    /// What would have helped (lost alarms).
    pub lesson: Option<String>,
    pub photos: Vec<String>,
    pub answers: Vec<AnswerItem>,
    /// The customer's page, when the viewer may open it.
    pub customer_id: Option<String>,
    pub close_note: Option<String>,
    pub experience_id: Option<String>,
    pub may: AlarmMay,
    /// Counts the alarm's status changes: a live status push with a higher one
    /// means the page is out of date.
    pub version: i64,
}

/// A customer the user may raise an alarm on (their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaiseTarget {
    pub id: String,
    pub name: String,
    pub stage_name: String,
}

/// One row of the alarm statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsRow {
    pub user_id: String,
    pub name: String,
    pub department_name: String,
    pub role: String,
    pub raised: i64,
    pub supported: i64,
    pub resolved: i64,
    pub median_first_answer_minutes: Option<i64>,
    pub support_rate: Option<f64>,
    pub resolve_rate: Option<f64>,
    pub unanswered_over_day: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    /// week | month | quarter
    pub period: String,
    /// The period's first day, local ("2026-11-23").
    pub from: String,
    pub rows: Vec<StatsRow>,
    /// Alarms raised in the period that the viewer's scope covers.
    pub alarms: i64,
}

/// A won customer whose story is not written yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryPrompt {
    pub customer_id: String,
    pub customer_name: String,
}
