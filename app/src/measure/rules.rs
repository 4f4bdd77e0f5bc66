//! Measuring people, pure: the periods boards cover (local days in the company
//! zone), the measures and the efficiency score (工效得分), ranks with ties, the
//! rows a board shows, stage success and the weakest stage, the new-rep window.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a board ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// Effective working hours from daily logs.
    Hours,
    /// The efficiency score ([`score`]).
    Score,
    /// Σ amount × stage probability over the open pipeline.
    PipeAmount,
    /// Open customers in the 25–90 % stages.
    PipeCount,
    /// Deals won (count).
    WonCount,
    /// Deals won (amount at the moment of winning).
    WonAmount,
    /// Colleagues' alarms answered.
    Supported,
    /// Answers accepted as the solution.
    Resolved,
    /// Check-ins.
    Visits,
    /// New customers locked (registered locked, or qualified).
    Locked,
}

/// How a measure's value reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Tenths of an hour.
    TenthHours,
    Points,
    Cents,
    Count,
}

impl Measure {
    pub const ALL: [Measure; 10] = [
        Measure::Score,
        Measure::Hours,
        Measure::PipeAmount,
        Measure::PipeCount,
        Measure::WonCount,
        Measure::WonAmount,
        Measure::Supported,
        Measure::Resolved,
        Measure::Visits,
        Measure::Locked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Hours => "hours",
            Measure::Score => "score",
            Measure::PipeAmount => "pipe_amount",
            Measure::PipeCount => "pipe_count",
            Measure::WonCount => "won_count",
            Measure::WonAmount => "won_amount",
            Measure::Supported => "supported",
            Measure::Resolved => "resolved",
            Measure::Visits => "visits",
            Measure::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn unit(self) -> Unit {
        match self {
            Measure::Hours => Unit::TenthHours,
            Measure::Score => Unit::Points,
            Measure::PipeAmount | Measure::WonAmount => Unit::Cents,
            _ => Unit::Count,
        }
    }

    /// A point-in-time measure: the value at the end of the period, not a sum over it.
    pub fn is_snapshot(self) -> bool {
        matches!(self, Measure::PipeAmount | Measure::PipeCount)
    }
}

/// One person's (or department's) sums over some days, as stored in the day sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub hours: f64,
    pub visits: i64,
    pub followups: i64,
    /// Probability points gained by stage moves (moves back count negative).
    pub gained: i64,
    /// Probability points of customers confiscated from them.
    pub lost: i64,
    pub locked: i64,
    pub won: i64,
    pub won_cents: i64,
    pub supported: i64,
    pub resolved: i64,
    /// Σ amount (cents) × probability (%) of the open pipeline, when known.
    pub pipe_cp: Option<i64>,
    pub pipe_n: Option<i64>,
}

impl Tally {
    /// Takes away the sums of `o` (days outside a span read as a month less them).
    pub fn subtract(&mut self, o: &Tally) {
        self.hours -= o.hours;
        self.visits -= o.visits;
        self.followups -= o.followups;
        self.gained -= o.gained;
        self.lost -= o.lost;
        self.locked -= o.locked;
        self.won -= o.won;
        self.won_cents -= o.won_cents;
        self.supported -= o.supported;
        self.resolved -= o.resolved;
    }

    /// Adds the sums of `o` (the pipeline is not a sum: `o`'s replaces ours when set).
    pub fn add(&mut self, o: &Tally) {
        self.hours += o.hours;
        self.visits += o.visits;
        self.followups += o.followups;
        self.gained += o.gained;
        self.lost += o.lost;
        self.locked += o.locked;
        self.won += o.won;
        self.won_cents += o.won_cents;
        self.supported += o.supported;
        self.resolved += o.resolved;
        if o.pipe_cp.is_some() {
            self.pipe_cp = o.pipe_cp;
            self.pipe_n = o.pipe_n;
        }
    }
}

