//! What the kinds of feed events are called on a page.

use crate::i18n::*;
use leptos_i18n::I18nContext;

/// The name of a feed event's kind (`FeedIn::kind`), in the page's language.
pub fn kind_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "checkin" => t_string!(i18n, feed_checkin).to_string(),
        "followup" => t_string!(i18n, feed_followup).to_string(),
        "advance" => t_string!(i18n, feed_advance).to_string(),
        "skip" => t_string!(i18n, feed_skip).to_string(),
        "won" => t_string!(i18n, feed_won).to_string(),
        "confiscate" => t_string!(i18n, feed_confiscate).to_string(),
        "lost" => t_string!(i18n, feed_lost).to_string(),
        "daily_log" => t_string!(i18n, feed_daily_log).to_string(),
        "alarm_help" => t_string!(i18n, alarm_kind_help).to_string(),
        "alarm_lost" => t_string!(i18n, alarm_kind_lost).to_string(),
        other => other.to_string(),
    }
}
