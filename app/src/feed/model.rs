//! What the feed sends to the browser, over server functions and the websocket.

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

/// How many cards a page of the feed shows (the next page comes as the reader
/// nears the end).
pub const PAGE_SIZE: usize = 20;

/// A page of the feed, where the live stream picks up after it, and where the
/// next (older) page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// The newest stream position when the page was read.
    pub cursor: Option<String>,
    /// Where the next older page starts; `None` when this one reached the end.
    pub next: Option<FeedCursor>,
}

/// The start of an older page: events at `at` or before, except those at
/// exactly `at` already shown (`seen`, comma-separated ids), as the page's
/// "older" link carries them (`/feed?before=…&seen=…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedCursor {
    /// RFC 3339 in UTC with microseconds (safe in a URL as it is).
    pub before: String,
    pub seen: String,
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
        answer: crate::alarms::model::AnswerItem,
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