/// A day's sums as a profile reads them: the score's inputs, and stage success
/// (stage id → customers moved on from it / that left at it without moving on).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaySum {
    pub tally: Tally,
    pub moved: BTreeMap<String, i64>,
    pub dropped: BTreeMap<String, i64>,
}

impl DaySum {
    pub fn add(&mut self, o: &DaySum) {
        self.tally.add(&o.tally);
        for (k, v) in &o.moved {
            *self.moved.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.dropped {
            *self.dropped.entry(k.clone()).or_default() += v;
        }
    }
}

/// Days settled behind today: a daily log may still be edited until the end of
/// the day after its own, and everything else is counted on the day it happens,
/// so a day's sums are final once two days have passed.
pub const SETTLE_LAG_DAYS: i64 = 2;

/// The last day whose sums can no longer change, on `today`.
pub fn settled_through(today: NaiveDate) -> NaiveDate {
    today - Duration::days(SETTLE_LAG_DAYS)
}

/// The days a department's settled sums should be written for: after the last
/// settled day (or from the first day with any sums), through
/// [`settled_through`]; `None` when there is nothing new to settle.
pub fn to_settle(
    settled: Option<NaiveDate>,
    first: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<Span> {
    let from = match settled {
        Some(s) => s + Duration::days(1),
        None => first?,
    };
    let until = settled_through(today) + Duration::days(1);
    (from < until).then_some(Span { from, until })
}

/// Where a profile reads its department's days: settled sums up to `live_from`
/// (exclusive), people's live rows from there to the span's end.
pub fn live_from(span: Span, settled: Option<NaiveDate>) -> NaiveDate {
    match settled {
        Some(s) => (s + Duration::days(1)).clamp(span.from, span.until),
        None => span.from,
    }
}

/// The customers moved on from / dropped at each stage, in `stages` order.
pub fn stage_counts(stages: &[&str], by_stage: &BTreeMap<String, i64>) -> Vec<u32> {
    stages
        .iter()
        .map(|s| by_stage.get(*s).copied().unwrap_or(0).max(0) as u32)
        .collect()
}

/// The efficiency score's weights (admin settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    /// Points per probability point gained by a stage move.
    pub advance: i64,
    /// Points per check-in.
    pub visit: i64,
    /// Points per follow-up.
    pub followup: i64,
    /// Points taken per probability point of a confiscated customer.
    pub confiscation: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            advance: 1,
            visit: 5,
            followup: 2,
            confiscation: 1,
        }
    }
}

/// 工效得分: `advance` × the probability points gained by the person's stage
/// moves, plus `visit` × check-ins and `followup` × follow-ups, minus
/// `confiscation` × the probability points of their customers confiscated.
pub fn score(t: &Tally, w: &Weights) -> i64 {
    w.advance * t.gained + w.visit * t.visits + w.followup * t.followups - w.confiscation * t.lost
}

/// The value a board ranks by. `None` for a snapshot measure with no snapshot.
pub fn value(m: Measure, t: &Tally, w: &Weights) -> Option<i64> {
    Some(match m {
        Measure::Hours => (t.hours * 10.0).round() as i64,
        Measure::Score => score(t, w),
        // cent-percent → cents, half up
        Measure::PipeAmount => (t.pipe_cp?.max(0) + 50) / 100,
        Measure::PipeCount => t.pipe_n?.max(0),
        Measure::WonCount => t.won,
        Measure::WonAmount => t.won_cents,
        Measure::Supported => t.supported,
        Measure::Resolved => t.resolved,
        Measure::Visits => t.visits,
        Measure::Locked => t.locked,
    })
}

/// Competition ranks (1, 2, 2, 4): a higher value ranks first, equal values share
/// a rank, and a missing value ranks after every present one (sharing the last rank).
pub fn ranks(values: &[Option<i64>]) -> Vec<u32> {
    values
        .iter()
        .map(|v| {
            let ahead = values.iter().filter(|o| better(**o, *v)).count();
            ahead as u32 + 1
        })
        .collect()
}

