//! Reminder rules: when a schedule item, a revisit or an anniversary alerts, and
//! when an unanswered alert escalates. Times are typed and shown in the company's
//! time zone and stored in UTC. Pure functions.

use crate::calendar::local_at;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// Unanswered alerts escalate after this many minutes (a setting overrides it).
pub const ESCALATE_AFTER_MINUTES: i64 = 10;
/// Birthday and founding-date reminders come this many days ahead.
pub const ANNIVERSARY_DAYS_AHEAD: i64 = 2;
/// Revisit and anniversary reminders alert at this local time.
pub fn morning() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// A schedule item's time as typed ("2026-11-24" + "14:30") in `tz`. A time that
/// a DST change skips moves to the first valid instant after it.
pub fn parse_local<Tz: TimeZone>(
    date: &str,
    time: &str,
    tz: &Tz,
) -> Result<DateTime<Utc>, &'static str> {
    let date: NaiveDate = date.trim().parse().map_err(|_| "date")?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| "time")?;
    Ok(local_at(date, time, tz))
}

/// The next revisit alert: `every_days` local days after the day of the last
/// effective follow-up, in the morning.
pub fn next_revisit<Tz: TimeZone>(
    last_followup: DateTime<Utc>,
    every_days: u32,
    tz: &Tz,
) -> DateTime<Utc> {
    let day = last_followup.with_timezone(tz).date_naive() + Duration::days(i64::from(every_days));
    local_at(day, morning(), tz)
}

/// A month and day from "MM-DD" or "YYYY-MM-DD".
pub fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let md = match s.len() {
        5 => s,
        10 => &s[5..],
        _ => return None,
    };
    let (m, d) = md.split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    // 29 Feb is a valid anniversary (a leap-year birthday)
    NaiveDate::from_ymd_opt(2028, m, d).map(|_| (m, d))
}

/// The anniversary in `year`; 29 Feb falls on 28 Feb in other years.
fn anniversary_in(year: i32, (m, d): (u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, m, d)
        .or_else(|| NaiveDate::from_ymd_opt(year, m, d - 1))
        .unwrap_or(NaiveDate::MIN)
}

/// The next alert for an anniversary: `days_ahead` days before it, in the
/// morning, at or after `now`'s local day (today's alert counts while today lasts).
pub fn next_anniversary_alert<Tz: TimeZone>(
    month_day: (u32, u32),
    days_ahead: i64,
    now: DateTime<Utc>,
    tz: &Tz,
) -> DateTime<Utc> {
    let today = now.with_timezone(tz).date_naive();
    let mut year = today.year();
    loop {
        let alert_day = anniversary_in(year, month_day) - Duration::days(days_ahead);
        if alert_day >= today {
            return local_at(alert_day, morning(), tz);
        }
        year += 1;
    }
}

