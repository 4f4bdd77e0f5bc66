//! The referral page (`/referrals`: the tree, who to thank, who to serve better)
//! and the referrer picker used by the registration form and the customer page.

use crate::i18n::*;
use crate::referrals::api::*;
use crate::referrals::model::*;
use crate::ui::money;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReferralsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tab = move || query.read().get("tab").unwrap_or_else(|| "tree".into());
    let data = Resource::new(
        move || (tab(), crate::ui::asked_rows(&query.read())),
        |(tab, n)| referrals(tab, n),
    );
    let class = move |name: &'static str| move || if tab() == name { "tab active" } else { "tab" };
    view! {
        <section class="page referrals">
            <h1>{t!(i18n, ref_title)}</h1>
            <nav class="tabs" data-testid="referral-tabs">
                <a class=class("tree") href="/referrals" data-tab="tree">{t!(i18n, ref_tab_tree)}</a>
                <a class=class("thank") href="/referrals?tab=thank" data-tab="thank">{t!(i18n, ref_tab_thank)}</a>
                <a class=class("serve") href="/referrals?tab=serve" data-tab="serve">{t!(i18n, ref_tab_serve)}</a>
            </nav>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let (tab, list, shown, left) = match tab().as_str() {
                                "thank" => {
                                    let n = v.thank.len();
                                    ("thank", view! { <ThankList rows=v.thank /> }.into_any(), n, v.more.thank)
                                }
                                "serve" => {
                                    let n = v.unreferred.len();
                                    ("serve", view! { <ServeList rows=v.unreferred /> }.into_any(), n, v.more.unreferred)
                                }
                                _ => {
                                    let n = v.trees.len();
                                    ("tree", view! { <Trees trees=v.trees /> }.into_any(), n, v.more.trees)
                                }
                            };
                            view! { {list} <ShowMore tab shown left /> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// "Show more": the same tab with a page more (a plain link, so it works
/// before and without hydration).
#[component]
fn ShowMore(tab: &'static str, shown: usize, left: u32) -> impl IntoView {
    let i18n = use_i18n();
    (left > 0).then(|| {
        let href = format!(
            "/referrals?tab={tab}&n={}",
            shown + crate::referrals::rules::PAGE
        );
        view! {
            <p class="more">
                <a class="button secondary" href=href data-testid="ref-more">
                    {t_string!(i18n, ref_more).replace("{n}", &left.to_string())}
                </a>
            </p>
        }
    })
}

#[component]
fn Trees(trees: Vec<TreeNode>) -> impl IntoView {
    let i18n = use_i18n();
    if trees.is_empty() {
        return view! { <p class="card empty-state muted">{t!(i18n, ref_none)}</p> }.into_any();
    }
    view! {
        <p class="muted small">{t!(i18n, ref_tree_help)}</p>
        <ul class="ref-tree" data-testid="referral-tree">
            {trees.into_iter().map(|n| view! { <Node n /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Node(n: TreeNode) -> impl IntoView {
    let i18n = use_i18n();
    let head = match (&n.id, &n.name) {
        (Some(id), Some(name)) => view! {
            <a href=format!("/customers/{id}") data-testid="ref-name">{name.clone()}</a>
            <span class="muted small">" · " {n.stage.clone().unwrap_or_default()}</span>
            {n.won.then(|| view! { <span class="badge won">{money(n.won_cents)}</span> })}
        }
        .into_any(),
        _ => view! { <span class="muted" data-testid="ref-hidden">{t!(i18n, ref_hidden_customer)}</span> }.into_any(),
    };
    let facts = {
        let mut parts = Vec::new();
        if n.referred > 0 {
            parts.push(t_string!(i18n, ref_referred_n).replace("{n}", &n.referred.to_string()));
        }
        if n.won_below_cents > 0 {
            parts.push(t_string!(i18n, ref_won_below).replace("{m}", &money(n.won_below_cents)));
        }
        if n.hidden_below > 0 {
            parts.push(
                t_string!(i18n, ref_hidden_below).replace("{n}", &n.hidden_below.to_string()),
            );
        }
        parts.join(" · ")
    };
    let children = n.children;
    view! {
        <li class="ref-node" data-testid="ref-node">
            <div class="ref-head">{head}</div>
            {(!facts.is_empty()).then(|| view! { <div class="muted small" data-testid="ref-facts">{facts}</div> })}
            {(!children.is_empty()).then(|| view! {
                <ul class="ref-tree">{children.into_iter().map(|n| view! { <Node n /> }).collect_view()}</ul>
            })}
        </li>
    }
    .into_any()
}

#[component]
fn ThankList(rows: Vec<ReferrerRow>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="card empty-state muted">{t!(i18n, ref_thank_none)}</p> }
            .into_any();
    }
    view! {
        <p class="muted small">{t!(i18n, ref_thank_help)}</p>
        <ul class="list" data-testid="thank-list">
            {rows.into_iter().map(|r| view! {
                <li class="card" data-testid="thank-row">
                    <a href=format!("/customers/{}", r.id)><strong>{r.name.clone()}</strong></a>
                    <p class="muted small">
                        {t_string!(i18n, ref_referred_n).replace("{n}", &r.referred.to_string())}
                        {(r.won_below_cents > 0).then(|| format!(" · {}", t_string!(i18n, ref_won_below).replace("{m}", &money(r.won_below_cents))))}
                        {(!r.owner_name.is_empty()).then(|| format!(" · {}", r.owner_name))}
                    </p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ServeList(rows: Vec<CustomerRef>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="card empty-state muted">{t!(i18n, ref_serve_none)}</p> }
            .into_any();
    }
    view! {
        <p class="muted small">{t!(i18n, ref_serve_help)}</p>
        <ul class="list" data-testid="serve-list">
            {rows.into_iter().map(|r| view! {
                <li class="card" data-testid="serve-row">
                    <a href=format!("/customers/{}", r.id)><strong>{r.name.clone()}</strong></a>
                    <p class="muted small">{r.stage.clone()} {(!r.owner_name.is_empty()).then(|| format!(" · {}", r.owner_name))}</p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The "referred by" field: type part of a company name and pick one of the
/// customers you may see (offered as you type once the page is live); without
/// JavaScript the typed name is matched on the server.
#[component]
pub fn ReferrerPicker(#[prop(optional, into)] value: String) -> impl IntoView {
    let i18n = use_i18n();
    let options = RwSignal::new(Vec::<ReferrerOption>::new());
    // asked 250 ms after the last key
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        let q = event_target_value(&ev);
        if q.trim().is_empty() {
            options.set(Vec::new());
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(found) = referrer_options(q).await {
                        options.set(found);
                    }
                });
            },
            std::time::Duration::from_millis(250),
        )
        .ok();
        timer.set_value(handle);
    };
    view! {
        <input name="referred_by" list="referrer-options" autocomplete="off" value=value
            data-testid="referrer-input" maxlength="100"
            placeholder=move || t_string!(i18n, referred_by_hint).to_string() on:input=on_input />
        <datalist id="referrer-options" data-testid="referrer-options">
            {move || options.get().into_iter().map(|o| view! { <option value=o.name.clone()></option> }).collect_view()}
        </datalist>
    }
}

/// The picker on a page the browser does not otherwise run (a customer's
/// page): an island of its own, so it offers customers as the rep types.
#[island]
pub fn ReferrerChooser(value: String) -> impl IntoView {
    view! { <ReferrerPicker value /> }
}
