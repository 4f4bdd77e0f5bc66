//! Writing a feed event: any feature's transaction that changes something the
//! team should see adds the statement below, so the event and its stream row
//! commit (or fail) with the change itself.

use surrealdb::types::SurrealValue;

/// A new feed event, written inside another transaction by the statement in
/// `CREATE_EVENT` (bind it as `$feed`).
#[derive(Debug, Clone, Default, SurrealValue)]
pub struct FeedIn {
    pub kind: String,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub subject_name: String,
    pub department: String,
    pub customer: Option<String>,
    /// The customer's name when the writer has just read it (else the event
    /// reads it in the transaction).
    pub customer_name: Option<String>,
    pub text: Option<String>,
    pub detail: Option<String>,
    pub photos: Vec<String>,
    pub flags: Vec<String>,
    pub distance_m: Option<f64>,
    /// For the whole company (alarms), not only the department.
    pub company: bool,
    /// Where the event's card leads (an alarm's page).
    pub link: Option<String>,
}

/// SurrealQL that creates the feed event bound as `$feed` at `$now`; the
/// `push_event` database event adds its stream row in the same transaction.
/// Leaves the new event's key in `$feed_id`.
pub const CREATE_EVENT: &str = "
    LET $feed_id = <string> rand::uuid::v7();
    CREATE type::record('feed_event', $feed_id) CONTENT {
        kind: $feed.kind,
        actor: IF $feed.actor != NONE THEN type::record('user', $feed.actor) END,
        subject: IF $feed.subject != NONE THEN type::record('user', $feed.subject) END,
        subject_name: $feed.subject_name,
        department: type::record('department', $feed.department),
        customer: IF $feed.customer != NONE THEN type::record('customer', $feed.customer) END,
        customer_name: IF $feed.customer_name != NONE THEN $feed.customer_name
            ELSE IF $feed.customer != NONE THEN type::record('customer', $feed.customer).name END,
        text: $feed.text, detail: $feed.detail, photos: $feed.photos, flags: $feed.flags,
        distance_m: $feed.distance_m, at: $now, company: $feed.company, link: $feed.link,
    } RETURN NONE;";
