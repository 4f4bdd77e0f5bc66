//! Reminders as the browser sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The reminders page: the user's reminders and the company's local date today
/// (the form's default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemindersView {
    pub today: String,
    pub items: Vec<ReminderItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderItem {
    pub id: String,
    /// schedule | revisit | birthday | founded
    pub kind: String,
    pub title: String,
    pub content: String,
    pub customer_id: Option<String>,
    pub at: DateTime<Utc>,
    /// `at` in the company's time zone ("11-24 14:30").
    pub at_local: String,
    pub alerted: bool,
    pub acked: bool,
    pub escalated: bool,
}