fn better(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a > b,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The rows a board shows, as positions in rank order: the first `top`, plus the
/// viewer's own row (`me`) when it falls below them.
pub fn shown_rows(len: usize, me: Option<usize>, top: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..len.min(top)).collect();
    if let Some(me) = me.filter(|&m| m >= top && m < len) {
        rows.push(me);
    }
    rows
}

/// A period kind; weeks start on Monday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// The first day of the period holding `day`.
    pub fn first(self, day: NaiveDate) -> NaiveDate {
        match self {
            PeriodKind::Week => {
                day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
            }
            PeriodKind::Month => ymd(day.year(), day.month()),
            PeriodKind::Quarter => ymd(day.year(), (day.month() - 1) / 3 * 3 + 1),
            PeriodKind::Year => ymd(day.year(), 1),
        }
    }

    /// The first day of the period before the one starting on `first`.
    pub fn previous(self, first: NaiveDate) -> NaiveDate {
        self.first(first - Duration::days(1))
    }
}

fn ymd(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// Which period a board covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodChoice {
    /// The current period up to today.
    This(PeriodKind),
    /// The whole period before the current one.
    Last(PeriodKind),
    /// From and to, both included.
    Custom(NaiveDate, NaiveDate),
}

/// Every named period a board offers, in the order shown.
pub const PERIODS: [&str; 8] = [
    "week",
    "month",
    "quarter",
    "year",
    "last_week",
    "last_month",
    "last_quarter",
    "last_year",
];

/// Local days `from` up to, not including, `until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Span {
    pub fn days(&self) -> i64 {
        (self.until - self.from).num_days()
    }
    /// The last day included.
    pub fn last(&self) -> NaiveDate {
        self.until - Duration::days(1)
    }
}

/// The longest custom range, in days.
pub const MAX_CUSTOM_DAYS: i64 = 731;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanError {
    /// `to` before `from`.
    Reversed,
    TooLong,
}

impl PeriodChoice {
    /// `period`: week | month | quarter | year, `last_` before one of them, or
    /// custom (with `from` and `to`, `YYYY-MM-DD`). `None` when unreadable.
    pub fn parse(period: &str, from: &str, to: &str) -> Option<PeriodChoice> {
        let kind = |s: &str| match s {
            "week" => Some(PeriodKind::Week),
            "month" => Some(PeriodKind::Month),
            "quarter" => Some(PeriodKind::Quarter),
            "year" => Some(PeriodKind::Year),
            _ => None,
        };
        if period == "custom" {
            let d = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
            return Some(PeriodChoice::Custom(d(from)?, d(to)?));
        }
        match period.strip_prefix("last_") {
            Some(k) => kind(k).map(PeriodChoice::Last),
            None => kind(period).map(PeriodChoice::This),
        }
    }

    /// The span shown and the span it is compared with. For the current period the
    /// comparison is the same number of days from the start of the previous one
    /// (month to date against last month to the same day), so an early look is fair.
    pub fn spans(self, today: NaiveDate) -> Result<(Span, Span), SpanError> {
        let day = Duration::days(1);
        Ok(match self {
            PeriodChoice::This(k) => {
                let from = k.first(today);
                let shown = Span {
                    from,
                    until: today + day,
                };
                let prev_from = k.previous(from);
                let prev_until = (prev_from + Duration::days(shown.days())).min(from);
                (
                    shown,
                    Span {
                        from: prev_from,
                        until: prev_until,
                    },
                )
            }
            PeriodChoice::Last(k) => {
                let until = k.first(today);
                let from = k.previous(until);
                (
                    Span { from, until },
                    Span {
                        from: k.previous(from),
                        until: from,
                    },
                )
            }
            PeriodChoice::Custom(from, to) => {
                if to < from {
                    return Err(SpanError::Reversed);
                }
                let shown = Span {
                    from,
                    until: to + day,
                };
                if shown.days() > MAX_CUSTOM_DAYS {
                    return Err(SpanError::TooLong);
                }
                (
                    shown,
                    Span {
                        from: from - Duration::days(shown.days()),
                        until: from,
                    },
                )
            }
        })
    }
}

