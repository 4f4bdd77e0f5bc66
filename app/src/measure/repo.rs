//! Reads of the day and month sums (`server/schema/100_measure.surql`), the
//! pipeline, the settings; the daily pipeline snapshot.

use crate::db::{checked, Db};
use crate::error::AppResult;
use crate::measure::rules::{live_from, next_month, pieces, DaySum, Piece, Span, Tally, Weights};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use surrealdb::types::SurrealValue;

/// A day's or a month's counts, read row by row and added up here: a GROUP BY
/// with ten sums took twice as long in the store as reading the same 190 rows.
/// Rows written before a counter existed read it as 0.
const SUMS: &str = "hours ?? 0.0 AS hours, visits ?? 0 AS visits, \
     followups ?? 0 AS followups, gained ?? 0 AS gained, lost ?? 0 AS lost, \
     locked ?? 0 AS locked, won ?? 0 AS won, won_cents ?? 0 AS won_cents, \
     supported ?? 0 AS supported, resolved ?? 0 AS resolved";

#[derive(Debug, Clone, SurrealValue)]
struct SumRow {
    user: String,
    hours: f64,
    visits: i64,
    followups: i64,
    gained: i64,
    lost: i64,
    locked: i64,
    won: i64,
    won_cents: i64,
    supported: i64,
    resolved: i64,
}

