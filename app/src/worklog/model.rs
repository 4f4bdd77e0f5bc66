//! A daily log as the page shows it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayActivity {
    /// Local time, "14:30".
    pub time: String,
    /// checkin | followup | advance | skip | won
    pub kind: String,
    pub customer: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyLogView {
    /// YYYY-MM-DD, the company's local day.
    pub day: String,
    /// Today and yesterday in the company's time zone: the two days a log may be
    /// written on (`field::rules::log_editable`), the page's tabs.
    pub today: String,
    pub yesterday: String,
    pub editable: bool,
    /// Saved before (then the fields below are what was saved).
    pub saved: bool,
    pub work: String,
    pub hours: f64,
    /// Yuan, as typed ("35.50").
    pub expenses: String,
    pub activity: Vec<DayActivity>,
}