/// How a span's sums are read: per calendar month it touches, the month's sum
/// (`rep_month`), some of its days (`rep_day`), or the month's sum less the days
/// outside the span, whichever reads fewer rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// `YYYY-MM`
    Month(String),
    Days(Span),
    /// The month's sum minus these days.
    MonthLess(String, Vec<Span>),
}

/// The pieces of `span`. Nothing is recorded after `today` (work is stamped with
/// the day it is done), so days after it count as inside the span: month to date
/// is the month's sum.
pub fn pieces(span: Span, today: NaiveDate) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut cursor = span.from;
    let after_today = today + Duration::days(1);
    while cursor < span.until {
        let first = PeriodKind::Month.first(cursor);
        let next = next_month(first);
        let until = next.min(span.until);
        // the part of this month the span leaves out (days after today are empty)
        let mut outside = Vec::new();
        if cursor > first {
            outside.push(Span {
                from: first,
                until: cursor,
            });
        }
        if until < next && until < after_today {
            outside.push(Span {
                from: until,
                until: next.min(after_today),
            });
        }
        let key = first.format("%Y-%m").to_string();
        let inside = (until - cursor).num_days();
        let left_out: i64 = outside.iter().map(Span::days).sum();
        out.push(if outside.is_empty() {
            Piece::Month(key)
        } else if left_out < inside {
            Piece::MonthLess(key, outside)
        } else {
            Piece::Days(Span {
                from: cursor,
                until,
            })
        });
        cursor = until;
    }
    out
}

/// The first day of the month after the one starting on `first`.
pub fn next_month(first: NaiveDate) -> NaiveDate {
    if first.month() == 12 {
        ymd(first.year() + 1, 1)
    } else {
        ymd(first.year(), first.month() + 1)
    }
}

/// Days from a rep's start that mark them as new: their first two weeks.
pub const NEW_REP_DAYS: i64 = 14;

/// Whether `day` falls in the first two weeks after `joined`.
pub fn in_first_weeks(joined: NaiveDate, day: NaiveDate) -> bool {
    day >= joined && day < joined + Duration::days(NEW_REP_DAYS)
}

/// Fewest customers decided at a stage before its success rate is judged.
pub const MIN_REACHED: u32 = 3;

/// History actions that move a customer on from its stage.
pub const MOVED_ON: [&str; 2] = ["advance", "skip"];
/// History actions by which a customer leaves its owner without moving on.
pub const DROPPED: [&str; 6] = [
    "confiscate",
    "release",
    "pool",
    "reassign",
    "lost",
    "dispute_transfer",
];

/// Success per stage, in percent: of the customers that left stage i while in
/// someone's hands, the share that left forwards (`moved[i]`) rather than being
/// confiscated, released, taken away or lost (`dropped[i]`). Customers still in
/// the stage are undecided and not counted. `None` where none left it.
pub fn stage_rates(moved: &[u32], dropped: &[u32]) -> Vec<Option<u8>> {
    moved
        .iter()
        .zip(dropped)
        .map(|(&m, &d)| {
            let all = u64::from(m) + u64::from(d);
            (all > 0).then(|| ((u64::from(m) * 100 + all / 2) / all) as u8)
        })
        .collect()
}

/// Percentage points below the department that make a stage weak.
pub const MIN_GAP: i32 = 10;

