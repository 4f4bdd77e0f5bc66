//! Parsing the admin's funnel settings, pure: stages and per-department limits.

use crate::funnel::rules::{Destination, Limits};

/// A refusal: (field, code).
pub type FieldRefusal = (&'static str, &'static str);

#[derive(Debug, Clone, PartialEq)]
pub struct StageInput {
    pub name: String,
    pub probability: u8,
    pub max_days: Option<u32>,
    pub feedback: Vec<String>,
    pub position: i64,
    pub active: bool,
}

/// The limits in force for one department.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub limits: Limits,
    pub reclaim_days: u32,
    pub daily_claims: Option<u32>,
}

fn number(field: &'static str, raw: &str, min: u32, max: u32) -> Result<u32, FieldRefusal> {
    let n: u32 = raw.trim().parse().map_err(|_| (field, "number_invalid"))?;
    if n < min || n > max {
        return Err((field, "number_range"));
    }
    Ok(n)
}

pub fn parse_stage(
    name: &str,
    probability: &str,
    max_days: &str,
    feedback: &str,
    position: &str,
    active: bool,
) -> Result<StageInput, FieldRefusal> {
    let name = crate::text::clean_field("name", name, crate::text::Shape::line(30))?;
    if name.is_empty() {
        return Err(("name", "required"));
    }
    let probability = number("probability", probability, 0, 100)? as u8;
    let max_days = if max_days.trim().is_empty() {
        None
    } else {
        Some(number("max_days", max_days, 1, 3650)?)
    };
    let feedback = crate::text::clean_field("feedback", feedback, crate::text::Shape::lines(1000))?;
    let feedback: Vec<String> = feedback
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if feedback.len() > 10 || feedback.iter().any(|l| l.chars().count() > 60) {
        return Err(("feedback", "too_long"));
    }
    let position: i64 = position
        .trim()
        .parse()
        .map_err(|_| ("position", "number_invalid"))?;
    Ok(StageInput {
        name,
        probability,
        max_days,
        feedback,
        position,
        active,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn parse_policy(
    followup_days: &str,
    no_deal_days: &str,
    max_owned: &str,
    won_counts: bool,
    warn_days: &str,
    destination: &str,
    reclaim_days: &str,
    daily_claims: &str,
    revisit_days: &str,
) -> Result<Policy, FieldRefusal> {
    Ok(Policy {
        limits: Limits {
            followup_days: number("followup_days", followup_days, 1, 365)?,
            no_deal_days: number("no_deal_days", no_deal_days, 1, 3650)?,
            max_owned: number("max_owned", max_owned, 1, 10_000)?,
            won_counts_toward_cap: won_counts,
            warn_days: number("warn_days", warn_days, 0, 60)?,
            destination: match destination.trim() {
                "pool" => Destination::Pool,
                "manager" => Destination::Manager,
                _ => return Err(("destination", "invalid")),
            },
            revisit_days: number("revisit_days", revisit_days, 1, 365)?,
        },
        reclaim_days: number("reclaim_days", reclaim_days, 0, 365)?,
        daily_claims: if daily_claims.trim().is_empty() {
            None
        } else {
            Some(number("daily_claims", daily_claims, 1, 1000)?)
        },
    })
}

/// The company defaults and every department's limits in force.
#[cfg(feature = "ssr")]
pub async fn policies(
    state: &crate::state::AppState,
) -> crate::error::AppResult<Vec<crate::funnel::model::PolicyInfo>> {
    use crate::funnel::model::PolicyContradiction;
    use crate::funnel::repo::{list_stages, load_policies, policy_info};
    use crate::funnel::rules::{contradictions, Contradiction};
    let policies = load_policies(&state.db).await?;
    let stages: Vec<_> = list_stages(&state.db, false)
        .await?
        .iter()
        .filter(|s| s.active)
        .map(|s| s.rule())
        .collect();
    let depts = crate::people::repo::list_departments(&state.db).await?;
    let with_warnings = |policy: &Policy, dept: Option<(&str, &str)>, inherited: bool| {
        let mut info = policy_info(policy, dept, inherited);
        info.contradictions = contradictions(&stages, &policy.limits)
            .into_iter()
            .map(|c| match c {
                Contradiction::NoDealBeforeWon {
                    no_deal_days,
                    stage_days,
                } => PolicyContradiction::NoDealBeforeWon {
                    no_deal_days,
                    stage_days,
                },
            })
            .collect();
        info
    };
    let mut out = vec![with_warnings(&policies.for_department(None), None, false)];
    for (d, _) in crate::people::rules::tree_order(&depts) {
        out.push(with_warnings(
            &policies.for_department(Some(&d.id)),
            Some((&d.id, &d.name)),
            !policies.has_override(&d.id),
        ));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::too_many_arguments)] // rstest case tables with one column per input
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("", "10", "", "", "0", Err(("name", "required")))]
    #[case("意向", "101", "", "", "0", Err(("probability", "number_range")))]
    #[case("意向", "x", "", "", "0", Err(("probability", "number_invalid")))]
    #[case("意向", "10", "0", "", "0", Err(("max_days", "number_range")))]
    #[case("意向", "10", "7", "", "a", Err(("position", "number_invalid")))]
    fn stage_refusals(
        #[case] name: &str,
        #[case] p: &str,
        #[case] days: &str,
        #[case] fb: &str,
        #[case] pos: &str,
        #[case] expected: Result<StageInput, FieldRefusal>,
    ) {
        assert_eq!(parse_stage(name, p, days, fb, pos, true), expected);
    }

    #[test]
    fn a_stage_with_feedback_lines() {
        let s = parse_stage(" 电话意向 ", "10", "7", "需求\n\n 预算 \n", "10", true).unwrap();
        assert_eq!(s.name, "电话意向");
        assert_eq!(s.max_days, Some(7));
        assert_eq!(s.feedback, vec!["需求", "预算"]);
        assert_eq!(
            parse_stage("稳定", "100", " ", "", "60", true)
                .unwrap()
                .max_days,
            None
        );
    }

    #[rstest]
    #[case("15", "30", "20", "3", "manager", "7", "", "30", Ok(()))]
    #[case("0", "30", "20", "3", "manager", "7", "", "30", Err(("followup_days", "number_range")))]
    #[case("15", "30", "abc", "3", "manager", "7", "", "30", Err(("max_owned", "number_invalid")))]
    #[case("15", "30", "20", "3", "sea", "7", "", "30", Err(("destination", "invalid")))]
    #[case("15", "30", "20", "3", "pool", "7", "0", "30", Err(("daily_claims", "number_range")))]
    #[case("15", "30", "20", "3", "pool", "7", "", "0", Err(("revisit_days", "number_range")))]
    #[case("15", "30", "20", "3", "pool", "7", "", "366", Err(("revisit_days", "number_range")))]
    #[case("15", "30", "20", "3", "pool", "7", "", "", Err(("revisit_days", "number_invalid")))]
    #[case("15", "30", "20", "3", "pool", "7", "", " 365 ", Ok(()))]
    fn policy_parsing(
        #[case] f: &str,
        #[case] n: &str,
        #[case] m: &str,
        #[case] w: &str,
        #[case] d: &str,
        #[case] r: &str,
        #[case] daily: &str,
        #[case] revisit: &str,
        #[case] expected: Result<(), FieldRefusal>,
    ) {
        assert_eq!(
            parse_policy(f, n, m, false, w, d, r, daily, revisit).map(|_| ()),
            expected
        );
    }
}
