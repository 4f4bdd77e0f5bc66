//! The alarm pages: the company's alarms, raising one (with similar past entries
//! suggested while typing), an alarm with its live answers, the statistics, and
//! the success-story prompts on the rep's to-do.

use crate::alarms::api::*;
use crate::alarms::model::*;
use crate::experience::model::ExperienceHit;
use crate::i18n::*;
use crate::live::client::Live;
use crate::live::model::Push;
use crate::ui::{
    action_error, reload_on_success, Changes, ErrorBox, FieldError, FormError, Loading,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn kind_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "lost" => t_string!(i18n, alarm_kind_lost).to_string(),
        _ => t_string!(i18n, alarm_kind_help).to_string(),
    }
}

pub fn status_text(i18n: I18nContext<Locale>, status: &str, lost_state: Option<&str>) -> String {
    match (status, lost_state) {
        ("open", Some("proposed")) => t_string!(i18n, alarm_status_proposed).to_string(),
        ("open", Some("rejected")) => t_string!(i18n, alarm_status_rejected).to_string(),
        ("open", _) => t_string!(i18n, alarm_status_open).to_string(),
        ("resolved", _) => t_string!(i18n, alarm_status_resolved).to_string(),
        ("closed", _) => t_string!(i18n, alarm_status_closed).to_string(),
        ("lost", _) => t_string!(i18n, alarm_status_lost).to_string(),
        (other, _) => other.to_string(),
    }
}

/// "3 h 20 min" / "45 min" / "2 d".
pub fn wait_text(i18n: I18nContext<Locale>, minutes: i64) -> String {
    if minutes >= 48 * 60 {
        t_string!(i18n, alarm_wait_days).replace("{n}", &(minutes / 1440).to_string())
    } else if minutes >= 60 {
        t_string!(i18n, alarm_wait_hours)
            .replace("{h}", &(minutes / 60).to_string())
            .replace("{m}", &(minutes % 60).to_string())
    } else {
        t_string!(i18n, alarm_wait_minutes).replace("{n}", &minutes.to_string())
    }
}

