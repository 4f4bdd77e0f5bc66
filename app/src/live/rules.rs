//! The live stream's rules, pure: which feed event an ownership change makes,
//! and the resume protocol (how far back a reconnecting client is replayed and
//! how it delivers each row once).

use std::collections::{HashSet, VecDeque};

/// The feed event an ownership change makes, if any (history actions).
pub fn feed_kind(action: &str, won_now: bool) -> Option<&'static str> {
    match action {
        "advance" | "skip" if won_now => Some("won"),
        "advance" => Some("advance"),
        "skip" => Some("skip"),
        "confiscate" => Some("confiscate"),
        "lost" => Some("lost"),
        _ => None,
    }
}

/// How far back a resuming client replays: rows may commit a little out of
/// `seq` order (each `seq` is taken when its transaction runs, not when it
/// commits), so a client resumes from a little before the last row it saw and
/// drops what it already has.
pub const REPLAY_MARGIN_MS: u64 = 5_000;

/// The UUIDv7 `seq` of `REPLAY_MARGIN_MS` before `last` (all random bits zero),
/// for `seq >= floor` scans. `None` when `last` is not a UUIDv7 string.
pub fn replay_floor(last: &str) -> Option<String> {
    let hex: String = last.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let ms = u64::from_str_radix(&hex[..12], 16).ok()?;
    let floor = ms.saturating_sub(REPLAY_MARGIN_MS);
    let t = format!("{floor:012x}");
    Some(format!("{}-{}-0000-0000-000000000000", &t[..8], &t[8..12]))
}

/// The furthest back a reconnecting client is replayed, whatever it asks: a
/// phone away longer loads its pages again instead (a replay is rendered row
/// by row for one socket, so an unbounded one was a cheap way to load the
/// server: 6.8 s of work for one connect).
pub const REPLAY_MAX_AGE_MS: u64 = 60 * 60 * 1000;

/// [`replay_floor`], but never earlier than [`REPLAY_MAX_AGE_MS`] before `now_ms`.
pub fn bounded_replay_floor(last: &str, now_ms: u64) -> Option<String> {
    let floor = replay_floor(last)?;
    let oldest = seq_floor_at(now_ms.saturating_sub(REPLAY_MAX_AGE_MS));
    Some(if floor < oldest { oldest } else { floor })
}

/// The smallest UUIDv7 string of the millisecond `ms`.
fn seq_floor_at(ms: u64) -> String {
    let t = format!("{:012x}", ms.min(0xffff_ffff_ffff));
    format!("{}-{}-0000-0000-000000000000", &t[..8], &t[8..12])
}

/// What a client has seen: the newest `seq` and the recent ones, so a replay
/// delivers each row once.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    last: Option<String>,
    order: VecDeque<String>,
    seen: HashSet<String>,
}

/// How many recent `seq`s a client remembers (far more than arrive in the
/// replay margin).
const REMEMBER: usize = 2_000;

impl Resume {
    pub fn starting_at(cursor: Option<String>) -> Resume {
        Resume {
            last: cursor,
            ..Default::default()
        }
    }

    /// Where to resume from after a reconnect.
    pub fn cursor(&self) -> Option<String> {
        self.last.clone()
    }

    /// True the first time a `seq` arrives (deliver it), false for a repeat.
    /// Rows older than the starting cursor that were not seen on this client
    /// (replayed only because of the margin) are delivered too: they are exactly
    /// the late commits the margin exists for.
    pub fn accept(&mut self, seq: &str) -> bool {
        if self.seen.contains(seq) {
            return false;
        }
        self.seen.insert(seq.to_string());
        self.order.push_back(seq.to_string());
        while self.order.len() > REMEMBER {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        if self.last.as_deref().is_none_or(|l| seq > l) {
            self.last = Some(seq.to_string());
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn a_replay_goes_back_an_hour_at_most() {
        let now: u64 = 1_800_000_000_000;
        let recent = format!("{}-7000-8000-000000000000", {
            let t = format!("{:012x}", now - 60_000);
            format!("{}-{}", &t[..8], &t[8..12])
        });
        // a minute ago: from five seconds before it, as before
        assert_eq!(bounded_replay_floor(&recent, now), replay_floor(&recent));
        // a day ago, or the epoch: an hour ago
        let hour_ago = seq_floor_at(now - REPLAY_MAX_AGE_MS);
        assert_eq!(
            bounded_replay_floor("00000000-0000-7000-8000-000000000000", now),
            Some(hour_ago)
        );
        assert_eq!(bounded_replay_floor("not a seq", now), None);
    }

    #[rstest]
    #[case("advance", false, Some("advance"))]
    #[case("advance", true, Some("won"))]
    #[case("skip", true, Some("won"))]
    #[case("skip", false, Some("skip"))]
    #[case("confiscate", false, Some("confiscate"))]
    #[case("lost", false, Some("lost"))]
    #[case("checklist", false, None)]
    #[case("qualify", false, None)]
    #[case("reassign", false, None)]
    #[case("back", false, None)]
    fn feed_kinds(#[case] action: &str, #[case] won: bool, #[case] expected: Option<&str>) {
        assert_eq!(feed_kind(action, won), expected);
    }

    #[rstest]
    // 0x019abcdef012 ms minus 5000 (0x1388) = 0x019abcdedc8a
    #[case(
        "019abcde-f012-7abc-8def-0123456789ab",
        Some("019abcde-dc8a-0000-0000-000000000000")
    )]
    // near zero: saturates
    #[case(
        "00000000-0001-7000-8000-000000000000",
        Some("00000000-0000-0000-0000-000000000000")
    )]
    #[case("not-a-uuid", None)]
    #[case("", None)]
    #[case("019abcde-f012-7abc-8def-0123456789zz", None)]
    fn replay_floors(#[case] last: &str, #[case] expected: Option<&str>) {
        assert_eq!(replay_floor(last).as_deref(), expected);
        if let Some(f) = replay_floor(last) {
            assert!(f.as_str() <= last, "the floor is never after the last row");
        }
    }

    #[test]
    fn resume_delivers_each_row_once_and_tracks_the_newest() {
        let mut r = Resume::starting_at(Some("b".into()));
        assert!(r.accept("c"));
        assert!(!r.accept("c"), "a repeat is dropped");
        // a late commit older than the cursor, replayed by the margin: delivered once
        assert!(r.accept("a"));
        assert!(!r.accept("a"));
        assert_eq!(
            r.cursor().as_deref(),
            Some("c"),
            "the cursor never goes back"
        );
        assert!(r.accept("d"));
        assert_eq!(r.cursor().as_deref(), Some("d"));
    }

    #[test]
    fn resume_memory_is_bounded() {
        let mut r = Resume::default();
        for i in 0..(REMEMBER + 500) {
            assert!(r.accept(&format!("{i:08}")));
        }
        assert_eq!(r.seen.len(), REMEMBER);
        assert_eq!(r.order.len(), REMEMBER);
        // the newest are still remembered
        assert!(!r.accept(&format!("{:08}", REMEMBER + 499)));
    }
}
