//! Field-work rules: distance to the customer, what a manager must look at,
//! idempotency keys, daily-log windows and prefill. Pure functions.

use crate::calendar::local_day;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// A check-in farther than this from the customer's registered location is flagged.
pub const FAR_METRES: f64 = 500.0;
/// A position less precise than this is flagged.
pub const POOR_ACCURACY_METRES: f64 = 200.0;
/// A capture time this far from the server's time is flagged (a phone clock set
/// wrong, or a check-in that waited in the offline queue).
pub const CAPTURE_SKEW_MINUTES: i64 = 10;
/// Mean earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A position from the phone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lng: f64,
    pub accuracy: f64,
}

/// Great-circle distance in metres (haversine).
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lng1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lng2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlng = lng2 - lng1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Why a manager should look at a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Location denied or unavailable: saved without a position.
    NoPosition,
    Far,
    PoorAccuracy,
    /// The phone's capture time is far from the server's time.
    TimeSkew,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::NoPosition => "no_position",
            Flag::Far => "far",
            Flag::PoorAccuracy => "poor_accuracy",
            Flag::TimeSkew => "time_skew",
        }
    }
}

/// The distance to the customer (when both positions are known) and the flags.
pub fn assess(
    fix: Option<Fix>,
    customer: Option<(f64, f64)>,
    captured_at: Option<DateTime<Utc>>,
    server_now: DateTime<Utc>,
) -> (Option<f64>, Vec<Flag>) {
    let mut flags = Vec::new();
    let mut distance = None;
    match fix {
        None => flags.push(Flag::NoPosition),
        Some(f) => {
            if let Some(c) = customer {
                let d = haversine_m((f.lat, f.lng), c);
                if d > FAR_METRES {
                    flags.push(Flag::Far);
                }
                distance = Some(d);
            }
            if f.accuracy > POOR_ACCURACY_METRES {
                flags.push(Flag::PoorAccuracy);
            }
        }
    }
    if let Some(t) = captured_at {
        if (server_now - t).num_seconds().abs() > CAPTURE_SKEW_MINUTES * 60 {
            flags.push(Flag::TimeSkew);
        }
    }
    (distance, flags)
}

/// Checks the numbers of a position; `None` when any part is missing (denied).
pub fn parse_fix(lat: &str, lng: &str, accuracy: &str) -> Result<Option<Fix>, &'static str> {
    let (lat, lng, accuracy) = (lat.trim(), lng.trim(), accuracy.trim());
    if lat.is_empty() || lng.is_empty() {
        return Ok(None);
    }
    let lat: f64 = lat.parse().map_err(|_| "lat")?;
    let lng: f64 = lng.parse().map_err(|_| "lng")?;
    let accuracy: f64 = if accuracy.is_empty() {
        f64::INFINITY
    } else {
        accuracy.parse().map_err(|_| "accuracy")?
    };
    if !(-90.0..=90.0).contains(&lat) {
        return Err("lat");
    }
    if !(-180.0..=180.0).contains(&lng) {
        return Err("lng");
    }
    if accuracy.is_nan() || accuracy < 0.0 {
        return Err("accuracy");
    }
    Ok(Some(Fix { lat, lng, accuracy }))
}

/// An idempotency key from the phone: 8–64 letters, digits, '-' or '_'.
pub fn valid_key(key: &str) -> bool {
    (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The customers nearest to a position first; customers without a location last,
/// in their given order. Returns indexes into `places`.
pub fn nearest_first(here: (f64, f64), places: &[Option<(f64, f64)>]) -> Vec<(usize, Option<f64>)> {
    let mut out: Vec<(usize, Option<f64>)> = places
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.map(|p| haversine_m(here, p))))
        .collect();
    out.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.cmp(&b.0),
    });
    out
}

/// A daily log may be written and edited on its day and until the next day ends.
pub fn log_editable<Tz: TimeZone>(day: NaiveDate, now: DateTime<Utc>, tz: &Tz) -> bool {
    let today = local_day(now, tz);
    today >= day && today <= day + Duration::days(1)
}

/// One thing the rep did that day, for the daily-log prefill.
#[derive(Debug, Clone, PartialEq)]
pub struct DayItem {
    pub at: DateTime<Utc>,
    /// "checkin" | "followup" | "advance" | "skip" | "won" …
    pub kind: String,
    pub customer: String,
    pub detail: String,
}

/// The day's activity in time order, check-ins, follow-ups and stage moves only,
/// repeated visits to one customer kept (each is a visit).
pub fn prefill(items: &[DayItem]) -> Vec<DayItem> {
    let mut out: Vec<DayItem> = items
        .iter()
        .filter(|i| {
            matches!(
                i.kind.as_str(),
                "checkin" | "followup" | "advance" | "skip" | "won"
            )
        })
        .cloned()
        .collect();
    out.sort_by_key(|i| i.at);
    out
}