impl SumRow {
    fn tally(&self) -> Tally {
        Tally {
            hours: self.hours,
            visits: self.visits,
            followups: self.followups,
            gained: self.gained,
            lost: self.lost,
            locked: self.locked,
            won: self.won,
            won_cents: self.won_cents,
            supported: self.supported,
            resolved: self.resolved,
            pipe_cp: None,
            pipe_n: None,
        }
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Every person's sums over `span`, read by [`pieces`]: month sums, day sums,
/// or a month's sum less some days, each a record-id range (the keys are made
/// by this module from dates, never from input text).
pub async fn tallies(db: &Db, span: Span, today: NaiveDate) -> AppResult<HashMap<String, Tally>> {
    let month = |m: &str| -> String {
        let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap_or_default();
        format!(
            "SELECT record::id(user) AS user, {SUMS} FROM rep_month:['{m}']..['{}']",
            next_month(first).format("%Y-%m")
        )
    };
    let days = |s: &Span| -> String {
        format!(
            "SELECT record::id(user) AS user, {SUMS} FROM rep_day:['{}']..['{}']",
            ymd(s.from),
            ymd(s.until)
        )
    };
    // (query, whether its sums are taken away)
    let mut sql: Vec<(String, bool)> = Vec::new();
    for p in pieces(span, today) {
        match p {
            Piece::Month(m) => sql.push((month(&m), false)),
            Piece::Days(s) => sql.push((days(&s), false)),
            Piece::MonthLess(m, out) => {
                sql.push((month(&m), false));
                sql.extend(out.iter().map(|s| (days(s), true)));
            }
        }
    }
    let mut out: HashMap<String, Tally> = HashMap::new();
    if sql.is_empty() {
        return Ok(out);
    }
    let text: Vec<&str> = sql.iter().map(|(q, _)| q.as_str()).collect();
    let mut resp = checked(db.query(text.join(";\n")).await?)?;
    for (i, (_, less)) in sql.iter().enumerate() {
        let rows: Vec<SumRow> = resp.take(i)?;
        for r in rows {
            let t = out.entry(r.user.clone()).or_default();
            if *less {
                t.subtract(&r.tally());
            } else {
                t.add(&r.tally());
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, SurrealValue)]
struct PipeRow {
    user: String,
    cp: Option<i64>,
    n: Option<i64>,
}

/// Everyone's open pipeline: now (`day` None), or as snapshotted at the end of `day`.
pub async fn pipelines(db: &Db, day: Option<NaiveDate>) -> AppResult<HashMap<String, (i64, i64)>> {
    let sql = match day {
        None => "SELECT record::id(user) AS user, cp, n FROM rep_pipe".to_string(),
        Some(d) => format!(
            "SELECT record::id(user) AS user, pipe_cp AS cp, pipe_n AS n FROM rep_day:['{}']..['{}'] \
             WHERE pipe_cp != NONE",
            ymd(d),
            ymd(d + Duration::days(1))
        ),
    };
    let mut resp = checked(db.query(sql).await?)?;
    let rows: Vec<PipeRow> = resp.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user, (r.cp.unwrap_or(0), r.n.unwrap_or(0))))
        .collect())
}

/// Writes everyone's current pipeline into their day `day` (the value at the
/// day's end is the last one written that day).
pub async fn snapshot_pipelines(db: &Db, day: NaiveDate) -> AppResult<()> {
    checked(
        db.query(
            "FOR $p IN (SELECT user, cp, n, user.department AS department FROM rep_pipe) {
                 UPSERT type::record('rep_day', [$day, record::id($p.user)]) SET
                     user = $p.user, department = $p.department, day = $day,
                     pipe_cp = $p.cp, pipe_n = $p.n RETURN NONE;
             };",
        )
        .bind(("day", ymd(day)))
        .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
pub struct DayRow {
    pub day: String,
    pub hours: f64,
    pub visits: i64,
    pub followups: i64,
    pub gained: i64,
    pub lost: i64,
    pub moved: Option<BTreeMap<String, i64>>,
    pub dropped: Option<BTreeMap<String, i64>>,
}

impl DayRow {
    pub fn sum(&self) -> DaySum {
        DaySum {
            tally: Tally {
                hours: self.hours,
                visits: self.visits,
                followups: self.followups,
                gained: self.gained,
                lost: self.lost,
                ..Default::default()
            },
            moved: self.moved.clone().unwrap_or_default(),
            dropped: self.dropped.clone().unwrap_or_default(),
        }
    }
}

const DAY_FIELDS: &str = "day, hours, visits, followups, gained, lost, moved, dropped";

/// A record key made by the app (a department's id): letters, digits, `_`.
fn plain_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One person's days in `span`, and their department's: its settled days
/// (`dept_day`, one row a day) up to [`live_from`], then its people's live rows
/// (at most a few days of them). The person's and the department's are read
/// side by side.
pub async fn curves(
    db: &Db,
    user: &str,
    department: &str,
    span: Span,
) -> AppResult<(Vec<DayRow>, Vec<DayRow>)> {
    let (from, until) = (ymd(span.from), ymd(span.until));
    let mine = async {
        let mut resp = checked(
            db.query(format!(
                "SELECT {DAY_FIELDS} FROM rep_day \
                   WHERE user = type::record('user', $u) AND day >= $from AND day < $until"
            ))
            .bind(("u", user.to_string()))
            .bind(("from", from.clone()))
            .bind(("until", until.clone()))
            .await?,
        )?;
        AppResult::Ok(resp.take::<Vec<DayRow>>(0)?)
    };
    let theirs = async {
        let live = ymd(live_from(span, settled(db).await?));
        // the settled days by record-id range (keys made here from a stored
        // department id and dates, never from input text)
        let settled_rows = if plain_key(department) && live > from {
            format!("SELECT {DAY_FIELDS} FROM dept_day:['{department}', '{from}']..['{department}', '{live}']")
        } else {
            "RETURN []".to_string()
        };
        let mut resp = checked(
            db.query(format!(
                "{settled_rows};
                 SELECT {DAY_FIELDS} FROM rep_day \
                   WHERE department = type::record('department', $d) AND day >= $live AND day < $until"
            ))
            .bind(("d", department.to_string()))
            .bind(("live", live))
            .bind(("until", until.clone()))
            .await?,
        )?;
        let mut rows: Vec<DayRow> = resp.take(0)?;
        rows.extend(resp.take::<Vec<DayRow>>(1)?);
        AppResult::Ok(rows)
    };
    let (mine, theirs) = tokio::join!(mine, theirs);
    Ok((mine?, theirs?))
}

#[derive(Debug, Clone, SurrealValue)]
struct SettledRow {
    through: String,
}

/// The last day whose department sums are written (`dept_day`).
pub async fn settled(db: &Db) -> AppResult<Option<NaiveDate>> {
    let mut resp = checked(
        db.query("SELECT through FROM measure_settled:current")
            .await?,
    )?;
    let row: Option<SettledRow> = resp.take(0)?;
    Ok(row.and_then(|r| NaiveDate::parse_from_str(&r.through, "%Y-%m-%d").ok()))
}

/// The first day anyone has sums for (rep_day's keys begin with the day).
pub async fn first_day(db: &Db) -> AppResult<Option<NaiveDate>> {
    let mut resp = checked(db.query("SELECT VALUE day FROM rep_day LIMIT 1").await?)?;
    let day: Option<String> = resp.take(0)?;
    Ok(day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

#[derive(Debug, Clone, SurrealValue)]
struct PersonDayRow {
    department: Option<String>,
    day: String,
    hours: f64,
    visits: i64,
    followups: i64,
    gained: i64,
    lost: i64,
    moved: Option<BTreeMap<String, i64>>,
    dropped: Option<BTreeMap<String, i64>>,
}

/// Everyone's rows in `span`, summed by department and day.
pub async fn department_days(db: &Db, span: Span) -> AppResult<BTreeMap<(String, String), DaySum>> {
    let mut resp = checked(
        db.query(format!(
            "SELECT record::id(department) AS department, {DAY_FIELDS} FROM rep_day:['{}']..['{}']",
            ymd(span.from),
            ymd(span.until)
        ))
        .await?,
    )?;
    let rows: Vec<PersonDayRow> = resp.take(0)?;
    let mut out: BTreeMap<(String, String), DaySum> = BTreeMap::new();
    for r in rows {
        let Some(dept) = r.department.clone() else {
            continue;
        };
        let row = DayRow {
            day: r.day,
            hours: r.hours,
            visits: r.visits,
            followups: r.followups,
            gained: r.gained,
            lost: r.lost,
            moved: r.moved,
            dropped: r.dropped,
        };
        out.entry((dept, row.day.clone()))
            .or_default()
            .add(&row.sum());
    }
    Ok(out)
}

/// Writes departments' settled days (replacing what was there) and moves
/// `through` on, in one transaction.
pub async fn write_settled(
    db: &Db,
    sums: &BTreeMap<(String, String), DaySum>,
    through: NaiveDate,
) -> AppResult<()> {
    let rows: Vec<serde_json::Value> = sums
        .iter()
        .map(|((dept, day), s)| {
            serde_json::json!({
                "department": dept, "day": day,
                "hours": s.tally.hours, "visits": s.tally.visits, "followups": s.tally.followups,
                "gained": s.tally.gained, "lost": s.tally.lost,
                "moved": s.moved, "dropped": s.dropped,
            })
        })
        .collect();
    checked(
        db.query(
            "BEGIN TRANSACTION;
             FOR $r IN $rows {
                 UPSERT type::record('dept_day', [$r.department, $r.day]) CONTENT {
                     department: type::record('department', $r.department), day: $r.day,
                     hours: $r.hours, visits: $r.visits, followups: $r.followups,
                     gained: $r.gained, lost: $r.lost, moved: $r.moved, dropped: $r.dropped,
                 } RETURN NONE;
             };
             UPSERT measure_settled:current SET through = $through RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("rows", rows))
        .bind(("through", ymd(through)))
        .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
struct ConfigRow {
    advance_weight: i64,
    visit_weight: i64,
    followup_weight: i64,
    confiscation_weight: i64,
    reps_see_company: bool,
}

/// The weights and whether reps see the company board (defaults until saved).
pub async fn settings(db: &Db) -> AppResult<(Weights, bool)> {
    let mut resp = checked(
        db.query(
            "SELECT advance_weight, visit_weight, followup_weight, confiscation_weight, reps_see_company \
             FROM measure_config:current",
        )
        .await?,
    )?;
    let row: Option<ConfigRow> = resp.take(0)?;
    Ok(match row {
        Some(r) => (
            Weights {
                advance: r.advance_weight,
                visit: r.visit_weight,
                followup: r.followup_weight,
                confiscation: r.confiscation_weight,
            },
            r.reps_see_company,
        ),
        None => (Weights::default(), false),
    })
}

/// Saves the settings and audits the change (before and after).
pub async fn save_settings(
    db: &Db,
    actor: &str,
    w: Weights,
    reps_see_company: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    checked(
        db.query(
            "BEGIN TRANSACTION;
             LET $before = (SELECT advance_weight, visit_weight, followup_weight, confiscation_weight,
                 reps_see_company FROM measure_config:current)[0];
             UPSERT measure_config:current SET advance_weight = $w.advance, visit_weight = $w.visit,
                 followup_weight = $w.followup, confiscation_weight = $w.confiscation,
                 reps_see_company = $rsc, updated_by = type::record('user', $actor), updated_at = $now
                 RETURN NONE;
             CREATE audit_log CONTENT {
                 actor: type::record('user', $actor), action: 'measure_settings',
                 target: measure_config:current,
                 detail: { before: $before, weights: $w, reps_see_company: $rsc },
             } RETURN NONE;
             COMMIT TRANSACTION;",
        )
        .bind(("w", WeightsIn::from(w)))
        .bind(("rsc", reps_see_company))
        .bind(("actor", actor.to_string()))
        .bind(("now", now))
        .await?,
    )?;
    Ok(())
}

#[derive(Debug, Clone, SurrealValue)]
struct WeightsIn {
    advance: i64,
    visit: i64,
    followup: i64,
    confiscation: i64,
}

impl From<Weights> for WeightsIn {
    fn from(w: Weights) -> Self {
        WeightsIn {
            advance: w.advance,
            visit: w.visit,
            followup: w.followup,
            confiscation: w.confiscation,
        }
    }
}
