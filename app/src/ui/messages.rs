//! What the user reads when something went wrong or is on its way: the
//! translated message of every error code, the error box, the loading line.

use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading">{t!(i18n, loading)}</p> }
}

/// The translated message for an error code sent by the server.
pub fn code_text(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "bad_credentials" => t_string!(i18n, err_bad_credentials).to_string(),
        "required" => t_string!(i18n, err_required).to_string(),
        "password_too_short" => t_string!(i18n, err_password_too_short).to_string(),
        "password_too_long" => t_string!(i18n, err_password_too_long).to_string(),
        "password_needs_letter_and_digit" => {
            t_string!(i18n, err_password_needs_letter_and_digit).to_string()
        }
        "password_mismatch" => t_string!(i18n, err_password_mismatch).to_string(),
        "wrong_password" => t_string!(i18n, err_wrong_password).to_string(),
        "login_length" => t_string!(i18n, err_login_length).to_string(),
        "login_chars" => t_string!(i18n, err_login_chars).to_string(),
        "name_too_long" => t_string!(i18n, err_name_too_long).to_string(),
        "name_chars" => t_string!(i18n, err_name_chars).to_string(),
        "phone_invalid" => t_string!(i18n, err_phone_invalid).to_string(),
        "login_taken" => t_string!(i18n, err_login_taken).to_string(),
        "already_set_up" => t_string!(i18n, err_already_set_up).to_string(),
        "department_cycle" => t_string!(i18n, err_department_cycle).to_string(),
        "cannot_deactivate_self" => t_string!(i18n, err_cannot_deactivate_self).to_string(),
        "last_admin" => t_string!(i18n, err_last_admin).to_string(),
        "only_admin_grants_admin" => t_string!(i18n, err_only_admin_grants_admin).to_string(),
        "forbidden" => t_string!(i18n, err_forbidden).to_string(),
        "unknown_role" => t_string!(i18n, err_unknown_role).to_string(),
        "not_found" => t_string!(i18n, err_reference_not_found).to_string(),
        "unknown_language" => t_string!(i18n, err_unknown_language).to_string(),
        "duplicate" => t_string!(i18n, err_duplicate).to_string(),
        "phone_required" => t_string!(i18n, err_phone_required).to_string(),
        "too_many_phones" => t_string!(i18n, err_too_many_phones).to_string(),
        "too_long" => t_string!(i18n, err_too_long).to_string(),
        "name_invalid" => t_string!(i18n, err_name_invalid).to_string(),
        "location_invalid" => t_string!(i18n, err_location_invalid).to_string(),
        "date_invalid" => t_string!(i18n, err_date_invalid).to_string(),
        "amount_invalid" => t_string!(i18n, err_amount_invalid).to_string(),
        "feedback_required" => t_string!(i18n, err_feedback_required).to_string(),
        "skip_needs_reason" => t_string!(i18n, err_skip_needs_reason).to_string(),
        "same_stage" => t_string!(i18n, err_same_stage).to_string(),
        "unknown_stage" => t_string!(i18n, err_unknown_stage).to_string(),
        "post_mortem_short" => t_string!(i18n, err_post_mortem_short).to_string(),
        "stale" => t_string!(i18n, err_stale).to_string(),
        "own_alarm" => t_string!(i18n, err_own_alarm).to_string(),
        "alarm_closed" => t_string!(i18n, err_alarm_closed).to_string(),
        "lost_pending" => t_string!(i18n, err_lost_pending).to_string(),
        "not_proposed" => t_string!(i18n, err_not_proposed).to_string(),
        "story_closed" => t_string!(i18n, err_story_closed).to_string(),
        "unknown_filter" => t_string!(i18n, err_unknown_filter).to_string(),
        "unknown_period" => t_string!(i18n, err_unknown_period).to_string(),
        "unknown_measure" => t_string!(i18n, err_unknown_measure).to_string(),
        "range_reversed" => t_string!(i18n, err_range_reversed).to_string(),
        "range_too_long" => t_string!(i18n, err_range_too_long).to_string(),
        "weight_range" => t_string!(i18n, err_weight_range).to_string(),
        "referral_cycle" => t_string!(i18n, err_referral_cycle).to_string(),
        "not_owned" => t_string!(i18n, err_not_owned).to_string(),
        "at_cap" => t_string!(i18n, err_at_cap).to_string(),
        "below_cap" => t_string!(i18n, err_below_cap).to_string(),
        "reclaim_cooldown" => t_string!(i18n, err_reclaim_cooldown).to_string(),
        "daily_claims" => t_string!(i18n, err_daily_claims).to_string(),
        "not_in_pool" => t_string!(i18n, err_not_in_pool).to_string(),
        "target_at_cap" => t_string!(i18n, err_target_at_cap).to_string(),
        "dispute_open" => t_string!(i18n, err_dispute_open).to_string(),
        "already_yours" => t_string!(i18n, err_already_yours).to_string(),
        "number_invalid" => t_string!(i18n, err_number_invalid).to_string(),
        "too_large" => t_string!(i18n, err_photo_too_large).to_string(),
        "not_image" => t_string!(i18n, err_not_image).to_string(),
        "too_many" => t_string!(i18n, err_too_many_photos).to_string(),
        "log_closed" => t_string!(i18n, err_log_closed).to_string(),
        "in_past" => t_string!(i18n, err_in_past).to_string(),
        "number_range" => t_string!(i18n, err_number_range).to_string(),
        "search_short" => t_string!(i18n, err_search_short).to_string(),
        "not_active" => t_string!(i18n, err_not_active).to_string(),
        "control_chars" => t_string!(i18n, err_control_chars).to_string(),
        "bidi_chars" => t_string!(i18n, err_bidi_chars).to_string(),
        "invalid_chars" => t_string!(i18n, err_invalid_chars).to_string(),
        "malformed" | "invalid_utf8" | "content_type" => t_string!(i18n, err_malformed).to_string(),
        "body_too_large" => t_string!(i18n, err_too_large).to_string(),
        "no_manager" => t_string!(i18n, err_no_manager).to_string(),
        "import_started" => t_string!(i18n, err_import_started).to_string(),
        "too_many_posts" => t_string!(i18n, err_too_many_posts).to_string(),
        "race" => t_string!(i18n, err_race).to_string(),
        "unchanged" => t_string!(i18n, err_unchanged).to_string(),
        "close_before_registration" => t_string!(i18n, err_close_before_registration).to_string(),
        "phone_already_there" => t_string!(i18n, err_phone_already_there).to_string(),
        "decided" => t_string!(i18n, err_decided).to_string(),
        "changed_since" => t_string!(i18n, err_changed_since).to_string(),
        _ => t_string!(i18n, err_invalid).to_string(),
    }
}

pub fn error_text(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Validation { code, .. } | AppError::Conflict { code } => code_text(i18n, code),
        AppError::NotFound => t_string!(i18n, err_not_found).to_string(),
        AppError::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        AppError::Unauthorized => t_string!(i18n, err_unauthorized).to_string(),
        AppError::RateLimited => t_string!(i18n, err_rate_limited).to_string(),
        AppError::Internal { id } => format!("{} {id}", t_string!(i18n, err_internal)),
        AppError::Transport { .. } => t_string!(i18n, err_network).to_string(),
    }
}

#[component]
pub fn ErrorBox(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="form-error" role="alert">{move || error_text(i18n, &err)}</p> }
}