#[component]
pub fn AlarmsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move || query.read().get("f").unwrap_or_else(|| "open".into());
    let data = Resource::new(filter, alarms);
    let tab = move |name: &'static str| {
        move || {
            if filter() == name {
                "tab active"
            } else {
                "tab"
            }
        }
    };
    view! {
        <section class="page alarms">
            <div class="page-head">
                <h1>{t!(i18n, alarm_title)}</h1>
                <a class="button primary" href="/alarms/new" data-testid="raise-alarm-link">{t!(i18n, alarm_raise)}</a>
            </div>
            <crate::ui::TeamNav active="alarms" />
            <p class="muted small">{t!(i18n, alarm_intro)}</p>
            <nav class="tabs" data-testid="alarm-filters">
                <a class=tab("open") href="/alarms?f=open">{t!(i18n, alarm_f_open)}</a>
                <a class=tab("mine") href="/alarms?f=mine">{t!(i18n, alarm_f_mine)}</a>
                <a class=tab("answered") href="/alarms?f=answered">{t!(i18n, alarm_f_answered)}</a>
                <a class=tab("all") href="/alarms?f=all">{t!(i18n, alarm_f_all)}</a>
            </nav>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(items) if items.is_empty() => view! { <p class="card empty-state muted">{t!(i18n, alarm_none)}</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="list" data-testid="alarm-list">
                                {items.into_iter().map(|card| view! { <AlarmRow card /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AlarmRow(card: AlarmCard) -> impl IntoView {
    let i18n = use_i18n();
    let kind = card.kind.clone();
    let (status, lost_state) = (card.status.clone(), card.lost_state.clone());
    let waiting = card.status == "open" && card.answers == 0;
    let wait = card.wait_minutes;
    let excerpt: String = card.text.chars().take(120).collect();
    view! {
        <li class="card alarm-card" data-testid="alarm" data-status=card.status.clone() data-kind=card.kind.clone()>
            <a class="alarm-link" href=format!("/alarms/{}", card.id)>
                <div class="feed-head">
                    <span class=if card.kind == "lost" { "badge flag" } else { "badge alarm-badge" }>{move || kind_text(i18n, &kind)}</span>
                    <strong>{card.customer_name.clone()}</strong>
                    <span class="muted small feed-when">{card.at_local.clone()}</span>
                </div>
                <p class="muted small">{card.industry.clone()} " · " {card.stage_name.clone()} " · " {card.raiser_name.clone()} " · " {card.department_name.clone()}</p>
                <p class="feed-text">{excerpt}</p>
                <p class="small alarm-foot">
                    <span class="badge">{move || status_text(i18n, &status, lost_state.as_deref())}</span>
                    " " <span data-testid="answer-count">{move || t_string!(i18n, alarm_answers_n).replace("{n}", &card.answers.to_string())}</span>
                    {(waiting && wait.is_some()).then(|| view! {
                        " " <span class="badge flag">{move || t_string!(i18n, alarm_waiting).replace("{t}", &wait_text(i18n, wait.unwrap_or(0)))}</span>
                    })}
                    {(card.escalated > 0).then(|| view! { " " <span class="badge flag">{t!(i18n, alarm_escalated)}</span> })}
                </p>
            </a>
        </li>
    }
}

// ---------------------------------------------------------------------------
// Raising

#[component]
pub fn RaiseAlarmPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let preset = query.read_untracked().get("customer").unwrap_or_default();
    // the labels and the post-mortem's second field follow the checked radio in
    // CSS (works without JavaScript); only the first choice comes from the link
    let lost = query.read_untracked().get("kind").as_deref() == Some("lost");
    let targets = Resource::new(|| (), |_| raise_targets());
    let raise = ServerAction::<RaiseAlarm>::new();
    let err = action_error(raise);
    view! {
        <section class="page raise-alarm">
            <h1>{t!(i18n, alarm_raise)}</h1>
            <Transition fallback=Loading>
                {move || {
                    let preset = preset.clone();
                    Suspend::new(async move {
                    match targets.await {
                        Ok(list) if list.is_empty() => view! { <p class="card empty-state muted" data-testid="no-targets">{t!(i18n, alarm_no_targets)}</p> }.into_any(),
                        Ok(list) => view! {
            <ActionForm action=raise attr:class="form card" attr:data-testid="raise-form">
                <label>
                    <span>{t!(i18n, alarm_customer)}</span>
                    <select name="customer" required data-testid="alarm-customer">
                        {list.into_iter().map(|t| {
                            let selected = t.id == preset;
                            view! { <option value=t.id.clone() selected=selected>{t.name.clone()} " · " {t.stage_name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <FieldError err field="customer" />
                <fieldset class="choice">
                    <legend>{t!(i18n, alarm_kind)}</legend>
                    <label><input type="radio" name="kind" value="help" checked=!lost />" " {t!(i18n, alarm_kind_help)}</label>
                    <label><input type="radio" name="kind" value="lost" checked=lost data-testid="kind-lost" />" " {t!(i18n, alarm_kind_lost)}</label>
                </fieldset>
                <AlarmTextInput />
                <FieldError err field="text" />
                <label class="lesson-field">
                    <span>{t!(i18n, alarm_lesson)}</span>
                    <textarea name="lesson" rows="3" maxlength="2000" data-testid="alarm-lesson"></textarea>
                    <small class="muted">{t!(i18n, alarm_lesson_hint)}</small>
                </label>
                <FieldError err field="lesson" />
                <FormError err fields=&["customer", "text", "lesson"] />
                <button type="submit" class="primary" disabled=move || raise.pending().get() data-testid="raise-submit">
                    <span class="when-help">{t!(i18n, alarm_raise_submit)}</span>
                    <span class="when-lost">{t!(i18n, alarm_propose_lost)}</span>
                </button>
                <p class="muted small">{t!(i18n, alarm_raise_hint)}</p>
            </ActionForm>
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}}
            </Transition>
        </section>
    }
}

/// The problem's text, with past entries like it shown below as it is typed:
/// an island (the browser asks for them).
#[island]
fn AlarmTextInput() -> impl IntoView {
    let i18n = use_i18n();
    let similar = RwSignal::new(Vec::<ExperienceHit>::new());
    let on_text = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        #[cfg(feature = "hydrate")]
        suggest::later(value, similar);
        #[cfg(not(feature = "hydrate"))]
        let _ = value;
    };
    view! {
        <label>
            <span class="when-help">{t!(i18n, alarm_what_blocks)}</span>
            <span class="when-lost">{t!(i18n, alarm_why_lost)}</span>
            <textarea name="text" rows="5" maxlength="2000" required on:input=on_text data-testid="alarm-text"></textarea>
        </label>
        <SimilarEntries hits=similar />
    }
}

/// Past entries like the problem being typed, before it is posted.
#[component]
fn SimilarEntries(hits: RwSignal<Vec<ExperienceHit>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !hits.with(Vec::is_empty)>
            <div class="similar" data-testid="similar">
                <p class="small"><strong>{t!(i18n, alarm_similar)}</strong></p>
                <ul class="plain">
                    {move || hits.get().into_iter().map(|h| view! {
                        <li data-testid="similar-entry">
                            <a href=format!("/experience/{}", h.id) target="_blank">
                                <crate::experience::components::MarkedText pieces=h.title.clone() />
                            </a>
                            <p class="muted small"><crate::experience::components::MarkedText pieces=h.body.clone() /></p>
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
mod suggest {
    use crate::experience::model::ExperienceHit;
    use gloo_timers::callback::Timeout;
    use leptos::prelude::*;
    use std::cell::RefCell;

    thread_local! {
        static PENDING: RefCell<Option<Timeout>> = const { RefCell::new(None) };
    }

    /// Asks for similar entries once typing pauses for half a second.
    pub fn later(text: String, out: RwSignal<Vec<ExperienceHit>>) {
        PENDING.with(|p| {
            if let Some(t) = p.borrow_mut().take() {
                t.cancel();
            }
            if text.trim().chars().count() < 2 {
                out.set(Vec::new());
                return;
            }
            *p.borrow_mut() = Some(Timeout::new(500, move || {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(hits) = crate::experience::api::similar_experience(text).await {
                        out.set(hits);
                    }
                });
            }));
        });
    }
}

// ---------------------------------------------------------------------------
// One alarm

#[component]
pub fn AlarmPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let changes = Changes::provide();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(move || (id(), changes.0.get()), |(id, _)| alarm(id));
    view! {
        <section class="page alarm">
            <div class="page-head">
                <a href="/alarms" class="muted small">"← " {t!(i18n, alarm_title)}</a>
                <crate::live::client::LiveDot />
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <AlarmView d /> }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AlarmView(d: AlarmDetail) -> impl IntoView {
    let i18n = use_i18n();
    let c = d.card.clone();
    let kind = c.kind.clone();
    let (status, lost_state) = (c.status.clone(), c.lost_state.clone());
    let may = d.may.clone();
    let alarm_id = StoredValue::new(c.id.clone());
    view! {
        <div class="card alarm-head" data-testid="alarm-detail" data-status=c.status.clone()>
            <div class="feed-head">
                <span class=if c.kind == "lost" { "badge flag" } else { "badge alarm-badge" }>{move || kind_text(i18n, &kind)}</span>
                <span class="badge" data-testid="alarm-status">{move || status_text(i18n, &status, lost_state.as_deref())}</span>
                <span class="muted small feed-when">{c.at_local.clone()}</span>
            </div>
            <h1 class="alarm-customer">
                {match d.customer_id.clone() {
                    Some(cid) => view! { <a href=format!("/customers/{cid}") data-testid="alarm-customer-link">{c.customer_name.clone()}</a> }.into_any(),
                    None => view! { <span>{c.customer_name.clone()}</span> }.into_any(),
                }}
            </h1>
            <p class="muted small">{c.industry.clone()} " · " {c.stage_name.clone()} " · " {c.raiser_name.clone()} " · " {c.department_name.clone()}</p>
            <p class="alarm-text" data-testid="alarm-text">{c.text.clone()}</p>
            {(!d.photos.is_empty()).then(|| view! {
                <div class="feed-photos" data-testid="alarm-photos">
                    {d.photos.iter().map(|h| view! {
                        <a href=format!("/photos/{h}") target="_blank" rel="noopener">
                            <img src=format!("/photos/{h}/thumb") alt="" loading="lazy" width="96" height="96" />
                        </a>
                    }).collect_view()}
                </div>
            })}
            {may.add_photos.then(|| view! {
                <form class="inline-form photo-form" method="post" action={<crate::alarms::api::AlarmPhotos as leptos::server_fn::ServerFn>::PATH} enctype="multipart/form-data" data-testid="alarm-photo-form">
                    <input type="hidden" name="alarm" value=c.id.clone() />
                    <crate::ui::FileChooser name="photos".to_string() accept="image/*".to_string() camera=true multiple=true
                        label=t_string!(i18n, photo_take).to_string() testid="alarm-photo-input".to_string() required=false />
                    <button type="submit" data-testid="alarm-photo-submit">{t!(i18n, alarm_add_photo)}</button>
                </form>
            })}
            {d.lesson.clone().filter(|l| !l.is_empty()).map(|l| view! {
                <p class="small"><strong>{t!(i18n, alarm_lesson)}</strong> " " <span data-testid="alarm-lesson">{l}</span></p>
            })}
            {d.close_note.clone().map(|n| view! { <p class="notice small">{t!(i18n, alarm_close_note)} " " {n}</p> })}
            {d.experience_id.clone().map(|e| view! {
                <p class="small"><a href=format!("/experience/{e}") data-testid="alarm-experience">{t!(i18n, alarm_in_pool)}</a></p>
            })}
        </div>
        {may.decide_lost.then(|| view! { <DecideLost alarm=alarm_id.get_value() /> })}
        <AlarmAnswers alarm=alarm_id.get_value() version=d.version answers=d.answers may_accept=may.accept may_answer=may.answer />
        {may.close.then(|| view! { <CloseForm alarm=alarm_id.get_value() /> })}
    }
}

/// The answers, live: colleagues' answers and likes arrive over the stream, a
/// change of the alarm's status (accepted, closed, decided) loads the page
/// again. An island; the rest of the alarm's page is server-rendered.
#[island]
fn AlarmAnswers(
    alarm: String,
    version: i64,
    answers: Vec<AnswerItem>,
    may_accept: bool,
    may_answer: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let answers = RwSignal::new(answers);
    let alarm = StoredValue::new(alarm);
    if let Some(live) = Live::get() {
        Effect::new(move |_| {
            let me = alarm.get_value();
            for p in live.take_inbox() {
                match p {
                    Push::AlarmAnswer { alarm, answer, .. } if alarm == me => {
                        answers.update(|list| match list.iter_mut().find(|a| a.id == answer.id) {
                            Some(a) => {
                                a.likes = answer.likes;
                                a.accepted = answer.accepted;
                            }
                            None => list.push(answer),
                        })
                    }
                    // a change this page does not show yet (not, say, the
                    // user's own accept that loaded it)
                    Push::AlarmStatus {
                        alarm,
                        version: now,
                        ..
                    } if alarm == me && now > version => crate::ui::reload_page(),
                    _ => {}
                }
            }
        });
    }
    view! {
        <h2>{move || t_string!(i18n, alarm_answers_n).replace("{n}", &answers.with(Vec::len).to_string())}</h2>
        <Show when=move || !answers.with(Vec::is_empty) fallback=move || view! { <p class="muted" data-testid="no-answers">{t!(i18n, alarm_no_answers)}</p> }>
            <ul class="list" data-testid="answers">
                <For
                    each=move || answers.get()
                    key=|a| (a.id.clone(), a.likes, a.liked, a.accepted)
                    children=move |a| view! { <AnswerRow a alarm=alarm.get_value() accept=may_accept /> }
                />
            </ul>
        </Show>
        {may_answer.then(|| view! { <AnswerForm alarm=alarm.get_value() answers /> })}
    }
}

/// One answer. Liking and accepting are plain form posts: the server answers
/// with the alarm's page again (kept out of the WASM, which stays small).
#[component]
fn AnswerRow(a: AnswerItem, alarm: String, accept: bool) -> impl IntoView {
    use leptos::server_fn::ServerFn;
    let i18n = use_i18n();
    let liked = a.liked;
    let (like_id, accept_id) = (a.id.clone(), a.id.clone());
    view! {
        <li class=if a.accepted { "card answer accepted" } else { "card answer" } data-testid="answer" data-accepted=a.accepted.to_string()>
            <div class="feed-head">
                <strong>{a.user_name.clone()}</strong>
                <span class="muted small">{a.department_name.clone()}</span>
                {a.accepted.then(|| view! { <span class="badge ok">{t!(i18n, alarm_accepted)}</span> })}
                <span class="muted small feed-when">{a.at_local.clone()}</span>
            </div>
            <p class="feed-text" data-testid="answer-text">{a.text.clone()}</p>
            <div class="feed-actions">
                <form method="post" action=LikeAnswer::url() class="inline-form">
                    <input type="hidden" name="answer" value=like_id />
                    <button type="submit" class=if liked { "like liked" } else { "like" } data-testid="like-answer" aria-pressed=liked.to_string()>
                        {move || if liked { t_string!(i18n, feed_unlike).to_string() } else { t_string!(i18n, feed_like).to_string() }}
                        " " <span data-testid="answer-likes">{a.likes}</span>
                    </button>
                </form>
                {accept.then(|| view! {
                    <form method="post" action=AcceptAnswer::url() class="inline-form">
                        <input type="hidden" name="alarm" value=alarm.clone() />
                        <input type="hidden" name="answer" value=accept_id.clone() />
                        <button type="submit" class="primary" data-testid="accept-answer">{t!(i18n, alarm_accept)}</button>
                    </form>
                })}
            </div>
        </li>
    }
}

#[component]
fn AnswerForm(alarm: String, answers: RwSignal<Vec<AnswerItem>>) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<AnswerAlarm>::new();
    let err = action_error(act);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(a)) = act.value().get() {
            answers.update(|list| {
                if !list.iter().any(|x| x.id == a.id) {
                    list.push(a.clone());
                }
            });
            if let Some(f) = form_ref.get() {
                f.reset();
            }
        }
    });
    view! {
        <ActionForm action=act node_ref=form_ref attr:class="form card" attr:data-testid="answer-form">
            <input type="hidden" name="alarm" value=alarm />
            <label>
                <span>{t!(i18n, alarm_your_answer)}</span>
                <textarea name="text" rows="3" maxlength="2000" required data-testid="answer-input"></textarea>
            </label>
            <FieldError err field="text" />
            <FormError err fields=&["text"] />
            <button type="submit" class="primary" disabled=move || act.pending().get() data-testid="answer-submit">{t!(i18n, alarm_send_answer)}</button>
        </ActionForm>
    }
}

#[component]
fn CloseForm(alarm: String) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<CloseAlarm>::new();
    reload_on_success(act);
    let err = action_error(act);
    view! {
        <details class="card">
            <summary>{t!(i18n, alarm_close)}</summary>
            <ActionForm action=act attr:class="form">
                <input type="hidden" name="alarm" value=alarm />
                <p class="muted small">{t!(i18n, alarm_close_hint)}</p>
                <textarea name="note" rows="3" maxlength="2000" required></textarea>
                <FieldError err field="note" />
                <FormError err fields=&["note"] />
                <button type="submit">{t!(i18n, alarm_close)}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn DecideLost(alarm: String) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<DecideLostAlarm>::new();
    reload_on_success(act);
    let err = action_error(act);
    let alarm = StoredValue::new(alarm);
    view! {
        <div class="card" data-testid="decide-lost">
            <h2>{t!(i18n, lost_proposal_title)}</h2>
            <p class="muted small">{t!(i18n, alarm_decide_hint)}</p>
            <div class="button-row">
                <ActionForm action=act>
                    <input type="hidden" name="alarm" value=alarm.get_value() />
                    <input type="hidden" name="decision" value="reject" />
                    <button type="submit" data-testid="reject-lost">{t!(i18n, lost_reject)}</button>
                </ActionForm>
                <ActionForm action=act>
                    <input type="hidden" name="alarm" value=alarm.get_value() />
                    <input type="hidden" name="decision" value="approve" />
                    <button type="submit" class="danger" data-testid="approve-lost">{t!(i18n, lost_approve)}</button>
                </ActionForm>
            </div>
            <FormError err fields=&[] />
        </div>
    }
}

// ---------------------------------------------------------------------------
// Statistics

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn AlarmStatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let period = move || query.read().get("period").unwrap_or_else(|| "month".into());
    let data = Resource::new(period, alarm_stats);
    let tab = move |name: &'static str| {
        move || {
            if period() == name {
                "tab active"
            } else {
                "tab"
            }
        }
    };
    view! {
        <section class="page alarm-stats">
            <h1>{t!(i18n, alarm_stats_title)}</h1>
            <crate::ui::TeamNav active="stats" />
            <nav class="tabs">
                <a class=tab("week") href="/alarms/stats?period=week">{t!(i18n, period_week)}</a>
                <a class=tab("month") href="/alarms/stats?period=month">{t!(i18n, period_month)}</a>
                <a class=tab("quarter") href="/alarms/stats?period=quarter">{t!(i18n, period_quarter)}</a>
            </nav>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! {
                            <p class="muted small">{t_string!(i18n, alarm_stats_since).replace("{d}", &v.from).replace("{n}", &v.alarms.to_string())}</p>
                            {if v.rows.is_empty() {
                                view! { <p class="card empty-state muted">{t!(i18n, alarm_stats_none)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="list" data-testid="alarm-stats">
                                        {v.rows.into_iter().map(|r| view! { <StatsCard r /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <details class="card small">
                                <summary>{t!(i18n, alarm_stats_how)}</summary>
                                <p>{t!(i18n, alarm_stats_how_text)}</p>
                            </details>
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn StatsCard(r: StatsRow) -> impl IntoView {
    let i18n = use_i18n();
    let wait = r.median_first_answer_minutes;
    let role = crate::auth::model::Role::parse(&r.role);
    let warn_class = if r.unanswered_over_day > 0 {
        "warn"
    } else {
        ""
    };
    view! {
        <li class="card stats-card" data-testid="stats-row" data-user=r.user_id.clone()>
            <div class="feed-head">
                <span class="avatar small-avatar">{r.name.chars().next().map(String::from).unwrap_or_default()}</span>
                <strong>{r.name.clone()}</strong>
                <span class="muted small">{r.department_name.clone()} " · " {move || role.map(|x| crate::auth::context::role_label(i18n, x)).unwrap_or_default()}</span>
            </div>
            <dl class="metrics">
                <div><dt>{t!(i18n, alarm_m_raised)}</dt><dd data-testid="m-raised">{r.raised}</dd></div>
                <div><dt>{t!(i18n, alarm_m_supported)}</dt><dd data-testid="m-supported">{r.supported}</dd></div>
                <div><dt>{t!(i18n, alarm_m_resolved)}</dt><dd data-testid="m-resolved">{r.resolved}</dd></div>
                <div><dt>{t!(i18n, alarm_m_first)}</dt><dd data-testid="m-first">{move || wait.map(|m| wait_text(i18n, m)).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>{t!(i18n, alarm_m_support_rate)}</dt><dd data-testid="m-support-rate">{percent(r.support_rate)}</dd></div>
                <div><dt>{t!(i18n, alarm_m_resolve_rate)}</dt><dd>{percent(r.resolve_rate)}</dd></div>
                <div class=warn_class><dt>{t!(i18n, alarm_m_unanswered)}</dt><dd data-testid="m-unanswered">{r.unanswered_over_day}</dd></div>
            </dl>
        </li>
    }
}

// ---------------------------------------------------------------------------
// Success stories

/// Won customers waiting for their story, on the rep's to-do.
#[component]
pub fn StoryPrompts() -> impl IntoView {
    let i18n = use_i18n();
    let write = ServerAction::<WriteStory>::new();
    let data = Resource::new(move || write.version().get(), |_| story_prompts());
    let err = action_error(write);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let prompts = data.await.unwrap_or_default();
                (!prompts.is_empty()).then(|| view! {
                    <div class="card story-prompts" data-testid="story-prompts">
                        <h2>{t!(i18n, story_title)}</h2>
                        <p class="muted small">{t!(i18n, story_intro)}</p>
                        {prompts.into_iter().map(|p| { let cid = p.customer_id.clone(); view! {
                            <details class="story" data-testid="story-prompt">
                                <summary><strong>{p.customer_name.clone()}</strong></summary>
                                <ActionForm action=write attr:class="form">
                                    <input type="hidden" name="customer" value=p.customer_id.clone() />
                                    <textarea name="text" rows="3" maxlength="2000" required data-testid="story-text" placeholder=move || t_string!(i18n, story_placeholder).to_string()></textarea>
                                    <button type="submit" class="primary" data-testid="story-submit">{t!(i18n, story_submit)}</button>
                                </ActionForm>
                                <ActionForm action=write attr:class="inline-form">
                                    <input type="hidden" name="customer" value=cid />
                                    <input type="hidden" name="dismiss" value="1" />
                                    <button type="submit" class="link-button" data-testid="story-dismiss">{t!(i18n, story_dismiss)}</button>
                                </ActionForm>
                            </details>
                        }}).collect_view()}
                        <FieldError err field="text" />
                        <FormError err fields=&["text"] />
                    </div>
                })
            })}
        </Transition>
    }
}
