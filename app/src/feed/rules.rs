//! Who sees a feed event, which changes make one, how a page of the feed is cut
//! from its scopes' rows, and the resume protocol of the live stream. Pure
//! functions.

use std::collections::{HashSet, VecDeque};

/// Who a stream row is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A feed event of this department (the actor's).
    Department(String),
    /// Private to one user (notifications, reminders).
    User(String),
    /// Everyone in the company (alarms and their answers).
    Company,
}

/// The person looking at the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedViewer {
    pub user: String,
    /// Departments whose events they see; `None` = every department (boss, admin).
    pub departments: Option<Vec<String>>,
}

/// Colleagues see their own department's events; managers their department tree;
/// boss and admin everything. Private rows go to their user only.
pub fn sees(viewer: &FeedViewer, audience: &Audience) -> bool {
    match audience {
        Audience::User(u) => *u == viewer.user,
        Audience::Company => true,
        Audience::Department(d) => match &viewer.departments {
            None => true,
            Some(ds) => ds.iter().any(|x| x == d),
        },
    }
}

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

/// A comment's text: trimmed, 1–1000 characters.
pub fn parse_comment(text: &str) -> Result<String, &'static str> {
    let t = crate::text::clean(text, crate::text::Shape::lines(1000))?;
    if t.is_empty() {
        return Err("required");
    }
    Ok(t)
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

/// Where the next older page starts: events at `at` or before, except `seen`
/// (those at exactly `at` already shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart<T> {
    pub at: T,
    pub seen: Vec<String>,
}

/// Cuts one page from the rows the scopes returned (each scope newest first, at
/// most `limit + seen` rows: see `repo::events`). An event can come from two
/// scopes (a company-wide event of the viewer's department): it is kept once.
/// Rows already `seen` at the page's start are left out. Returns the page, newest
/// first (ties by id, ascending, as the index returns them), and where the next
/// page starts: `None` when fewer than `limit` rows were left, so nothing older
/// exists in any scope.
///
/// The next start carries every id shown at the oldest instant — on this page
/// and, when the page ends on the instant it started at, the earlier pages' too —
/// so a run of events sharing one instant is split across pages without a loss
/// or a repeat.
pub fn cut_page<R, T: Ord + Copy>(
    mut rows: Vec<R>,
    key: impl Fn(&R) -> (T, &str),
    start: Option<&PageStart<T>>,
    limit: usize,
) -> (Vec<R>, Option<PageStart<T>>) {
    let seen: HashSet<&str> = start
        .map(|s| s.seen.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let mut shown = HashSet::new();
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then_with(|| ka.1.cmp(kb.1))
    });
    rows.retain(|r| {
        let (at, id) = key(r);
        let already = start.is_some_and(|s| at == s.at && seen.contains(id));
        !already && shown.insert(id.to_string())
    });
    if rows.len() < limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let Some(last_at) = rows.last().map(|r| key(r).0) else {
        return (rows, None);
    };
    let mut next: Vec<String> = rows
        .iter()
        .map(&key)
        .filter(|(at, _)| *at == last_at)
        .map(|(_, id)| id.to_string())
        .collect();
    if let Some(s) = start.filter(|s| s.at == last_at) {
        next.extend(s.seen.iter().cloned());
    }
    (
        rows,
        Some(PageStart {
            at: last_at,
            seen: next,
        }),
    )
}

#[cfg(test)]
mod tests {

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

    use super::*;
    use rstest::rstest;

