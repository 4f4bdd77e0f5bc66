//! The experience pool's pages: search (a plain GET form, so it works without
//! JavaScript and a search can be shared as a link) and one entry.

use crate::experience::api::{experience_entry, search_experience};
use crate::experience::model::{ExperienceHit, Marked};
use crate::i18n::*;
use crate::ui::{ErrorBox, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn source_text(i18n: I18nContext<Locale>, source: &str) -> String {
    match source {
        "lost" => t_string!(i18n, exp_src_lost).to_string(),
        "won" => t_string!(i18n, exp_src_won).to_string(),
        _ => t_string!(i18n, exp_src_alarm).to_string(),
    }
}

/// Text with the matched pieces marked.
#[component]
pub fn MarkedText(pieces: Vec<Marked>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|p| {
            if p.hit {
                view! { <mark>{p.text}</mark> }.into_any()
            } else {
                view! { <span>{p.text}</span> }.into_any()
            }
        })
        .collect_view()
}

#[component]
pub fn ExperiencePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let data = Resource::new(
        move || (get("q"), get("stage"), get("industry")),
        |(q, stage, industry)| search_experience(q, stage, industry),
    );
    view! {
        <section class="page experience">
            <h1>{t!(i18n, exp_title)}</h1>
            <crate::ui::TeamNav active="experience" />
            <p class="muted small">{t!(i18n, exp_intro)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let (q, stage, industry) = (get("q"), get("stage"), get("industry"));
                    match data.await {
                        Ok(v) => view! {
                            <form method="get" action="/experience" class="form card search-form" data-testid="exp-search">
                                <input type="search" name="q" value=q.clone() maxlength="200" data-testid="exp-q"
                                    placeholder=move || t_string!(i18n, exp_search_placeholder).to_string()
                                    aria-label=move || t_string!(i18n, exp_search_placeholder).to_string() />
                                <div class="grid2">
                                    <select name="stage" aria-label=move || t_string!(i18n, exp_stage).to_string()>
                                        <option value="">{t!(i18n, exp_any_stage)}</option>
                                        {v.stages.iter().map(|s| view! { <option value=s.clone() selected=*s == stage>{s.clone()}</option> }).collect_view()}
                                    </select>
                                    <select name="industry" aria-label=move || t_string!(i18n, exp_industry).to_string()>
                                        <option value="">{t!(i18n, exp_any_industry)}</option>
                                        {v.industries.iter().map(|s| view! { <option value=s.clone() selected=*s == industry>{s.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="primary" data-testid="exp-submit">{t!(i18n, exp_search)}</button>
                            </form>
                            {if v.hits.is_empty() {
                                view! { <p class="card empty-state muted" data-testid="exp-none">{t!(i18n, exp_none)}</p> }.into_any()
                            } else {
                                let q = q.clone();
                                view! {
                                    <ul class="list" data-testid="exp-results">
                                        {v.hits.into_iter().map(|h| view! { <HitCard h q=q.clone() /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any(),
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HitCard(h: ExperienceHit, q: String) -> impl IntoView {
    let i18n = use_i18n();
    let source = h.source.clone();
    let href = if q.is_empty() {
        format!("/experience/{}", h.id)
    } else {
        format!("/experience/{}?q={}", h.id, urlencoding_min(&q))
    };
    view! {
        <li class="card exp-card" data-testid="exp-hit" data-source=h.source.clone()>
            <a href=href class="alarm-link">
                <div class="feed-head">
                    <span class="badge">{move || source_text(i18n, &source)}</span>
                    <span class="muted small">{h.stage_name.clone()} " · " {h.industry.clone()}</span>
                    <span class="muted small feed-when">{h.day.clone()}</span>
                </div>
                <p class="exp-title" data-testid="exp-title"><MarkedText pieces=h.title.clone() /></p>
                {(!h.body.is_empty()).then(|| view! { <p class="feed-text small"><MarkedText pieces=h.body.clone() /></p> })}
            </a>
        </li>
    }
}

/// Percent-encodes a query for a link (UTF-8 bytes outside unreserved characters).
fn urlencoding_min(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[component]
pub fn ExperienceEntryPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                query.read().get("q").unwrap_or_default(),
            )
        },
        |(id, q)| experience_entry(id, q),
    );
    view! {
        <section class="page experience-entry">
            <p><a href="/experience" class="muted small">"← " {t!(i18n, exp_title)}</a></p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(h) => {
                            let source = h.source.clone();
                            view! {
                                <article class="card" data-testid="exp-entry">
                                    <div class="feed-head">
                                        <span class="badge">{move || source_text(i18n, &source)}</span>
                                        <span class="muted small">{h.stage_name.clone()} " · " {h.industry.clone()} " · " {h.customer_name.clone()}</span>
                                    </div>
                                    <h2><MarkedText pieces=h.title.clone() /></h2>
                                    {(!h.body.is_empty()).then(|| view! {
                                        <p class="small muted">{t!(i18n, exp_what_helped)}</p>
                                        <p class="feed-text"><MarkedText pieces=h.body.clone() /></p>
                                    })}
                                    <p class="muted small">
                                        {h.author_name.clone()}
                                        {h.helper_name.clone().map(|n| view! { " · " {t!(i18n, exp_helped_by)} " " {n} })}
                                        " · " {h.day.clone()}
                                    </p>
                                    {h.alarm_id.clone().map(|a| view! { <p class="small"><a href=format!("/alarms/{a}")>{t!(i18n, exp_open_alarm)}</a></p> })}
                                </article>
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
