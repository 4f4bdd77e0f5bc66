//! The ownership engine's rules, pure: deadlines, confiscation, caps, forecast.
//!
//! Days are calendar days in the company's time zone: a customer that entered a
//! 3-day stage on Monday (local) is overdue from Friday 00:00 local time, whatever
//! the hour it entered. Times are stored and compared in UTC.

use crate::calendar::local_midnight;
use chrono::{DateTime, Duration, TimeZone, Utc};

/// A funnel stage as configured by the admin.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: String,
    /// Win probability, 0..=100.
    pub probability: u8,
    /// Longest stay in this stage; `None` for a stage without a deadline.
    pub max_days: Option<u32>,
}

/// Seed 001's seven stages. The limits before the won stage add up to 29 days,
/// inside the default 30-day no-deal clock ([`contradictions`] checks this for
/// every department).
pub fn default_stages() -> Vec<Stage> {
    [
        ("录入未处理", 0, Some(3)),
        ("电话意向", 10, Some(5)),
        ("愿意送样", 25, Some(7)),
        ("认可样品/服务", 50, Some(7)),
        ("接受价格", 75, Some(7)),
        // won stages: no clock takes a won customer away (see `deadlines`)
        ("签订合同", 90, None),
        ("稳定客户", 100, None),
    ]
    .into_iter()
    .map(|(name, probability, max_days)| Stage {
        name: name.to_string(),
        probability,
        max_days,
    })
    .collect()
}

/// Where a confiscated customer goes (per department).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    Manager,
    Pool,
}

/// Limits of a department (defaults from seed 003).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub followup_days: u32,
    pub no_deal_days: u32,
    pub max_owned: u32,
    pub won_counts_toward_cap: bool,
    pub warn_days: u32,
    pub destination: Destination,
    /// A won customer's owner is reminded to revisit it every this many days.
    pub revisit_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            followup_days: 15,
            no_deal_days: 30,
            max_owned: 20,
            won_counts_toward_cap: false,
            warn_days: 3,
            destination: Destination::Manager,
            revisit_days: 30,
        }
    }
}

/// The clocks of a customer: three that confiscate an open deal, and the
/// revisit clock of a won one, which only reminds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Clock {
    /// Time in the current stage against the stage's limit.
    Stage,
    /// Days since the last effective follow-up (check-in or follow-up record).
    Followup,
    /// Days owned without a deal.
    NoDeal,
    /// A won customer's next revisit (after the win: serve, don't confiscate).
    Revisit,
}

impl Clock {
    /// The rule name written to the customer's history when this clock fires.
    pub fn rule(self) -> &'static str {
        match self {
            Clock::Stage => "stage_overdue",
            Clock::Followup => "followup_overdue",
            Clock::NoDeal => "no_deal_overdue",
            Clock::Revisit => "revisit_due",
        }
    }

    /// Whether passing this clock takes the customer from its owner.
    pub fn confiscates(self) -> bool {
        self != Clock::Revisit
    }
}

/// What the clocks start from, for one owned customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockStarts {
    pub stage_entered_at: DateTime<Utc>,
    pub last_followup_at: DateTime<Utc>,
    pub owned_since: DateTime<Utc>,
    /// Won (成交, a stage at or above [`WON_PROBABILITY`]): no clock
    /// confiscates; the revisit clock runs instead.
    pub won: bool,
    /// Revisit reminders sent since the last follow-up (0 after every visit).
    pub revisit_missed: u32,
}

/// Midnight (local) starting the day `days` calendar days after `start`'s local
/// date plus one: the first instant at which the limit is exceeded.
pub fn deadline<Z: TimeZone>(start: DateTime<Utc>, days: u32, tz: &Z) -> DateTime<Utc> {
    let local_date = start.with_timezone(tz).date_naive();
    let due = local_date + Duration::days(i64::from(days) + 1);
    local_midnight(due, tz)
}

/// Revisit reminders go out at this local hour, not at midnight.
pub const REVISIT_HOUR: u32 = 9;

/// A won customer's next revisit reminder: `revisit_days` local days after the
/// later of the last follow-up and the win (entering the won stage), one more
/// interval for every reminder already sent without a visit, at 09:00 local.
pub fn revisit_at<Z: TimeZone>(starts: &ClockStarts, limits: &Limits, tz: &Z) -> DateTime<Utc> {
    let base = starts.last_followup_at.max(starts.stage_entered_at);
    let intervals = i64::from(starts.revisit_missed) + 1;
    let day = base.with_timezone(tz).date_naive()
        + Duration::days(i64::from(limits.revisit_days.max(1)) * intervals);
    let nine =
        chrono::NaiveTime::from_hms_opt(REVISIT_HOUR, 0, 0).unwrap_or(chrono::NaiveTime::MIN);
    crate::calendar::local_at(day, nine, tz)
}

/// Every running clock's deadline. A won customer runs only its revisit clock:
/// nothing confiscates it.
pub fn deadlines<Z: TimeZone>(
    starts: &ClockStarts,
    stage: &Stage,
    limits: &Limits,
    tz: &Z,
) -> Vec<(Clock, DateTime<Utc>)> {
    if starts.won {
        return vec![(Clock::Revisit, revisit_at(starts, limits, tz))];
    }
    let mut out = Vec::with_capacity(3);
    if let Some(days) = stage.max_days {
        out.push((Clock::Stage, deadline(starts.stage_entered_at, days, tz)));
    }
    out.push((
        Clock::Followup,
        deadline(starts.last_followup_at, limits.followup_days, tz),
    ));
    out.push((
        Clock::NoDeal,
        deadline(starts.owned_since, limits.no_deal_days, tz),
    ));
    out
}

