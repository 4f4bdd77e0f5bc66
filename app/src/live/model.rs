//! What the live stream carries to the browser: the feed's cards and comments,
//! alarm answers, unread counts and reminder alerts, each with the `seq` a
//! reconnecting client resumes from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    pub id: String,
    /// checkin | followup | advance | skip | won | confiscate | daily_log | lost
    pub kind: String,
    pub subject_name: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub text: Option<String>,
    pub detail: Option<String>,
    /// Content addresses of the photos (thumbnails at /photos/<hash>/thumb).
    pub photos: Vec<String>,
    pub flags: Vec<String>,
    pub distance_m: Option<f64>,
    pub at: DateTime<Utc>,
    /// `at` in the company's time zone, as shown ("11-24 14:30").
    pub at_local: String,
    pub likes: i64,
    pub comments: i64,
    pub liked: bool,
    pub comment_list: Vec<CommentItem>,
    /// Where the card leads instead of the customer (an alarm's page).
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentItem {
    pub id: String,
    pub user_name: String,
    pub text: String,
    pub at: DateTime<Utc>,
    pub at_local: String,
}

/// One answer to an alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerItem {
    pub id: String,
    pub user_name: String,
    pub department_name: String,
    pub text: String,
    pub likes: i64,
    /// The viewer likes it (false in live pushes: the page keeps its own).
    pub liked: bool,
    pub accepted: bool,
    pub at: DateTime<Utc>,
    pub at_local: String,
}

/// One message on the websocket. `seq` orders them and lets a reconnecting client
/// resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Push {
    /// A new feed event (without `liked`, which is per viewer).
    Event { seq: String, item: FeedItem },
    Counts {
        seq: String,
        event: String,
        likes: i64,
        comments: i64,
    },
    Comment {
        seq: String,
        event: String,
        comment: CommentItem,
    },
    /// Something new in the viewer's notifications: refresh the unread count.
    Notify { seq: String, unread: i64 },
    /// A reminder is due now.
    Alert {
        seq: String,
        reminder: String,
        title: String,
        content: String,
        at: DateTime<Utc>,
    },
    /// A new or changed answer on an alarm (everyone in the company).
    AlarmAnswer {
        seq: String,
        alarm: String,
        answer: AnswerItem,
    },
    /// An alarm's status changed; `version` is the alarm's version now. A page
    /// showing an older one loads again.
    AlarmStatus {
        seq: String,
        alarm: String,
        version: i64,
    },
}

impl Push {
    pub fn seq(&self) -> &str {
        match self {
            Push::Event { seq, .. }
            | Push::Counts { seq, .. }
            | Push::Comment { seq, .. }
            | Push::Notify { seq, .. }
            | Push::Alert { seq, .. }
            | Push::AlarmAnswer { seq, .. }
            | Push::AlarmStatus { seq, .. } => seq,
        }
    }
}

/// The client's first message on a socket: where to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub after: Option<String>,
}
