//! What the suggestion box page receives. Nothing here can name an author: the
//! server has nothing to send.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyItem {
    pub user_name: String,
    pub text: String,
    /// received | in_progress | done | declined, as set with this reply
    pub status: String,
    pub at_local: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionItem {
    pub id: String,
    pub text: String,
    /// The local date it was posted (its only time).
    pub day: String,
    pub status: String,
    pub replies: Vec<ReplyItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionsView {
    pub items: Vec<SuggestionItem>,
    pub may_reply: bool,
    /// When the next batch appears, local ("15:00"). How many posts wait for
    /// it is not shown: a count that moves tells everyone when a post was made.
    pub next_release: String,
}