/// The stage (index into `mine`, which holds the success of stage i → i+1) where
/// the rep falls furthest below the department: only stages at least
/// [`MIN_REACHED`] of their customers reached, and only a clear shortfall (at
/// least [`MIN_GAP`] points); the earlier stage wins a tie.
pub fn weakest_stage(mine: &[Option<u8>], reached: &[u32], dept: &[Option<u8>]) -> Option<usize> {
    let mut best: Option<(usize, i32)> = None;
    for (i, (m, d)) in mine.iter().zip(dept).enumerate() {
        let (Some(m), Some(d)) = (m, d) else {
            continue;
        };
        if reached.get(i).copied().unwrap_or(0) < MIN_REACHED {
            continue;
        }
        let gap = i32::from(*d) - i32::from(*m);
        if gap >= MIN_GAP && best.is_none_or(|(_, g)| gap > g) {
            best = Some((i, gap));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn tally(gained: i64, visits: i64, followups: i64, lost: i64) -> Tally {
        Tally {
            gained,
            visits,
            followups,
            lost,
            ..Default::default()
        }
    }

    #[rstest]
    #[case(tally(0, 0, 0, 0), Weights::default(), 0)]
    // 电话意向 → 愿意送样 (10 → 25) and two visits, one follow-up
    #[case(tally(15, 2, 1, 0), Weights::default(), 15 + 10 + 2)]
    // a customer at 50 % confiscated the same day
    #[case(tally(15, 2, 1, 50), Weights::default(), 27 - 50)]
    // a move back (50 → 25) counts against
    #[case(tally(-25, 0, 0, 0), Weights::default(), -25)]
    #[case(tally(10, 3, 4, 10), Weights { advance: 2, visit: 0, followup: 1, confiscation: 3 }, 20 + 4 - 30)]
    #[case(tally(10, 3, 4, 10), Weights { advance: 0, visit: 0, followup: 0, confiscation: 0 }, 0)]
    fn efficiency_score(#[case] t: Tally, #[case] w: Weights, #[case] expected: i64) {
        assert_eq!(score(&t, &w), expected);
    }

    #[test]
    fn values_per_measure() {
        let t = Tally {
            hours: 7.25,
            visits: 3,
            won: 1,
            won_cents: 100000,
            pipe_cp: Some(200000 * 50 + 49),
            pipe_n: Some(2),
            ..Default::default()
        };
        let w = Weights::default();
        assert_eq!(value(Measure::Hours, &t, &w), Some(73));
        assert_eq!(value(Measure::PipeAmount, &t, &w), Some(100000));
        assert_eq!(value(Measure::PipeCount, &t, &w), Some(2));
        assert_eq!(value(Measure::WonAmount, &t, &w), Some(100000));
        assert_eq!(value(Measure::Visits, &t, &w), Some(3));
        let none = Tally::default();
        assert_eq!(value(Measure::PipeAmount, &none, &w), None);
        assert_eq!(value(Measure::Visits, &none, &w), Some(0));
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.as_str()), Some(m));
        }
        assert_eq!(Measure::parse("nope"), None);
    }

    #[test]
    fn adding_tallies_keeps_the_latest_pipeline() {
        let mut a = Tally {
            visits: 1,
            pipe_cp: Some(10),
            pipe_n: Some(1),
            ..Default::default()
        };
        a.add(&Tally {
            visits: 2,
            ..Default::default()
        });
        assert_eq!((a.visits, a.pipe_cp), (3, Some(10)));
        a.add(&Tally {
            pipe_cp: Some(30),
            pipe_n: Some(2),
            ..Default::default()
        });
        assert_eq!((a.pipe_cp, a.pipe_n), (Some(30), Some(2)));
    }

    #[rstest]
    #[case(&[], &[])]
    #[case(&[Some(5)], &[1])]
    #[case(&[Some(9), Some(7), Some(7), Some(3)], &[1, 2, 2, 4])]
    // ties at the top share first place; the next is third, not second
    #[case(&[Some(7), Some(7), Some(3)], &[1, 1, 3])]
    // unordered input; no "4th place in the top 3"
    #[case(&[Some(1), Some(8), Some(8), Some(8)], &[4, 1, 1, 1])]
    #[case(&[Some(0), None, Some(-2), None], &[1, 3, 2, 3])]
    fn competition_ranks(#[case] values: &[Option<i64>], #[case] expected: &[u32]) {
        assert_eq!(ranks(values), expected);
    }

    #[rstest]
    #[case(5, None, 3, &[0, 1, 2])]
    #[case(5, Some(1), 3, &[0, 1, 2])]
    #[case(5, Some(4), 3, &[0, 1, 2, 4])]
    #[case(2, Some(1), 3, &[0, 1])]
    #[case(0, None, 3, &[])]
    fn rows_shown(
        #[case] len: usize,
        #[case] me: Option<usize>,
        #[case] top: usize,
        #[case] expected: &[usize],
    ) {
        assert_eq!(shown_rows(len, me, top), expected);
    }

    #[rstest]
    // this week, Friday 2026-11-27: Monday 23rd to today; last week's Monday to Friday
    #[case("week", "", "", "2026-11-27", ("2026-11-23", "2026-11-28"), ("2026-11-16", "2026-11-21"))]
    // this month on the 27th against October 1–27
    #[case("month", "", "", "2026-11-27", ("2026-11-01", "2026-11-28"), ("2026-10-01", "2026-10-28"))]
    // month to date on 31 March is compared with all of February, not into March
    #[case("month", "", "", "2027-03-31", ("2027-03-01", "2027-04-01"), ("2027-02-01", "2027-03-01"))]
    #[case("quarter", "", "", "2026-11-27", ("2026-10-01", "2026-11-28"), ("2026-07-01", "2026-08-28"))]
    #[case("year", "", "", "2026-01-01", ("2026-01-01", "2026-01-02"), ("2025-01-01", "2025-01-02"))]
    #[case("last_week", "", "", "2026-11-27", ("2026-11-16", "2026-11-23"), ("2026-11-09", "2026-11-16"))]
    // last month across the year end
    #[case("last_month", "", "", "2026-01-15", ("2025-12-01", "2026-01-01"), ("2025-11-01", "2025-12-01"))]
    #[case("last_quarter", "", "", "2026-02-10", ("2025-10-01", "2026-01-01"), ("2025-07-01", "2025-10-01"))]
    #[case("last_year", "", "", "2026-11-27", ("2025-01-01", "2026-01-01"), ("2024-01-01", "2025-01-01"))]
    #[case("custom", "2026-02-20", "2026-03-05", "2026-11-27", ("2026-02-20", "2026-03-06"), ("2026-02-06", "2026-02-20"))]
    fn period_spans(
        #[case] period: &str,
        #[case] from: &str,
        #[case] to: &str,
        #[case] today: &str,
        #[case] shown: (&str, &str),
        #[case] previous: (&str, &str),
    ) {
        let choice = PeriodChoice::parse(period, from, to).unwrap();
        let (s, p) = choice.spans(d(today)).unwrap();
        assert_eq!((s.from, s.until), (d(shown.0), d(shown.1)));
        assert_eq!((p.from, p.until), (d(previous.0), d(previous.1)));
    }

    #[rstest]
    #[case("fortnight", "", "")]
    #[case("last_", "", "")]
    #[case("custom", "2026-02-30", "2026-03-01")]
    #[case("custom", "", "2026-03-01")]
    fn unreadable_periods(#[case] period: &str, #[case] from: &str, #[case] to: &str) {
        assert_eq!(PeriodChoice::parse(period, from, to), None);
    }

    #[test]
    fn custom_ranges_are_checked() {
        let today = d("2026-11-27");
        let c = |a: &str, b: &str| PeriodChoice::Custom(d(a), d(b)).spans(today);
        assert_eq!(c("2026-03-02", "2026-03-01"), Err(SpanError::Reversed));
        assert_eq!(c("2024-01-01", "2026-01-02"), Err(SpanError::TooLong));
        assert!(c("2026-03-01", "2026-03-01").is_ok());
    }

    fn shown(p: &Piece) -> String {
        let days = |s: &Span| format!("{}..{}", s.from.format("%m-%d"), s.until.format("%m-%d"));
        match p {
            Piece::Month(m) => m.clone(),
            Piece::Days(s) => days(s),
            Piece::MonthLess(m, out) => {
                format!("{m}-{}", out.iter().map(days).collect::<Vec<_>>().join("-"))
            }
        }
    }

    #[rstest]
    // month to date on the 27th: the month's sum (nothing after today)
    #[case(("2026-11-01", "2026-11-28"), "2026-11-27", &["2026-11"])]
    // the same days of last month: October less its last four days
    #[case(("2026-10-01", "2026-10-28"), "2026-11-27", &["2026-10-10-28..11-01"])]
    // the first days of a month: the days themselves
    #[case(("2026-10-01", "2026-10-04"), "2026-11-27", &["10-01..10-04"])]
    // a year to date: whole months
    #[case(("2026-01-01", "2026-11-28"), "2026-11-27",
        &["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"])]
    // a custom range: the tail of February as days, March whole, April's start as days
    #[case(("2026-02-20", "2026-04-05"), "2026-11-27", &["02-20..03-01", "2026-03", "04-01..04-05"])]
    // most of a month from its middle: the month less its start
    #[case(("2026-06-05", "2026-07-01"), "2026-11-27", &["2026-06-06-01..06-05"])]
    // this week across a month end, on the 2nd: the days of the old month, the new month whole
    #[case(("2026-11-30", "2026-12-03"), "2026-12-02", &["11-30..12-01", "2026-12"])]
    // a week late in a month, today inside it: its days (fewer than the rest)
    #[case(("2026-11-23", "2026-11-28"), "2026-11-27", &["11-23..11-28"])]
    // a past week in the middle of a month: its days
    #[case(("2026-11-16", "2026-11-21"), "2026-11-27", &["11-16..11-21"])]
    fn spans_are_read_by_the_fewest_rows(
        #[case] span: (&str, &str),
        #[case] today: &str,
        #[case] expected: &[&str],
    ) {
        let p = pieces(
            Span {
                from: d(span.0),
                until: d(span.1),
            },
            d(today),
        );
        let p: Vec<String> = p.iter().map(shown).collect();
        assert_eq!(p, expected);
    }

    #[rstest]
    #[case("2026-11-06", "2026-11-06", true)]
    #[case("2026-11-06", "2026-11-19", true)]
    #[case("2026-11-06", "2026-11-20", false)]
    #[case("2026-11-06", "2026-11-05", false)]
    fn new_rep_window(#[case] joined: &str, #[case] day: &str, #[case] new: bool) {
        assert_eq!(in_first_weeks(d(joined), d(day)), new);
    }

    #[rstest]
    #[case(&[], &[], &[])]
    #[case(&[3, 0, 0], &[1, 2, 0], &[Some(75), Some(0), None])]
    // rounds half up
    #[case(&[1, 2], &[2, 1], &[Some(33), Some(67)])]
    #[case(&[1], &[1], &[Some(50)])]
    fn success_per_stage(
        #[case] moved: &[u32],
        #[case] dropped: &[u32],
        #[case] expected: &[Option<u8>],
    ) {
        assert_eq!(stage_rates(moved, dropped), expected);
    }

    #[rstest]
    // 50 vs 80 at stage 1 is the biggest shortfall
    #[case(&[Some(90), Some(50), Some(60)], &[10, 8, 4], &[Some(80), Some(80), Some(70)], Some(1))]
    // too few customers reached stage 1 to judge it
    #[case(&[Some(90), Some(0), Some(60)], &[10, 2, 4], &[Some(80), Some(80), Some(70)], Some(2))]
    // at or above the department everywhere
    #[case(&[Some(90), Some(80)], &[10, 8], &[Some(80), Some(80)], None)]
    // a few points below is noise, not a weak stage
    #[case(&[Some(59), Some(80)], &[17, 8], &[Some(61), Some(80)], None)]
    #[case(&[Some(51), Some(80)], &[17, 8], &[Some(61), Some(80)], Some(0))]
    // ties go to the earlier stage
    #[case(&[Some(40), Some(40)], &[5, 5], &[Some(60), Some(60)], Some(0))]
    #[case(&[None, Some(10)], &[0, 5], &[Some(60), None], None)]
    fn weakest(
        #[case] mine: &[Option<u8>],
        #[case] reached: &[u32],
        #[case] dept: &[Option<u8>],
        #[case] expected: Option<usize>,
    ) {
        assert_eq!(weakest_stage(mine, reached, dept), expected);
    }

    #[rstest]
    // nothing settled yet: from the first day with sums through two days back
    #[case(None, Some("2026-11-01"), "2026-11-27", Some(("2026-11-01", "2026-11-26")))]
    // settled through the day before yesterday already: nothing to do
    #[case(Some("2026-11-25"), Some("2026-11-01"), "2026-11-27", None)]
    // a day later, one more day
    #[case(Some("2026-11-25"), Some("2026-11-01"), "2026-11-28", Some(("2026-11-26", "2026-11-27")))]
    // the job was down for a week: the whole week
    #[case(Some("2026-11-18"), None, "2026-11-27", Some(("2026-11-19", "2026-11-26")))]
    // no sums at all yet
    #[case(None, None, "2026-11-27", None)]
    // the only sums are from yesterday: not final yet
    #[case(None, Some("2026-11-26"), "2026-11-27", None)]
    fn settles_the_final_days_once(
        #[case] settled: Option<&str>,
        #[case] first: Option<&str>,
        #[case] today: &str,
        #[case] expected: Option<(&str, &str)>,
    ) {
        assert_eq!(
            to_settle(settled.map(d), first.map(d), d(today)),
            expected.map(|(f, u)| Span {
                from: d(f),
                until: d(u)
            })
        );
    }

    #[rstest]
    // never settled: everything live
    #[case(None, "2026-11-01")]
    // settled inside the span: live after it
    #[case(Some("2026-11-20"), "2026-11-21")]
    // settled before the span: all live
    #[case(Some("2026-10-01"), "2026-11-01")]
    // settled past the span (a span in the past): nothing live
    #[case(Some("2026-12-31"), "2026-11-28")]
    fn reads_live_rows_only_after_the_settled_days(
        #[case] settled: Option<&str>,
        #[case] expected: &str,
    ) {
        let span = Span {
            from: d("2026-11-01"),
            until: d("2026-11-28"),
        };
        assert_eq!(live_from(span, settled.map(d)), d(expected));
    }

    #[test]
    fn day_sums_add_stage_counts_by_stage() {
        let mut a = DaySum {
            tally: Tally {
                visits: 2,
                ..Default::default()
            },
            moved: BTreeMap::from([("s1".into(), 1)]),
            dropped: BTreeMap::new(),
        };
        a.add(&DaySum {
            tally: Tally {
                visits: 3,
                hours: 1.5,
                ..Default::default()
            },
            moved: BTreeMap::from([("s1".into(), 2), ("s2".into(), 1)]),
            dropped: BTreeMap::from([("s3".into(), 4)]),
        });
        assert_eq!(a.tally.visits, 5);
        assert_eq!(a.tally.hours, 1.5);
        assert_eq!(
            stage_counts(&["s1", "s2", "s3", "s4"], &a.moved),
            vec![3, 1, 0, 0]
        );
        assert_eq!(
            stage_counts(&["s1", "s2", "s3", "s4"], &a.dropped),
            vec![0, 0, 4, 0]
        );
    }
}
