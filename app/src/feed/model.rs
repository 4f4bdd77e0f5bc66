//! What the feed sends to the browser, over server functions and the websocket.

use crate::live::model::FeedItem;
use serde::{Deserialize, Serialize};

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
