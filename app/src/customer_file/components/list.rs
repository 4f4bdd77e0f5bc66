//! The customer lists (mine, team, inbox) with their countdowns, and the
//! disputes waiting in a manager's inbox.

use super::labels::*;
use crate::auth::context::use_user;
use crate::auth::model::Role;
use crate::customers::api::*;
use crate::customers::model::*;
use crate::i18n::*;
use crate::ui::{action_error, ErrorBox, FormError, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The countdown badge: days left on the nearest clock, red under 3 days; for
/// a won customer, the days to its next revisit (nothing is confiscated).
#[component]
pub(super) fn Countdown(due: Option<Due>) -> impl IntoView {
    let i18n = use_i18n();
    due.map(|d| {
        if d.clock == "revisit" {
            let days = d.days_left;
            let missed = d.missed;
            return view! {
                <span class="countdown revisit" data-testid="revisit" data-days=days data-missed=missed>
                    {move || if days <= 0 {
                        t_string!(i18n, revisit_today).to_string()
                    } else {
                        t_string!(i18n, revisit_in).replace("{n}", &days.to_string())
                    }}
                    {move || (missed > 0).then(|| format!(" · {}", t_string!(i18n, revisit_missed_n).replace("{n}", &missed.to_string())))}
                </span>
            }
            .into_any();
        }
        let class = if d.urgent {
            "countdown urgent"
        } else {
            "countdown"
        };
        let clock = d.clock.clone();
        let left = d.days_left;
        view! {
            <span class=class data-testid="countdown" data-days=left>
                {move || clock_text(i18n, &clock)} " "
                {move || if left < 0 {
                    t_string!(i18n, overdue).to_string()
                } else if left == 0 {
                    t_string!(i18n, last_day).to_string()
                } else {
                    format!("{} {}", left, t_string!(i18n, days_left))
                }}
            </span>
        }
        .into_any()
    })
}

#[component]
pub(super) fn CardRow(card: CustomerCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/customers/{}", card.id);
    let status = card.status;
    let phones = card.phones.join(" / ");
    view! {
        <li class="card customer-card" data-testid="customer-card">
            <a href=href class="customer-link">
                <div class="customer-head">
                    <strong class="customer-name">{card.name.clone()}</strong>
                    <Countdown due=card.due.clone() />
                </div>
                <div class="customer-meta">
                    <span class="badge stage">{card.stage_name.clone()} " " {card.probability} "%"</span>
                    <Show when=move || status != Status::Owned>
                        <span class="badge">{move || status_text(i18n, status)}</span>
                    </Show>
                    {card.owner_name.clone().map(|o| view! { <span class="muted">{o}</span> })}
                    <span class="muted phones">{phones}</span>
                </div>
            </a>
        </li>
    }
}

/// The "show more" link of a list whose page came back full: the same list
/// (`keep`: its query) with a page more; `None` when the list ended.
pub(super) fn more_href(keep: &[(&str, &str)], shown: usize, asked: u32) -> Option<String> {
    use crate::customers::rules::{list_rows, LIST_MAX, LIST_PAGE};
    let full = list_rows(asked);
    if shown < full || full >= LIST_MAX {
        return None;
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in keep.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    q.append_pair("n", &(full + LIST_PAGE).to_string());
    Some(q.finish())
}

#[component]
pub(super) fn ShowMore(href: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    href.map(|q| {
        view! {
            <p class="more">
                <a class="button secondary" href=format!("?{q}") data-testid="list-more">{t!(i18n, list_more)}</a>
            </p>
        }
    })
}

pub(super) fn view_of(q: &leptos_router::params::ParamsMap) -> String {
    q.get("view").unwrap_or_else(|| "mine".to_string())
}

/// The search box of a customer list: a GET form, so it works without
/// JavaScript and the address can be shared; `keep` are the list's other
/// parameters (its view, the pool's filters).
#[component]
pub(super) fn SearchBox(
    action: &'static str,
    q: String,
    keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let searching = !q.is_empty();
    view! {
        <form method="get" action=action class="customer-search" role="search" data-testid="customer-search">
            {keep.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
            <input type="search" name="q" value=q enterkeyhint="search" autocomplete="off"
                aria-label=move || t_string!(i18n, search_label) placeholder=move || t_string!(i18n, search_placeholder) />
            <button type="submit">{t!(i18n, search_button)}</button>
            <Show when=move || searching>
                <a class="muted small" href=action data-testid="search-clear">{t!(i18n, search_clear)}</a>
            </Show>
        </form>
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user().0;
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                view_of(&query.read()),
                crate::ui::asked_rows(&query.read()),
                query.read().get("q").unwrap_or_default(),
            )
        },
        |(view, n, q)| list_customers(view, n, q),
    );
    let changes = crate::ui::Changes::provide();
    let requests = Resource::new(
        move || (view_of(&query.read()), changes.0.get()),
        |(v, _)| async move {
            if v == "inbox" {
                pending_changes().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let disputes_res = Resource::new(
        move || view_of(&query.read()),
        |v| async move {
            if v == "inbox" {
                disputes().await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let tab = move |name: &'static str| {
        move || {
            if view_of(&query.read()) == name {
                "tab active"
            } else {
                "tab"
            }
        }
    };
    view! {
        <section class="page customers">
            <div class="page-head">
                <h1>{t!(i18n, customers_title)}</h1>
                <a class="button primary" href="/customers/new" data-testid="register-link">{t!(i18n, register_customer)}</a>
            </div>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let role = user.await.ok().flatten().map(|u| u.role).unwrap_or(Role::Rep);
                    let manager = role != Role::Rep;
                    view! {
                        <nav class="tabs" data-testid="customer-tabs">
                            <a class=tab("mine") href="/customers?view=mine">{t!(i18n, tab_mine)}</a>
                            <Show when=move || manager>
                                <a class=tab("team") href="/customers?view=team">{t!(i18n, tab_team)}</a>
                                <a class=tab("inbox") href="/customers?view=inbox" data-testid="inbox-tab">{t!(i18n, tab_inbox)}</a>
                                <a class="tab" href="/export/customers.xlsx" download="customers.xlsx" rel="external" data-testid="export-xlsx">{t!(i18n, export_xlsx)}</a>
                            </Show>
                            <a class="tab" href="/customers/import" data-testid="import-tab">{t!(i18n, import_tab)}</a>
                            <a class="tab" href="/pool" data-testid="pool-tab">{t!(i18n, tab_pool)}</a>
                            <a class="tab" href="/funnel">{t!(i18n, tab_funnel)}</a>
                            <a class="tab" href="/referrals" data-testid="referrals-tab">{t!(i18n, ref_title)}</a>
                        </nav>
                    }
                })}
            </Suspense>
            <crate::alarms::components::StoryPrompts />
            {move || {
                let q = query.read();
                let view = view_of(&q);
                view! { <SearchBox action="/customers" q=q.get("q").unwrap_or_default() keep=vec![("view", view)] /> }
            }}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let list = data.await;
                    let open = disputes_res.await.unwrap_or_default();
                    let asked = requests.await.unwrap_or_default();
                    match list {
                        Ok(cards) if cards.is_empty() && open.is_empty() && asked.is_empty() && query.read_untracked().get("q").is_some_and(|q| !q.trim().is_empty()) => view! {
                            <p class="card empty-state muted" data-testid="no-results">{t!(i18n, search_none)}</p>
                        }.into_any(),
                        Ok(cards) if cards.is_empty() && open.is_empty() && asked.is_empty() => view! {
                            <p class="card empty-state muted" data-testid="empty-list">{t!(i18n, no_customers)}</p>
                        }.into_any(),
                        Ok(cards) => {
                            let view = match view_of(&query.read_untracked()).as_str() {
                                "team" => "team",
                                "inbox" => "inbox",
                                _ => "mine",
                            };
                            let q = query.read_untracked().get("q").unwrap_or_default();
                            let more = more_href(&[("view", view), ("q", &q)], cards.len(), crate::ui::asked_rows(&query.read_untracked()));
                            view! {
                                <RequestList items=asked />
                                <DisputeList items=open />
                                <ul class="list" data-testid="customer-list">
                                    {cards.into_iter().map(|card| view! { <CardRow card /> }).collect_view()}
                                </ul>
                                <ShowMore href=more />
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Corrections of customers' files waiting for this manager.
#[component]
fn RequestList(items: Vec<ChangeView>) -> impl IntoView {
    let i18n = use_i18n();
    (!items.is_empty()).then(|| {
        view! {
            <h2>{t!(i18n, change_requests_title)}</h2>
            <ul class="list" data-testid="inbox-requests">
                {items.into_iter().map(|c| {
                    let href = format!("/customers/{}", c.customer);
                    let name = c.customer_name.clone();
                    view! {
                        <li class="card">
                            <a href=href>{name}</a>
                            <ul class="plain"><super::file::ChangeRequest c /></ul>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// Open disputes in a manager's inbox: keep it with its owner, or transfer it.
#[component]
pub(super) fn DisputeList(items: Vec<DisputeItem>) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return None;
    }
    Some(view! {
        <h2>{t!(i18n, disputes_title)}</h2>
        <ul class="list">
            {items.into_iter().map(|d| {
                let decide = ServerAction::<DecideDispute>::new();
                let did = StoredValue::new(d.id.clone());
                let err = action_error(decide);
                let done = move || matches!(decide.value().get(), Some(Ok(())));
                view! {
                    <li class="card dispute" data-testid="dispute">
                        <strong>{d.customer_name.clone()}</strong>
                        <p class="muted">
                            {t!(i18n, dispute_owner)} ": " {d.owner_name.clone().unwrap_or_default()} " · "
                            {t!(i18n, dispute_raised_by)} ": " {d.raised_by_name.clone()}
                        </p>
                        <p>{d.note.clone()}</p>
                        <FormError err fields=&[] />
                        <p class="notice" class:hidden=move || !done()>{t!(i18n, saved)}</p>
                            <div class="button-row" class:hidden=done>
                                <ActionForm action=decide>
                                    <input type="hidden" name="id" value=did.get_value() />
                                    <input type="hidden" name="transfer" value="false" />
                                    <button type="submit">{t!(i18n, dispute_keep)}</button>
                                </ActionForm>
                                <ActionForm action=decide>
                                    <input type="hidden" name="id" value=did.get_value() />
                                    <input type="hidden" name="transfer" value="true" />
                                    <button type="submit" class="primary" data-testid="dispute-transfer">{t!(i18n, dispute_transfer)}</button>
                                </ActionForm>
                            </div>
                    </li>
                }
            }).collect_view()}
        </ul>
    })
}

// ---------------------------------------------------------------------------
// Registration
