//! What the referral pages send.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralView {
    pub trees: Vec<TreeNode>,
    /// Customers who referred others: thank them.
    pub thank: Vec<ReferrerRow>,
    /// Won customers who have not referred anyone yet: serve them better.
    pub unreferred: Vec<CustomerRef>,
    /// How many of each list are not shown (a page at a time, "show more").
    pub more: ListsLeft,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ListsLeft {
    pub trees: u32,
    pub thank: u32,
    pub unreferred: u32,
}

/// How many rows of each list to send (see `rules::shown`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ListsAsked {
    pub trees: u32,
    pub thank: u32,
    pub unreferred: u32,
}

/// A customer in a tree; `id` and `name` are `None` for one the viewer may not see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeNode {
    pub id: Option<String>,
    pub name: Option<String>,
    pub stage: Option<String>,
    pub won: bool,
    /// Its own amount when won (visible customers only).
    pub won_cents: i64,
    /// Won amounts of the visible customers below it.
    pub won_below_cents: i64,
    /// Customers below it the viewer may not see, in branches not shown.
    pub hidden_below: u32,
    /// Customers it referred directly.
    pub referred: u32,
    pub children: Vec<TreeNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferrerRow {
    pub id: String,
    pub name: String,
    pub referred: u32,
    pub won_below_cents: i64,
    pub owner_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRef {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub owner_name: String,
}

/// A customer the viewer may name as a referrer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferrerOption {
    pub id: String,
    pub name: String,
    pub won: bool,
}
