//! What the ranking boards and a person's curves send to the page.

use crate::measure::rules::Weights;
use serde::{Deserialize, Serialize};

/// One ranking board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    /// [`crate::measure::rules::Measure::as_str`]
    pub measure: String,
    /// week | month | quarter | year, `last_` one of them, or custom
    pub period: String,
    /// `company` or `department:<id>`
    pub scope: String,
    /// The span shown and the one compared with, local days, both ends included.
    pub from: String,
    pub to: String,
    pub prev_from: String,
    pub prev_to: String,
    /// The rows shown, in rank order (the viewer's own row last when it falls
    /// below the top).
    pub rows: Vec<BoardRow>,
    /// People on the board.
    pub people: usize,
    pub scopes: Vec<ScopeOption>,
    /// The score's weights, for the "how is this counted" note.
    pub weights: Weights,
    /// Whether the full board was asked for.
    pub all: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRow {
    pub user_id: String,
    pub name: String,
    pub department_name: String,
    pub rank: u32,
    /// `None` for a pipeline measure with no snapshot at the period's end.
    pub value: Option<i64>,
    pub prev_value: Option<i64>,
    pub prev_rank: Option<u32>,
    /// The viewer's own row.
    pub me: bool,
    /// Whether the viewer may open this person's profile.
    pub linked: bool,
}

/// A scope the viewer may pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeOption {
    pub key: String,
    /// The department's name; empty for the company.
    pub label: String,
}

/// The admin's settings for the boards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureSettings {
    pub weights: Weights,
    pub reps_see_company: bool,
}

/// A person's profile: curves, stage success.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub department_name: String,
    /// Local day they joined.
    pub joined: String,
    /// 4 | 12 | 26
    pub weeks: u32,
    /// One entry per local day, oldest first.
    pub days: Vec<CurveDay>,
    pub stages: Vec<StageSuccess>,
    /// Index into `stages` of the weakest one.
    pub weakest: Option<usize>,
    pub weights: Weights,
    /// Whether the viewer is the person.
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveDay {
    /// `YYYY-MM-DD`
    pub day: String,
    pub hours: f64,
    pub score: i64,
    /// The department's average per person that day.
    pub dept_hours: f64,
    pub dept_score: f64,
    /// In the person's first two weeks.
    pub new: bool,
}

/// Success from one stage to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSuccess {
    pub stage: String,
    pub next: String,
    /// Their customers that left `stage` (forwards or not).
    pub reached: u32,
    /// Percent of those that left forwards.
    pub mine: Option<u8>,
    pub department: Option<u8>,
}