/// The deadline that comes first (ties: stage, then follow-up, then no-deal).
pub fn nearest_deadline<Z: TimeZone>(
    starts: &ClockStarts,
    stage: &Stage,
    limits: &Limits,
    tz: &Z,
) -> Option<(Clock, DateTime<Utc>)> {
    deadlines(starts, stage, limits, tz)
        .into_iter()
        .min_by_key(|(clock, at)| (*at, *clock))
}

/// Should the customer be confiscated at `now`, and by which clock?
pub fn confiscation_due<Z: TimeZone>(
    now: DateTime<Utc>,
    starts: &ClockStarts,
    stage: &Stage,
    limits: &Limits,
    tz: &Z,
) -> Option<Clock> {
    clock_due(now, starts, stage, limits, tz).filter(|c| c.confiscates())
}

/// The clock whose deadline has passed at `now`, if any (the revisit clock of
/// a won customer included).
pub fn clock_due<Z: TimeZone>(
    now: DateTime<Utc>,
    starts: &ClockStarts,
    stage: &Stage,
    limits: &Limits,
    tz: &Z,
) -> Option<Clock> {
    nearest_deadline(starts, stage, limits, tz)
        .filter(|(_, at)| now >= *at)
        .map(|(clock, _)| clock)
}

/// Whole local days until a revisit (0 on its day): the card's "revisit in N days".
pub fn days_until<Z: TimeZone>(now: DateTime<Utc>, at: DateTime<Utc>, tz: &Z) -> i64 {
    (at.with_timezone(tz).date_naive() - now.with_timezone(tz).date_naive()).num_days()
}

/// How many revisit dates have passed at `now` since the last visit or the
/// win: what a reminder sent now brings the count to. One reminder covers them
/// all, so a customer won long ago (or a server that was down) is reminded
/// once, not once per missed interval.
pub fn revisits_passed<Z: TimeZone>(
    now: DateTime<Utc>,
    starts: &ClockStarts,
    limits: &Limits,
    tz: &Z,
) -> u32 {
    let mut s = *starts;
    while revisit_at(&s, limits, tz) <= now && s.revisit_missed < 100_000 {
        s.revisit_missed += 1;
    }
    s.revisit_missed
}

/// Revisit reminders the owner let pass before the manager hears of the next.
pub const REVISIT_MISSES_BEFORE_MANAGER: u32 = 2;

/// Who a revisit reminder goes to, given how many were sent since the last
/// visit: the owner, and from the third on (two missed) the manager too.
pub fn revisit_tells_manager(missed_before: u32) -> bool {
    missed_before >= REVISIT_MISSES_BEFORE_MANAGER
}

/// Whole local calendar days left before `deadline` (0 on the last day, negative
/// once overdue): what the countdown on a customer card shows.
pub fn days_left<Z: TimeZone>(now: DateTime<Utc>, deadline: DateTime<Utc>, tz: &Z) -> i64 {
    let today = now.with_timezone(tz).date_naive();
    let due_day = deadline.with_timezone(tz).date_naive();
    (due_day - today).num_days() - 1
}

/// The countdown turns red under 3 days.
pub fn is_urgent(days_left: i64) -> bool {
    days_left < 3
}

/// Who is warned about an approaching deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// `warn_days` or fewer days left: the rep.
    Rep,
    /// The last day: the rep and the manager.
    RepAndManager,
}

pub fn warning_due<Z: TimeZone>(
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    warn_days: u32,
    tz: &Z,
) -> Option<Warning> {
    if now >= deadline {
        return None; // overdue: confiscation, not a warning
    }
    match days_left(now, deadline, tz) {
        0 => Some(Warning::RepAndManager),
        d if d <= i64::from(warn_days) => Some(Warning::Rep),
        _ => None,
    }
}

/// The first instant at which `warning_due` gives a warning for `deadline`
/// (`warn_days` days before its last day), and the start of the last day itself.
pub fn warning_starts<Z: TimeZone>(
    deadline: DateTime<Utc>,
    warn_days: u32,
    tz: &Z,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let due_day = deadline.with_timezone(tz).date_naive();
    let last_day = due_day - Duration::days(1);
    (
        local_midnight(last_day - Duration::days(i64::from(warn_days)), tz),
        local_midnight(last_day, tz),
    )
}

/// What is stored on a customer so the sweeper finds it through an index: its
/// nearest deadline and when its first warning is due.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    pub due: Option<(Clock, DateTime<Utc>)>,
    pub warn_at: Option<DateTime<Utc>>,
}

/// A draft runs only its stage clock (it is not locked yet: an unqualified
/// prospect left in the first stage too long goes back to the manager); an owned
/// customer runs all three.
pub fn schedule<Z: TimeZone>(
    draft: bool,
    starts: &ClockStarts,
    stage: &Stage,
    limits: &Limits,
    tz: &Z,
) -> Schedule {
    let due = if draft {
        stage
            .max_days
            .map(|days| (Clock::Stage, deadline(starts.stage_entered_at, days, tz)))
    } else {
        nearest_deadline(starts, stage, limits, tz)
    };
    Schedule {
        due,
        // a revisit is a reminder itself: no warning before it
        warn_at: due
            .filter(|(clock, _)| clock.confiscates())
            .map(|(_, at)| warning_starts(at, limits.warn_days, tz).0),
    }
}

