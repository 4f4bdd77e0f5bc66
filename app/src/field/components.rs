//! The check-in page (phone first): position, nearest customers, photos from the
//! camera, purpose; queued in the browser when there is no network. And the
//! follow-up form on a customer's page.

use crate::error::AppError;
use crate::field::api::nearby;
use crate::field::queue::Outbox;
use crate::i18n::*;
use crate::ui::error_text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// What a check-in's flag (far, poor accuracy, no position, time skew) is called.
pub fn flag_text(i18n: I18nContext<Locale>, flag: &str) -> String {
    match flag {
        "far" => t_string!(i18n, flag_far).to_string(),
        "poor_accuracy" => t_string!(i18n, flag_poor_accuracy).to_string(),
        "no_position" => t_string!(i18n, flag_no_position).to_string(),
        "time_skew" => t_string!(i18n, flag_time_skew).to_string(),
        other => other.to_string(),
    }
}

/// Where the phone says it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Geo {
    Locating,
    At { lat: f64, lng: f64, accuracy: f64 },
    Denied,
}

/// What became of the last check-in made on this page.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Outcome {
    Sending,
    Queued,
}

#[island]
pub fn CheckinPage() -> impl IntoView {
    let i18n = use_i18n();
    let geo = RwSignal::new(Geo::Locating);
    let position = Memo::new(move |_| match geo.get() {
        Geo::At { lat, lng, .. } => Some(((lat * 1e4).round() / 1e4, (lng * 1e4).round() / 1e4)),
        _ => None,
    });
    // the picker's search box: a name, pinyin, phone digits or a contact
    let find = RwSignal::new(String::new());
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let places = Resource::new(
        move || (position.get(), find.get()),
        |(p, q)| nearby(p.map(|x| x.0), p.map(|x| x.1), q),
    );
    // Offline (the page opened from the service worker's copy), asking again for
    // the list sorted by the new position fails: the last list stays, so a
    // check-in can still be made and queued.
    let last_list = StoredValue::new(None::<Vec<crate::field::model::NearbyCustomer>>);
    let outcome = RwSignal::new(None::<Outcome>);
    // the rep's choice survives the list being re-sorted when the position arrives
    let chosen = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let outbox = Outbox::get();

    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            key.set(crate::field::outbox::new_key());
            client::locate(geo);
            if let Some(outbox) = outbox {
                wasm_bindgen_futures::spawn_local(async move {
                    outbox.pending.set(crate::field::outbox::pending().await);
                });
            }
        });
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            let (Some(form), Some(outbox)) = (form_ref.get(), outbox) else {
                return;
            };
            client::submit(form, geo.get_untracked(), key, outcome, outbox);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, form_ref, outbox);
    };

    let sent = move || outbox.and_then(|o| o.sent.get());
    let pending = move || outbox.map(|o| o.pending.get()).unwrap_or(0);

    view! {
        <section class="page checkin">
            <h1>{t!(i18n, checkin_title)}</h1>
            <p class="card geo" data-testid="geo" data-state=move || match geo.get() { Geo::Locating => "locating", Geo::At { .. } => "ok", Geo::Denied => "denied" }>
                {move || match geo.get() {
                    Geo::Locating => t_string!(i18n, checkin_locating).to_string(),
                    Geo::At { accuracy, .. } => t_string!(i18n, checkin_located).replace("{m}", &(accuracy.round() as i64).to_string()),
                    Geo::Denied => t_string!(i18n, checkin_denied).to_string(),
                }}
            </p>
            <form class="form card" method="post" action={<crate::field::api::CheckIn as leptos::server_fn::ServerFn>::PATH} enctype="multipart/form-data"
                node_ref=form_ref on:submit=on_submit data-testid="checkin-form">
                <input type="hidden" name="key" prop:value=move || key.get() />
                // with JavaScript only: without it, Enter in the box would send the check-in
                <Show when=move || live.get()>
                    <input type="search" class="picker-search" data-testid="customer-find" enterkeyhint="search" autocomplete="off"
                        aria-label=move || t_string!(i18n, search_label) placeholder=move || t_string!(i18n, search_placeholder)
                        on:change=move |ev| find.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); find.set(event_target_value(&ev)); } />
                </Show>
                <label>
                    <span>{t!(i18n, checkin_customer)}</span>
                    <Transition fallback=move || view! { <select name="customer" disabled></select> }>
                        {move || Suspend::new(async move {
                            let list = match places.await {
                                Ok(list) => {
                                    last_list.set_value(Some(list.clone()));
                                    Ok(list)
                                }
                                Err(AppError::Transport { message }) => {
                                    last_list.get_value().ok_or(AppError::Transport { message })
                                }
                                Err(err) => Err(err),
                            };
                            match list {
                                Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="no-customers">{t!(i18n, checkin_no_customers)}</p> }.into_any(),
                                Ok(list) => view! {
                                    <select name="customer" required data-testid="customer-select"
                                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                                        {list.into_iter().map(|c| {
                                            let selected = chosen.get_untracked() == c.id;
                                            let label = match c.distance_m {
                                                Some(d) if d < 1000.0 => format!("{} · {} m", c.name, d.round() as i64),
                                                Some(d) => format!("{} · {:.1} km", c.name, d / 1000.0),
                                                None => c.name.clone(),
                                            };
                                            view! { <option value=c.id.clone() selected=selected>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                }.into_any(),
                                Err(err) => view! { <p class="form-error">{move || error_text(i18n, &err)}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </label>
                <label>
                    <span>{t!(i18n, checkin_purpose)}</span>
                    <textarea name="purpose" rows="2" maxlength="500" data-testid="purpose"></textarea>
                </label>
                <div class="field">
                    <span>{t!(i18n, checkin_photos)}</span>
                    <crate::ui::FileButton name="photos" accept="image/*" camera=true multiple=true
                        label=move || t_string!(i18n, photo_take).to_string() testid="photos" />
                    <small class="muted">{t!(i18n, checkin_photos_hint)}</small>
                </div>
                <button type="submit" class="primary" data-testid="checkin-submit">{t!(i18n, checkin_submit)}</button>
            </form>
            <div aria-live="polite" data-testid="checkin-status">
                {move || (pending() > 0).then(|| view! {
                    <p class="notice" data-testid="pending">{t_string!(i18n, checkin_pending).replace("{n}", &pending().to_string())}</p>
                })}
                {move || match outcome.get() {
                    Some(Outcome::Queued) if pending() > 0 => Some(view! { <p class="notice" data-testid="queued">{t!(i18n, checkin_queued)}</p> }.into_any()),
                    Some(Outcome::Sending) => Some(view! { <p class="muted">{t!(i18n, checkin_sending)}</p> }.into_any()),
                    _ => None,
                }}
                {move || sent().map(|r| match r {
                    Ok(o) => view! {
                        <div class="card notice ok" data-testid="checkin-done">
                            <p>{t_string!(i18n, checkin_done).replace("{name}", &o.customer_name)}</p>
                            {o.distance_m.map(|d| view! { <p class="small">{t_string!(i18n, feed_distance).replace("{m}", &(d.round() as i64).to_string())}</p> })}
                            {o.flags.into_iter().map(|f| { let attr = f.clone(); view! { <span class="badge flag" data-flag=attr>{move || flag_text(i18n, &f)}</span> } }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(err) => view! { <p class="form-error" role="alert" data-testid="checkin-error">{move || error_text(i18n, &err)}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// Asks the browser for a fresh position into `geo`.
#[cfg(feature = "hydrate")]
pub fn locate(geo: RwSignal<Geo>) {
    client::locate(geo);
}

#[cfg(feature = "hydrate")]
mod client {
    use super::{Geo, Outcome};
    use crate::field::queue::Outbox;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    /// Asks for a fresh position (never a cached one).
    pub fn locate(geo: RwSignal<Geo>) {
        let Some(g) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            geo.set(Geo::Denied);
            return;
        };
        let ok = wasm_bindgen::closure::Closure::once_into_js(move |p: web_sys::Position| {
            let c = p.coords();
            geo.set(Geo::At {
                lat: c.latitude(),
                lng: c.longitude(),
                accuracy: c.accuracy(),
            });
        });
        let err =
            wasm_bindgen::closure::Closure::once_into_js(move |_e: web_sys::PositionError| {
                geo.set(Geo::Denied);
            });
        let opts = web_sys::PositionOptions::new();
        opts.set_enable_high_accuracy(true);
        opts.set_maximum_age(0);
        opts.set_timeout(20_000);
        if g.get_current_position_with_error_callback_and_options(
            ok.unchecked_ref(),
            Some(err.unchecked_ref()),
            &opts,
        )
        .is_err()
        {
            geo.set(Geo::Denied);
        }
    }

    /// Queues the form (with its position and capture time) and sends the queue.
    pub fn submit(
        form: web_sys::HtmlFormElement,
        geo: Geo,
        key: RwSignal<String>,
        outcome: RwSignal<Option<Outcome>>,
        outbox: Outbox,
    ) {
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        if let Geo::At { lat, lng, accuracy } = geo {
            let _ = data.set_with_str("lat", &lat.to_string());
            let _ = data.set_with_str("lng", &lng.to_string());
            let _ = data.set_with_str("accuracy", &accuracy.to_string());
        }
        let now = js_sys::Date::new_0()
            .to_iso_string()
            .as_string()
            .unwrap_or_default();
        let _ = data.set_with_str("captured_at", &now);
        let k = key.get_untracked();
        outcome.set(Some(Outcome::Sending));
        outbox.sent.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            if crate::field::outbox::enqueue(&k, &data).await {
                outbox.pending.update(|n| *n += 1);
                crate::field::outbox::flush(outbox).await;
            } else {
                // no storage: send directly (nothing to replay offline)
                let _ = form.submit();
                return;
            }
            form.reset();
            key.set(crate::field::outbox::new_key());
            outcome.set(Some(Outcome::Queued));
        });
    }
}

/// A follow-up record on a customer: text and optional photos. A plain form,
/// so it works without JavaScript; the server sends the customer page back.
#[component]
pub fn FollowupForm(customer: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="form card" method="post" action={<crate::field::api::FollowUp as leptos::server_fn::ServerFn>::PATH} enctype="multipart/form-data" data-testid="followup-form">
            <h2>{t!(i18n, followup_title)}</h2>
            <input type="hidden" name="customer" value=customer />
            <textarea name="text" rows="3" maxlength="2000" required
                aria-label=move || t_string!(i18n, followup_title).to_string()
                placeholder=move || t_string!(i18n, followup_placeholder).to_string()></textarea>
            <crate::ui::FileButton name="photos" accept="image/*" camera=true
                label=move || t_string!(i18n, photo_take).to_string() testid="followup-photos" />
            <button type="submit">{t!(i18n, followup_submit)}</button>
        </form>
    }
}
