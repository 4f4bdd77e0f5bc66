//! What the notifications page shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One notification of the signed-in user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
    /// `at` in the company's time zone, as shown ("12-03 14:10").
    pub at_local: String,
    pub read: bool,
    /// Where it leads when not to the customer (an alarm's page).
    pub link: Option<String>,
}