/// A stage at or above this probability means the deal is won (contract signed):
/// the no-deal clock stops. (`server/schema/100_measure.surql` credits a win with
/// the same threshold.)
pub const WON_PROBABILITY: u8 = 90;

/// Settings of a department that work against each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contradiction {
    /// The no-deal clock (from the lock) runs out before a deal that uses each
    /// stage's allowed time reaches the won stage: `stage_days` is the sum of the
    /// limits of the stages before it.
    NoDealBeforeWon { no_deal_days: u32, stage_days: u32 },
}

/// What the admin's policy page warns about for one department's limits, given
/// the active stages in order. Stages without a limit add nothing (the no-deal
/// clock is then what bounds them, as the admin chose).
pub fn contradictions(stages: &[Stage], limits: &Limits) -> Vec<Contradiction> {
    let stage_days: u32 = stages
        .iter()
        .take_while(|s| s.probability < WON_PROBABILITY)
        .filter_map(|s| s.max_days)
        .fold(0u32, u32::saturating_add);
    let mut out = Vec::new();
    if limits.no_deal_days < stage_days {
        out.push(Contradiction::NoDealBeforeWon {
            no_deal_days: limits.no_deal_days,
            stage_days,
        });
    }
    out
}

/// May a rep who owns `owned` counted customers take one more?
pub fn below_cap(owned: u32, limits: &Limits) -> bool {
    owned < limits.max_owned
}

/// Does this customer count toward the owner's cap?
pub fn counts_toward_cap(won: bool, limits: &Limits) -> bool {
    !won || limits.won_counts_toward_cap
}

/// May the previous owner claim this customer back from the pool at `now`?
pub fn reclaim_allowed(now: DateTime<Utc>, released_at: DateTime<Utc>, cooldown_days: u32) -> bool {
    now >= released_at + Duration::days(i64::from(cooldown_days))
}

/// A stage move request, checked against the funnel's one-way rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveError {
    SameStage,
    UnknownStage,
    /// Skipping stages forward needs a written reason.
    SkipNeedsReason,
    /// Only a manager moves a customer back.
    BackwardNeedsManager,
}

pub fn check_stage_move(
    from: usize,
    to: usize,
    stage_count: usize,
    is_manager: bool,
    reason: &str,
) -> Result<(), MoveError> {
    if to >= stage_count || from >= stage_count {
        return Err(MoveError::UnknownStage);
    }
    if to == from {
        return Err(MoveError::SameStage);
    }
    if to < from {
        return if is_manager {
            Ok(())
        } else {
            Err(MoveError::BackwardNeedsManager)
        };
    }
    if to > from + 1 && reason.trim().is_empty() {
        return Err(MoveError::SkipNeedsReason);
    }
    Ok(())
}

/// Hidden revenue (隐形业绩) of a set of customers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forecast {
    /// Customers per stage, in stage order.
    pub per_stage: Vec<u32>,
    /// Σ expected amount × stage probability, in cents.
    pub expected_cents: i64,
    /// Customers in the 25%–90% stages.
    pub in_play: u32,
    /// Below 14 customers in play the figure is not reliable (seed 001).
    pub reliable: bool,
}

pub const RELIABLE_IN_PLAY: u32 = 14;

/// The funnel a viewer opens on: the widest they may see (the boss the company,
/// a manager their department tree, a rep their own customers).
pub fn default_scope(role: crate::auth::model::Role) -> &'static str {
    use crate::auth::model::Role;
    match role {
        Role::Boss | Role::Admin => "company",
        Role::Manager => "department",
        Role::Rep => "mine",
    }
}

/// `customers`: (stage index, expected amount in cents).
pub fn forecast(stages: &[Stage], customers: &[(usize, i64)]) -> Forecast {
    let groups: Vec<StageGroup> = customers
        .iter()
        .map(|&(stage, amount)| StageGroup {
            stage,
            customers: 1,
            cents: amount.max(0),
        })
        .collect();
    forecast_groups(stages, &groups)
}

/// Customers standing in one stage, counted together (the funnel's tallies).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageGroup {
    pub stage: usize,
    pub customers: u32,
    /// Their expected amounts summed, in cents (never negative in the database).
    pub cents: i64,
}

/// The forecast of customers counted in groups: the same as [`forecast`] of
/// the customers one by one, since it sums amounts × probability and rounds once.
pub fn forecast_groups(stages: &[Stage], groups: &[StageGroup]) -> Forecast {
    let mut per_stage = vec![0u32; stages.len()];
    let mut expected: i128 = 0;
    let mut in_play = 0;
    for g in groups {
        let Some(stage) = stages.get(g.stage) else {
            continue;
        };
        per_stage[g.stage] += g.customers;
        expected += i128::from(g.cents.max(0)) * i128::from(stage.probability);
        if (25..=90).contains(&stage.probability) {
            in_play += g.customers;
        }
    }
    // round half up to the cent
    let expected_cents = ((expected + 50) / 100).min(i128::from(i64::MAX)) as i64;
    Forecast {
        per_stage,
        expected_cents,
        in_play,
        reliable: in_play >= RELIABLE_IN_PLAY,
    }
}

