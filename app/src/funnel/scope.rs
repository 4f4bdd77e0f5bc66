//! Whose customers a list or the funnel covers, as the indexed conditions the
//! customer and tally queries share.

/// Which customers a list shows.
#[derive(Clone, Debug)]
pub enum ListScope {
    /// Owned by this user (drafts, owned, and a manager's held inbox).
    Owner(String),
    /// In these departments (a manager's team), drafts and owned.
    Departments(Vec<String>),
    /// Every customer with an owner.
    All,
    /// Held for this manager (the inbox).
    Inbox(String),
    /// The public pool.
    Pool,
}

impl ListScope {
    /// The departments' record ids (bound as `$depts`; empty for other scopes).
    pub(crate) fn departments(&self) -> Vec<surrealdb::types::RecordId> {
        match self {
            ListScope::Departments(d) => crate::db::record_ids("department", d),
            _ => Vec::new(),
        }
    }

    /// Whose customers: the condition (bound to `$key`) without the status part.
    pub(crate) fn filter(&self) -> (&'static str, serde_json::Value) {
        match self {
            ListScope::Owner(u) | ListScope::Inbox(u) => {
                ("owner = type::record('user', $key)", u.clone().into())
            }
            ListScope::Departments(_) => ("department IN $depts", serde_json::Value::Null),
            ListScope::All | ListScope::Pool => ("true", serde_json::Value::Null),
        }
    }
}
