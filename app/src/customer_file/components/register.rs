//! Registration with the duplicate check, the position and the referrer.

use crate::customers::api::*;
use crate::customers::model::*;
use crate::funnel::api::list_qual_items;
use crate::i18n::*;
use crate::ui::{action_error, error_text, FieldError, FieldSlot, FormError, Loading};
use leptos::prelude::*;

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
pub(super) fn RegisterForm(children: Children) -> impl IntoView {
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
pub(super) fn PositionField() -> impl IntoView {
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
pub(super) fn DisputeForm(name: RwSignal<String>, phones: RwSignal<String>) -> impl IntoView {
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
