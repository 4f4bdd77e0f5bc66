//! The feed page: events of the people the viewer may see, newest first, with
//! likes and comments, kept current by the live stream.

use crate::feed::api::{get_feed, CommentOn, ToggleLike};
use crate::feed::live::Live;
use crate::feed::model::{FeedItem, Push};
use crate::i18n::*;
use crate::shell::{action_error, ErrorBox, FieldError, Loading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub fn kind_text(i18n: I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "checkin" => t_string!(i18n, feed_checkin).to_string(),
        "followup" => t_string!(i18n, feed_followup).to_string(),
        "advance" => t_string!(i18n, feed_advance).to_string(),
        "skip" => t_string!(i18n, feed_skip).to_string(),
        "won" => t_string!(i18n, feed_won).to_string(),
        "confiscate" => t_string!(i18n, feed_confiscate).to_string(),
        "lost" => t_string!(i18n, feed_lost).to_string(),
        "daily_log" => t_string!(i18n, feed_daily_log).to_string(),
        "alarm_help" => t_string!(i18n, alarm_kind_help).to_string(),
        "alarm_lost" => t_string!(i18n, alarm_kind_lost).to_string(),
        other => other.to_string(),
    }
}

pub fn flag_text(i18n: I18nContext<Locale>, flag: &str) -> String {
    match flag {
        "far" => t_string!(i18n, flag_far).to_string(),
        "poor_accuracy" => t_string!(i18n, flag_poor_accuracy).to_string(),
        "no_position" => t_string!(i18n, flag_no_position).to_string(),
        "time_skew" => t_string!(i18n, flag_time_skew).to_string(),
        other => other.to_string(),
    }
}

/// Applies live messages to the items on screen. Each message is idempotent:
/// an event already shown, or a comment already listed, is left alone.
fn apply(items: &mut Vec<FeedItem>, push: Push) {
    match push {
        Push::Event { item, .. } => {
            if !items.iter().any(|i| i.id == item.id) {
                items.insert(0, item);
            }
        }
        Push::Counts {
            event,
            likes,
            comments,
            ..
        } => {
            if let Some(i) = items.iter_mut().find(|i| i.id == event) {
                i.likes = likes;
                i.comments = comments;
            }
        }
        Push::Comment { event, comment, .. } => {
            if let Some(i) = items.iter_mut().find(|i| i.id == event) {
                if !i.comment_list.iter().any(|c| c.id == comment.id) {
                    i.comment_list.push(comment);
                }
            }
        }
        Push::Notify { .. }
        | Push::Alert { .. }
        | Push::AlarmAnswer { .. }
        | Push::AlarmStatus { .. } => {}
    }
}

