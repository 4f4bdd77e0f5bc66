//! The anonymous suggestion box (意见箱): what a suggestion may say, when posts are
//! released, who replies. Pure functions.
//!
//! Anonymity is kept by construction (see the schema): nothing stored names the
//! author, the only time kept is the local date, and posts wait unreleased until
//! the next full hour, when every waiting post appears at once in a random order.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};

pub const MAX_TEXT: usize = 2000;

/// A suggestion's or reply's text: 1–2000 characters, lines kept.
pub fn parse_text(raw: &str) -> Result<String, &'static str> {
    let t = crate::text::clean(raw, crate::text::Shape::lines(MAX_TEXT))?;
    if t.is_empty() {
        return Err("required");
    }
    Ok(t)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    InProgress,
    Done,
    Declined,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Received,
        Status::InProgress,
        Status::Done,
        Status::Declined,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::Done => "done",
            Status::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Posts one person may drop into one waiting batch (an hour).
pub const MAX_POSTS_PER_BATCH: u32 = 5;

/// May someone who has posted `so_far` times in the waiting batch post again?
pub fn may_post(so_far: u32) -> bool {
    so_far < MAX_POSTS_PER_BATCH
}

/// Boss, managers and admins answer suggestions publicly.
pub fn may_reply(role: crate::auth::model::Role) -> bool {
    !matches!(role, crate::auth::model::Role::Rep)
}

/// The local hour `now` falls in ("2026-11-27 14"): when it changes, the batch
/// waiting in the box is released.
pub fn batch_of<Z: TimeZone>(now: DateTime<Utc>, tz: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    now.with_timezone(tz).format("%Y-%m-%d %H").to_string()
}

/// When a post made at `now` appears: the start of the next local hour.
pub fn release_at<Z: TimeZone>(now: DateTime<Utc>, tz: &Z) -> DateTime<Utc> {
    let local = now.with_timezone(tz);
    let into_hour = Duration::minutes(i64::from(local.minute()))
        + Duration::seconds(i64::from(local.second()))
        + Duration::nanoseconds(i64::from(local.nanosecond()));
    now - into_hour + Duration::hours(1)
}

/// The local date a post keeps (its only time).
pub fn day_of<Z: TimeZone>(now: DateTime<Utc>, tz: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    now.with_timezone(tz).format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::model::Role;
    use chrono_tz::Asia::{Kolkata, Shanghai};
    use rstest::rstest;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[rstest]
    #[case("  多开会不如多拜访  ", Ok("多开会不如多拜访"))]
    #[case("第一行\n第二行", Ok("第一行\n第二行"))]
    #[case("   ", Err("required"))]
    #[case("a\u{202E}b", Err("bidi_chars"))]
    #[case("a\u{0}b", Err("control_chars"))]
    fn suggestion_texts(#[case] raw: &str, #[case] expected: Result<&str, &str>) {
        assert_eq!(parse_text(raw), expected.map(str::to_string));
    }

    #[test]
    fn too_long_is_refused() {
        assert_eq!(parse_text(&"意".repeat(MAX_TEXT + 1)), Err("too_long"));
        assert!(parse_text(&"意".repeat(MAX_TEXT)).is_ok());
    }

    #[rstest]
    // 14:20:31 Shanghai → 15:00
    #[case("2026-11-27T06:20:31Z", "2026-11-27T07:00:00Z")]
    // exactly on the hour: the next hour (the batch that just went out is gone)
    #[case("2026-11-27T06:00:00Z", "2026-11-27T07:00:00Z")]
    // 23:59 local → midnight, the next local day
    #[case("2026-11-27T15:59:59Z", "2026-11-27T16:00:00Z")]
    fn posts_appear_at_the_next_full_hour(#[case] now: &str, #[case] expected: &str) {
        assert_eq!(release_at(utc(now), &Shanghai), utc(expected));
    }

    #[test]
    fn full_hours_are_local_ones() {
        // India is UTC+5:30: 14:20 local is 08:50 UTC, the next full hour 15:00 local
        assert_eq!(
            release_at(utc("2026-11-27T08:50:00Z"), &Kolkata),
            utc("2026-11-27T09:30:00Z")
        );
        assert_eq!(
            batch_of(utc("2026-11-27T08:50:00Z"), &Kolkata),
            "2026-11-27 14"
        );
    }

    #[rstest]
    #[case("2026-11-27T06:20:31Z", "2026-11-27 14", "2026-11-27")]
    // 00:30 on the 28th in Shanghai is still the 27th in UTC
    #[case("2026-11-27T16:30:00Z", "2026-11-28 00", "2026-11-28")]
    fn batches_and_days_are_local(#[case] now: &str, #[case] batch: &str, #[case] day: &str) {
        assert_eq!(batch_of(utc(now), &Shanghai), batch);
        assert_eq!(day_of(utc(now), &Shanghai), day);
    }

    #[rstest]
    #[case(Role::Rep, false)]
    #[case(Role::Manager, true)]
    #[case(Role::Boss, true)]
    #[case(Role::Admin, true)]
    fn who_replies(#[case] role: Role, #[case] expected: bool) {
        assert_eq!(may_reply(role), expected);
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("deleted"), None);
    }
}
