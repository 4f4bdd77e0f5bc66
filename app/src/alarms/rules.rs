//! Difficulty alarms (困难报警): what may happen to an alarm and by whom, when an
//! unanswered one escalates (in working hours, in the company's time zone), and
//! the support and resolve statistics. Pure functions.

use crate::calendar::local_at;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

/// An alarm with no answer after this many working hours tells the raiser's
/// manager; after twice as many, the manager's manager (or the boss).
pub const ESCALATE_AFTER_HOURS: i64 = 4;
/// An alarm's problem text, answers, post-mortems and stories: at most this long.
pub const MAX_TEXT: usize = 2000;
/// A post-mortem says at least this much (why it failed, what would have helped).
pub const MIN_POST_MORTEM: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Stuck: asks the company for help.
    Help,
    /// Proposes that the customer is lost, with a post-mortem.
    Lost,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Help => "help",
            Kind::Lost => "lost",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "help" => Some(Kind::Help),
            "lost" => Some(Kind::Lost),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    /// The raiser accepted an answer.
    Resolved,
    /// The raiser's manager closed it with a note.
    Closed,
    /// The manager approved the lost proposal.
    Lost,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Lost => "lost",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Resolved, Status::Closed, Status::Lost]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where a lost proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostState {
    /// Waiting for the manager.
    Proposed,
    /// The manager said no: the alarm stays open for answers.
    Rejected,
}

