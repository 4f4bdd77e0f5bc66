//! What the view audit pages send.

use serde::{Deserialize, Serialize};

/// The boss's view of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewAudit {
    /// The Mondays of the weeks counted, oldest first.
    pub weeks: Vec<String>,
    pub viewers: Vec<ViewerWeeks>,
    pub bursts: Vec<BurstRow>,
    /// The latest openings, newest first.
    pub recent: Vec<ViewRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewerWeeks {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub counts: Vec<u32>,
    pub total: u32,
    /// Team lists requested in the weeks counted, and the other people's
    /// customers they showed (phones masked: a list shows no contact details).
    pub lists: u32,
    pub listed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurstRow {
    pub viewer_name: String,
    pub owner_name: String,
    pub customers: usize,
    /// Local times.
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewRow {
    pub viewer_name: String,
    pub owner_name: String,
    pub customer_id: String,
    pub customer_name: String,
    /// Local time.
    pub at: String,
}
