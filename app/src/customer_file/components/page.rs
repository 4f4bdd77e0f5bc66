//! One customer's page: the card, what the viewer may do on it (stage moves,
//! checklist, follow-up, revisit, referrer, hand-over, claim, leave) and the history.

use super::labels::*;
use super::list::*;
use crate::auth::context::use_user;
use crate::auth::model::Role;
use crate::customer_file::api::get_customer;
use crate::customers::api::*;
use crate::customers::model::*;
use crate::i18n::*;
use crate::ui::money;
use crate::ui::{
    action_error, reload_on_success, Changes, ErrorBox, FieldError, FormError, Loading,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

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
pub(super) fn Detail(d: CustomerDetail, staff: Vec<Assignee>) -> impl IntoView {
    let i18n = use_i18n();
    let c = d.card.clone();
    let status = c.status;
    let a = d.allowed.clone();
    let rows: Vec<(String, String)> = vec![
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
            t_string!(i18n, field_expected_amount).to_string(),
            if c.expected_cents > 0 {
                money(c.expected_cents)
            } else {
                String::new()
            },
        ),
        (
            t_string!(i18n, field_close_on).to_string(),
            d.close_on.clone().unwrap_or_default(),
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
        <super::file::PendingChanges items=d.pending.clone() />
        <super::file::ContactsCard id=c.id.clone() contacts=d.contacts.clone() add=d.file.add />
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
        {(a.follow_up || a.tick_checklist).then(|| view! { <crate::field::components::FollowupForm customer=c.id.clone() /> })}
        {a.follow_up.then(|| view! { <crate::reminders::components::RevisitForm customer=c.id.clone() days=d.revisit_days /> })}
        {d.file.add.then(|| view! { <super::file::FileForms d=d.clone() /> })}
        {(a.advance || a.tick_checklist || a.move_back).then(|| view! {
            <ReferrerForm id=c.id.clone() current=d.referred_by.clone().map(|r| r.1).unwrap_or_default() />
        })}
        <Timeline id=c.id.clone() />
    }
}

/// Who referred this customer: picked among the customers the user may see;
/// a pick that would make the referral tree a loop is refused.
#[component]
pub(super) fn ReferrerForm(id: String, current: String) -> impl IntoView {
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
pub(super) fn ChecklistForm(id: String, entries: Vec<ChecklistEntry>) -> impl IntoView {
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
pub(super) fn AdvanceForm(
    id: String,
    forward: Vec<NextStage>,
    feedback: Vec<String>,
) -> impl IntoView {
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
pub(super) fn BackForm(id: String, backward: Vec<NextStage>) -> impl IntoView {
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
pub(super) fn ManageForm(id: String, staff: Vec<Assignee>, held: bool) -> impl IntoView {
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
pub(super) fn ClaimForm(id: String) -> impl IntoView {
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
pub(super) fn LeaveForms(id: String, lost: bool, release: bool) -> impl IntoView {
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
pub(super) fn HistoryItem(h: HistoryEntry) -> impl IntoView {
    let i18n = use_i18n();
    let action = h.action.clone();
    let rule = h.rule.clone();
    let when = h.when.clone();
    view! {
        <li class="card history-item" data-action=h.action.clone() data-kind="history">
            <div class="history-head">
                <strong>{move || action_text(i18n, &action)}</strong>
                <span class="muted small" data-testid="history-when">{when}</span>
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
}

/// Everything that happened to the customer, newest first, a page at a time
/// (`?before=` pages on, with or without JavaScript).
#[component]
pub(super) fn Timeline(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let reload = expect_context::<Changes>();
    let before = move || query.read().get("before").unwrap_or_default();
    let page = Resource::new(
        move || (id.clone(), before(), reload.0.get()),
        |(id, b, _)| crate::customer_file::api::customer_timeline(id, b),
    );
    view! {
        <h2>{t!(i18n, timeline_title)}</h2>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let paged = !before().is_empty();
                        view! {
                            <ol class="history timeline" data-testid="timeline">
                                {p.items.into_iter().map(|item| view! { <TimelineEntry item /> }).collect_view()}
                            </ol>
                            <p class="more">
                                {paged.then(|| view! { <a class="button secondary" href="?" data-testid="timeline-newest">{t!(i18n, timeline_newest)}</a> " " })}
                                {p.next.map(|n| {
                                    let href = format!("?{}", form_urlencoded::Serializer::new(String::new()).append_pair("before", &n).finish());
                                    view! { <a class="button secondary" href=href data-testid="timeline-older">{t!(i18n, timeline_older)}</a> }
                                })}
                            </p>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorBox err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TimelineEntry(item: crate::customer_file::model::TimelineItem) -> impl IntoView {
    use crate::customer_file::model::TimelineWhat;
    let i18n = use_i18n();
    let photos = (!item.photos.is_empty()).then(|| view! {
        <div class="feed-photos">
            {item.photos.iter().map(|h| view! {
                <a href=format!("/photos/{h}") target="_blank" rel="noopener">
                    <img src=format!("/photos/{h}/thumb") alt="" loading="lazy" width="96" height="96" data-testid="timeline-photo" />
                </a>
            }).collect_view()}
        </div>
    });
    let head = |title: String, kind: &'static str, when: String, actor: Option<String>| {
        view! {
            <div class="history-head">
                <strong>{title}</strong>
                <span class="muted small" data-testid="history-when">{when}</span>
            </div>
            <p class="muted small" data-kind=kind>{actor.unwrap_or_default()}</p>
        }
    };
    match item.what {
        TimelineWhat::History(h) => view! { <HistoryItem h /> }.into_any(),
        TimelineWhat::Checkin { purpose, distance_m, flags } => view! {
            <li class="card history-item" data-kind="checkin">
                {head(crate::live::labels::kind_text(i18n, "checkin"), "checkin", item.when, item.actor)}
                {(!purpose.is_empty()).then(|| view! { <p class="small">{purpose}</p> })}
                {distance_m.map(|d| view! { <p class="small muted">{t_string!(i18n, feed_distance).replace("{m}", &(d.round() as i64).to_string())}</p> })}
                {flags.into_iter().map(|f| view! { <span class="badge flag">{move || crate::field::components::flag_text(i18n, &f)}</span> " " }).collect_view()}
                {photos}
            </li>
        }.into_any(),
        TimelineWhat::Followup { text } => view! {
            <li class="card history-item" data-kind="followup">
                {head(crate::live::labels::kind_text(i18n, "followup"), "followup", item.when, item.actor)}
                <p class="small feed-text">{text}</p>
                {photos}
            </li>
        }.into_any(),
        TimelineWhat::Change { field, before, after, reason, status, decided_by } => {
            use super::file::{change_field_text, change_status_text, change_value};
            let title = change_field_text(i18n, &field);
            let shown_before = change_value(&field, &before);
            let shown_after = change_value(&field, &after);
            let added = matches!(field.as_str(), "note" | "phone_add") || before.is_empty();
            let plain = status == "applied";
            let status_attr = status.clone();
            view! {
                <li class="card history-item" data-kind="change" data-field=field.clone() data-status=status_attr>
                    {head(title, "change", item.when, item.actor)}
                    {if added && field == "note" {
                        view! { <p class="small feed-text">{shown_after}</p> }.into_any()
                    } else if added {
                        view! { <p class="small">{shown_after}</p> }.into_any()
                    } else {
                        view! { <p class="small"><s class="muted">{shown_before}</s> " → " {shown_after}</p> }.into_any()
                    }}
                    {reason.map(|r| view! { <p class="small muted">{r}</p> })}
                    {(!plain).then(|| view! {
                        <p class="small"><span class="badge">{move || change_status_text(i18n, &status)}</span>
                        {decided_by.map(|n| view! { " " <span class="muted">{n}</span> })}</p>
                    })}
                </li>
            }.into_any()
        }
        TimelineWhat::Contact { name, title, decision_maker } => view! {
            <li class="card history-item" data-kind="contact">
                {head(t_string!(i18n, contact_added).to_string(), "contact", item.when, item.actor)}
                <p class="small">{name} {(!title.is_empty()).then(|| format!(" · {title}"))}
                    {decision_maker.then(|| view! { " " <span class="badge">{t!(i18n, contact_dm)}</span> })}</p>
            </li>
        }.into_any(),
        TimelineWhat::Alarm { id, kind, text, status } => view! {
            <li class="card history-item" data-kind="alarm">
                {head(crate::live::labels::kind_text(i18n, &format!("alarm_{kind}")), "alarm", item.when, item.actor)}
                <p class="small"><a href=format!("/alarms/{id}")>{text}</a></p>
                <p class="small muted">{move || crate::alarms::components::status_text(i18n, &status, None)}</p>
                {photos}
            </li>
        }.into_any(),
    }
}

// ---------------------------------------------------------------------------
// The public pool
