//! One customer's timeline, as the page shows it.

use crate::customers::model::HistoryEntry;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened to a customer, from any feature: a history row (registration,
/// stage moves, ownership changes, reminders of the clocks), a check-in, a
/// follow-up or a difficulty alarm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TimelineWhat {
    History(HistoryEntry),
    Checkin {
        purpose: String,
        /// Metres from the customer's position, when both were known.
        distance_m: Option<f64>,
        /// "far", "no_position", "inaccurate", "late_upload", …
        flags: Vec<String>,
    },
    Followup {
        text: String,
    },
    /// A change to the file (added, corrected, or asked for).
    Change {
        /// `ChangeView::field`'s values.
        field: String,
        before: String,
        after: String,
        reason: Option<String>,
        /// "applied" | "pending" | "approved" | "refused".
        status: String,
        decided_by: Option<String>,
    },
    /// A contact added.
    Contact {
        name: String,
        title: String,
        decision_maker: bool,
    },
    Alarm {
        id: String,
        /// "help" | "lost" | …
        kind: String,
        text: String,
        /// "open" | "closed" | …
        status: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    /// `at` in the company's time zone.
    pub when: String,
    /// Who did it (`None`: the rules).
    pub actor: Option<String>,
    /// Content addresses of photos (thumbnails at /photos/<hash>/thumb).
    pub photos: Vec<String>,
    pub what: TimelineWhat,
}

/// A page of a timeline, newest first; `next` is the cursor of the page after.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub next: Option<String>,
}