impl LostState {
    pub fn as_str(self) -> &'static str {
        match self {
            LostState::Proposed => "proposed",
            LostState::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<LostState> {
        match s {
            "proposed" => Some(LostState::Proposed),
            "rejected" => Some(LostState::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmState {
    pub kind: Kind,
    pub status: Status,
    pub lost: Option<LostState>,
}

/// Who is acting on an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actor {
    /// Raised it.
    pub raiser: bool,
    /// Manages the raiser (their department's head or above), or boss/admin.
    pub manager: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Answer,
    /// Accept an answer (written by someone other than the raiser).
    Accept,
    /// Close with a note.
    Close,
    ApproveLost,
    RejectLost,
}

/// What `act` by `actor` turns `s` into, or why it may not happen.
pub fn apply(s: AlarmState, act: Act, actor: Actor) -> Result<AlarmState, &'static str> {
    let waiting = s.lost == Some(LostState::Proposed);
    if s.status != Status::Open {
        return Err("alarm_closed");
    }
    match act {
        Act::Answer if actor.raiser => Err("own_alarm"),
        Act::Answer => Ok(s),
        Act::Accept if !actor.raiser => Err("forbidden"),
        Act::Accept if waiting => Err("lost_pending"),
        Act::Accept => Ok(AlarmState {
            status: Status::Resolved,
            ..s
        }),
        Act::Close if !actor.manager => Err("forbidden"),
        Act::Close if waiting => Err("lost_pending"),
        Act::Close => Ok(AlarmState {
            status: Status::Closed,
            ..s
        }),
        Act::ApproveLost | Act::RejectLost if !actor.manager => Err("forbidden"),
        Act::ApproveLost | Act::RejectLost if !waiting => Err("not_proposed"),
        Act::ApproveLost => Ok(AlarmState {
            status: Status::Lost,
            ..s
        }),
        Act::RejectLost => Ok(AlarmState {
            lost: Some(LostState::Rejected),
            ..s
        }),
    }
}

/// The company's working time: these weekdays, from `start` to `end` local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeek {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for WorkWeek {
    /// Monday to Friday, 09:00–18:00.
    fn default() -> Self {
        WorkWeek {
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl WorkWeek {
    fn works(&self, day: NaiveDate) -> bool {
        self.days.contains(&day.weekday()) && self.end > self.start
    }
}

/// The instant `minutes` working minutes after `from` (time outside working
/// hours does not count: an alarm raised on Friday evening starts counting on
/// Monday morning).
pub fn add_working_minutes<Z: TimeZone>(
    from: DateTime<Utc>,
    minutes: i64,
    week: &WorkWeek,
    tz: &Z,
) -> DateTime<Utc> {
    if week.days.is_empty() || week.end <= week.start {
        return from + Duration::minutes(minutes);
    }
    // exact durations: counting whole minutes would drop the seconds of a
    // partly used minute each day, so an alarm raised at 10:00:30 would be
    // due at 09:01 the next morning instead of 18:00 the same day
    let mut left = Duration::minutes(minutes.max(0));
    let mut day = from.with_timezone(tz).date_naive();
    let mut cursor = from;
    // a year of days at most: the week has working time, so this ends far sooner
    for _ in 0..400 {
        if week.works(day) {
            let open = local_at(day, week.start, tz);
            let close = local_at(day, week.end, tz);
            let begin = cursor.max(open);
            if begin < close {
                let available = close - begin;
                if left <= available {
                    return begin + left;
                }
                left -= available;
            }
        }
        day = day.succ_opt().unwrap_or(day);
        cursor = local_at(day, NaiveTime::MIN, tz);
    }
    cursor + left
}

/// When an unanswered alarm raised at `raised` next escalates, having escalated
/// `level` times already: level 1 (its manager) after `hours` working hours,
/// level 2 (the manager's manager, or the boss) after twice as many; then never.
pub fn next_escalation<Z: TimeZone>(
    raised: DateTime<Utc>,
    level: i64,
    hours: i64,
    week: &WorkWeek,
    tz: &Z,
) -> Option<DateTime<Utc>> {
    match level {
        0 => Some(add_working_minutes(raised, hours * 60, week, tz)),
        1 => Some(add_working_minutes(raised, 2 * hours * 60, week, tz)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Statistics

/// One alarm as the statistics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmFact {
    pub raiser: String,
    /// The raiser's department when it was raised.
    pub department: String,
    pub at: DateTime<Utc>,
    pub open: bool,
    /// Every answer: who and when (the raiser does not answer their own alarm).
    pub answers: Vec<(String, DateTime<Utc>)>,
    /// Whose answer was accepted.
    pub accepted: Option<String>,
}

/// One person's row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonStats {
    /// Alarms they raised.
    pub raised: i64,
    /// Colleagues' alarms they answered (support count).
    pub supported: i64,
    /// Their answers that were accepted (resolve count).
    pub resolved: i64,
    /// Median minutes from an alarm being raised to their first answer on it.
    pub median_first_answer_minutes: Option<i64>,
    /// Share of the alarms in their scope (raised by others) they answered.
    pub support_rate: Option<f64>,
    /// Share of the alarms in their scope (raised by others) their answer resolved.
    pub resolve_rate: Option<f64>,
    /// Open alarms in their scope with no answer, raised more than a day ago.
    pub unanswered_over_day: i64,
}

/// The median of whole minutes (the lower middle of an even count).
pub fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

/// `person`'s statistics over `facts` (the alarms raised in the period). Their
/// scope is the alarms of `scope` departments (their own; a manager's tree).
pub fn person_stats(
    person: &str,
    scope: &[String],
    facts: &[AlarmFact],
    now: DateTime<Utc>,
) -> PersonStats {
    let mut s = PersonStats::default();
    let mut waits = Vec::new();
    let mut in_scope = 0i64;
    let mut scope_supported = 0i64;
    let mut scope_resolved = 0i64;
    for f in facts {
        let mine = f.raiser == person;
        if mine {
            s.raised += 1;
        }
        let first = f
            .answers
            .iter()
            .filter(|(u, _)| u == person)
            .map(|(_, at)| *at)
            .min();
        let accepted = f.accepted.as_deref() == Some(person);
        if !mine {
            if let Some(first) = first {
                s.supported += 1;
                waits.push((first - f.at).num_minutes().max(0));
            }
            if accepted {
                s.resolved += 1;
            }
        }
        if scope.contains(&f.department) {
            if f.open && f.answers.is_empty() && now - f.at > Duration::hours(24) {
                s.unanswered_over_day += 1;
            }
            if !mine {
                in_scope += 1;
                scope_supported += i64::from(first.is_some());
                scope_resolved += i64::from(accepted);
            }
        }
    }
    s.median_first_answer_minutes = median(waits);
    if in_scope > 0 {
        s.support_rate = Some(scope_supported as f64 / in_scope as f64);
        s.resolve_rate = Some(scope_resolved as f64 / in_scope as f64);
    }
    s
}

/// A statistics period in the company's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }
}

/// The current `period` around `now`: from its first local midnight (weeks start
/// on Monday) to `now`.
pub fn period_start<Z: TimeZone>(period: Period, now: DateTime<Utc>, tz: &Z) -> DateTime<Utc> {
    let today = now.with_timezone(tz).date_naive();
    let first = match period {
        Period::Week => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
        Period::Month => today.with_day(1).unwrap_or(today),
        Period::Quarter => {
            let m = (today.month() - 1) / 3 * 3 + 1;
            NaiveDate::from_ymd_opt(today.year(), m, 1).unwrap_or(today)
        }
    };
    local_at(first, NaiveTime::MIN, tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use rstest::rstest;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const OPEN_HELP: AlarmState = AlarmState {
        kind: Kind::Help,
        status: Status::Open,
        lost: None,
    };
    const PROPOSED: AlarmState = AlarmState {
        kind: Kind::Lost,
        status: Status::Open,
        lost: Some(LostState::Proposed),
    };
    const REJECTED: AlarmState = AlarmState {
        kind: Kind::Lost,
        status: Status::Open,
        lost: Some(LostState::Rejected),
    };
    const RESOLVED: AlarmState = AlarmState {
        kind: Kind::Help,
        status: Status::Resolved,
        lost: None,
    };
    const RAISER: Actor = Actor {
        raiser: true,
        manager: false,
    };
    const MANAGER: Actor = Actor {
        raiser: false,
        manager: true,
    };
    const COLLEAGUE: Actor = Actor {
        raiser: false,
        manager: false,
    };

    #[rstest]
    #[case(OPEN_HELP, Act::Answer, COLLEAGUE, Ok(OPEN_HELP))]
    #[case(OPEN_HELP, Act::Answer, MANAGER, Ok(OPEN_HELP))]
    #[case(OPEN_HELP, Act::Answer, RAISER, Err("own_alarm"))]
    #[case(RESOLVED, Act::Answer, COLLEAGUE, Err("alarm_closed"))]
    #[case(OPEN_HELP, Act::Accept, RAISER, Ok(RESOLVED))]
    #[case(OPEN_HELP, Act::Accept, COLLEAGUE, Err("forbidden"))]
    #[case(OPEN_HELP, Act::Accept, MANAGER, Err("forbidden"))]
    #[case(RESOLVED, Act::Accept, RAISER, Err("alarm_closed"))]
    #[case(OPEN_HELP, Act::Close, MANAGER, Ok(AlarmState { status: Status::Closed, ..OPEN_HELP }))]
    #[case(OPEN_HELP, Act::Close, RAISER, Err("forbidden"))]
    #[case(OPEN_HELP, Act::ApproveLost, MANAGER, Err("not_proposed"))]
    // lost through an alarm
    #[case(PROPOSED, Act::Answer, COLLEAGUE, Ok(PROPOSED))]
    #[case(PROPOSED, Act::Accept, RAISER, Err("lost_pending"))]
    #[case(PROPOSED, Act::Close, MANAGER, Err("lost_pending"))]
    #[case(PROPOSED, Act::ApproveLost, RAISER, Err("forbidden"))]
    #[case(PROPOSED, Act::ApproveLost, COLLEAGUE, Err("forbidden"))]
    #[case(PROPOSED, Act::ApproveLost, MANAGER, Ok(AlarmState { status: Status::Lost, ..PROPOSED }))]
    #[case(PROPOSED, Act::RejectLost, MANAGER, Ok(REJECTED))]
    #[case(REJECTED, Act::RejectLost, MANAGER, Err("not_proposed"))]
    #[case(REJECTED, Act::ApproveLost, MANAGER, Err("not_proposed"))]
    // rejected: open for answers, and an answer that saves the deal can be accepted
    #[case(REJECTED, Act::Answer, COLLEAGUE, Ok(REJECTED))]
    #[case(REJECTED, Act::Accept, RAISER, Ok(AlarmState { status: Status::Resolved, ..REJECTED }))]
    #[case(AlarmState { status: Status::Lost, ..PROPOSED }, Act::Answer, COLLEAGUE, Err("alarm_closed"))]
    fn what_may_happen_to_an_alarm(
        #[case] s: AlarmState,
        #[case] act: Act,
        #[case] actor: Actor,
        #[case] expected: Result<AlarmState, &str>,
    ) {
        assert_eq!(apply(s, act, actor), expected);
    }

    #[rstest]
    // Friday 2026-11-27 10:00 Shanghai (02:00 UTC) + 4 working hours = 14:00
    #[case("2026-11-27T02:00:00Z", 240, "2026-11-27T06:00:00Z")]
    // Friday 16:00 + 4h: 2h on Friday, 2h on Monday → Monday 11:00
    #[case("2026-11-27T08:00:00Z", 240, "2026-11-30T03:00:00Z")]
    // Saturday: counting starts Monday 09:00 → 13:00
    #[case("2026-11-28T04:00:00Z", 240, "2026-11-30T05:00:00Z")]
    // before opening: from 09:00
    #[case("2026-11-26T23:30:00Z", 60, "2026-11-27T02:00:00Z")]
    // after closing on Thursday 20:00 → Friday 09:00 + 8h = 17:00
    #[case("2026-11-26T12:00:00Z", 480, "2026-11-27T09:00:00Z")]
    // exactly the day's remaining time ends at closing
    #[case("2026-11-27T01:00:00Z", 540, "2026-11-27T10:00:00Z")]
    // 0 minutes inside hours: now
    #[case("2026-11-27T02:00:00Z", 0, "2026-11-27T02:00:00Z")]
    // seconds count: from Friday 10:00:00.6, 8 hours reach past closing by
    // 0.6 s, which fall on Monday 09:00 (whole minutes made it 09:01)
    #[case("2026-11-27T02:00:00.600Z", 480, "2026-11-30T01:00:00.600Z")]
    // Friday 17:59:30 + 2 minutes: 30 s on Friday, 1 min 30 s on Monday
    // (whole minutes counted Friday's half minute as none: Monday 09:02)
    #[case("2026-11-27T09:59:30Z", 2, "2026-11-30T01:01:30Z")]
    fn working_minutes_in_shanghai(
        #[case] from: &str,
        #[case] minutes: i64,
        #[case] expected: &str,
    ) {
        assert_eq!(
            add_working_minutes(utc(from), minutes, &WorkWeek::default(), &Shanghai),
            utc(expected)
        );
    }

    #[test]
    fn a_week_without_working_time_counts_plain_time() {
        let week = WorkWeek {
            days: vec![],
            ..WorkWeek::default()
        };
        let from = utc("2026-11-27T02:00:00Z");
        assert_eq!(
            add_working_minutes(from, 60, &week, &Shanghai),
            from + Duration::minutes(60)
        );
    }

    #[rstest]
    #[case(0, Some("2026-11-27T06:00:00Z"))]
    // 8 working hours from Friday 10:00: exactly Friday's closing time
    #[case(1, Some("2026-11-27T10:00:00Z"))]
    #[case(2, None)]
    fn escalation_steps(#[case] level: i64, #[case] expected: Option<&str>) {
        let raised = utc("2026-11-27T02:00:00Z");
        assert_eq!(
            next_escalation(raised, level, 4, &WorkWeek::default(), &Shanghai),
            expected.map(utc)
        );
    }

    fn fact(
        raiser: &str,
        dept: &str,
        at: &str,
        answers: &[(&str, &str)],
        accepted: Option<&str>,
    ) -> AlarmFact {
        AlarmFact {
            raiser: raiser.into(),
            department: dept.into(),
            at: utc(at),
            open: accepted.is_none(),
            answers: answers
                .iter()
                .map(|(u, t)| (u.to_string(), utc(t)))
                .collect(),
            accepted: accepted.map(str::to_string),
        }
    }

    #[test]
    fn statistics_of_a_manager_and_a_rep() {
        let now = utc("2026-11-27T10:00:00Z");
        let facts = vec![
            // rep1's alarm, answered by the manager after 30 min and rep2 after 2 h; the manager's answer accepted
            fact(
                "rep1",
                "d1",
                "2026-11-20T02:00:00Z",
                &[
                    ("mgr", "2026-11-20T02:30:00Z"),
                    ("rep2", "2026-11-20T04:00:00Z"),
                    ("mgr", "2026-11-20T05:00:00Z"),
                ],
                Some("mgr"),
            ),
            // rep2's alarm, answered by the manager after 10 h
            fact(
                "rep2",
                "d1",
                "2026-11-21T00:00:00Z",
                &[("mgr", "2026-11-21T10:00:00Z")],
                None,
            ),
            // rep1's alarm nobody answered, two days old
            fact("rep1", "d1", "2026-11-25T00:00:00Z", &[], None),
            // rep1's alarm nobody answered yet, an hour old
            fact("rep1", "d1", "2026-11-27T09:00:00Z", &[], None),
            // another department's alarm the manager answered
            fact(
                "rep9",
                "d2",
                "2026-11-22T00:00:00Z",
                &[("mgr", "2026-11-22T01:00:00Z")],
                None,
            ),
        ];
        let scope = vec!["d1".to_string()];
        let m = person_stats("mgr", &scope, &facts, now);
        assert_eq!(m.raised, 0);
        assert_eq!(m.supported, 3);
        assert_eq!(m.resolved, 1);
        // waits 30, 600, 60 → median 60
        assert_eq!(m.median_first_answer_minutes, Some(60));
        // d1 has 4 alarms, the manager answered 2, resolved 1
        assert_eq!(m.support_rate, Some(0.5));
        assert_eq!(m.resolve_rate, Some(0.25));
        assert_eq!(m.unanswered_over_day, 1);

        let r = person_stats("rep1", &scope, &facts, now);
        assert_eq!(r.raised, 3);
        assert_eq!(r.supported, 0);
        assert_eq!(r.median_first_answer_minutes, None);
        // in scope and raised by others: only rep2's, which rep1 did not answer
        assert_eq!(r.support_rate, Some(0.0));
        assert_eq!(r.unanswered_over_day, 1);

        let r2 = person_stats("rep2", &scope, &facts, now);
        assert_eq!((r2.raised, r2.supported, r2.resolved), (1, 1, 0));
        assert_eq!(r2.median_first_answer_minutes, Some(120));
        // rep2's scope, others' alarms: three of rep1's; answered one
        assert_eq!(r2.support_rate, Some(1.0 / 3.0));
    }

    #[test]
    fn no_alarms_no_rates() {
        let s = person_stats("x", &["d1".into()], &[], utc("2026-11-27T10:00:00Z"));
        assert_eq!(s, PersonStats::default());
        assert_eq!(s.support_rate, None);
    }

    #[rstest]
    #[case(&[], None)]
    #[case(&[5], Some(5))]
    #[case(&[9, 1], Some(1))]
    #[case(&[3, 1, 2], Some(2))]
    #[case(&[4, 1, 3, 2], Some(2))]
    fn medians(#[case] v: &[i64], #[case] expected: Option<i64>) {
        assert_eq!(median(v.to_vec()), expected);
    }

    #[rstest]
    // Friday 2026-11-27 18:00 Shanghai
    #[case(Period::Week, "2026-11-27T10:00:00Z", "2026-11-22T16:00:00Z")]
    #[case(Period::Month, "2026-11-27T10:00:00Z", "2026-10-31T16:00:00Z")]
    #[case(Period::Quarter, "2026-11-27T10:00:00Z", "2026-09-30T16:00:00Z")]
    // 1 Dec 00:30 local is still 30 Nov in UTC, but December locally
    #[case(Period::Month, "2026-11-30T16:30:00Z", "2026-11-30T16:00:00Z")]
    #[case(Period::Quarter, "2026-03-31T15:00:00Z", "2025-12-31T16:00:00Z")]
    fn periods_start_at_local_midnight(
        #[case] p: Period,
        #[case] now: &str,
        #[case] expected: &str,
    ) {
        assert_eq!(period_start(p, utc(now), &Shanghai), utc(expected));
    }
}
