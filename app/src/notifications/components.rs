//! The notifications page (the bell leads here).

use crate::i18n::*;
use crate::notifications::api::*;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

fn notification_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "confiscated" => t_string!(i18n, note_confiscated).to_string(),
        "inbox" => t_string!(i18n, note_inbox).to_string(),
        "warning_rep" => t_string!(i18n, note_warning_rep).to_string(),
        "warning_manager" => t_string!(i18n, note_warning_manager).to_string(),
        "assigned" => t_string!(i18n, note_assigned).to_string(),
        "reassigned_away" => t_string!(i18n, note_reassigned_away).to_string(),
        "moved_back" => t_string!(i18n, note_moved_back).to_string(),
        "won" => t_string!(i18n, note_won).to_string(),
        "lost_proposed" => t_string!(i18n, note_lost_proposed).to_string(),
        "lost" => t_string!(i18n, note_lost).to_string(),
        "lost_rejected" => t_string!(i18n, note_lost_rejected).to_string(),
        "dispute_kept" => t_string!(i18n, note_dispute_kept).to_string(),
        "dispute_transferred" => t_string!(i18n, note_dispute_transferred).to_string(),
        "comment" => t_string!(i18n, note_comment).to_string(),
        "reminder" => t_string!(i18n, note_reminder).to_string(),
        "revisit_due" => t_string!(i18n, note_revisit_due).to_string(),
        "change_requested" => t_string!(i18n, note_change_requested).to_string(),
        "change_approved" => t_string!(i18n, note_change_approved).to_string(),
        "change_refused" => t_string!(i18n, note_change_refused).to_string(),
        "revisit_missed" => t_string!(i18n, note_revisit_missed).to_string(),
        "like" => t_string!(i18n, note_like).to_string(),
        "alarm_answer" => t_string!(i18n, note_alarm_answer).to_string(),
        "alarm_accepted" => t_string!(i18n, note_alarm_accepted).to_string(),
        "alarm_closed" => t_string!(i18n, note_alarm_closed).to_string(),
        "alarm_escalated" => t_string!(i18n, note_alarm_escalated).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let data = Resource::new(move || mark.version().get(), |_| notifications());
    view! {
        <section class="page">
            <h1>{t!(i18n, notifications_title)}</h1>
            <ActionForm action=mark>
                <button type="submit">{t!(i18n, mark_all_read)}</button>
            </ActionForm>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(items) if items.is_empty() => view! { <p class="card empty-state muted">{t!(i18n, no_notifications)}</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="list" data-testid="notifications">
                                {items.into_iter().map(|n| {
                                    let kind = n.kind.clone();
                                    let href = n.link.clone().or_else(|| n.customer_id.clone().map(|c| format!("/customers/{c}"))).unwrap_or_default();
                                    view! {
                                        <li class=if n.read { "card note" } else { "card note unread" } data-kind=n.kind.clone()>
                                            <a href=href>
                                                <strong>{move || notification_text(i18n, &kind)}</strong>
                                                " " {n.customer_name.clone().unwrap_or_default()}
                                            </a>
                                            <p class="muted small">{n.at_local.clone()}</p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
