//! The feed page: events of the people the viewer may see, newest first, with
//! likes and comments, kept current by the live stream.

use crate::feed::api::{get_feed, CommentOn, ToggleLike};
use crate::feed::model::FeedCursor;
use crate::field::components::flag_text;
use crate::i18n::*;
use crate::live::client::Live;
use crate::live::labels::kind_text;
use crate::live::model::{FeedItem, Push};
use crate::ui::{action_error, ErrorBox, FieldError, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Applies live messages to the items on screen. Each message is idempotent:
/// an event already shown, or a comment already listed, is left alone. New
/// events go on top only of the newest page (`newest`).
fn apply(items: &mut Vec<FeedItem>, push: Push, newest: bool) {
    match push {
        Push::Event { item, .. } => {
            if newest && !items.iter().any(|i| i.id == item.id) {
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

/// The feed's address: `?before=…&seen=…` opens an older page (the "older"
/// link, for a browser without JavaScript) and `?comment=<event>` opens that
/// card's comment box.
#[component]
pub fn FeedRoute() -> impl IntoView {
    let query = use_query_map();
    let (start, comment) = query.with_untracked(|q| {
        let start = q.get("before").map(|before| FeedCursor {
            before,
            seen: q.get("seen").unwrap_or_default(),
        });
        (start, q.get("comment"))
    });
    view! { <FeedPage start comment /> }
}

/// Where a page's links lead: this page's start, then what the link adds.
fn page_href(start: Option<&FeedCursor>, rest: &str) -> String {
    match start {
        Some(s) => format!("/feed?before={}&seen={}&{rest}", s.before, s.seen),
        None => format!("/feed?{rest}"),
    }
}

/// The feed: a page of cards, the next older one fetched as the reader nears
/// the end (or through the "older" link without JavaScript), new events on
/// top as they happen.
#[island]
pub fn FeedPage(start: Option<FeedCursor>, comment: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let newest = start.is_none();
    let first = start.clone();
    let page = Resource::new(|| (), move |_| get_feed(first.clone()));
    let items = RwSignal::new(Vec::<FeedItem>::new());
    let next = RwSignal::new(None::<FeedCursor>);
    let open = RwSignal::new(comment);
    let here = StoredValue::new(start);
    if let Some(live) = Live::get() {
        Effect::new(move |_| {
            let pushes = live.take_inbox();
            if !pushes.is_empty() {
                items.update(|list| pushes.into_iter().for_each(|p| apply(list, p, newest)));
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
            {(!newest).then(|| view! { <a class="feed-newest" href="/feed" data-testid="feed-newest">{t!(i18n, feed_newest)}</a> })}
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            items.set(p.items);
                            next.set(p.next);
                            view! { <FeedList items open here /> <More next items /> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The end of the list: the "older" link, which the page follows by itself
/// when it comes within a screen of the view.
#[component]
fn More(next: RwSignal<Option<FeedCursor>>, items: RwSignal<Vec<FeedItem>>) -> impl IntoView {
    let i18n = use_i18n();
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let anchor = NodeRef::<leptos::html::A>::new();
    let load = move || {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        failed.set(false);
        leptos::task::spawn_local(async move {
            match get_feed(Some(cursor)).await {
                Ok(p) => {
                    items.update(|list| {
                        for item in p.items {
                            if !list.iter().any(|i| i.id == item.id) {
                                list.push(item);
                            }
                        }
                    });
                    next.set(p.next);
                }
                Err(_) => failed.set(true),
            }
            loading.set(false);
        });
    };
    // near the end of the page: load the next one (also after a load, in case
    // the page still does not fill the screen)
    #[cfg(feature = "hydrate")]
    {
        let near = move || {
            anchor.get_untracked().is_some_and(|a| {
                let height = web_sys::window()
                    .and_then(|w| w.inner_height().ok())
                    .and_then(|h| h.as_f64())
                    .unwrap_or(800.0);
                a.get_bounding_client_rect().top() < height * 2.0
            })
        };
        let handle = window_event_listener(leptos::ev::scroll, move |_| {
            if !failed.get_untracked() && near() {
                load();
            }
        });
        on_cleanup(move || handle.remove());
        Effect::new(move |_| {
            if !loading.get() && next.with(Option::is_some) && !failed.get_untracked() && near() {
                load();
            }
        });
    }
    view! {
        {move || next.get().map(|n| {
            let href = format!("/feed?before={}&seen={}", n.before, n.seen);
            view! {
                <a class="button feed-more" href=href node_ref=anchor data-testid="feed-more"
                    data-loading=move || loading.get().to_string()
                    on:click=move |ev| { ev.prevent_default(); load(); }>
                    {move || if loading.get() { t_string!(i18n, feed_loading_more).to_string() } else { t_string!(i18n, feed_older).to_string() }}
                </a>
            }
        })}
        {move || failed.get().then(|| view! { <p class="muted small" role="alert">{t!(i18n, feed_more_failed)}</p> })}
        {move || (next.with(Option::is_none) && items.with(|i| !i.is_empty())).then(|| view! {
            <p class="muted small feed-end" data-testid="feed-end">{t!(i18n, feed_end)}</p>
        })}
    }
}

#[component]
fn FeedList(
    items: RwSignal<Vec<FeedItem>>,
    open: RwSignal<Option<String>>,
    here: StoredValue<Option<FeedCursor>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || !items.with(Vec::is_empty) fallback=move || view! { <p class="card empty-state muted">{t!(i18n, feed_empty)}</p> }>
            <ul class="list feed-list" data-testid="feed">
                <For
                    each=move || items.get()
                    key=|i| (i.id.clone(), i.likes, i.comments, i.liked, i.comment_list.len())
                    children=move |item| view! { <FeedCard item items open here /> }
                />
            </ul>
        </Show>
    }
}

#[component]
fn FeedCard(
    item: FeedItem,
    items: RwSignal<Vec<FeedItem>>,
    open: RwSignal<Option<String>>,
    here: StoredValue<Option<FeedCursor>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let like = ServerAction::<ToggleLike>::new();
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
    let kind = item.kind.clone();
    let customer = item.customer_id.clone().zip(item.customer_name.clone());
    let distance = item.distance_m.map(|d| d.round() as i64);
    let flags = item.flags.clone();
    let liked = item.liked;
    let comments_n = item.comments;
    let like_id = item.id.clone();
    let open_href =
        here.with_value(|h| page_href(h.as_ref(), &format!("comment={}#e-{}", item.id, item.id)));
    let is_open = move || open.with(|o| o.as_deref() == Some(id.get_value().as_str()));
    view! {
        <li class="card feed-card" id=format!("e-{}", item.id) data-kind=item.kind.clone() data-testid="feed-item">
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
                <Show when=move || !is_open()>
                    <a class="comment-open" href=open_href.clone() data-testid="comment-open"
                        on:click=move |ev| { ev.prevent_default(); open.set(Some(id.get_value())); }>
                        {t!(i18n, feed_comment)}
                    </a>
                </Show>
            </div>
            <ul class="comments" data-testid="comments">
                {item.comment_list.iter().map(|c| view! {
                    <li class="comment"><strong>{c.user_name.clone()}</strong> " " <span>{c.text.clone()}</span> <span class="muted small">" " {c.at_local.clone()}</span></li>
                }).collect_view()}
            </ul>
            <Show when=is_open>
                <CommentBox event=id.get_value() items />
            </Show>
        </li>
    }
}

/// A card's comment box, made when the reader opens it.
#[component]
fn CommentBox(event: String, items: RwSignal<Vec<FeedItem>>) -> impl IntoView {
    let i18n = use_i18n();
    let comment = ServerAction::<CommentOn>::new();
    let comment_err = action_error(comment);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let id = StoredValue::new(event.clone());
    // our own comment shows at once; the stream brings everyone else's
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
    // opened by a tap: the cursor goes into the box
    Effect::new(move |_| {
        if let Some(input) = input_ref.get() {
            let _ = input.focus();
        }
    });
    view! {
        <ActionForm action=comment node_ref=form_ref attr:class="comment-form">
            <input type="hidden" name="event" value=event />
            <input type="text" name="text" maxlength="1000" required node_ref=input_ref
                placeholder=move || t_string!(i18n, feed_comment_placeholder).to_string()
                aria-label=move || t_string!(i18n, feed_comment_placeholder).to_string() />
            <button type="submit">{t!(i18n, feed_send)}</button>
            <FieldError err=comment_err field="text" />
        </ActionForm>
    }
}
