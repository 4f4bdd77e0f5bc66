//! The funnel and forecast page, and the admin's funnel settings.

use crate::auth::context::use_user;
use crate::auth::model::Role;
use crate::funnel::api::*;
use crate::funnel::model::*;
use crate::funnel::rules::default_scope;
use crate::i18n::*;
use crate::ui::money;
use crate::ui::{
    action_error, reload_on_success, Changes, ErrorBox, FieldError, FormError, Loading,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn FunnelPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let user = use_user().0;
    // no scope in the address: the server answers with the viewer's default
    let scope = move || query.read().get("scope").unwrap_or_default();
    let data = Resource::new(scope, get_funnel);
    view! {
        <section class="page funnel">
            <p><a href="/customers">{t!(i18n, back_to_list)}</a></p>
            <h1>{t!(i18n, funnel_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let role = user.await.ok().flatten().map(|u| u.role).unwrap_or(Role::Rep);
                    let current = move || {
                        let s = scope();
                        if s.is_empty() { default_scope(role).to_string() } else { s }
                    };
                    let tab = move |name: &'static str| move || if current() == name { "tab active" } else { "tab" };
                    view! {
                        <nav class="tabs">
                            <a class=tab("mine") href="/funnel?scope=mine">{t!(i18n, scope_mine)}</a>
                            <Show when=move || role != Role::Rep>
                                <a class=tab("department") href="/funnel?scope=department">{t!(i18n, scope_department)}</a>
                            </Show>
                            <Show when=move || role.can_administer()>
                                <a class=tab("company") href="/funnel?scope=company">{t!(i18n, scope_company)}</a>
                            </Show>
                        </nav>
                    }
                })}
            </Suspense>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) => view! { <Report r /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Report(r: FunnelReport) -> impl IntoView {
    let i18n = use_i18n();
    let max = r.per_stage.iter().copied().max().unwrap_or(0).max(1);
    let reliable = r.reliable;
    let in_play = r.in_play;
    let rows = r.stages.iter().enumerate().map(|(i, s)| {
        let n = r.per_stage.get(i).copied().unwrap_or(0);
        let width = format!("width: {}%", (n * 100 / max).max(2));
        let conv = r.conversion.get(i).copied().flatten();
        view! {
            <li class="funnel-row" data-testid="funnel-stage">
                <div class="funnel-label"><span>{s.name.clone()}</span><span class="muted">{s.probability} "%"</span></div>
                <div class="funnel-track"><div class="funnel-bar" data-testid="funnel-bar" style=width></div><span class="funnel-n">{n}</span></div>
                {conv.map(|c| view! { <p class="muted small conv">"↓ " {c} "%"</p> })}
            </li>
        }
    }).collect_view();
    let stage_names: Vec<String> = r.stages.iter().map(|s| s.name.clone()).collect();
    view! {
        <div class="card forecast" data-testid="forecast">
            <h2>{t!(i18n, forecast_title)}</h2>
            <p class="forecast-amount" data-testid="forecast-amount">{money(r.expected_cents)}</p>
            <p class="muted small">{t!(i18n, forecast_in_play)} ": " {in_play}</p>
            <Show when=move || !reliable>
                <p class="form-error" role="status" data-testid="forecast-unreliable">{t!(i18n, forecast_unreliable)}</p>
            </Show>
        </div>
        <ByMonth f=r.by_month.clone() />
        <ol class="card funnel-list">{rows}</ol>
        <Show when={let empty = r.per_rep.is_empty(); move || !empty}>
            <h2>{t!(i18n, per_rep_title)}</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th>{t!(i18n, rep)}</th>
                        {stage_names.iter().map(|n| view! { <th>{n.clone()}</th> }).collect_view()}
                        <th>{t!(i18n, forecast_title)}</th>
                    </tr></thead>
                    <tbody>
                        {r.per_rep.iter().map(|rep| view! {
                            <tr>
                                <td>{rep.name.clone()}</td>
                                {rep.per_stage.iter().enumerate().map(|(i, n)| {
                                    let rate = rep.success.get(i).copied().flatten();
                                    view! { <td>{*n}{rate.map(|x| view! { <small class="muted">" ↓" {x} "%"</small> })}</td> }
                                }).collect_view()}
                                <td>{money(rep.expected_cents)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// Admin: stages, the qualification checklist, limits per department.
#[component]
pub fn FunnelSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = Changes::provide();
    let data = Resource::new(
        move || changes.0.get(),
        |_| async move {
            Ok::<_, crate::error::AppError>((
                list_stages().await?,
                list_qual_items().await?,
                list_policies().await?,
            ))
        },
    );
    view! {
        <section class="page settings">
            <p><a href="/admin">{t!(i18n, admin_title)}</a></p>
            <h1>{t!(i18n, funnel_settings_title)}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((stages, items, policies)) => view! {
                            <h2>{t!(i18n, stages_title)}</h2>
                            <ul class="list">
                                {stages.into_iter().map(|s| view! { <StageEditor stage=Some(s) /> }).collect_view()}
                            </ul>
                            <StageEditor stage=None />
                            <h2>{t!(i18n, checklist_title)}</h2>
                            <ul class="list">
                                {items.into_iter().map(|q| view! { <ItemEditor item=Some(q) /> }).collect_view()}
                            </ul>
                            <ItemEditor item=None />
                            <h2>{t!(i18n, policies_title)}</h2>
                            {policies.into_iter().map(|p| view! { <PolicyEditor p /> }).collect_view()}
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StageEditor(stage: Option<StageInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveStage>::new();
    reload_on_success(save);
    let err = action_error(save);
    let is_new = stage.is_none();
    let s = stage.unwrap_or(StageInfo {
        id: String::new(),
        position: 100,
        name: String::new(),
        probability: 0,
        max_days: None,
        feedback: vec![],
        active: true,
    });
    let title = if is_new {
        t_string!(i18n, stage_new).to_string()
    } else {
        format!(
            "{} · {}% · {}",
            s.name,
            s.probability,
            s.max_days
                .map(|d| d.to_string())
                .unwrap_or_else(|| "∞".into())
        )
    };
    view! {
        <li class=if s.active { "card" } else { "card inactive" }>
            <details>
                <summary>{title}</summary>
                <ActionForm action=save attr:class="form">
                    <input type="hidden" name="id" value=s.id.clone() />
                    <FormError err fields=&["name", "probability", "max_days", "feedback", "position"] />
                    <label><span>{t!(i18n, stage_name)}</span><input name="name" value=s.name.clone() required /></label>
                    <FieldError err field="name" />
                    <div class="grid2">
                        <label><span>{t!(i18n, stage_probability)}</span><input name="probability" inputmode="numeric" value=s.probability.to_string() /></label>
                        <label><span>{t!(i18n, stage_max_days)}</span><input name="max_days" inputmode="numeric" value=s.max_days.map(|d| d.to_string()).unwrap_or_default() /></label>
                    </div>
                    <FieldError err field="probability" />
                    <FieldError err field="max_days" />
                    <label><span>{t!(i18n, stage_position)}</span><input name="position" inputmode="numeric" value=s.position.to_string() /></label>
                    <FieldError err field="position" />
                    <label><span>{t!(i18n, stage_feedback)}</span><textarea name="feedback" rows="3">{s.feedback.join("\n")}</textarea></label>
                    <label class="check"><input type="checkbox" name="active" value="true" checked=s.active /><span>{t!(i18n, stage_active)}</span></label>
                    <button type="submit" class="primary">{t!(i18n, save)}</button>
                </ActionForm>
            </details>
        </li>
    }
}

#[component]
fn ItemEditor(item: Option<QualItem>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveQualItem>::new();
    reload_on_success(save);
    let err = action_error(save);
    let (id, label) = item.map(|q| (q.id, q.label)).unwrap_or_default();
    let existing = !id.is_empty();
    view! {
        <li class="card">
            <ActionForm action=save attr:class="form inline-form">
                <input type="hidden" name="id" value=id.clone() />
                <input name="label" value=label placeholder=move || t_string!(i18n, checklist_new).to_string() required />
                <FieldError err field="label" />
                <div class="button-row">
                    <button type="submit">{t!(i18n, save)}</button>
                    <Show when=move || existing>
                        <button type="submit" name="retire" value="true" class="danger">{t!(i18n, retire)}</button>
                    </Show>
                </div>
            </ActionForm>
        </li>
    }
}

/// The policy page's warning, with its numbers.
fn contradiction_text(i18n: leptos_i18n::I18nContext<Locale>, c: &PolicyContradiction) -> String {
    match c {
        PolicyContradiction::NoDealBeforeWon {
            no_deal_days,
            stage_days,
        } => t_string!(i18n, policy_no_deal_before_won)
            .replace("{no_deal}", &no_deal_days.to_string())
            .replace("{stages}", &stage_days.to_string()),
    }
}

#[component]
fn PolicyEditor(p: PolicyInfo) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SavePolicy>::new();
    reload_on_success(save);
    let err = action_error(save);
    let title = match (&p.department_name, p.inherited) {
        (None, _) => t_string!(i18n, policy_company).to_string(),
        (Some(n), true) => format!("{n} ({})", t_string!(i18n, policy_inherited)),
        (Some(n), false) => n.clone(),
    };
    let dept = p.department_id.clone().unwrap_or_default();
    let is_dept = p.department_id.is_some();
    let pool = p.destination == "pool";
    let warnings = p.contradictions.clone();
    let warned = !warnings.is_empty();
    view! {
        <details class="card" data-testid="policy" open=warned>
            <summary>{title}</summary>
            {warnings.into_iter().map(|w| view! { <p class="notice warn" data-testid="policy-contradiction">{move || contradiction_text(i18n, &w)}</p> }).collect_view()}
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="department_id" value=dept />
                <FormError err fields=&[] />
                <div class="grid2">
                    <label><span>{t!(i18n, policy_followup_days)}</span><input name="followup_days" inputmode="numeric" value=p.followup_days.to_string() /></label>
                    <label><span>{t!(i18n, policy_no_deal_days)}</span><input name="no_deal_days" inputmode="numeric" value=p.no_deal_days.to_string() /></label>
                    <label><span>{t!(i18n, policy_max_owned)}</span><input name="max_owned" inputmode="numeric" value=p.max_owned.to_string() /></label>
                    <label><span>{t!(i18n, policy_warn_days)}</span><input name="warn_days" inputmode="numeric" value=p.warn_days.to_string() /></label>
                    <label><span>{t!(i18n, policy_reclaim_days)}</span><input name="reclaim_days" inputmode="numeric" value=p.reclaim_days.to_string() /></label>
                    <label><span>{t!(i18n, policy_daily_claims)}</span><input name="daily_claims" inputmode="numeric" value=p.daily_claims.map(|d| d.to_string()).unwrap_or_default() /></label>
                    <label><span>{t!(i18n, policy_revisit_days)}</span><input name="revisit_days" inputmode="numeric" value=p.revisit_days.to_string() /></label>
                </div>
                <label><span>{t!(i18n, policy_destination)}</span>
                    <select name="destination">
                        <option value="manager" selected=!pool>{t!(i18n, policy_to_manager)}</option>
                        <option value="pool" selected=pool>{t!(i18n, policy_to_pool)}</option>
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="won_counts" value="true" checked=p.won_counts /><span>{t!(i18n, policy_won_counts)}</span></label>
                <FieldError err field="followup_days" />
                <FieldError err field="no_deal_days" />
                <FieldError err field="max_owned" />
                <FieldError err field="warn_days" />
                <FieldError err field="reclaim_days" />
                <FieldError err field="daily_claims" />
                <FieldError err field="revisit_days" />
                <div class="button-row">
                    <button type="submit" class="primary">{t!(i18n, save)}</button>
                    <Show when=move || is_dept>
                        <button type="submit" name="inherit" value="true">{t!(i18n, policy_inherit)}</button>
                    </Show>
                </div>
            </ActionForm>
        </details>
    }
}

/// The forecast by expected close month (this month and the next two), with
/// the deals whose date passed, those further out and those without a date.
#[component]
fn ByMonth(f: crate::funnel::model::MonthForecast) -> impl IntoView {
    let i18n = use_i18n();
    let row = |label: String, m: &crate::funnel::model::MonthSum, testid: &'static str| {
        let deals = m.deals;
        view! {
            <tr data-testid=testid>
                <th scope="row">{label}</th>
                <td class="num">{money(m.cents)}</td>
                <td class="num muted">{move || t_string!(i18n, forecast_deals).replace("{n}", &deals.to_string())}</td>
            </tr>
        }
    };
    view! {
        <div class="card" data-testid="forecast-months">
            <h2>{t!(i18n, forecast_by_month)}</h2>
            <table class="table">
                <tbody>
                    {f.months.iter().map(|m| row(m.month.clone(), m, "forecast-month")).collect_view()}
                    {row(t_string!(i18n, forecast_later).to_string(), &f.later, "forecast-later")}
                    {(f.overdue.deals > 0).then(|| row(t_string!(i18n, forecast_overdue).to_string(), &f.overdue, "forecast-overdue"))}
                    {row(t_string!(i18n, forecast_undated).to_string(), &f.undated, "forecast-undated")}
                </tbody>
            </table>
            <p class="muted small">{t!(i18n, forecast_by_month_intro)}</p>
        </div>
    }
}
