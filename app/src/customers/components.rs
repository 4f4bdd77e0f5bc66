//! Customer pages: lists with countdowns, registration with the duplicate check,
//! the customer card with its stage moves and history, the pool, notifications.
//! Every form is an `ActionForm`, so it also posts without JavaScript.

use crate::auth::context::use_user;
use crate::auth::model::Role;
use crate::customers::api::*;
use crate::customers::model::*;
use crate::funnel::api::{list_qual_items, list_stages};
use crate::i18n::*;
use crate::ui::money;
use crate::ui::{
    action_error, error_text, reload_on_success, Changes, ErrorBox, FieldError, FieldSlot,
    FormError, Loading,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

fn clock_text(i18n: I18nContext<Locale>, clock: &str) -> String {
    match clock {
        "stage" => t_string!(i18n, clock_stage).to_string(),
        "followup" => t_string!(i18n, clock_followup).to_string(),
        _ => t_string!(i18n, clock_no_deal).to_string(),
    }
}

fn status_text(i18n: I18nContext<Locale>, status: Status) -> String {
    match status {
        Status::Draft => t_string!(i18n, status_draft).to_string(),
        Status::Owned => t_string!(i18n, status_owned).to_string(),
        Status::Held => t_string!(i18n, status_held).to_string(),
        Status::Pool => t_string!(i18n, status_pool).to_string(),
        Status::Lost => t_string!(i18n, status_lost).to_string(),
    }
}

fn action_text(i18n: I18nContext<Locale>, action: &str) -> String {
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
        other => other.to_string(),
    }
}

fn rule_text(i18n: I18nContext<Locale>, rule: &str) -> String {
    match rule {
        "stage_overdue" => t_string!(i18n, rule_stage_overdue).to_string(),
        "followup_overdue" => t_string!(i18n, rule_followup_overdue).to_string(),
        "no_deal_overdue" => t_string!(i18n, rule_no_deal_overdue).to_string(),
        other => other.to_string(),
    }
}

/// The countdown badge: days left on the nearest clock, red under 3 days.
#[component]
fn Countdown(due: Option<Due>) -> impl IntoView {
    let i18n = use_i18n();
    due.map(|d| {
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
    })
}

