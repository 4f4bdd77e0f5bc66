//! Field work as the browser sees it.

use serde::{Deserialize, Serialize};

/// What a saved check-in came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckinOutcome {
    pub id: String,
    /// The same idempotency key was already stored: nothing new was written.
    pub duplicate: bool,
    pub customer_name: String,
    pub distance_m: Option<f64>,
    pub flags: Vec<String>,
}

/// A customer the rep may check in at, with the distance from where they stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearbyCustomer {
    pub id: String,
    pub name: String,
    pub address: String,
    pub distance_m: Option<f64>,
}