    fn viewer(user: &str, departments: Option<&[&str]>) -> FeedViewer {
        FeedViewer {
            user: user.into(),
            departments: departments.map(|d| d.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[rstest]
    #[case::colleague(viewer("u1", Some(&["d1"])), Audience::Department("d1".into()), true)]
    #[case::other_department(viewer("u1", Some(&["d1"])), Audience::Department("d2".into()), false)]
    #[case::manager_tree(viewer("m", Some(&["d1", "d1a", "d1b"])), Audience::Department("d1b".into()), true)]
    #[case::manager_sibling(viewer("m", Some(&["d1", "d1a"])), Audience::Department("d2".into()), false)]
    #[case::boss(viewer("b", None), Audience::Department("d9".into()), true)]
    #[case::mine(viewer("u1", Some(&["d1"])), Audience::User("u1".into()), true)]
    #[case::someone_elses(viewer("u2", Some(&["d1"])), Audience::User("u1".into()), false)]
    #[case::boss_not_private(viewer("b", None), Audience::User("u1".into()), false)]
    #[case::no_departments(viewer("u1", Some(&[])), Audience::Department("d1".into()), false)]
    #[case::company_rep(viewer("u1", Some(&["d1"])), Audience::Company, true)]
    #[case::company_nobody_departments(viewer("u1", Some(&[])), Audience::Company, true)]
    fn visibility(#[case] v: FeedViewer, #[case] a: Audience, #[case] expected: bool) {
        assert_eq!(sees(&v, &a), expected);
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
    #[case("  好的，明天跟进 ", Ok("好的，明天跟进".to_string()))]
    #[case("   ", Err("required"))]
    #[case("", Err("required"))]
    fn comments(#[case] input: &str, #[case] expected: Result<String, &str>) {
        assert_eq!(parse_comment(input), expected);
        assert_eq!(parse_comment(&"字".repeat(1001)), Err("too_long"));
        assert!(parse_comment(&"字".repeat(1000)).is_ok());
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

    /// Pages through `rows` (instant, id) split over scopes, `limit` at a time,
    /// as the repository would answer each start; returns the ids page by page.
    fn page_through(scopes: &[Vec<(u32, &str)>], limit: usize) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut start: Option<PageStart<u32>> = None;
        loop {
            let mut rows = Vec::new();
            for scope in scopes {
                let mut mine: Vec<(u32, &str)> = scope
                    .iter()
                    .filter(|r| start.as_ref().is_none_or(|s| r.0 <= s.at))
                    .copied()
                    .collect();
                mine.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                let extra = start.as_ref().map_or(0, |s| s.seen.len());
                mine.truncate(limit + extra);
                rows.extend(mine);
            }
            let (page, next) = cut_page(rows, |r| (r.0, r.1), start.as_ref(), limit);
            pages.push(page.iter().map(|r| r.1.to_string()).collect());
            match next {
                Some(n) => start = Some(n),
                None => return pages,
            }
            assert!(pages.len() < 100, "paging does not end");
        }
    }

    #[rstest]
    #[case::one_scope(vec![vec![(5, "e"), (4, "d"), (3, "c"), (2, "b"), (1, "a")]], 2,
        vec![vec!["e", "d"], vec!["c", "b"], vec!["a"]])]
    #[case::exact_pages_end_with_an_empty_one(vec![vec![(4, "d"), (3, "c"), (2, "b"), (1, "a")]], 2,
        vec![vec!["d", "c"], vec!["b", "a"], vec![]])]
    #[case::scopes_merged_by_time(vec![vec![(6, "f"), (3, "c"), (1, "a")], vec![(5, "e"), (4, "d"), (2, "b")]], 3,
        vec![vec!["f", "e", "d"], vec!["c", "b", "a"], vec![]])]
    #[case::an_event_in_two_scopes_shows_once(vec![vec![(3, "c"), (2, "b")], vec![(3, "c"), (1, "a")]], 2,
        vec![vec!["c", "b"], vec!["a"]])]
    #[case::a_run_at_one_instant_split_over_pages(
        vec![vec![(9, "z"), (5, "e1"), (5, "e2"), (5, "e3"), (5, "e4"), (5, "e5"), (1, "a")]], 2,
        vec![vec!["z", "e1"], vec!["e2", "e3"], vec!["e4", "e5"], vec!["a"]])]
    #[case::a_run_over_two_scopes(
        vec![vec![(5, "a5"), (5, "a3"), (5, "a1")], vec![(5, "a4"), (5, "a2"), (4, "b")]], 2,
        vec![vec!["a1", "a2"], vec!["a3", "a4"], vec!["a5", "b"], vec![]])]
    #[case::nothing(vec![vec![]], 20, vec![vec![]])]
    fn pages_cover_every_event_once(
        #[case] scopes: Vec<Vec<(u32, &str)>>,
        #[case] limit: usize,
        #[case] expected: Vec<Vec<&str>>,
    ) {
        let pages = page_through(&scopes, limit);
        assert_eq!(pages, expected);
    }
}
