//! The targets page (`/targets`): each target with what was closed, completion
//! and the projection; monthly targets set in place by those who may.

use crate::i18n::*;
use crate::targets::api::*;
use crate::targets::model::*;
use crate::ui::money;
use crate::ui::{action_error, ErrorBox, FieldError, FormError, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;

fn pct(v: Option<u32>) -> String {
    v.map(|v| format!("{v}%")).unwrap_or_else(|| "—".into())
}

fn period_label(i18n: I18nContext<Locale>, p: &str) -> String {
    match p {
        "quarter" => t_string!(i18n, target_quarter),
        "year" => t_string!(i18n, target_year),
        _ => t_string!(i18n, target_month),
    }
    .to_string()
}

#[component]
pub fn TargetsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (
            q.get("p").unwrap_or_default(),
            q.get("m").unwrap_or_default(),
        )
    };
    let set = ServerAction::<SetTarget>::new();
    let data = Resource::new(
        move || (key(), set.version().get()),
        |((p, m), _)| targets(p, m),
    );
    view! {
        <section class="page targets">
            <h1>{t!(i18n, target_title)}</h1>
            <crate::ui::TeamNav active="targets" />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <Targets v set /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Targets(v: TargetsView, set: ServerAction<SetTarget>) -> impl IntoView {
    let i18n = use_i18n();
    let tabs = ["month", "quarter", "year"]
        .into_iter()
        .map(|p| {
            let class = if p == v.period { "tab active" } else { "tab" };
            view! { <a class=class href=format!("/targets?p={p}&m={}", v.month) data-period=p>{period_label(i18n, p)}</a> }
        })
        .collect_view();
    let label = match v.period.as_str() {
        "month" => v.month.clone(),
        _ => format!(
            "{} – {}",
            v.months.first().cloned().unwrap_or_default(),
            v.months.last().cloned().unwrap_or_default()
        ),
    };
    let editable = v.period == "month";
    let month = v.month.clone();
    let empty = v.rows.is_empty();
    view! {
        <nav class="tabs" data-testid="target-tabs">{tabs}</nav>
        <div class="pager">
            <a class="button" href=format!("/targets?p={}&m={}", v.period, v.prev) data-testid="target-prev" aria-label=move || t_string!(i18n, target_prev).to_string()>"‹"</a>
            <strong data-testid="target-span">{label}</strong>
            <a class="button" href=format!("/targets?p={}&m={}", v.period, v.next) data-testid="target-next" aria-label=move || t_string!(i18n, target_next).to_string()>"›"</a>
        </div>
        {empty.then(|| view! { <p class="card empty-state muted">{t!(i18n, target_none)}</p> })}
        <ul class="list" data-testid="target-rows">
            {v.rows.into_iter().map(|r| view! { <Row r editable month=month.clone() open=v.open set /> }).collect_view()}
        </ul>
        <details class="card small">
            <summary>{t!(i18n, target_how)}</summary>
            <p>{t!(i18n, target_how_text)}</p>
        </details>
    }
}

#[component]
fn Row(
    r: TargetRow,
    editable: bool,
    month: String,
    open: bool,
    set: ServerAction<SetTarget>,
) -> impl IntoView {
    let i18n = use_i18n();
    // the page's resource is keyed on the action's version: a save reloads it
    let err = action_error(set);
    let kind = match r.kind.as_str() {
        "company" => t_string!(i18n, target_company).to_string(),
        "department" => t_string!(i18n, target_department).to_string(),
        _ => r.department_name.clone(),
    };
    let name = if r.kind == "company" {
        t_string!(i18n, rank_scope_company).to_string()
    } else {
        r.name.clone()
    };
    let bar = |p: Option<u32>| format!("width:{}%", p.unwrap_or(0).min(100));
    let target_text = r
        .target_cents
        .map(money)
        .unwrap_or_else(|| t_string!(i18n, target_unset).to_string());
    let deals_text = r
        .target_deals
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    let amount_line = t_string!(i18n, target_amount_line)
        .replace("{a}", &money(r.won_cents))
        .replace("{t}", &target_text)
        .replace("{p}", &pct(r.amount_pct));
    let deals_line = t_string!(i18n, target_deals_line)
        .replace("{a}", &r.won_deals.to_string())
        .replace("{t}", &deals_text)
        .replace("{p}", &pct(r.deals_pct));
    let projection = r.projection_cents.filter(|_| open).map(|p| {
        let pp = r
            .target_cents
            .and_then(|t| crate::targets::rules::completion(p, t));
        t_string!(i18n, target_projection)
            .replace("{m}", &money(p))
            .replace("{p}", &pct(pp))
            .replace("{n}", &r.in_play.to_string())
    });
    let unreliable = open && !r.reliable;
    let done = r.amount_pct.is_some_and(|p| p >= 100);
    let changes = r.changes.clone();
    let subject = r.subject.clone();
    let kind_value = r.kind.clone();
    let cents = r.target_cents;
    let deals = r.target_deals;
    view! {
        <li class=if done { "card target-row done" } else { "card target-row" } data-testid="target-row" data-kind=r.kind.clone() data-subject=r.subject.clone()>
            <div class="target-head">
                <strong data-testid="target-name">{name}</strong>
                <span class="muted small">{kind}</span>
            </div>
            <div class="small" data-testid="target-amount">{amount_line}</div>
            <div class="bar"><span class="bar-fill" style=bar(r.amount_pct)></span></div>
            <div class="small" data-testid="target-deals">{deals_line}</div>
            <div class="bar"><span class="bar-fill deals" style=bar(r.deals_pct)></span></div>
            {projection.map(|p| view! { <p class="small projection" data-testid="target-projection">{p}</p> })}
            {unreliable.then(|| view! { <p class="small warn-text" data-testid="target-unreliable">{t!(i18n, target_unreliable)}</p> })}
            {(editable && r.may_set).then(|| view! {
                <details class="target-edit" data-testid="target-edit" open=move || err.get().is_some()>
                    <summary>{t!(i18n, target_set)}</summary>
                    <ActionForm action=set attr:class="form">
                        <FormError err fields=&["amount", "deals"] />
                        <input type="hidden" name="kind" value=kind_value.clone() />
                        <input type="hidden" name="subject" value=subject.clone() />
                        <input type="hidden" name="month" value=month.clone() />
                        <div class="grid2">
                            <label><span>{t!(i18n, target_amount)}</span>
                                <input name="amount" inputmode="decimal" required data-testid="target-amount-input"
                                    value=cents.map(|c| format!("{}", c / 100)).unwrap_or_default() /></label>
                            <label><span>{t!(i18n, target_deals)}</span>
                                <input name="deals" type="number" min="0" inputmode="numeric" data-testid="target-deals-input"
                                    value=deals.map(|d| d.to_string()).unwrap_or_default() /></label>
                        </div>
                        <FieldError err field="amount" />
                        <FieldError err field="deals" />
                        <button type="submit" class="primary" data-testid="target-save">{t!(i18n, save)}</button>
                    </ActionForm>
                </details>
            })}
            {(!changes.is_empty()).then(|| view! {
                <details class="small target-history" data-testid="target-history">
                    <summary>{t_string!(i18n, target_changes).replace("{n}", &changes.len().to_string())}</summary>
                    <ul class="plain-list">
                        {changes.into_iter().rev().map(|c| view! {
                            <li>
                                {t_string!(i18n, target_change)
                                    .replace("{by}", &c.by)
                                    .replace("{at}", &c.at)
                                    .replace("{month}", &c.month)
                                    .replace("{m}", &money(c.cents))
                                    .replace("{n}", &c.deals.to_string())}
                                {c.before_cents.map(|b| format!(" ({})", t_string!(i18n, target_was)
                                    .replace("{m}", &money(b))
                                    .replace("{n}", &c.before_deals.unwrap_or(0).to_string())))}
                            </li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </li>
    }
}
