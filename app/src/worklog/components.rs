//! The daily-log page: today's activity, then the log itself, prefilled from it.

use crate::i18n::*;
use crate::live::labels::kind_text;
use crate::ui::{action_error, reload_on_success, ErrorBox, FieldError, FormError, Loading};
use crate::worklog::api::{daily_log, SaveDailyLog};
use crate::worklog::model::DailyLogView;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The log's first draft: one line per thing done, in time order.
fn draft(i18n: I18nContext<Locale>, v: &DailyLogView) -> String {
    v.activity
        .iter()
        .map(|a| {
            let mut line = format!("{} {} {}", a.time, kind_text(i18n, &a.kind), a.customer);
            if !a.detail.is_empty() {
                line.push_str(" — ");
                line.push_str(&a.detail);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[component]
pub fn DailyLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = crate::ui::Changes::provide();
    let save = ServerAction::<SaveDailyLog>::new();
    reload_on_success(save);
    let err = action_error(save);
    let query = leptos_router::hooks::use_query_map();
    // `?day=YYYY-MM-DD`: yesterday's log can still be written today
    let day = move || query.with(|q| q.get("day").unwrap_or_default());
    let data = Resource::new(move || (changes.0.get(), day()), |(_, d)| daily_log(d));
    view! {
        <section class="page worklog">
            <h1>{t!(i18n, log_title)}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let text = if v.saved { v.work.clone() } else { draft(i18n, &v) };
                            let hours = if v.saved { v.hours.to_string() } else { String::new() };
                            let tab = |d: &str| if v.day == d { "tab active" } else { "tab" };
                            let is_today = v.day == v.today;
                            view! {
                                <nav class="tabs" data-testid="log-days">
                                    <a class=tab(&v.today) href="/logs">{t!(i18n, log_today)}</a>
                                    <a class=tab(&v.yesterday) href=format!("/logs?day={}", v.yesterday) data-testid="log-yesterday">{t!(i18n, log_yesterday)}</a>
                                </nav>
                                <div class="card">
                                    <h2>{if is_today { t_string!(i18n, log_activity) } else { t_string!(i18n, log_activity_day) }} " " <span class="muted small">{v.day.clone()}</span></h2>
                                    {if v.activity.is_empty() {
                                        view! { <p class="muted">{if is_today { t_string!(i18n, log_no_activity) } else { t_string!(i18n, log_no_activity_day) }}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list" data-testid="log-activity">
                                                {v.activity.iter().map(|a| {
                                                    let kind = a.kind.clone();
                                                    view! { <li class="small"><span class="muted">{a.time.clone()}</span> " " <span class="badge">{move || kind_text(i18n, &kind)}</span> " " {a.customer.clone()}</li> }
                                                }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </div>
                                {if v.editable {
                                    view! {
                                        <ActionForm action=save attr:class="form card" attr:data-testid="log-form">
                                            <input type="hidden" name="day" value=v.day.clone() />
                                            <label>
                                                <span>{t!(i18n, log_work)}</span>
                                                <textarea name="work" rows="8" maxlength="5000" required>{text}</textarea>
                                            </label>
                                            <FieldError err field="work" />
                                            <div class="grid2">
                                                <label><span>{t!(i18n, log_hours)}</span><input name="hours" inputmode="decimal" value=hours /></label>
                                                <label><span>{t!(i18n, log_expenses)}</span><input name="expenses" inputmode="decimal" value=v.expenses.clone() placeholder="0.00" /></label>
                                            </div>
                                            <FieldError err field="hours" />
                                            <FieldError err field="expenses" />
                                            <FormError err fields=&["work", "hours", "expenses"] />
                                            <button type="submit" class="primary">{t!(i18n, log_save)}</button>
                                            {v.saved.then(|| view! { <p class="muted small" data-testid="log-saved">{if is_today { t_string!(i18n, log_saved_hint) } else { t_string!(i18n, log_saved_hint_yesterday) }}</p> })}
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! { <p class="card muted">{t!(i18n, log_closed)}</p> }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