/// Conversion between consecutive stages: of the customers that reached stage i,
/// the share that reached stage i+1, in percent (`None` when none reached stage i).
/// `reached[i]` counts customers whose history ever entered stage i.
pub fn conversion_rates(reached: &[u32]) -> Vec<Option<u8>> {
    reached
        .windows(2)
        .map(|w| {
            (w[0] > 0).then(|| {
                ((u64::from(w[1].min(w[0])) * 100 + u64::from(w[0]) / 2) / u64::from(w[0])) as u8
            })
        })
        .collect()
}

/// An open deal for the monthly forecast: its close date (if typed), expected
/// amount and its stage's probability (percent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deal {
    pub close: Option<chrono::NaiveDate>,
    pub cents: i64,
    pub probability: u8,
}

/// The first day of the month `n` months after `day`'s.
fn month_start(day: chrono::NaiveDate, n: u32) -> chrono::NaiveDate {
    use chrono::Datelike;
    let months = day.year() * 12 + day.month0() as i32 + n as i32;
    chrono::NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(day)
}

/// Open deals by expected close month: this month and the next two (`today`
/// in the company zone), those whose date has passed (before today) without a
/// win, those after the third month, and those without a date. Each bucket is
/// Σ amount × probability rounded once, half up, as the funnel's forecast.
pub fn forecast_by_month(
    today: chrono::NaiveDate,
    deals: &[Deal],
) -> crate::funnel::model::MonthForecast {
    use crate::funnel::model::{MonthForecast, MonthSum};
    let starts: Vec<chrono::NaiveDate> = (0..=3).map(|n| month_start(today, n)).collect();
    // (weighted sum in cent-percents, deals) per bucket: 3 months, overdue, later, undated
    let mut sums = [(0i128, 0u32); 6];
    for d in deals {
        let bucket = match d.close {
            None => 5,
            Some(c) if c < today => 3,
            Some(c) if c >= starts[3] => 4,
            Some(c) => (0..3).find(|&m| c < starts[m + 1]).unwrap_or(4),
        };
        sums[bucket].0 += i128::from(d.cents.max(0)) * i128::from(d.probability);
        sums[bucket].1 += 1;
    }
    let sum = |i: usize, month: String| MonthSum {
        month,
        cents: ((sums[i].0 + 50) / 100).min(i128::from(i64::MAX)) as i64,
        deals: sums[i].1,
    };
    MonthForecast {
        months: (0..3)
            .map(|m| sum(m, starts[m].format("%Y-%m").to_string()))
            .collect(),
        overdue: sum(3, String::new()),
        later: sum(4, String::new()),
        undated: sum(5, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Europe, Tz, UTC};
    use rstest::rstest;

    #[rstest]
    // due Fri 2026-03-06 00:00 Shanghai; 3 warn days → from Mon 00:00, last day Thu
    #[case(
        "2026-03-05T16:00:00Z",
        3,
        Asia::Shanghai,
        "2026-03-01T16:00:00Z",
        "2026-03-04T16:00:00Z"
    )]
    #[case(
        "2026-03-05T16:00:00Z",
        0,
        Asia::Shanghai,
        "2026-03-04T16:00:00Z",
        "2026-03-04T16:00:00Z"
    )]
    // across the New York spring-forward night (2026-03-08)
    #[case(
        "2026-03-10T04:00:00Z",
        2,
        America::New_York,
        "2026-03-07T05:00:00Z",
        "2026-03-09T04:00:00Z"
    )]
    fn warnings_start_on_local_midnights(
        #[case] due: &str,
        #[case] warn_days: u32,
        #[case] tz: Tz,
        #[case] first: &str,
        #[case] last_day: &str,
    ) {
        let (w, l) = warning_starts(utc(due), warn_days, &tz);
        assert_eq!((w, l), (utc(first), utc(last_day)));
        // and they agree with warning_due at those instants and just before
        let second = Duration::seconds(1);
        assert_eq!(warning_due(w - second, utc(due), warn_days, &tz), None);
        assert!(warning_due(w, utc(due), warn_days, &tz).is_some());
        assert_eq!(
            warning_due(l, utc(due), warn_days, &tz),
            Some(Warning::RepAndManager)
        );
        if warn_days > 0 {
            assert_eq!(
                warning_due(l - second, utc(due), warn_days, &tz),
                Some(Warning::Rep)
            );
        }
    }

    #[test]
    fn drafts_run_only_the_stage_clock() {
        let t = utc("2026-03-02T02:00:00Z");
        let starts = ClockStarts {
            stage_entered_at: t,
            last_followup_at: t - Duration::days(20),
            owned_since: t,
            won: false,
            revisit_missed: 0,
        };
        let stage = Stage {
            name: "s".into(),
            probability: 0,
            max_days: Some(3),
        };
        let limits = Limits::default();
        let owned = schedule(false, &starts, &stage, &limits, &Asia::Shanghai);
        assert_eq!(owned.due.map(|d| d.0), Some(Clock::Followup));
        let draft = schedule(true, &starts, &stage, &limits, &Asia::Shanghai);
        assert_eq!(draft.due, Some((Clock::Stage, utc("2026-03-05T16:00:00Z"))));
        assert_eq!(draft.warn_at, Some(utc("2026-03-01T16:00:00Z")));
        let open_ended = Stage {
            max_days: None,
            ..stage
        };
        assert_eq!(
            schedule(true, &starts, &open_ended, &limits, &Asia::Shanghai),
            Schedule {
                due: None,
                warn_at: None
            }
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[rstest]
    // Shanghai (UTC+8): entered Mon 2026-03-02 10:00 local, 3 days → due Fri 00:00 local
    #[case("2026-03-02T02:00:00Z", 3, Asia::Shanghai, "2026-03-05T16:00:00Z")]
    // entered 23:30 local on the 2nd (15:30 UTC): the local date counts, not UTC's
    #[case("2026-03-02T15:30:00Z", 3, Asia::Shanghai, "2026-03-05T16:00:00Z")]
    // 00:30 local on the 3rd is still the 2nd in UTC
    #[case("2026-03-02T16:30:00Z", 3, Asia::Shanghai, "2026-03-06T16:00:00Z")]
    // month ends: 31 Jan + 1 day → due 2 Feb 00:00
    #[case("2026-01-31T04:00:00Z", 1, Asia::Shanghai, "2026-02-01T16:00:00Z")]
    // 28 Feb 2026 (not a leap year) + 2 → 3 Mar 00:00 local
    #[case("2026-02-28T04:00:00Z", 2, Asia::Shanghai, "2026-03-02T16:00:00Z")]
    // leap year 2028: 28 Feb + 1 → 1 Mar 00:00 local
    #[case("2028-02-28T04:00:00Z", 1, Asia::Shanghai, "2028-02-29T16:00:00Z")]
    // year end
    #[case("2026-12-31T08:00:00Z", 15, Asia::Shanghai, "2027-01-15T16:00:00Z")]
    // 0 days: overdue from the next local midnight
    #[case("2026-03-02T02:00:00Z", 0, Asia::Shanghai, "2026-03-02T16:00:00Z")]
    // New York across the DST change (8 Mar 2026): midnight after is UTC-4
    #[case("2026-03-06T17:00:00Z", 3, America::New_York, "2026-03-10T04:00:00Z")]
    // Berlin across the autumn change (25 Oct 2026)
    #[case("2026-10-23T10:00:00Z", 3, Europe::Berlin, "2026-10-26T23:00:00Z")]
    #[case("2026-03-02T02:00:00Z", 3, UTC, "2026-03-06T00:00:00Z")]
    fn deadlines_are_local_calendar_days(
        #[case] start: &str,
        #[case] days: u32,
        #[case] tz: Tz,
        #[case] expected: &str,
    ) {
        assert_eq!(deadline(utc(start), days, &tz), utc(expected));
    }

    fn starts(stage: &str, followup: &str, owned: &str, won: bool) -> ClockStarts {
        ClockStarts {
            stage_entered_at: utc(stage),
            last_followup_at: utc(followup),
            owned_since: utc(owned),
            won,
            revisit_missed: 0,
        }
    }

    fn stage(max_days: Option<u32>) -> Stage {
        Stage {
            name: "s".into(),
            probability: 25,
            max_days,
        }
    }

    #[rstest]
    // stage entered 1 Mar, owned since 20 Feb (Shanghai); follow-up as given
    // nothing overdue
    #[case("2026-03-05T00:00:00Z", Some(14), "2026-03-01T02:00:00Z", false, None)]
    // the stage limit (3 days from 1 Mar local) passed first
    #[case(
        "2026-03-05T00:00:00Z",
        Some(3),
        "2026-03-01T02:00:00Z",
        false,
        Some(Clock::Stage)
    )]
    // no stage limit; follow-up (15 days from 1 Mar) passes at 17 Mar 00:00 local
    #[case("2026-03-16T15:59:59Z", None, "2026-03-01T02:00:00Z", false, None)]
    #[case(
        "2026-03-16T16:00:00Z",
        None,
        "2026-03-01T02:00:00Z",
        false,
        Some(Clock::Followup)
    )]
    // followed up recently, but 30 days without a deal (from 20 Feb) have passed
    #[case(
        "2026-03-22T16:00:00Z",
        None,
        "2026-03-20T02:00:00Z",
        false,
        Some(Clock::NoDeal)
    )]
    #[case("2026-03-22T15:59:59Z", None, "2026-03-20T02:00:00Z", false, None)]
    // a won customer has no no-deal clock
    #[case("2026-03-22T16:00:00Z", None, "2026-03-20T02:00:00Z", true, None)]
    // nor a follow-up or stage clock: months without a visit confiscate nothing
    #[case("2026-09-01T00:00:00Z", Some(3), "2026-03-01T02:00:00Z", true, None)]
    fn confiscation(
        #[case] now: &str,
        #[case] max_days: Option<u32>,
        #[case] followup: &str,
        #[case] won: bool,
        #[case] expected: Option<Clock>,
    ) {
        let s = starts(
            "2026-03-01T02:00:00Z",
            followup,
            "2026-02-20T02:00:00Z",
            won,
        );
        let limits = Limits::default();
        assert_eq!(
            confiscation_due(utc(now), &s, &stage(max_days), &limits, &Asia::Shanghai),
            expected
        );
    }

    #[test]
    fn confiscation_is_idempotent_in_time() {
        // once due, due at every later instant
        let s = starts(
            "2026-03-01T02:00:00Z",
            "2026-03-01T02:00:00Z",
            "2026-03-01T02:00:00Z",
            false,
        );
        let limits = Limits::default();
        let due = nearest_deadline(&s, &stage(Some(3)), &limits, &Asia::Shanghai).map(|(_, at)| at);
        let due = due.unwrap_or_else(|| panic!("a deadline"));
        for hours in [0, 1, 24, 24 * 400] {
            let now = due + Duration::hours(hours);
            assert_eq!(
                confiscation_due(now, &s, &stage(Some(3)), &limits, &Asia::Shanghai),
                Some(Clock::Stage)
            );
        }
        assert_eq!(
            confiscation_due(
                due - Duration::seconds(1),
                &s,
                &stage(Some(3)),
                &limits,
                &Asia::Shanghai
            ),
            None
        );
    }

    #[rstest]
    #[case("2026-03-01T04:00:00Z", "2026-03-05T16:00:00Z", 4)]
    #[case("2026-03-05T04:00:00Z", "2026-03-05T16:00:00Z", 0)]
    #[case("2026-03-04T15:59:00Z", "2026-03-05T16:00:00Z", 1)]
    #[case("2026-03-05T16:00:00Z", "2026-03-05T16:00:00Z", -1)]
    #[case("2026-03-08T04:00:00Z", "2026-03-05T16:00:00Z", -3)]
    fn countdown(#[case] now: &str, #[case] due: &str, #[case] left: i64) {
        assert_eq!(days_left(utc(now), utc(due), &Asia::Shanghai), left);
    }

    #[rstest]
    #[case(5, false)]
    #[case(3, false)]
    #[case(2, true)]
    #[case(0, true)]
    #[case(-1, true)]
    fn urgency(#[case] left: i64, #[case] red: bool) {
        assert_eq!(is_urgent(left), red);
    }

    #[rstest]
    #[case("2026-03-01T04:00:00Z", None)] // 4 days left
    #[case("2026-03-02T04:00:00Z", Some(Warning::Rep))] // 3 days left
    #[case("2026-03-04T04:00:00Z", Some(Warning::Rep))] // 1 day left
    #[case("2026-03-05T04:00:00Z", Some(Warning::RepAndManager))] // the last day
    #[case("2026-03-05T16:00:00Z", None)] // overdue
    fn warnings(#[case] now: &str, #[case] expected: Option<Warning>) {
        assert_eq!(
            warning_due(utc(now), utc("2026-03-05T16:00:00Z"), 3, &Asia::Shanghai),
            expected
        );
    }

    #[rstest]
    #[case(19, true)]
    #[case(20, false)]
    #[case(25, false)]
    #[case(0, true)]
    fn caps(#[case] owned: u32, #[case] below: bool) {
        assert_eq!(below_cap(owned, &Limits::default()), below);
    }

    #[rstest]
    #[case(false, false, true)]
    #[case(true, false, false)]
    #[case(true, true, true)]
    fn cap_counting(#[case] won: bool, #[case] won_counts: bool, #[case] counts: bool) {
        let limits = Limits {
            won_counts_toward_cap: won_counts,
            ..Limits::default()
        };
        assert_eq!(counts_toward_cap(won, &limits), counts);
    }

    #[rstest]
    #[case("2026-03-07T23:59:59Z", false)]
    #[case("2026-03-08T00:00:00Z", true)]
    fn reclaim_cooldown(#[case] now: &str, #[case] allowed: bool) {
        assert_eq!(
            reclaim_allowed(utc(now), utc("2026-03-01T00:00:00Z"), 7),
            allowed
        );
    }

    #[rstest]
    #[case(1, 2, false, "", Ok(()))]
    #[case(1, 3, false, "", Err(MoveError::SkipNeedsReason))]
    #[case(1, 3, false, "   ", Err(MoveError::SkipNeedsReason))]
    #[case(1, 3, false, "客户直接接受报价", Ok(()))]
    #[case(3, 2, false, "", Err(MoveError::BackwardNeedsManager))]
    #[case(3, 2, true, "", Ok(()))]
    #[case(2, 2, true, "", Err(MoveError::SameStage))]
    #[case(2, 7, true, "x", Err(MoveError::UnknownStage))]
    fn stage_moves(
        #[case] from: usize,
        #[case] to: usize,
        #[case] manager: bool,
        #[case] reason: &str,
        #[case] expected: Result<(), MoveError>,
    ) {
        assert_eq!(check_stage_move(from, to, 7, manager, reason), expected);
    }

    #[test]
    fn forecast_arithmetic() {
        let stages = default_stages();
        // amounts in cents: 10,000.00 at 25%, 3,333.33 at 50%, 1.01 at 75%, 500 at 0%
        let f = forecast(
            &stages,
            &[(2, 1_000_000), (3, 333_333), (4, 101), (0, 50_000), (9, 1)],
        );
        assert_eq!(f.per_stage, vec![1, 0, 1, 1, 1, 0, 0]);
        // 250,000 + 166,666.5 + 75.75 = 416,742.25 → 416,742 cents
        assert_eq!(f.expected_cents, 416_742);
        assert_eq!(f.in_play, 3);
        assert!(!f.reliable);
    }

    #[rstest]
    #[case(13, false)]
    #[case(14, true)]
    fn forecast_reliability(#[case] n: usize, #[case] reliable: bool) {
        let stages = default_stages();
        let customers: Vec<(usize, i64)> = (0..n).map(|i| (2 + i % 4, 100)).collect();
        // and customers outside 25..=90 never count
        let mut all = customers.clone();
        all.extend([(0, 100), (1, 100), (6, 100)]);
        assert_eq!(forecast(&stages, &all).reliable, reliable);
    }

    #[rstest]
    #[case(&[(2, 1_000_000), (3, 333_333), (4, 101), (0, 50_000), (9, 1)])]
    #[case(&[(2, 1), (2, 1), (3, 1), (3, 1), (3, 1), (5, 49)])]
    #[case(&[(4, 333_333), (4, 333_333), (4, 333_334), (6, 7)])]
    #[case(&[])]
    fn grouped_customers_forecast_as_one_by_one(#[case] customers: &[(usize, i64)]) {
        let stages = default_stages();
        let mut groups: Vec<StageGroup> = Vec::new();
        for &(stage, cents) in customers {
            match groups.iter_mut().find(|g| g.stage == stage) {
                Some(g) => {
                    g.customers += 1;
                    g.cents += cents;
                }
                None => groups.push(StageGroup {
                    stage,
                    customers: 1,
                    cents,
                }),
            }
        }
        assert_eq!(
            forecast_groups(&stages, &groups),
            forecast(&stages, customers)
        );
    }

    #[test]
    fn negative_amounts_do_not_reduce_the_forecast() {
        let f = forecast(&default_stages(), &[(5, -1_000), (5, 1_000)]);
        assert_eq!(f.expected_cents, 900);
    }

    #[rstest]
    #[case(&[10, 5, 5, 0], &[Some(50), Some(100), Some(0)])]
    #[case(&[0, 0], &[None])]
    #[case(&[3, 1], &[Some(33)])]
    #[case(&[3, 2], &[Some(67)])]
    fn conversions(#[case] reached: &[u32], #[case] expected: &[Option<u8>]) {
        assert_eq!(conversion_rates(reached), expected);
    }

    #[rstest]
    #[case(crate::auth::model::Role::Boss, "company")]
    #[case(crate::auth::model::Role::Admin, "company")]
    #[case(crate::auth::model::Role::Manager, "department")]
    #[case(crate::auth::model::Role::Rep, "mine")]
    fn the_funnel_opens_on_the_widest_scope(
        #[case] role: crate::auth::model::Role,
        #[case] scope: &str,
    ) {
        assert_eq!(default_scope(role), scope);
    }
    #[rstest]
    // won on 1 Mar (local), last visit before: 30 days → 31 Mar 09:00 Shanghai
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-02-10T02:00:00Z",
        0,
        30,
        "2026-03-31T01:00:00Z"
    )]
    // a visit after the win counts from the visit
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-03-10T02:00:00Z",
        0,
        30,
        "2026-04-09T01:00:00Z"
    )]
    // one reminder sent without a visit: the next a further interval on
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-03-10T02:00:00Z",
        1,
        30,
        "2026-05-09T01:00:00Z"
    )]
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-03-10T02:00:00Z",
        2,
        7,
        "2026-03-31T01:00:00Z"
    )]
    // a visit at 23:30 local counts on its local day
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-03-10T15:30:00Z",
        0,
        1,
        "2026-03-11T01:00:00Z"
    )]
    // a zero interval is read as one day, never "now"
    #[case(
        "2026-03-01T02:00:00Z",
        "2026-03-10T02:00:00Z",
        0,
        0,
        "2026-03-11T01:00:00Z"
    )]
    fn revisits_of_won_customers(
        #[case] won_at: &str,
        #[case] visited: &str,
        #[case] missed: u32,
        #[case] every: u32,
        #[case] expected: &str,
    ) {
        let s = ClockStarts {
            stage_entered_at: utc(won_at),
            last_followup_at: utc(visited),
            owned_since: utc("2026-01-01T02:00:00Z"),
            won: true,
            revisit_missed: missed,
        };
        let limits = Limits {
            revisit_days: every,
            ..Limits::default()
        };
        let plan = schedule(false, &s, &stage(Some(3)), &limits, &Asia::Shanghai);
        assert_eq!(plan.due, Some((Clock::Revisit, utc(expected))));
        // a reminder, not a confiscation, and no warning before it
        assert_eq!(plan.warn_at, None);
        let after = utc(expected) + Duration::days(400);
        assert_eq!(
            confiscation_due(after, &s, &stage(Some(3)), &limits, &Asia::Shanghai),
            None
        );
        assert_eq!(
            clock_due(after, &s, &stage(Some(3)), &limits, &Asia::Shanghai),
            Some(Clock::Revisit)
        );
        assert_eq!(
            clock_due(
                utc(expected) - Duration::seconds(1),
                &s,
                &stage(Some(3)),
                &limits,
                &Asia::Shanghai
            ),
            None
        );
    }

    #[rstest]
    // on the first revisit day: one passed
    #[case("2026-03-31T01:00:00Z", 0, 1)]
    // a second before it: none
    #[case("2026-03-31T00:59:59Z", 0, 0)]
    // 200 days without a visit: six 30-day dates passed, one reminder covers them
    #[case("2026-09-17T02:00:00Z", 0, 6)]
    // already counted ones stay counted
    #[case("2026-03-31T01:00:00Z", 3, 3)]
    fn revisit_dates_passed(#[case] now: &str, #[case] missed: u32, #[case] passed: u32) {
        let s = ClockStarts {
            stage_entered_at: utc("2026-03-01T02:00:00Z"),
            last_followup_at: utc("2026-02-10T02:00:00Z"),
            owned_since: utc("2026-01-01T02:00:00Z"),
            won: true,
            revisit_missed: missed,
        };
        assert_eq!(
            revisits_passed(utc(now), &s, &Limits::default(), &Asia::Shanghai),
            passed
        );
    }

    #[rstest]
    #[case(0, false)]
    #[case(1, false)]
    #[case(2, true)]
    #[case(7, true)]
    fn missed_revisits_reach_the_manager(#[case] missed_before: u32, #[case] manager: bool) {
        assert_eq!(revisit_tells_manager(missed_before), manager);
    }

    #[rstest]
    #[case("2026-03-31T01:00:00Z", "2026-03-30T10:00:00Z", 1)]
    #[case("2026-03-31T01:00:00Z", "2026-03-30T16:00:00Z", 0)]
    #[case("2026-03-31T01:00:00Z", "2026-03-20T16:00:00Z", 10)]
    fn days_until_a_revisit(#[case] at: &str, #[case] now: &str, #[case] days: i64) {
        assert_eq!(days_until(utc(now), utc(at), &Asia::Shanghai), days);
    }

    fn limited(days: &[(u8, Option<u32>)]) -> Vec<Stage> {
        days.iter()
            .map(|&(probability, max_days)| Stage {
                name: format!("{probability}"),
                probability,
                max_days,
            })
            .collect()
    }

    #[rstest]
    // the defaults agree: 3+5+7+7+7 = 29 days before 签订合同, inside 30
    #[case(default_stages(), 30, vec![])]
    // the old defaults did not: 3+7+14+14+14 = 52
    #[case(
        limited(&[(0, Some(3)), (10, Some(7)), (25, Some(14)), (50, Some(14)), (75, Some(14)), (90, Some(30)), (100, None)]),
        30,
        vec![Contradiction::NoDealBeforeWon { no_deal_days: 30, stage_days: 52 }]
    )]
    #[case(
        limited(&[(0, Some(3)), (10, Some(7)), (25, Some(14)), (50, Some(14)), (75, Some(14)), (90, Some(30))]),
        52,
        vec![]
    )]
    // stages at or after the won one do not count; stages without a limit add nothing
    #[case(limited(&[(0, Some(10)), (50, None), (90, Some(100)), (100, Some(100))]), 10, vec![])]
    #[case(
        limited(&[(0, Some(10)), (50, Some(1)), (95, Some(100))]),
        10,
        vec![Contradiction::NoDealBeforeWon { no_deal_days: 10, stage_days: 11 }]
    )]
    // no won stage at all: every limited stage counts
    #[case(
        limited(&[(0, Some(20)), (50, Some(20))]),
        30,
        vec![Contradiction::NoDealBeforeWon { no_deal_days: 30, stage_days: 40 }]
    )]
    #[case(vec![], 1, vec![])]
    fn policy_contradictions(
        #[case] stages: Vec<Stage>,
        #[case] no_deal_days: u32,
        #[case] expected: Vec<Contradiction>,
    ) {
        let limits = Limits {
            no_deal_days,
            ..Limits::default()
        };
        assert_eq!(contradictions(&stages, &limits), expected);
    }

    fn ymd(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[rstest]
    // (today, close date, bucket): 0..2 the months, 3 overdue, 4 later, 5 undated
    #[case("2026-12-04", Some("2026-12-04"), 0)]
    #[case("2026-12-04", Some("2026-12-31"), 0)]
    #[case("2026-12-04", Some("2027-01-01"), 1)]
    #[case("2026-12-04", Some("2027-02-28"), 2)]
    #[case("2026-12-04", Some("2027-03-01"), 4)]
    #[case("2026-12-04", Some("2026-12-03"), 3)]
    #[case("2026-12-04", None, 5)]
    #[case("2027-11-30", Some("2028-01-31"), 2)]
    #[case("2028-02-29", Some("2028-04-30"), 2)]
    fn each_deal_falls_in_its_month(
        #[case] today: &str,
        #[case] close: Option<&str>,
        #[case] bucket: usize,
    ) {
        let f = forecast_by_month(
            ymd(today),
            &[Deal {
                close: close.map(ymd),
                cents: 10_000,
                probability: 50,
            }],
        );
        let deals: Vec<u32> = f
            .months
            .iter()
            .chain([&f.overdue, &f.later, &f.undated])
            .map(|m| m.deals)
            .collect();
        let mut want = vec![0; 6];
        want[bucket] = 1;
        assert_eq!(deals, want, "{today} {close:?}");
    }

    #[test]
    fn a_month_sums_amount_times_probability_rounded_once() {
        use crate::funnel::model::MonthSum;
        let deal = |close: &str, cents, probability| Deal {
            close: Some(ymd(close)),
            cents,
            probability,
        };
        let f = forecast_by_month(
            ymd("2026-12-04"),
            &[
                deal("2027-01-10", 333, 25),
                deal("2027-01-20", 333, 25),
                deal("2027-01-31", 5_000_000, 70),
                deal("2027-01-05", -100, 90),
            ],
        );
        let months: Vec<&str> = f.months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(months, vec!["2026-12", "2027-01", "2027-02"]);
        // 333 × 25 % twice is 166.5 → 167 (one rounding), plus 3,500,000; a negative amount counts 0
        assert_eq!((f.months[1].cents, f.months[1].deals), (3_500_167, 4));
        assert_eq!(
            f.months[0],
            MonthSum {
                month: "2026-12".into(),
                cents: 0,
                deals: 0
            }
        );
    }
}
