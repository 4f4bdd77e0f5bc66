//! Who sees a feed event, what a comment may be and how a page of the feed is
//! cut from its scopes' rows. Pure functions.

use std::collections::HashSet;

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

/// A comment's text: trimmed, 1–1000 characters.
pub fn parse_comment(text: &str) -> Result<String, &'static str> {
    let t = crate::text::clean(text, crate::text::Shape::lines(1000))?;
    if t.is_empty() {
        return Err("required");
    }
    Ok(t)
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
    #[case("  好的，明天跟进 ", Ok("好的，明天跟进".to_string()))]
    #[case("   ", Err("required"))]
    #[case("", Err("required"))]
    fn comments(#[case] input: &str, #[case] expected: Result<String, &str>) {
        assert_eq!(parse_comment(input), expected);
        assert_eq!(parse_comment(&"字".repeat(1001)), Err("too_long"));
        assert!(parse_comment(&"字".repeat(1000)).is_ok());
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
