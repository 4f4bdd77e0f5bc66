//! Targets, pure: the months a period covers, completion, the projection, and
//! who may set or see whose target.

use crate::auth::model::Role;
use chrono::{Datelike, NaiveDate};
use std::collections::HashSet;

/// What a target view covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetPeriod {
    Month,
    Quarter,
    Year,
}

impl TargetPeriod {
    pub fn parse(s: &str) -> Option<TargetPeriod> {
        match s {
            "" | "month" => Some(TargetPeriod::Month),
            "quarter" => Some(TargetPeriod::Quarter),
            "year" => Some(TargetPeriod::Year),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TargetPeriod::Month => "month",
            TargetPeriod::Quarter => "quarter",
            TargetPeriod::Year => "year",
        }
    }
}

/// `YYYY-MM` → the first of that month.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

pub fn month_key(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

/// The months (their first days) of the `period` holding `month`.
pub fn months(period: TargetPeriod, month: NaiveDate) -> Vec<NaiveDate> {
    let (start, n) = match period {
        TargetPeriod::Month => (month.month(), 1),
        TargetPeriod::Quarter => ((month.month() - 1) / 3 * 3 + 1, 3),
        TargetPeriod::Year => (1, 12),
    };
    (start..start + n)
        .filter_map(|m| NaiveDate::from_ymd_opt(month.year(), m, 1))
        .collect()
}

/// The same period before and after (for paging).
pub fn step(period: TargetPeriod, month: NaiveDate, forward: bool) -> NaiveDate {
    let span = match period {
        TargetPeriod::Month => 1,
        TargetPeriod::Quarter => 3,
        TargetPeriod::Year => 12,
    };
    let first = months(period, month)[0];
    let index = first.year() * 12 + first.month0() as i32 + if forward { span } else { -span };
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(first)
}

/// Completion in whole percent (half up); `None` without a target.
pub fn completion(actual: i64, target: i64) -> Option<u32> {
    (target > 0)
        .then(|| ((actual.max(0) as i128 * 100 + target as i128 / 2) / target as i128) as u32)
}

/// Closed so far plus the forecast (Σ amount in cents × probability in percent
/// over the 25–90 % stages), in cents, half up.
pub fn projection(actual_cents: i64, forecast_cp: i64) -> i64 {
    actual_cents + (forecast_cp.max(0) + 50) / 100
}

/// Whose target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Company,
    Department(String),
    /// A person, with their department.
    User(String, String),
}

impl Subject {
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Company => "company",
            Subject::Department(_) => "department",
            Subject::User(..) => "user",
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Subject::Company => "",
            Subject::Department(d) => d,
            Subject::User(u, _) => u,
        }
    }
}

/// The boss and admins set every target; a manager sets those of the
/// departments they run and of the people in them (not their own); reps none.
pub fn may_set(role: Role, viewer: &str, tree: &HashSet<String>, subject: &Subject) -> bool {
    match (role, subject) {
        (Role::Boss | Role::Admin, _) => true,
        (Role::Manager, Subject::Department(d)) => tree.contains(d),
        (Role::Manager, Subject::User(u, d)) => u != viewer && tree.contains(d),
        _ => false,
    }
}

