//! The suggestion box page: what is and is not recorded, the post form, the
//! released suggestions with management's replies.

use crate::i18n::*;
use crate::suggestions::api::{suggestions, PostSuggestion, ReplySuggestion};
use crate::suggestions::model::SuggestionItem;
use crate::ui::{
    action_error, reload_on_success, Changes, ErrorBox, FieldError, FormError, Loading,
};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub fn status_text(i18n: I18nContext<Locale>, status: &str) -> String {
    match status {
        "in_progress" => t_string!(i18n, sugg_in_progress).to_string(),
        "done" => t_string!(i18n, sugg_done).to_string(),
        "declined" => t_string!(i18n, sugg_declined).to_string(),
        _ => t_string!(i18n, sugg_received).to_string(),
    }
}

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let changes = Changes::provide();
    let data = Resource::new(move || changes.0.get(), |_| suggestions());
    view! {
        <section class="page suggestions">
            <h1>{t!(i18n, sugg_title)}</h1>
            <crate::ui::TeamNav active="suggestions" />
            <div class="card notice small" data-testid="sugg-promise">
                <p><strong>{t!(i18n, sugg_promise_title)}</strong></p>
                <p>{t!(i18n, sugg_promise_text)}</p>
            </div>
            <SuggestionForm />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => {
                            let may_reply = v.may_reply;
                            view! {
                                <p class="muted small" data-testid="sugg-next">{t_string!(i18n, sugg_next_release).replace("{t}", &v.next_release)}</p>
                                {if v.items.is_empty() {
                                    view! { <p class="card empty-state muted">{t!(i18n, sugg_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="list" data-testid="sugg-list">
                                            {v.items.into_iter().map(|s| view! { <SuggestionCard s may_reply /> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The post form: an island, so the rep sees at once when the suggestion will
/// be released (without JavaScript the page simply comes back).
#[island]
fn SuggestionForm() -> impl IntoView {
    let i18n = use_i18n();
    let post = ServerAction::<PostSuggestion>::new();
    let err = action_error(post);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = post.value().get() {
            if let Some(f) = form_ref.get() {
                f.reset();
            }
        }
    });
    view! {
        <ActionForm action=post node_ref=form_ref attr:class="form card" attr:data-testid="sugg-form">
            <label>
                <span>{t!(i18n, sugg_your)}</span>
                <textarea name="text" rows="4" maxlength="2000" required data-testid="sugg-text"></textarea>
            </label>
            <FieldError err field="text" />
            <FormError err fields=&["text"] />
            <button type="submit" class="primary" disabled=move || post.pending().get() data-testid="sugg-submit">{t!(i18n, sugg_post)}</button>
            {move || post.value().get().and_then(Result::ok).map(|at| view! {
                <p class="notice" role="status" data-testid="sugg-posted">{t_string!(i18n, sugg_posted).replace("{t}", &at)}</p>
            })}
        </ActionForm>
    }
}

#[component]
fn SuggestionCard(s: SuggestionItem, may_reply: bool) -> impl IntoView {
    let i18n = use_i18n();
    let reply = ServerAction::<ReplySuggestion>::new();
    reload_on_success(reply);
    let err = action_error(reply);
    let status = s.status.clone();
    let current = s.status.clone();
    view! {
        <li class="card suggestion" data-testid="suggestion" data-status=s.status.clone()>
            <div class="feed-head">
                <span class="badge" data-testid="sugg-status">{move || status_text(i18n, &status)}</span>
                <span class="muted small feed-when">{s.day.clone()}</span>
            </div>
            <p class="feed-text" data-testid="sugg-body">{s.text.clone()}</p>
            <ul class="comments">
                {s.replies.iter().map(|r| {
                    let st = r.status.clone();
                    view! {
                        <li class="comment" data-testid="sugg-reply">
                            <strong>{r.user_name.clone()}</strong> " "
                            <span class="badge">{move || status_text(i18n, &st)}</span> " "
                            <span>{r.text.clone()}</span>
                            <span class="muted small">" " {r.at_local.clone()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {may_reply.then(|| view! {
                <ActionForm action=reply attr:class="form reply-form" attr:data-testid="sugg-reply-form">
                    <input type="hidden" name="id" value=s.id.clone() />
                    <textarea name="text" rows="2" maxlength="2000" required data-testid="sugg-reply-text"
                        placeholder=move || t_string!(i18n, sugg_reply_placeholder).to_string()></textarea>
                    <div class="grid2">
                        <select name="status" data-testid="sugg-reply-status" aria-label=move || t_string!(i18n, sugg_status).to_string()>
                            {["received", "in_progress", "done", "declined"].into_iter().map(|x| view! {
                                <option value=x selected=x == current>{move || status_text(i18n, x)}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" data-testid="sugg-reply-submit">{t!(i18n, sugg_reply)}</button>
                    </div>
                    <FieldError err field="text" />
                    <FormError err fields=&["text"] />
                </ActionForm>
            })}
        </li>
    }
}
