//! Reading the view log, pure: whether an opening is recorded, weekly counts,
//! and bursts (a manager opening many of one rep's customers in a short window).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Whether opening a customer is recorded: someone other than its owner, who is
/// not a rep (a rep only ever sees their own and the pool's), opens an owned one.
pub fn recorded(viewer: &str, viewer_is_rep: bool, owner: Option<&str>) -> bool {
    !viewer_is_rep && owner.is_some_and(|o| o != viewer)
}

/// One recorded opening.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub viewer: String,
    pub owner: String,
    pub customer: String,
    pub at: DateTime<Utc>,
}

/// A burst: `viewer` opened `customers` different customers of `owner` within
/// [`BURST_HOURS`] hours, starting at `from`.
#[derive(Clone, Debug, PartialEq)]
pub struct Burst {
    pub viewer: String,
    pub owner: String,
    pub customers: usize,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The window a burst is counted in.
pub const BURST_HOURS: i64 = 24;
/// Different customers of one rep opened within the window that make a burst.
pub const BURST_CUSTOMERS: usize = 5;

/// The bursts in `views`: for each viewer and owner, the windows of
/// [`BURST_HOURS`] in which the viewer opened at least [`BURST_CUSTOMERS`]
/// different customers of that owner. Overlapping windows are reported once, as
/// the widest count, from the first opening of the burst.
pub fn bursts(views: &[View]) -> Vec<Burst> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<&View>> = BTreeMap::new();
    for v in views {
        by_pair.entry((&v.viewer, &v.owner)).or_default().push(v);
    }
    let window = Duration::hours(BURST_HOURS);
    let mut out = Vec::new();
    for ((viewer, owner), mut list) in by_pair {
        list.sort_by_key(|v| v.at);
        let mut i = 0;
        while i < list.len() {
            let end = list[i].at + window;
            let inside: Vec<&&View> = list[i..].iter().take_while(|v| v.at < end).collect();
            let distinct: HashSet<&str> = inside.iter().map(|v| v.customer.as_str()).collect();
            if distinct.len() >= BURST_CUSTOMERS {
                // extend while the next opening is still within a window of the last
                let mut j = i + inside.len();
                let mut seen = distinct;
                while j < list.len() && list[j].at < list[j - 1].at + window {
                    seen.insert(&list[j].customer);
                    j += 1;
                }
                out.push(Burst {
                    viewer: viewer.to_string(),
                    owner: owner.to_string(),
                    customers: seen.len(),
                    from: list[i].at,
                    to: list[j - 1].at,
                });
                i = j;
            } else {
                i += 1;
            }
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.from));
    out
}