/// Reps see their own; managers also their departments and their people; the
/// boss and admins everything.
pub fn may_see(role: Role, viewer: &str, tree: &HashSet<String>, subject: &Subject) -> bool {
    match (role, subject) {
        (Role::Boss | Role::Admin, _) => true,
        (_, Subject::User(u, _)) if u == viewer => true,
        (Role::Manager, Subject::Department(d) | Subject::User(_, d)) => tree.contains(d),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[rstest]
    #[case(TargetPeriod::Month, "2026-11-01", &["2026-11"])]
    #[case(TargetPeriod::Quarter, "2026-11-01", &["2026-10", "2026-11", "2026-12"])]
    #[case(TargetPeriod::Quarter, "2026-01-01", &["2026-01", "2026-02", "2026-03"])]
    #[case(TargetPeriod::Year, "2026-07-01", &["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"])]
    fn months_of_a_period(#[case] p: TargetPeriod, #[case] at: &str, #[case] expected: &[&str]) {
        let m: Vec<String> = months(p, d(at)).into_iter().map(month_key).collect();
        assert_eq!(m, expected);
    }

    #[rstest]
    #[case(TargetPeriod::Month, "2026-12-01", true, "2027-01-01")]
    #[case(TargetPeriod::Month, "2026-01-01", false, "2025-12-01")]
    #[case(TargetPeriod::Quarter, "2026-11-01", true, "2027-01-01")]
    #[case(TargetPeriod::Quarter, "2026-02-01", false, "2025-10-01")]
    #[case(TargetPeriod::Year, "2026-05-01", false, "2025-01-01")]
    fn paging(
        #[case] p: TargetPeriod,
        #[case] at: &str,
        #[case] forward: bool,
        #[case] expected: &str,
    ) {
        assert_eq!(step(p, d(at), forward), d(expected));
    }

    #[rstest]
    #[case("2026-11", Some("2026-11-01"))]
    #[case(" 2026-02 ", Some("2026-02-01"))]
    #[case("2026-13", None)]
    #[case("2026-1", None)]
    #[case("26-11", None)]
    #[case("", None)]
    #[case("2026-11-01", None)]
    fn months_read(#[case] s: &str, #[case] expected: Option<&str>) {
        assert_eq!(parse_month(s), expected.map(d));
    }

    #[rstest]
    #[case(0, 0, None)]
    #[case(50, 0, None)]
    #[case(0, 100, Some(0))]
    #[case(50, 100, Some(50))]
    #[case(1, 3, Some(33))]
    #[case(2, 3, Some(67))]
    #[case(250, 100, Some(250))]
    #[case(-5, 100, Some(0))]
    fn completions(#[case] actual: i64, #[case] target: i64, #[case] expected: Option<u32>) {
        assert_eq!(completion(actual, target), expected);
    }

    #[rstest]
    // closed ¥1,000; ¥10,000 at 50 % and ¥4,000 at 25 % in play
    #[case(100_000, 1_000_000 * 50 + 400_000 * 25, 100_000 + 500_000 + 100_000)]
    #[case(0, 0, 0)]
    #[case(100, 49, 100)]
    #[case(100, 50, 101)]
    fn projections(#[case] actual: i64, #[case] cp: i64, #[case] expected: i64) {
        assert_eq!(projection(actual, cp), expected);
    }

    fn tree(ds: &[&str]) -> HashSet<String> {
        ds.iter().map(|d| d.to_string()).collect()
    }

    #[rstest]
    #[case(Role::Boss, "b", &[], Subject::Company, true, true)]
    #[case(Role::Admin, "a", &[], Subject::Department("d2".into()), true, true)]
    #[case(Role::Manager, "m1", &["d1", "d1a"], Subject::Company, false, false)]
    #[case(Role::Manager, "m1", &["d1", "d1a"], Subject::Department("d1a".into()), true, true)]
    #[case(Role::Manager, "m1", &["d1", "d1a"], Subject::Department("d2".into()), false, false)]
    #[case(Role::Manager, "m1", &["d1"], Subject::User("r1".into(), "d1".into()), true, true)]
    #[case(Role::Manager, "m1", &["d1"], Subject::User("r5".into(), "d2".into()), false, false)]
    // a manager does not set their own target, but sees it
    #[case(Role::Manager, "m1", &["d1"], Subject::User("m1".into(), "d1".into()), false, true)]
    #[case(Role::Rep, "r1", &[], Subject::User("r1".into(), "d1".into()), false, true)]
    #[case(Role::Rep, "r1", &[], Subject::User("r2".into(), "d1".into()), false, false)]
    #[case(Role::Rep, "r1", &[], Subject::Department("d1".into()), false, false)]
    fn who_sets_and_sees(
        #[case] role: Role,
        #[case] viewer: &str,
        #[case] t: &[&str],
        #[case] subject: Subject,
        #[case] set: bool,
        #[case] see: bool,
    ) {
        assert_eq!(may_set(role, viewer, &tree(t), &subject), set);
        assert_eq!(may_see(role, viewer, &tree(t), &subject), see);
    }
}
