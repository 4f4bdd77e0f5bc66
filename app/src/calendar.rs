//! Days in the company's time zone, pure. Times are stored and compared in UTC;
//! a day (for clocks, day sums, logs, boards) is a calendar day in the zone the
//! admin set, so these are the only places that turn one into the other.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// The local calendar day of an instant.
pub fn local_day<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> NaiveDate {
    at.with_timezone(tz).date_naive()
}

/// The local day of `at`, as day sums are keyed (`YYYY-MM-DD`).
pub fn day_key<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> String {
    local_day(at, tz).format("%Y-%m-%d").to_string()
}

/// `date` at wall-clock `time` in `tz`, in UTC: the earlier instant when the time
/// repeats, the first valid instant after it when a DST gap swallows it.
pub fn local_at<Z: TimeZone>(date: NaiveDate, time: NaiveTime, tz: &Z) -> DateTime<Utc> {
    let mut t = date.and_time(time);
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
        t += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&t)
}

/// The first instant of `date` in `tz` (the earliest, if midnight repeats; the
/// first valid instant, if a DST gap swallows midnight).
pub fn local_midnight<Z: TimeZone>(date: NaiveDate, tz: &Z) -> DateTime<Utc> {
    local_at(date, NaiveTime::MIN, tz)
}

/// Midnight starting `now`'s local day (daily claim caps count from here).
pub fn start_of_local_day<Z: TimeZone>(now: DateTime<Utc>, tz: &Z) -> DateTime<Utc> {
    local_midnight(local_day(now, tz), tz)
}

/// The UTC bounds `[start, end)` of a local calendar day.
pub fn day_bounds<Z: TimeZone>(day: NaiveDate, tz: &Z) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        local_midnight(day, tz),
        local_midnight(day + Duration::days(1), tz),
    )
}

/// A full date and time in the company's zone, as a history shows it.
pub fn local_stamp<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    at.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string()
}

/// How lists show a time: month-day hour:minute in the company's zone.
pub fn local_label<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    at.with_timezone(tz).format("%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use chrono_tz::UTC;
    use rstest::rstest;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[rstest]
    #[case("2026-11-30T15:59:59Z", "Asia/Shanghai", "2026-11-30")]
    #[case("2026-11-30T16:00:00Z", "Asia/Shanghai", "2026-12-01")]
    #[case("2026-12-31T16:00:00Z", "Asia/Shanghai", "2027-01-01")]
    // New York: EST −5 before 2026-03-08, EDT −4 after
    #[case("2026-03-08T04:59:00Z", "America/New_York", "2026-03-07")]
    #[case("2026-03-08T05:00:00Z", "America/New_York", "2026-03-08")]
    #[case("2026-03-09T03:59:00Z", "America/New_York", "2026-03-08")]
    #[case("2026-03-09T04:00:00Z", "America/New_York", "2026-03-09")]
    fn days_are_local(#[case] at: &str, #[case] zone: &str, #[case] day: &str) {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        assert_eq!(day_key(utc(at), &tz), day);
        assert_eq!(local_day(utc(at), &tz).to_string(), day);
    }

    #[rstest]
    // Shanghai has no DST: the local day 24 Nov is 23 Nov 16:00 UTC → 24 Nov 16:00 UTC
    #[case("2026-11-24", "2026-11-23T16:00:00Z", "2026-11-24T16:00:00Z")]
    // month end and year end
    #[case("2026-11-30", "2026-11-29T16:00:00Z", "2026-11-30T16:00:00Z")]
    #[case("2026-12-31", "2026-12-30T16:00:00Z", "2026-12-31T16:00:00Z")]
    #[case("2028-02-29", "2028-02-28T16:00:00Z", "2028-02-29T16:00:00Z")]
    fn local_days_in_utc(#[case] day: &str, #[case] start: &str, #[case] end: &str) {
        let d: NaiveDate = day.parse().unwrap();
        assert_eq!(day_bounds(d, &Shanghai), (utc(start), utc(end)));
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let t = utc("2026-03-02T17:30:00Z"); // 01:30 on 3 March in Shanghai
        assert_eq!(
            start_of_local_day(t, &Shanghai),
            utc("2026-03-02T16:00:00Z")
        );
        assert_eq!(start_of_local_day(t, &UTC), utc("2026-03-02T00:00:00Z"));
    }

    #[rstest]
    #[case("2026-12-03T06:10:00Z", "Asia/Shanghai", "12-03 14:10")]
    #[case("2026-12-03T17:05:00Z", "Asia/Shanghai", "12-04 01:05")]
    #[case("2026-12-03T06:10:00Z", "UTC", "12-03 06:10")]
    fn labels_are_in_the_company_zone(#[case] at: &str, #[case] zone: &str, #[case] label: &str) {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        assert_eq!(local_label(utc(at), &tz), label);
    }

    #[rstest]
    // the history's "2026-12-03 06:10 UTC" is 14:10 in Shanghai
    #[case("2026-12-03T06:10:00Z", "Asia/Shanghai", "2026-12-03 14:10")]
    // after 16:00 UTC the Shanghai date is the next day, and the year turns
    #[case("2026-12-31T17:05:00Z", "Asia/Shanghai", "2027-01-01 01:05")]
    #[case("2026-03-08T07:30:00Z", "America/New_York", "2026-03-08 03:30")]
    fn stamps_are_in_the_company_zone(#[case] at: &str, #[case] zone: &str, #[case] stamp: &str) {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        assert_eq!(local_stamp(utc(at), &tz), stamp);
    }
}