/// The Monday of the local week holding `at`.
pub fn week_of<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> NaiveDate {
    let day = at.with_timezone(tz).date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Openings per viewer per local week, for the `weeks` weeks ending with the one
/// holding `now` (oldest first, zeros included).
pub fn weekly<Z: TimeZone>(
    views: &[View],
    now: DateTime<Utc>,
    weeks: usize,
    tz: &Z,
) -> (Vec<NaiveDate>, HashMap<String, Vec<u32>>) {
    let last = week_of(now, tz);
    let starts: Vec<NaiveDate> = (0..weeks)
        .rev()
        .map(|k| last - Duration::days(7 * k as i64))
        .collect();
    let mut out: HashMap<String, Vec<u32>> = HashMap::new();
    for v in views {
        let w = week_of(v.at, tz);
        if let Some(i) = starts.iter().position(|s| *s == w) {
            out.entry(v.viewer.clone())
                .or_insert_with(|| vec![0; weeks])[i] += 1;
        }
    }
    (starts, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use rstest::rstest;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[rstest]
    #[case("m1", false, Some("r1"), true)]
    // the owner's own view, a rep's view, an unowned customer: not recorded
    #[case("r1", false, Some("r1"), false)]
    #[case("r2", true, Some("r1"), false)]
    #[case("m1", false, None, false)]
    fn what_is_recorded(
        #[case] viewer: &str,
        #[case] rep: bool,
        #[case] owner: Option<&str>,
        #[case] expected: bool,
    ) {
        assert_eq!(recorded(viewer, rep, owner), expected);
    }

    fn view(viewer: &str, owner: &str, customer: &str, when: &str) -> View {
        View {
            viewer: viewer.into(),
            owner: owner.into(),
            customer: customer.into(),
            at: at(when),
        }
    }

    #[test]
    fn five_customers_of_one_rep_in_a_day_is_a_burst() {
        let mut v: Vec<View> = (0..5)
            .map(|i| {
                view(
                    "m1",
                    "r1",
                    &format!("c{i}"),
                    &format!("2026-11-20T0{i}:00:00Z"),
                )
            })
            .collect();
        // the same customer again does not count twice; another rep's is apart
        v.push(view("m1", "r1", "c0", "2026-11-20T06:00:00Z"));
        v.push(view("m1", "r2", "x", "2026-11-20T06:30:00Z"));
        let b = bursts(&v);
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].viewer.as_str(), b[0].owner.as_str(), b[0].customers),
            ("m1", "r1", 5)
        );
        assert_eq!(
            (b[0].from, b[0].to),
            (at("2026-11-20T00:00:00Z"), at("2026-11-20T06:00:00Z"))
        );
    }

    #[rstest]
    // four customers in a day: normal oversight
    #[case(&["2026-11-20T01:00:00Z", "2026-11-20T02:00:00Z", "2026-11-20T03:00:00Z", "2026-11-20T04:00:00Z"], 0)]
    // five, but spread over more than a day
    #[case(&["2026-11-20T01:00:00Z", "2026-11-20T08:00:00Z", "2026-11-20T16:00:00Z", "2026-11-21T00:00:00Z", "2026-11-21T01:00:01Z"], 0)]
    // five within 24 hours exactly minus a second
    #[case(&["2026-11-20T01:00:00Z", "2026-11-20T08:00:00Z", "2026-11-20T16:00:00Z", "2026-11-21T00:00:00Z", "2026-11-21T00:59:59Z"], 1)]
    fn bursts_need_five_customers_within_a_day(#[case] times: &[&str], #[case] expected: usize) {
        let v: Vec<View> = times
            .iter()
            .enumerate()
            .map(|(i, t)| view("m1", "r1", &format!("c{i}"), t))
            .collect();
        assert_eq!(bursts(&v).len(), expected);
    }

    #[test]
    fn a_long_run_is_one_burst() {
        let v: Vec<View> = (0..9)
            .map(|i| {
                view(
                    "m1",
                    "r1",
                    &format!("c{i}"),
                    &format!("2026-11-20T{:02}:00:00Z", i * 2),
                )
            })
            .collect();
        let b = bursts(&v);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].customers, 9);
    }

    #[test]
    fn weeks_are_local_mondays() {
        // Sunday 2026-11-22 23:30 Shanghai is still the week of Monday the 16th
        assert_eq!(
            week_of(at("2026-11-22T15:30:00Z"), &Shanghai),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        assert_eq!(
            week_of(at("2026-11-22T16:00:00Z"), &Shanghai),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        let v = vec![
            view("m1", "r1", "a", "2026-11-24T02:00:00Z"),
            view("m1", "r1", "b", "2026-11-17T02:00:00Z"),
            view("m1", "r2", "c", "2026-11-17T03:00:00Z"),
            view("m2", "r1", "d", "2026-10-01T03:00:00Z"),
        ];
        let (starts, counts) = weekly(&v, at("2026-11-27T02:00:00Z"), 3, &Shanghai);
        assert_eq!(starts.len(), 3);
        assert_eq!(starts[2], NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(counts["m1"], vec![0, 2, 1]);
        assert!(!counts.contains_key("m2"), "outside the weeks shown");
    }
}