/// Effective working hours as typed ("7.5", "7,5"): 0–24 in quarter hours at most.
pub fn parse_hours(input: &str) -> Result<f64, &'static str> {
    let t = input.trim().replace(',', ".");
    if t.is_empty() {
        return Ok(0.0);
    }
    let h: f64 = t.parse().map_err(|_| "invalid")?;
    if !h.is_finite() || !(0.0..=24.0).contains(&h) {
        return Err("out_of_range");
    }
    Ok((h * 4.0).round() / 4.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;
    use rstest::rstest;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[rstest]
    // same point
    #[case((31.2304, 121.4737), (31.2304, 121.4737), 0.0, 0.5)]
    // Shanghai People's Square → the Bund: about 1.6 km
    #[case((31.2304, 121.4737), (31.2400, 121.4900), 1_900.0, 60.0)]
    // one degree of latitude ≈ 111.2 km
    #[case((0.0, 0.0), (1.0, 0.0), 111_195.0, 20.0)]
    // Beijing → Shanghai ≈ 1,067 km
    #[case((39.9042, 116.4074), (31.2304, 121.4737), 1_067_000.0, 3_000.0)]
    // across the antimeridian: short way round
    #[case((0.0, 179.9), (0.0, -179.9), 22_239.0, 20.0)]
    // antipodes: half the circumference, no NaN
    #[case((0.0, 0.0), (0.0, 180.0), 20_015_115.0, 100.0)]
    fn haversine_distances(
        #[case] a: (f64, f64),
        #[case] b: (f64, f64),
        #[case] expected: f64,
        #[case] tolerance: f64,
    ) {
        let d = haversine_m(a, b);
        assert!((d - expected).abs() <= tolerance, "{d} vs {expected}");
        assert!((haversine_m(b, a) - d).abs() < 1e-6, "symmetric");
    }

    const NOW: &str = "2026-11-24T02:00:00Z";
    const SHOP: (f64, f64) = (31.2304, 121.4737);

    fn fix(lat: f64, lng: f64, accuracy: f64) -> Option<Fix> {
        Some(Fix { lat, lng, accuracy })
    }

    #[rstest]
    #[case::on_site(fix(31.2305, 121.4738, 20.0), Some(SHOP), Some(NOW), &[])]
    #[case::far(fix(31.2400, 121.4900, 20.0), Some(SHOP), Some(NOW), &[Flag::Far])]
    #[case::just_inside(fix(31.2348, 121.4737, 20.0), Some(SHOP), Some(NOW), &[])]
    #[case::just_outside(fix(31.2350, 121.4737, 20.0), Some(SHOP), Some(NOW), &[Flag::Far])]
    #[case::poor_accuracy(fix(31.2304, 121.4737, 250.0), Some(SHOP), Some(NOW), &[Flag::PoorAccuracy])]
    #[case::accuracy_limit(fix(31.2304, 121.4737, 200.0), Some(SHOP), Some(NOW), &[])]
    #[case::denied(None, Some(SHOP), Some(NOW), &[Flag::NoPosition])]
    #[case::customer_unlocated(fix(31.2304, 121.4737, 20.0), None, Some(NOW), &[])]
    #[case::queued_an_hour(fix(31.2304, 121.4737, 20.0), Some(SHOP), Some("2026-11-24T01:00:00Z"), &[Flag::TimeSkew])]
    #[case::clock_ahead(fix(31.2304, 121.4737, 20.0), Some(SHOP), Some("2026-11-24T02:11:00Z"), &[Flag::TimeSkew])]
    #[case::nine_minutes(fix(31.2304, 121.4737, 20.0), Some(SHOP), Some("2026-11-24T01:51:00Z"), &[])]
    #[case::everything(None, Some(SHOP), Some("2026-11-23T02:00:00Z"), &[Flag::NoPosition, Flag::TimeSkew])]
    #[case::far_and_vague(fix(31.3, 121.4737, 900.0), Some(SHOP), None, &[Flag::Far, Flag::PoorAccuracy])]
    fn flags_for_the_manager(
        #[case] f: Option<Fix>,
        #[case] customer: Option<(f64, f64)>,
        #[case] captured: Option<&str>,
        #[case] expected: &[Flag],
    ) {
        let (distance, flags) = assess(f, customer, captured.map(utc), utc(NOW));
        assert_eq!(flags, expected);
        assert_eq!(distance.is_some(), f.is_some() && customer.is_some());
    }

    #[rstest]
    #[case("31.23", "121.47", "15", Ok(Some(Fix { lat: 31.23, lng: 121.47, accuracy: 15.0 })))]
    #[case("", "", "", Ok(None))]
    #[case("31.23", "", "15", Ok(None))]
    #[case("91", "121", "15", Err("lat"))]
    #[case("31", "181", "15", Err("lng"))]
    #[case("abc", "121", "15", Err("lat"))]
    #[case("31", "121", "-1", Err("accuracy"))]
    #[case("31", "121", "NaN", Err("accuracy"))]
    fn positions(
        #[case] lat: &str,
        #[case] lng: &str,
        #[case] acc: &str,
        #[case] expected: Result<Option<Fix>, &str>,
    ) {
        assert_eq!(parse_fix(lat, lng, acc), expected);
    }

    #[test]
    fn a_missing_accuracy_counts_as_poor() {
        let f = parse_fix("31.2304", "121.4737", "").unwrap();
        let (_, flags) = assess(f, Some(SHOP), None, utc(NOW));
        assert_eq!(flags, vec![Flag::PoorAccuracy]);
    }

    #[rstest]
    #[case("0192f0b2-6b1c-7c2a-9d3e-4f5a6b7c8d9e", true)]
    #[case("abcdefgh", true)]
    #[case("abc_def-1234", true)]
    #[case("short", false)]
    #[case("", false)]
    #[case("has space in it", false)]
    #[case("semi;colon!", false)]
    #[case("⟨x⟩abcdefgh", false)]
    fn idempotency_keys(#[case] key: &str, #[case] ok: bool) {
        assert_eq!(valid_key(key), ok);
        assert!(!valid_key(&"a".repeat(65)));
    }

    #[test]
    fn nearest_customers_first_unlocated_last() {
        let here = (31.2304, 121.4737);
        let places = [
            None,
            Some((31.30, 121.47)),
            Some((31.2310, 121.4740)),
            None,
            Some((39.9, 116.4)),
        ];
        let order: Vec<usize> = nearest_first(here, &places).iter().map(|x| x.0).collect();
        assert_eq!(order, vec![2, 1, 4, 0, 3]);
    }

    #[rstest]
    // 23:59 local on the day itself
    #[case("2026-11-24", "2026-11-24T15:59:00Z", true)]
    // the next local day, any time
    #[case("2026-11-24", "2026-11-24T16:00:00Z", true)]
    #[case("2026-11-24", "2026-11-25T15:59:59Z", true)]
    // two days later: closed
    #[case("2026-11-24", "2026-11-25T16:00:00Z", false)]
    // a future day: not yet
    #[case("2026-11-25", "2026-11-24T10:00:00Z", false)]
    // across a month end
    #[case("2026-11-30", "2026-12-01T12:00:00Z", true)]
    fn daily_log_window(#[case] day: &str, #[case] now: &str, #[case] open: bool) {
        assert_eq!(
            log_editable(day.parse().unwrap(), utc(now), &Shanghai),
            open
        );
    }

    fn item(at: &str, kind: &str, customer: &str) -> DayItem {
        DayItem {
            at: utc(at),
            kind: kind.into(),
            customer: customer.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn prefill_keeps_visits_follow_ups_and_moves_in_time_order() {
        let items = [
            item("2026-11-24T08:00:00Z", "advance", "甲"),
            item("2026-11-24T01:00:00Z", "checkin", "乙"),
            item("2026-11-24T03:00:00Z", "confiscate", "丙"),
            item("2026-11-24T02:00:00Z", "followup", "乙"),
            item("2026-11-24T05:00:00Z", "checkin", "乙"),
            item("2026-11-24T06:00:00Z", "daily_log", ""),
        ];
        let kinds: Vec<(String, String)> = prefill(&items)
            .into_iter()
            .map(|i| (i.kind, i.customer))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("checkin".into(), "乙".into()),
                ("followup".into(), "乙".into()),
                ("checkin".into(), "乙".into()),
                ("advance".into(), "甲".into()),
            ]
        );
        assert!(prefill(&[]).is_empty());
    }

    #[rstest]
    #[case("7.5", Ok(7.5))]
    #[case("7,5", Ok(7.5))]
    #[case("", Ok(0.0))]
    #[case("8.1", Ok(8.0))]
    #[case("24", Ok(24.0))]
    #[case("25", Err("out_of_range"))]
    #[case("-1", Err("out_of_range"))]
    #[case("eight", Err("invalid"))]
    #[case("inf", Err("out_of_range"))]
    fn working_hours(#[case] input: &str, #[case] expected: Result<f64, &str>) {
        assert_eq!(parse_hours(input), expected);
    }
}
