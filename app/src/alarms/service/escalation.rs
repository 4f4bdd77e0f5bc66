//! Escalation of alarms nobody answered in time.

use super::*;

/// What one escalation pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EscalationReport {
    pub escalated: usize,
}

/// Unanswered alarms past their escalation time tell the raiser's manager (level
/// 1), then the manager's manager or the boss (level 2), through notifications.
pub async fn escalate(state: &AppState) -> AppResult<EscalationReport> {
    let now = state.now();
    let hours = state.config.alarm_escalate_hours;
    let mut report = EscalationReport::default();
    let org = crate::funnel::snapshot::config(state).await?.org.clone();
    for due in repo::due_escalations(&state.db, now).await? {
        let manager = org.head_above(Some(&due.department), Some(&due.raiser));
        let target = match due.escalated {
            0 => manager,
            _ => {
                let above = manager.as_deref().and_then(|m| {
                    org.headed_by(m)
                        .and_then(|d| org.head_above(Some(&d), Some(m)))
                });
                match above {
                    Some(a) => Some(a),
                    None => repo::bosses(&state.db)
                        .await?
                        .into_iter()
                        .find(|b| Some(b) != manager.as_ref() && *b != due.raiser),
                }
            }
        };
        let next = next_escalation(
            due.at,
            due.escalated + 1,
            hours,
            &WorkWeek::default(),
            &state.config.timezone,
        );
        if repo::escalate(&state.db, &due.id, due.escalated, next, target, now).await? {
            report.escalated += 1;
        }
    }
    Ok(report)
}