#[island]
pub fn FeedPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| get_feed(None));
    let items = RwSignal::new(Vec::<FeedItem>::new());
    if let Some(live) = Live::get() {
        Effect::new(move |_| {
            let pushes = live.take_inbox();
            if !pushes.is_empty() {
                items.update(|list| pushes.into_iter().for_each(|p| apply(list, p)));
            }
        });
    }
    view! {
        <section class="page feed">
            <div class="page-head">
                <h1>{t!(i18n, nav_feed)}</h1>
                <a class="button small" href="/logs" data-testid="write-log">{t!(i18n, feed_write_log)}</a>
                <a class="button small" href="/reminders" data-testid="reminders-link">{t!(i18n, remind_title)}</a>
                <span class="live-dot" data-testid="live" data-connected=move || Live::get().map(|l| l.connected.get()).unwrap_or(false).to_string()></span>
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            items.set(p.items);
                            view! { <FeedList items /> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn FeedList(items: RwSignal<Vec<FeedItem>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !items.with(Vec::is_empty) fallback=move || view! { <p class="card empty-state muted">{t!(i18n, feed_empty)}</p> }>
            <ul class="list feed-list" data-testid="feed">
                <For
                    each=move || items.get()
                    key=|i| (i.id.clone(), i.likes, i.comments, i.liked, i.comment_list.len())
                    children=move |item| view! { <FeedCard item items /> }
                />
            </ul>
        </Show>
    }
}

#[component]
fn FeedCard(item: FeedItem, items: RwSignal<Vec<FeedItem>>) -> impl IntoView {
    let i18n = use_i18n();
    let like = ServerAction::<ToggleLike>::new();
    let comment = ServerAction::<CommentOn>::new();
    let comment_err = action_error(comment);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let id = StoredValue::new(item.id.clone());
    // our own like and comment show at once; the stream brings everyone else's
    Effect::new(move |_| {
        if let Some(Ok(liked)) = like.value().get() {
            items.update(|list| {
                if let Some(i) = list.iter_mut().find(|i| i.id == id.get_value()) {
                    if i.liked != liked {
                        i.liked = liked;
                        i.likes = (i.likes + if liked { 1 } else { -1 }).max(0);
                    }
                }
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(c)) = comment.value().get() {
            items.update(|list| {
                if let Some(i) = list.iter_mut().find(|i| i.id == id.get_value()) {
                    if !i.comment_list.iter().any(|x| x.id == c.id) {
                        i.comment_list.push(c.clone());
                        i.comments = i.comments.max(i.comment_list.len() as i64);
                    }
                }
            });
            if let Some(f) = form_ref.get() {
                f.reset();
            }
        }
    });
    let kind = item.kind.clone();
    let customer = item.customer_id.clone().zip(item.customer_name.clone());
    let distance = item.distance_m.map(|d| d.round() as i64);
    let flags = item.flags.clone();
    let liked = item.liked;
    let comments_n = item.comments;
    let like_id = item.id.clone();
    let comment_id = item.id.clone();
    view! {
        <li class="card feed-card" data-kind=item.kind.clone() data-testid="feed-item">
            <div class="feed-head">
                <strong class="feed-who">{item.subject_name.clone()}</strong>
                <span class="badge">{move || kind_text(i18n, &kind)}</span>
                <span class="muted small feed-when">{item.at_local.clone()}</span>
            </div>
            {customer.map(|(cid, name)| view! { <a class="feed-customer" href=format!("/customers/{cid}")>{name}</a> })}
            {item.link.clone().map(|l| view! { <a class="feed-customer" href=l data-testid="feed-link">{item.detail.clone().unwrap_or_default()}</a> })}
            {item.detail.clone().filter(|_| item.link.is_none() && !matches!(item.kind.as_str(), "confiscate" | "daily_log")).map(|d| view! { <span class="muted small">" → " {d}</span> })}
            {item.detail.clone().filter(|_| item.kind == "daily_log").map(|h| view! { <span class="muted small">{move || t_string!(i18n, feed_hours).replace("{h}", &h)}</span> })}
            {item.text.clone().map(|t| view! { <p class="feed-text">{t}</p> })}
            {(!item.photos.is_empty()).then(|| view! {
                <div class="feed-photos">
                    {item.photos.iter().map(|h| view! {
                        <a href=format!("/photos/{h}") target="_blank" rel="noopener">
                            <img src=format!("/photos/{h}/thumb") alt="" loading="lazy" width="96" height="96" />
                        </a>
                    }).collect_view()}
                </div>
            })}
            {(item.kind == "checkin").then(|| view! {
                <p class="feed-position small">
                    {distance.map(|d| view! { <span data-testid="distance">{move || t_string!(i18n, feed_distance).replace("{m}", &d.to_string())}</span> })}
                    {flags.into_iter().map(|f| { let attr = f.clone(); view! { <span class="badge flag" data-flag=attr>{move || flag_text(i18n, &f)}</span> } }).collect_view()}
                </p>
            })}
            <div class="feed-actions">
                <ActionForm action=like attr:class="inline-form">
                    <input type="hidden" name="event" value=like_id />
                    <button type="submit" class=if liked { "like liked" } else { "like" } data-testid="like" aria-pressed=liked.to_string()>
                        {move || if liked { t_string!(i18n, feed_unlike).to_string() } else { t_string!(i18n, feed_like).to_string() }}
                        " " <span data-testid="likes">{item.likes}</span>
                    </button>
                </ActionForm>
                <span class="muted small">{move || t_string!(i18n, feed_comments_count).replace("{n}", &comments_n.to_string())}</span>
            </div>
            <ul class="comments" data-testid="comments">
                {item.comment_list.iter().map(|c| view! {
                    <li class="comment"><strong>{c.user_name.clone()}</strong> " " <span>{c.text.clone()}</span> <span class="muted small">" " {c.at_local.clone()}</span></li>
                }).collect_view()}
            </ul>
            <ActionForm action=comment node_ref=form_ref attr:class="comment-form">
                <input type="hidden" name="event" value=comment_id />
                <input type="text" name="text" maxlength="1000" required
                    placeholder=move || t_string!(i18n, feed_comment_placeholder).to_string()
                    aria-label=move || t_string!(i18n, feed_comment_placeholder).to_string() />
                <button type="submit">{t!(i18n, feed_send)}</button>
                <FieldError err=comment_err field="text" />
            </ActionForm>
        </li>
    }
}
