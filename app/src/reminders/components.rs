//! The reminders page, the alert that appears on every open screen, and the
//! revisit setting on a customer's page.

use crate::i18n::*;
use crate::live::client::Live;
use crate::reminders::api::{reminders, AckReminder, AddReminder, SetRevisit};
use crate::ui::{action_error, reload_on_success, ErrorBox, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub fn kind_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "schedule" => t_string!(i18n, remind_schedule).to_string(),
        "revisit" => t_string!(i18n, remind_revisit).to_string(),
        "birthday" => t_string!(i18n, remind_birthday).to_string(),
        "founded" => t_string!(i18n, remind_founded).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn RemindersPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = crate::ui::Changes::provide();
    let add = ServerAction::<AddReminder>::new();
    let ack = ServerAction::<AckReminder>::new();
    reload_on_success(add);
    reload_on_success(ack);
    let err = action_error(add);
    let data = Resource::new(move || changes.0.get(), |_| reminders());
    view! {
        <section class="page reminders">
            <h1>{t!(i18n, remind_title)}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let today = v.today.clone();
                            let items = v.items;
                            view! {
            <ActionForm action=add attr:class="form card" attr:data-testid="reminder-form">
                <div class="grid2">
                    <label><span>{t!(i18n, remind_date)}</span><input type="date" name="date" required value=today /></label>
                    <label><span>{t!(i18n, remind_time)}</span><input type="time" name="time" required /></label>
                </div>
                <FieldError err field="date" />
                <FieldError err field="time" />
                <label><span>{t!(i18n, remind_what)}</span><input name="title" maxlength="100" required /></label>
                <FieldError err field="title" />
                <label><span>{t!(i18n, remind_content)}</span><textarea name="content" rows="2" maxlength="1000"></textarea></label>
                <FormError err fields=&["date", "time", "title", "content"] />
                <button type="submit" class="primary">{t!(i18n, remind_add)}</button>
                <p class="muted small">{t!(i18n, remind_hint)}</p>
            </ActionForm>
                            {if items.is_empty() {
                                view! { <p class="card empty-state muted">{t!(i18n, remind_none)}</p> }.into_any()
                            } else { view! {
                            <ul class="list" data-testid="reminders">
                                {items.into_iter().map(|r| {
                                    let kind = r.kind.clone();
                                    let id = r.id.clone();
                                    view! {
                                        <li class="card note" data-testid="reminder" data-kind=r.kind.clone()>
                                            <div class="feed-head">
                                                <strong>{r.title.clone()}</strong>
                                                <span class="badge">{move || kind_text(i18n, &kind)}</span>
                                                <span class="muted small feed-when">{r.at_local.clone()}</span>
                                            </div>
                                            {(!r.content.is_empty()).then(|| view! { <p class="feed-text">{r.content.clone()}</p> })}
                                            {r.escalated.then(|| view! { <span class="badge flag">{t!(i18n, remind_escalated)}</span> })}
                                            {(r.alerted && !r.acked).then(|| view! {
                                                <ActionForm action=ack attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id />
                                                    <button type="submit">{t!(i18n, remind_ack)}</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            }.into_any() }}
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Due reminders, on every open screen, until acknowledged. An island inside
/// the live stream's: the alerts arrive over it.
#[island]
pub fn AlertBanner() -> impl IntoView {
    let i18n = use_i18n();
    let Some(live) = Live::get() else {
        return ().into_any();
    };
    let ack = ServerAction::<AckReminder>::new();
    view! {
        <div class="alerts" aria-live="assertive">
            <For
                each=move || live.alerts.get()
                key=|a| a.0.clone()
                children=move |(id, title, content)| {
                    let done = id.clone();
                    view! {
                        <div class="card alert" role="alert" data-testid="reminder-alert">
                            <span class="badge">{t!(i18n, note_reminder)}</span> <strong>{title}</strong>
                            {(!content.is_empty()).then(|| view! { <p class="small">{content}</p> })}
                            <ActionForm action=ack attr:class="inline-form" on:submit=move |_| {
                                let done = done.clone();
                                live.alerts.update(|v| v.retain(|a| a.0 != done));
                            }>
                                <input type="hidden" name="id" value=id />
                                <button type="submit" data-testid="reminder-ack">{t!(i18n, remind_ack)}</button>
                            </ActionForm>
                        </div>
                    }
                }
            />
        </div>
    }
    .into_any()
}

/// "Remind me to revisit every N days" on a customer's page.
#[component]
pub fn RevisitForm(customer: String, days: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetRevisit>::new();
    let err = action_error(set);
    view! {
        <ActionForm action=set attr:class="form card inline-form" attr:data-testid="revisit-form">
            <input type="hidden" name="customer" value=customer />
            <label>
                <span>{t!(i18n, remind_revisit_every)}</span>
                <input name="days" inputmode="numeric" size="4" value=days.map(|d| d.to_string()).unwrap_or_default() placeholder="0" />
            </label>
            <button type="submit">{t!(i18n, remind_save)}</button>
            {move || set.value().get().and_then(Result::ok).map(|_| view! { <span class="muted small">{t!(i18n, remind_saved)}</span> })}
            <FieldError err field="days" />
            <FormError err fields=&["days"] />
        </ActionForm>
    }
}