#[component]
fn CardRow(card: CustomerCard) -> impl IntoView {
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
fn more_href(keep: &[(&str, &str)], shown: usize, asked: u32) -> Option<String> {
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
fn ShowMore(href: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    href.map(|q| {
        view! {
            <p class="more">
                <a class="button secondary" href=format!("?{q}") data-testid="list-more">{t!(i18n, list_more)}</a>
            </p>
        }
    })
}

fn view_of(q: &leptos_router::params::ParamsMap) -> String {
    q.get("view").unwrap_or_else(|| "mine".to_string())
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_user().0;
    let query = use_query_map();
    let data = Resource::new(
        move || (view_of(&query.read()), crate::ui::asked_rows(&query.read())),
        |(view, n)| list_customers(view, n),
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
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let list = data.await;
                    let open = disputes_res.await.unwrap_or_default();
                    match list {
                        Ok(cards) if cards.is_empty() && open.is_empty() => view! {
                            <p class="card empty-state muted" data-testid="empty-list">{t!(i18n, no_customers)}</p>
                        }.into_any(),
                        Ok(cards) => {
                            let view = match view_of(&query.read_untracked()).as_str() {
                                "team" => "team",
                                "inbox" => "inbox",
                                _ => "mine",
                            };
                            let more = more_href(&[("view", view)], cards.len(), crate::ui::asked_rows(&query.read_untracked()));
                            view! {
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

/// Open disputes in a manager's inbox: keep it with its owner, or transfer it.
#[component]
fn DisputeList(items: Vec<DisputeItem>) -> impl IntoView {
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

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    // without JavaScript a refused save comes back as this page with its error,
    // shown by the fields below; in the browser the form island shows it
    let err = action_error(ServerAction::<RegisterCustomer>::new());
    let items = Resource::new(|| (), |_| list_qual_items());
    view! {
        <section class="page register">
            <h1>{t!(i18n, register_title)}</h1>
            <RegisterForm>
                // everything optional is folded away on a phone; it opens by
                // itself when one of its fields is refused (in the browser the
                // form below puts the message in the field's slot and opens it)
                <details class="more" data-testid="register-more-fold"
                    open=move || err.get().and_then(|e| e.field().map(|f| !matches!(f, "name" | "phones"))).unwrap_or(false)>
                    <summary data-testid="register-more">{t!(i18n, register_more)}</summary>
                    <div class="grid2">
                        <label><span>{t!(i18n, field_contact)}</span><input name="contact" maxlength="100" /></label>
                        <label><span>{t!(i18n, field_contact_role)}</span><input name="contact_role" maxlength="100" /></label>
                    </div>
                    <FieldSlot err field="contact" />
                    <FieldSlot err field="contact_role" />
                    <label><span>{t!(i18n, field_decision_maker)}</span><input name="decision_maker" maxlength="100" /></label>
                    <FieldSlot err field="decision_maker" />
                    <label><span>{t!(i18n, field_address)}</span><input name="address" maxlength="200" /></label>
                    <FieldSlot err field="address" />
                    <PositionField />
                    <FieldSlot err field="location" />
                    <div class="grid2">
                        <label><span>{t!(i18n, field_region)}</span><input name="region" maxlength="100" /></label>
                        <label><span>{t!(i18n, field_industry)}</span><input name="industry" maxlength="100" /></label>
                        <label><span>{t!(i18n, field_size)}</span>
                            <select name="size">
                                <option value="">"—"</option>
                                <option value="1-20">"1-20"</option>
                                <option value="21-100">"21-100"</option>
                                <option value="101-500">"101-500"</option>
                                <option value="500+">"500+"</option>
                            </select>
                        </label>
                        <label><span>{t!(i18n, field_source)}</span><input name="source" maxlength="100" /></label>
                    </div>
                    <FieldSlot err field="region" />
                    <FieldSlot err field="industry" />
                    <FieldSlot err field="size" />
                    <FieldSlot err field="source" />
                    <div class="grid2">
                        <label><span>{t!(i18n, field_founded_on)}</span><input name="founded_on" type="date" /></label>
                        <label><span>{t!(i18n, field_dm_birthday)}</span><input name="dm_birthday" type="date" /></label>
                    </div>
                    <FieldSlot err field="founded_on" />
                    <FieldSlot err field="dm_birthday" />
                    <label><span>{t!(i18n, field_expected_amount)}</span><input name="expected_amount" inputmode="decimal" placeholder="0.00" /></label>
                    <FieldSlot err field="expected_amount" />
                    <label><span>{t!(i18n, field_referred_by)}</span><crate::referrals::components::ReferrerChooser value=String::new() /></label>
                    <FieldSlot err field="referred_by" />
                    <label><span>{t!(i18n, field_notes)}</span><textarea name="notes" rows="3" maxlength="2000"></textarea></label>
                    <FieldSlot err field="notes" />
                </details>
                <fieldset class="checklist">
                    <legend>{t!(i18n, checklist_title)}</legend>
                    <p class="muted small">{t!(i18n, checklist_intro)}</p>
                    <Suspense fallback=Loading>
                        {move || Suspend::new(async move {
                            items.await.unwrap_or_default().into_iter().enumerate().map(|(i, item)| view! {
                                <label class="check">
                                    <input type="checkbox" name=format!("ticked[{i}]") value=item.id.clone() data-testid="checklist-item" />
                                    <span>{item.label}</span>
                                </label>
                            }).collect_view()
                        })}
                    </Suspense>
                </fieldset>
            </RegisterForm>
        </section>
    }
}

/// The registration form's living part: the duplicate check as the rep types,
/// the answer of the save (taken, near matches to confirm, a dispute to raise)
/// and the messages of refused fields. An island; the optional fields and the
/// checklist are its children, rendered by the server.
#[island]
fn RegisterForm(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let register = ServerAction::<RegisterCustomer>::new();
    let err = action_error(register);
    let name = RwSignal::new(String::new());
    let phones = RwSignal::new(String::new());
    let hint = RwSignal::new(None::<DupCheck>);
    // The check runs as the rep types (400 ms after the last key); the save checks again.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let schedule_check = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        let (n, p) = (name.get_untracked(), phones.get_untracked());
        if n.trim().chars().count() < 2 && p.trim().len() < 5 {
            hint.set(None);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(found) = check_duplicate(n, p).await {
                        hint.set(Some(found));
                    }
                });
            },
            std::time::Duration::from_millis(400),
        )
        .ok();
        timer.set_value(handle);
    };
    let outcome = move || register.value().get().and_then(|r| r.ok());
    let duplicate = move || match outcome() {
        Some(RegisterOutcome::Duplicate { on, mine }) => Some((on, mine)),
        _ => hint.get().and_then(|h| h.taken_on.map(|on| (on, h.mine))),
    };
    let near = move || match outcome() {
        Some(RegisterOutcome::NearMatch { names, hidden }) => (names, hidden),
        _ => hint
            .get()
            .map(|h| (h.near, h.near_hidden))
            .unwrap_or_default(),
    };
    let needs_confirm = move || matches!(outcome(), Some(RegisterOutcome::NearMatch { .. }));
    let fields: &'static [&'static str] = &[
        "name",
        "phones",
        "contact",
        "contact_role",
        "decision_maker",
        "address",
        "region",
        "location",
        "industry",
        "size",
        "source",
        "referred_by",
        "founded_on",
        "dm_birthday",
        "notes",
        "expected_amount",
    ];
    // a refused field below (in the children) shows its message in its slot
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        let refused = err
            .get()
            .and_then(|e| e.field().map(|f| (f.to_string(), error_text(i18n, &e))));
        #[cfg(feature = "hydrate")]
        if let Some(form) = form_ref.get() {
            crate::ui::show_in_slots(&form, refused);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (refused, form_ref);
    });
    view! {
        <ActionForm action=register node_ref=form_ref attr:class="card form" attr:data-testid="register-form">
            <FormError err fields />
            <label>
                <span>{t!(i18n, field_company)} " *"</span>
                <input name="name" required maxlength="80" autocomplete="off"
                    on:input=move |ev| { name.set(event_target_value(&ev)); schedule_check(); } />
            </label>
            <FieldError err field="name" />
            <label>
                <span>{t!(i18n, field_phones)} " *"</span>
                <input name="phones" type="tel" required autocomplete="off"
                    on:input=move |ev| { phones.set(event_target_value(&ev)); schedule_check(); } />
                <small class="muted">{t!(i18n, phones_hint)}</small>
            </label>
            <FieldError err field="phones" />
            {move || duplicate().map(|(on, mine)| view! {
                <div class="dup-warning" role="alert" data-testid="duplicate">
                    <p>{if mine {
                        format!("{} {}", t_string!(i18n, dup_mine), on)
                    } else {
                        format!("{} {}", t_string!(i18n, dup_taken), on)
                    }}</p>
                    <Show when=move || !mine>
                        <DisputeForm name phones />
                    </Show>
                </div>
            })}
            {move || {
                let (names, hidden) = near();
                ((!names.is_empty() || hidden > 0) && duplicate().is_none()).then(|| view! {
                    <div class="near-warning" role="status" data-testid="near-match">
                        <p>{t!(i18n, near_intro)}</p>
                        <ul>
                            {names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                            {(hidden > 0).then(|| view! {
                                <li class="muted" data-testid="near-hidden">{t_string!(i18n, near_hidden).replace("{n}", &hidden.to_string())}</li>
                            })}
                        </ul>
                        <Show when=needs_confirm>
                            <label class="check">
                                <input type="checkbox" name="confirm_near" value="true" data-testid="confirm-near" />
                                <span>{t!(i18n, near_confirm)}</span>
                            </label>
                        </Show>
                    </div>
                })
            }}
            {children()}
            <button type="submit" class="primary" disabled=move || register.pending().get() data-testid="register-submit">
                {t!(i18n, register_submit)}
            </button>
        </ActionForm>
    }
}

/// The customer's position: "use my current position" (the phone's location,
/// with its accuracy) once hydrated, or latitude and longitude typed in. An
/// island of its own inside the register form's children.
#[island]
fn PositionField() -> impl IntoView {
    let i18n = use_i18n();
    use crate::field::components::Geo;
    let geo = RwSignal::new(Geo::Denied);
    let asked = RwSignal::new(false);
    // the button needs JavaScript: shown once hydrated
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let coord = move |lat: bool| match geo.get() {
        Geo::At { lat: a, lng: b, .. } => format!("{:.6}", if lat { a } else { b }),
        _ => String::new(),
    };
    let locate = move |_| {
        asked.set(true);
        geo.set(Geo::Locating);
        #[cfg(feature = "hydrate")]
        crate::field::components::locate(geo);
    };
    view! {
        <div class="position-row">
            <button type="button" hidden=move || !ready.get() on:click=locate data-testid="use-position">
                {t!(i18n, register_use_position)}
            </button>
            <span class="muted small" data-testid="position-status" aria-live="polite">
                {move || asked.get().then(|| match geo.get() {
                    Geo::Locating => t_string!(i18n, checkin_locating).to_string(),
                    Geo::At { accuracy, .. } => t_string!(i18n, checkin_located).replace("{m}", &(accuracy.round() as i64).to_string()),
                    Geo::Denied => t_string!(i18n, register_position_denied).to_string(),
                })}
            </span>
        </div>
        <div class="grid2">
            <label><span>{t!(i18n, field_lat)}</span><input name="lat" inputmode="decimal" prop:value=move || coord(true) /></label>
            <label><span>{t!(i18n, field_lng)}</span><input name="lng" inputmode="decimal" prop:value=move || coord(false) /></label>
        </div>
    }
}

/// Raises a dispute about the company being registered (name and phones as typed).
#[component]
fn DisputeForm(name: RwSignal<String>, phones: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let raise = ServerAction::<RaiseDispute>::new();
    let err = action_error(raise);
    view! {
        <Show
            when=move || !matches!(raise.value().get(), Some(Ok(())))
            fallback=move || view! { <p class="notice" role="status" data-testid="dispute-sent">{t!(i18n, dispute_sent)}</p> }
        >
            <details class="dispute-form">
                <summary data-testid="dispute-open">{t!(i18n, dispute_raise)}</summary>
                <ActionForm action=raise attr:class="form">
                    <input type="hidden" name="name" prop:value=move || name.get() />
                    <input type="hidden" name="phones" prop:value=move || phones.get() />
                    <label><span>{t!(i18n, dispute_note)}</span><textarea name="note" rows="2" maxlength="1000"></textarea></label>
                    <FormError err fields=&[] />
                    <button type="submit" data-testid="dispute-submit">{t!(i18n, dispute_submit)}</button>
                </ActionForm>
            </details>
        </Show>
    }
}

// ---------------------------------------------------------------------------
// The customer card

#[component]
pub fn CustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let reload = Changes::provide();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(move || (id(), reload.0.get()), |(id, _)| get_customer(id));
    let people = Resource::new(|| (), |_| assignees());
    let user = use_user().0;
    view! {
        <section class="page customer">
            <p><a href="/customers">{t!(i18n, back_to_list)}</a></p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let me = user.await.ok().flatten();
                    match data.await {
                        Ok(d) => {
                            let staff = if me.as_ref().is_some_and(|u| u.role != Role::Rep) {
                                people.await.unwrap_or_default()
                            } else {
                                Vec::new()
                            };
                            view! { <Detail d staff /> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Detail(d: CustomerDetail, staff: Vec<Assignee>) -> impl IntoView {
    let i18n = use_i18n();
    let c = d.card.clone();
    let status = c.status;
    let a = d.allowed.clone();
    let rows: Vec<(String, String)> = vec![
        (
            t_string!(i18n, field_contact).to_string(),
            format!("{} {}", d.contact, d.contact_role)
                .trim()
                .to_string(),
        ),
        (
            t_string!(i18n, field_decision_maker).to_string(),
            d.decision_maker.clone(),
        ),
        (
            t_string!(i18n, field_address).to_string(),
            d.address.clone(),
        ),
        (t_string!(i18n, field_region).to_string(), c.region.clone()),
        (
            t_string!(i18n, field_industry).to_string(),
            c.industry.clone(),
        ),
        (t_string!(i18n, field_size).to_string(), c.size.clone()),
        (t_string!(i18n, field_source).to_string(), c.source.clone()),
        (
            t_string!(i18n, field_founded_on).to_string(),
            d.founded_on.clone().unwrap_or_default(),
        ),
        (
            t_string!(i18n, field_dm_birthday).to_string(),
            d.dm_birthday.clone().unwrap_or_default(),
        ),
        (
            t_string!(i18n, field_expected_amount).to_string(),
            if c.expected_cents > 0 {
                money(c.expected_cents)
            } else {
                String::new()
            },
        ),
        (
            t_string!(i18n, field_referred_by).to_string(),
            d.referred_by.clone().map(|r| r.1).unwrap_or_default(),
        ),
        (t_string!(i18n, field_notes).to_string(), d.notes.clone()),
        (
            t_string!(i18n, registered_by).to_string(),
            d.created_by_name.clone(),
        ),
    ];
    view! {
        <div class="card">
            <div class="customer-head">
                <h1 data-testid="customer-name">{c.name.clone()}</h1>
                <Countdown due=c.due.clone() />
            </div>
            <div class="customer-meta">
                <span class="badge stage" data-testid="stage">{c.stage_name.clone()} " " {c.probability} "%"</span>
                <span class="badge" data-testid="status">{move || status_text(i18n, status)}</span>
                {c.owner_name.clone().map(|o| view! { <span class="muted">{o}</span> })}
            </div>
            <p class="phones" data-testid="phones">{c.phones.join(" / ")}</p>
            <dl class="kvs">
                {rows.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! {
                    <div class="kv"><dt class="muted">{k}</dt><dd>{v}</dd></div>
                }).collect_view()}
            </dl>
        </div>
        {a.tick_checklist.then(|| view! { <ChecklistForm id=c.id.clone() entries=d.checklist.clone() /> })}
        {a.advance.then(|| view! { <AdvanceForm id=c.id.clone() forward=d.forward.clone() feedback=d.stage_feedback.clone() /> })}
        {a.move_back.then(|| view! { <BackForm id=c.id.clone() backward=d.backward.clone() /> })}
        {(a.manage || (a.move_back && !staff.is_empty())).then(|| view! { <ManageForm id=c.id.clone() staff=staff.clone() held=status == Status::Held /> })}
        {a.claim.then(|| view! { <ClaimForm id=c.id.clone() /> })}
        {(a.propose_lost || a.release).then(|| view! { <LeaveForms id=c.id.clone() lost=a.propose_lost release=a.release /> })}
        {d.lost_proposal.clone().map(|text| view! {
            <div class="card">
                <h2>{t!(i18n, lost_proposal_title)}</h2>
                <p>{text}</p>
            </div>
        })}
        {(!d.open_alarms.is_empty()).then(|| view! {
            <div class="card" data-testid="customer-alarms">
                <h2>{t!(i18n, alarm_open_on_customer)}</h2>
                <ul class="plain">
                    {d.open_alarms.clone().into_iter().map(|(id, kind, text)| {
                        let lost = kind == "lost";
                        view! {
                            <li><a href=format!("/alarms/{id}")>
                                <span class=if lost { "badge flag" } else { "badge" }>{move || crate::alarms::components::kind_text(i18n, &kind)}</span>
                                " " {text}
                            </a></li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })}
        {(a.advance || a.tick_checklist).then(|| view! { <crate::field::components::FollowupForm customer=c.id.clone() /> })}
        {a.advance.then(|| view! { <crate::reminders::components::RevisitForm customer=c.id.clone() days=d.revisit_days /> })}
        {(a.advance || a.tick_checklist || a.move_back).then(|| view! {
            <ReferrerForm id=c.id.clone() current=d.referred_by.clone().map(|r| r.1).unwrap_or_default() />
        })}
        <History entries=d.history.clone() />
    }
}

/// Who referred this customer: picked among the customers the user may see;
/// a pick that would make the referral tree a loop is refused.
#[component]
fn ReferrerForm(id: String, current: String) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<crate::referrals::api::SetReferrer>::new();
    reload_on_success(set);
    let err = action_error(set);
    view! {
        <details class="card" data-testid="referrer-form" open=move || err.get().is_some()>
            <summary>{t!(i18n, ref_change)}</summary>
            <ActionForm action=set attr:class="form">
                <input type="hidden" name="customer" value=id />
                <FormError err fields=&["referred_by"] />
                <label><span>{t!(i18n, field_referred_by)}</span><crate::referrals::components::ReferrerChooser value=current /></label>
                <FieldError err field="referred_by" />
                <button type="submit" class="primary" data-testid="referrer-save">{t!(i18n, save)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ChecklistForm(id: String, entries: Vec<ChecklistEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let tick = ServerAction::<TickChecklist>::new();
    reload_on_success(tick);
    let err = action_error(tick);
    view! {
        <ActionForm action=tick attr:class="card form" attr:data-testid="checklist-form">
            <h2>{t!(i18n, checklist_title)}</h2>
            <p class="muted small">{t!(i18n, checklist_intro)}</p>
            <input type="hidden" name="id" value=id />
            {entries.into_iter().enumerate().map(|(i, e)| view! {
                <label class="check">
                    <input type="checkbox" name=format!("ticked[{i}]") value=e.id checked=e.ticked />
                    <span>{e.label}</span>
                </label>
            }).collect_view()}
            <FormError err fields=&[] />
            <button type="submit" class="primary">{t!(i18n, save)}</button>
        </ActionForm>
    }
}

#[component]
fn AdvanceForm(id: String, forward: Vec<NextStage>, feedback: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let advance = ServerAction::<MoveStage>::new();
    reload_on_success(advance);
    let err = action_error(advance);
    let next = forward.first().cloned();
    let skip_targets: Vec<NextStage> = forward.iter().skip(1).cloned().collect();
    let has_skip = !skip_targets.is_empty();
    let skip = ServerAction::<MoveStage>::new();
    reload_on_success(skip);
    let skip_err = action_error(skip);
    view! {
        {next.map(|n| view! {
            <ActionForm action=advance attr:class="card form" attr:data-testid="advance-form">
                <h2>{t!(i18n, advance_to)} " " {n.name.clone()}</h2>
                <input type="hidden" name="id" value=id.get_value() />
                <input type="hidden" name="to_stage" value=n.id.clone() />
                {feedback.iter().enumerate().map(|(i, label)| view! {
                    <label>
                        <span>{label.clone()} " *"</span>
                        <textarea name=format!("answers[{i}]") rows="2" maxlength="1000" required data-testid="feedback"></textarea>
                    </label>
                }).collect_view()}
                <FieldError err field="answers" />
                <FormError err fields=&["answers"] />
                <button type="submit" class="primary" data-testid="advance-submit">{t!(i18n, advance_submit)}</button>
            </ActionForm>
        })}
        {has_skip.then(|| view! {
            <details class="card">
                <summary>{t!(i18n, skip_title)}</summary>
                <ActionForm action=skip attr:class="form">
                    <input type="hidden" name="id" value=id.get_value() />
                    <label><span>{t!(i18n, target_stage)}</span>
                        <select name="to_stage">
                            {skip_targets.clone().into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                        </select>
                    </label>
                    <label><span>{t!(i18n, reason)} " *"</span><textarea name="reason" rows="2" required></textarea></label>
                    <FieldError err=skip_err field="reason" />
                    <FormError err=skip_err fields=&["reason"] />
                    <button type="submit">{t!(i18n, skip_submit)}</button>
                </ActionForm>
            </details>
        })}
    }
}

#[component]
fn BackForm(id: String, backward: Vec<NextStage>) -> impl IntoView {
    let i18n = use_i18n();
    let back = ServerAction::<MoveStage>::new();
    reload_on_success(back);
    let err = action_error(back);
    view! {
        <details class="card">
            <summary>{t!(i18n, back_title)}</summary>
            <ActionForm action=back attr:class="form">
                <input type="hidden" name="id" value=id />
                <label><span>{t!(i18n, target_stage)}</span>
                    <select name="to_stage">
                        {backward.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>{t!(i18n, reason)} " *"</span><textarea name="reason" rows="2" required></textarea></label>
                <FieldError err field="reason" />
                <FormError err fields=&["reason"] />
                <button type="submit">{t!(i18n, back_submit)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ManageForm(id: String, staff: Vec<Assignee>, held: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let manage = ServerAction::<ManageCustomer>::new();
    reload_on_success(manage);
    let err = action_error(manage);
    let keep = ServerAction::<ManageCustomer>::new();
    reload_on_success(keep);
    let pool = ServerAction::<ManageCustomer>::new();
    reload_on_success(pool);
    let pool_err = action_error(pool);
    view! {
        <div class="card form" data-testid="manage">
            <h2>{if held { t_string!(i18n, inbox_decide).to_string() } else { t_string!(i18n, reassign_title).to_string() }}</h2>
            <ActionForm action=manage attr:class="form">
                <input type="hidden" name="id" value=id.get_value() />
                <input type="hidden" name="action" value="reassign" />
                <label><span>{t!(i18n, reassign_to)}</span>
                    <select name="to_user" data-testid="reassign-to">
                        {staff.into_iter().map(|p| {
                            let full = p.owned >= p.cap;
                            view! { <option value=p.id disabled=full>{format!("{} ({}/{})", p.name, p.owned, p.cap)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <FieldError err field="to_user" />
                <FormError err fields=&["to_user"] />
                <button type="submit" class="primary" data-testid="reassign-submit">{t!(i18n, reassign_submit)}</button>
            </ActionForm>
            {held.then(|| view! {
                <div class="button-row">
                    <ActionForm action=keep>
                        <input type="hidden" name="id" value=id.get_value() />
                        <input type="hidden" name="action" value="keep" />
                        <button type="submit">{t!(i18n, keep_submit)}</button>
                    </ActionForm>
                </div>
                <ActionForm action=pool attr:class="form">
                    <input type="hidden" name="id" value=id.get_value() />
                    <input type="hidden" name="action" value="pool" />
                    <label><span>{t!(i18n, reason)} " *"</span><input name="reason" required /></label>
                    <FieldError err=pool_err field="reason" />
                    <button type="submit">{t!(i18n, to_pool_submit)}</button>
                </ActionForm>
            })}
        </div>
    }
}

#[component]
fn ClaimForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let claim = ServerAction::<ClaimCustomer>::new();
    reload_on_success(claim);
    let err = action_error(claim);
    view! {
        <ActionForm action=claim attr:class="card form">
            <input type="hidden" name="id" value=id />
            <FormError err fields=&[] />
            <button type="submit" class="primary" data-testid="claim">{t!(i18n, claim_submit)}</button>
        </ActionForm>
    }
}

#[component]
fn LeaveForms(id: String, lost: bool, release: bool) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let rel = ServerAction::<ReleaseCustomer>::new();
    reload_on_success(rel);
    let rel_err = action_error(rel);
    view! {
        {lost.then(|| view! {
            <div class="card link-row">
                <a class="button" href=format!("/alarms/new?customer={}&kind=help", id.get_value()) data-testid="raise-help">{t!(i18n, alarm_raise_help)}</a>
                <a class="button danger" href=format!("/alarms/new?customer={}&kind=lost", id.get_value()) data-testid="propose-lost">{t!(i18n, lost_title)}</a>
            </div>
        })}
        {release.then(|| view! {
            <details class="card">
                <summary>{t!(i18n, release_title)}</summary>
                <ActionForm action=rel attr:class="form">
                    <input type="hidden" name="id" value=id.get_value() />
                    <p class="muted small">{t!(i18n, release_intro)}</p>
                    <label><span>{t!(i18n, reason)} " *"</span><input name="reason" required /></label>
                    <FieldError err=rel_err field="reason" />
                    <FormError err=rel_err fields=&["reason"] />
                    <button type="submit">{t!(i18n, release_submit)}</button>
                </ActionForm>
            </details>
        })}
    }
}

#[component]
fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, history_title)}</h2>
        <ol class="history" data-testid="history">
            {entries.into_iter().map(|h| {
                let action = h.action.clone();
                let rule = h.rule.clone();
                let when = h.at.format("%Y-%m-%d %H:%M").to_string();
                view! {
                    <li class="card history-item" data-action=h.action.clone()>
                        <div class="history-head">
                            <strong>{move || action_text(i18n, &action)}</strong>
                            <span class="muted small">{when} " UTC"</span>
                        </div>
                        <p class="muted small">
                            {h.actor_name.clone().unwrap_or_else(|| t_string!(i18n, by_rule).to_string())}
                            {rule.map(|r| view! { " · " {move || rule_text(i18n, &r)} })}
                        </p>
                        {(h.from_owner.is_some() || h.to_owner.is_some()).then(|| view! {
                            <p class="small">{h.from_owner.clone().unwrap_or_else(|| "—".into())} " → " {h.to_owner.clone().unwrap_or_else(|| t_string!(i18n, status_pool).to_string())}</p>
                        })}
                        {(h.from_stage != h.to_stage).then(|| view! {
                            <p class="small">{h.from_stage.clone().unwrap_or_default()} " → " {h.to_stage.clone().unwrap_or_default()}</p>
                        })}
                        {h.reason.clone().map(|r| view! { <p class="small">{r}</p> })}
                        {h.feedback.iter().map(|(q, a)| view! { <p class="small"><span class="muted">{q.clone()} ": "</span>{a.clone()}</p> }).collect_view()}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

// ---------------------------------------------------------------------------
// The public pool

#[component]
pub fn PoolPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let data = Resource::new(
        move || {
            (
                get("industry"),
                get("size"),
                get("region"),
                get("source"),
                get("stage"),
                crate::ui::asked_rows(&query.read()),
            )
        },
        |(industry, size, region, source, stage, n)| pool(industry, size, region, source, stage, n),
    );
    let stages = Resource::new(|| (), |_| list_stages());
    view! {
        <section class="page pool">
            <h1>{t!(i18n, pool_title)}</h1>
            <p class="muted">{t!(i18n, pool_intro)}</p>
            <details class="card">
                <summary>{t!(i18n, filters)}</summary>
                <form method="get" action="/pool" class="form">
                    <div class="grid2">
                        <label><span>{t!(i18n, field_industry)}</span><input name="industry" value=get("industry") /></label>
                        <label><span>{t!(i18n, field_region)}</span><input name="region" value=get("region") /></label>
                        <label><span>{t!(i18n, field_size)}</span>
                            <select name="size">
                                <option value="">"—"</option>
                                {["1-20", "21-100", "101-500", "500+"].into_iter().map(|s| view! { <option value=s selected=get("size") == s>{s}</option> }).collect_view()}
                            </select>
                        </label>
                        <label><span>{t!(i18n, field_source)}</span><input name="source" value=get("source") /></label>
                    </div>
                    <label><span>{t!(i18n, stage)}</span>
                        <select name="stage">
                            <option value="">"—"</option>
                            <Suspense>
                                {move || Suspend::new(async move {
                                    stages.await.unwrap_or_default().into_iter().filter(|s| s.active).map(|s| {
                                        let selected = get("stage") == s.id;
                                        view! { <option value=s.id selected=selected>{s.name}</option> }
                                    }).collect_view()
                                })}
                            </Suspense>
                        </select>
                    </label>
                    <button type="submit">{t!(i18n, apply_filters)}</button>
                </form>
            </details>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(cards) if cards.is_empty() => view! { <p class="card empty-state muted">{t!(i18n, pool_empty)}</p> }.into_any(),
                        Ok(cards) => {
                            let q = query.read_untracked();
                            let keep: Vec<(&str, String)> = ["industry", "size", "region", "source", "stage"]
                                .into_iter()
                                .map(|k| (k, q.get(k).unwrap_or_default()))
                                .collect();
                            let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            let more = more_href(&keep, cards.len(), crate::ui::asked_rows(&query.read_untracked()));
                            view! {
                                <ul class="list" data-testid="pool-list">
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

// ---------------------------------------------------------------------------
// Notifications

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
                                            <p class="muted small">{n.at.format("%Y-%m-%d %H:%M").to_string()} " UTC"</p>
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