/// Whether an alert sent at `alerted_at` and not acknowledged is due to escalate.
pub fn escalate_at(alerted_at: DateTime<Utc>, after_minutes: i64) -> DateTime<Utc> {
    alerted_at + Duration::minutes(after_minutes.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Shanghai;
    use rstest::rstest;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[rstest]
    #[case("2026-11-24", "14:30", Ok("2026-11-24T06:30:00Z"))]
    // just after local midnight is still the previous UTC day
    #[case("2026-12-01", "00:10", Ok("2026-11-30T16:10:00Z"))]
    #[case("2027-01-01", "07:59", Ok("2026-12-31T23:59:00Z"))]
    #[case("2026-11-31", "10:00", Err("date"))]
    #[case("2026-11-24", "25:00", Err("time"))]
    #[case("tomorrow", "10:00", Err("date"))]
    fn schedule_times_in_shanghai(
        #[case] d: &str,
        #[case] t: &str,
        #[case] expected: Result<&str, &str>,
    ) {
        assert_eq!(parse_local(d, t, &Shanghai), expected.map(utc));
    }

    #[rstest]
    // New York, spring forward 2026-03-08: 02:30 does not exist → 03:00 EDT
    #[case("2026-03-08", "02:30", "2026-03-08T07:00:00Z")]
    // fall back 2026-11-01: 01:30 happens twice → the first (EDT)
    #[case("2026-11-01", "01:30", "2026-11-01T05:30:00Z")]
    #[case("2026-11-02", "09:00", "2026-11-02T14:00:00Z")]
    fn schedule_times_across_dst(#[case] d: &str, #[case] t: &str, #[case] expected: &str) {
        assert_eq!(parse_local(d, t, &New_York), Ok(utc(expected)));
    }

    #[rstest]
    // followed up 24 Nov 23:30 local (15:30 UTC); every 7 days → 1 Dec 09:00 local
    #[case("2026-11-24T15:30:00Z", 7, "2026-12-01T01:00:00Z")]
    // 00:30 local on 25 Nov is 24 Nov in UTC: still counts from 25 Nov
    #[case("2026-11-24T16:30:00Z", 7, "2026-12-02T01:00:00Z")]
    // across a month end and a year end
    #[case("2026-12-30T02:00:00Z", 3, "2027-01-02T01:00:00Z")]
    #[case("2027-02-27T02:00:00Z", 2, "2027-03-01T01:00:00Z")]
    fn revisits(#[case] last: &str, #[case] every: u32, #[case] expected: &str) {
        assert_eq!(next_revisit(utc(last), every, &Shanghai), utc(expected));
    }

    #[rstest]
    #[case("03-15", Some((3, 15)))]
    #[case("1980-03-15", Some((3, 15)))]
    #[case("02-29", Some((2, 29)))]
    #[case("02-30", None)]
    #[case("13-01", None)]
    #[case("", None)]
    #[case("3-15", None)]
    fn month_days(#[case] s: &str, #[case] expected: Option<(u32, u32)>) {
        assert_eq!(parse_month_day(s), expected);
    }

    #[rstest]
    // birthday 26 Nov, 2 days ahead → 24 Nov 09:00 local, still today
    #[case((11, 26), "2026-11-24T00:30:00Z", "2026-11-24T01:00:00Z")]
    // today's alert time has passed but the day lasts: stays today (sent at once)
    #[case((11, 26), "2026-11-24T15:59:00Z", "2026-11-24T01:00:00Z")]
    // after local midnight it is next year's
    #[case((11, 26), "2026-11-24T16:00:00Z", "2027-11-24T01:00:00Z")]
    // 1 Dec: 2 days ahead is 29 Nov (month end)
    #[case((12, 1), "2026-11-24T02:00:00Z", "2026-11-29T01:00:00Z")]
    // 1 Jan: the alert is on 30 Dec of the year before
    #[case((1, 1), "2026-12-15T02:00:00Z", "2026-12-30T01:00:00Z")]
    // 1 Mar 2028 (leap year): 28 Feb → alert 28 Feb - 1 = 28 Feb? no: 1 Mar - 2 = 28 Feb
    #[case((3, 1), "2028-02-01T02:00:00Z", "2028-02-28T01:00:00Z")]
    // 29 Feb birthday in a common year: celebrated 28 Feb, alert 26 Feb
    #[case((2, 29), "2027-02-01T02:00:00Z", "2027-02-26T01:00:00Z")]
    // 29 Feb in a leap year: alert 27 Feb
    #[case((2, 29), "2028-02-01T02:00:00Z", "2028-02-27T01:00:00Z")]
    fn anniversaries(#[case] md: (u32, u32), #[case] now: &str, #[case] expected: &str) {
        assert_eq!(
            next_anniversary_alert(md, ANNIVERSARY_DAYS_AHEAD, utc(now), &Shanghai),
            utc(expected)
        );
    }

    #[test]
    fn escalation_waits_the_configured_minutes() {
        let t = utc("2026-11-24T02:00:00Z");
        assert_eq!(escalate_at(t, 10), utc("2026-11-24T02:10:00Z"));
        assert_eq!(escalate_at(t, 0), utc("2026-11-24T02:01:00Z"));
    }
}
