//! What a clock, a status, a history action and a confiscation rule are called.

use crate::customers::model::Status;
use crate::i18n::*;
use leptos_i18n::I18nContext;

pub(super) fn clock_text(i18n: I18nContext<Locale>, clock: &str) -> String {
    match clock {
        "stage" => t_string!(i18n, clock_stage).to_string(),
        "followup" => t_string!(i18n, clock_followup).to_string(),
        "revisit" => t_string!(i18n, clock_revisit).to_string(),
        _ => t_string!(i18n, clock_no_deal).to_string(),
    }
}

pub(super) fn status_text(i18n: I18nContext<Locale>, status: Status) -> String {
    match status {
        Status::Draft => t_string!(i18n, status_draft).to_string(),
        Status::Owned => t_string!(i18n, status_owned).to_string(),
        Status::Held => t_string!(i18n, status_held).to_string(),
        Status::Pool => t_string!(i18n, status_pool).to_string(),
        Status::Lost => t_string!(i18n, status_lost).to_string(),
    }
}

pub(super) fn action_text(i18n: I18nContext<Locale>, action: &str) -> String {
    match action {
        "register" => t_string!(i18n, hist_register).to_string(),
        "register_locked" => t_string!(i18n, hist_register_locked).to_string(),
        "checklist" => t_string!(i18n, hist_checklist).to_string(),
        "qualify" => t_string!(i18n, hist_qualify).to_string(),
        "advance" => t_string!(i18n, hist_advance).to_string(),
        "skip" => t_string!(i18n, hist_skip).to_string(),
        "back" => t_string!(i18n, hist_back).to_string(),
        "confiscate" => t_string!(i18n, hist_confiscate).to_string(),
        "reassign" => t_string!(i18n, hist_reassign).to_string(),
        "keep" => t_string!(i18n, hist_keep).to_string(),
        "pool" | "release" => t_string!(i18n, hist_release).to_string(),
        "claim" => t_string!(i18n, hist_claim).to_string(),
        "lost_proposed" => t_string!(i18n, hist_lost_proposed).to_string(),
        "lost" => t_string!(i18n, hist_lost).to_string(),
        "lost_rejected" => t_string!(i18n, hist_lost_rejected).to_string(),
        "dispute_transfer" => t_string!(i18n, hist_dispute_transfer).to_string(),
        "referrer" => t_string!(i18n, hist_referrer).to_string(),
        "revisit_due" => t_string!(i18n, hist_revisit_due).to_string(),
        other => other.to_string(),
    }
}

pub(super) fn rule_text(i18n: I18nContext<Locale>, rule: &str) -> String {
    match rule {
        "stage_overdue" => t_string!(i18n, rule_stage_overdue).to_string(),
        "followup_overdue" => t_string!(i18n, rule_followup_overdue).to_string(),
        "no_deal_overdue" => t_string!(i18n, rule_no_deal_overdue).to_string(),
        "revisit_due" => t_string!(i18n, rule_revisit_due).to_string(),
        other => other.to_string(),
    }
}
