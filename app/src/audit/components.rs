//! The boss's view audit (`/audit/views`) and, on a person's profile, who opened
//! their customers.

use crate::audit::api::*;
use crate::audit::model::*;
use crate::i18n::*;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;

#[component]
pub fn ViewAuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| get_view_audit());
    view! {
        <section class="page view-audit">
            <h1>{t!(i18n, audit_title)}</h1>
            <p class="muted small">{t!(i18n, audit_help)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Overview v /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Overview(v: ViewAudit) -> impl IntoView {
    let i18n = use_i18n();
    let max = v
        .viewers
        .iter()
        .flat_map(|w| w.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let first = v.weeks.first().cloned().unwrap_or_default();
    let last = v.weeks.last().cloned().unwrap_or_default();
    let bursts = v.bursts.clone();
    view! {
        <div class="card" data-testid="audit-bursts">
            <h2>{t!(i18n, audit_bursts)}</h2>
            {if bursts.is_empty() {
                view! { <p class="muted small">{t!(i18n, audit_no_bursts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {bursts.into_iter().map(|b| view! {
                            <li class="burst" data-testid="audit-burst">
                                {t_string!(i18n, audit_burst)
                                    .replace("{viewer}", &b.viewer_name)
                                    .replace("{owner}", &b.owner_name)
                                    .replace("{n}", &b.customers.to_string())
                                    .replace("{from}", &b.from)
                                    .replace("{to}", &b.to)}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="muted small">{t!(i18n, audit_burst_rule)}</p>
        </div>
        <div class="card">
            <h2>{t!(i18n, audit_per_week)}</h2>
            <p class="muted small">{t_string!(i18n, audit_weeks_span).replace("{from}", &first).replace("{to}", &last)}</p>
            <ul class="plain-list" data-testid="audit-viewers">
                {v.viewers.into_iter().map(|w| {
                    let bars = w.counts.iter().enumerate().map(|(i, c)| {
                        let h = (*c as f64 / max as f64 * 100.0).round();
                        view! { <span class="week-bar" style=format!("height:{h}%") title=format!("{} · {c}", v.weeks.get(i).cloned().unwrap_or_default())></span> }
                    }).collect_view();
                    view! {
                        <li class="audit-viewer" data-testid="audit-viewer">
                            <div class="audit-viewer-head"><strong>{w.name.clone()}</strong>
                                <span class="muted small">{t_string!(i18n, audit_total).replace("{n}", &w.total.to_string())}</span></div>
                            {(w.lists > 0).then(|| view! {
                                <p class="muted small" data-testid="audit-lists">{t_string!(i18n, audit_lists).replace("{n}", &w.lists.to_string()).replace("{m}", &w.listed.to_string())}</p>
                            })}
                            <div class="week-bars" aria-hidden="true">{bars}</div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
        <div class="card">
            <h2>{t!(i18n, audit_recent)}</h2>
            <ViewList rows=v.recent show_owner=true />
        </div>
    }
}

#[component]
fn ViewList(rows: Vec<ViewRow>, show_owner: bool) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="muted small" data-testid="views-empty">{t!(i18n, audit_none)}</p> }.into_any();
    }
    view! {
        <ul class="plain-list view-list" data-testid="view-list">
            {rows.into_iter().map(|r| view! {
                <li data-testid="view-row">
                    <strong>{r.viewer_name.clone()}</strong>
                    " " {t!(i18n, audit_opened)} " "
                    <a href=format!("/customers/{}", r.customer_id)>{r.customer_name.clone()}</a>
                    {show_owner.then(|| view! { <span class="muted">" (" {r.owner_name.clone()} ")"</span> })}
                    <small class="muted">{r.at.clone()}</small>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Who opened `person`'s customers, on their profile (the person, the boss and
/// admins; nothing for anyone else).
#[component]
pub fn OwnerViews(person: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(move || person.clone(), views_of);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|rows| view! {
                    <div class="card" data-testid="owner-views">
                        <h2>{t!(i18n, audit_who_viewed)}</h2>
                        <p class="muted small">{t!(i18n, audit_who_viewed_help)}</p>
                        <ViewList rows show_owner=false />
                    </div>
                })
            })}
        </Transition>
    }
}
