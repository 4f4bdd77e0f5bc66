//! Keeping the file current on the customer page: contacts, the amount and
//! close date, more phones, notes, the position, corrections of registered
//! facts (a request for a rep) and the requests waiting for a manager.

use crate::customers::api::*;
use crate::customers::edit::{Correct, Fact};
use crate::customers::model::*;
use crate::i18n::*;
use crate::ui::money;
use crate::ui::{action_error, reload_on_success, FieldError, FormError};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A change's field, as the page names it.
pub fn change_field_text(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "name" => t_string!(i18n, field_company),
        "phones" => t_string!(i18n, field_phones),
        "industry" => t_string!(i18n, field_industry),
        "region" => t_string!(i18n, field_region),
        "address" => t_string!(i18n, field_address),
        "source" => t_string!(i18n, field_source),
        "size" => t_string!(i18n, field_size),
        "phone_add" => t_string!(i18n, file_phone_added),
        "note" => t_string!(i18n, file_note_added),
        "position" => t_string!(i18n, file_position),
        "expected" => t_string!(i18n, field_expected_amount),
        "close_on" => t_string!(i18n, field_close_on),
        _ => t_string!(i18n, file_change),
    }
    .to_string()
}

/// A stored value as the page shows it (amounts in yuan).
pub fn change_value(field: &str, v: &str) -> String {
    match (field, v.parse::<i64>()) {
        ("expected", Ok(cents)) => money(cents),
        _ => v.to_string(),
    }
}

pub fn change_status_text(i18n: I18nContext<Locale>, status: &str) -> String {
    match status {
        "pending" => t_string!(i18n, change_pending),
        "approved" => t_string!(i18n, change_approved),
        "refused" => t_string!(i18n, change_refused),
        _ => t_string!(i18n, change_applied),
    }
    .to_string()
}

/// The people at the customer, and a form to add one.
#[component]
pub(super) fn ContactsCard(id: String, contacts: Vec<ContactView>, add: bool) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<AddContact>::new();
    reload_on_success(save);
    let err = action_error(save);
    view! {
        <div class="card" data-testid="contacts">
            <h2>{t!(i18n, contacts_title)}</h2>
            {contacts.is_empty().then(|| view! { <p class="muted small">{t!(i18n, contacts_none)}</p> })}
            <ul class="plain contacts">
                {contacts.into_iter().map(|c| view! {
                    <li class="contact" data-testid="contact">
                        <strong>{c.name}</strong>
                        {(!c.title.is_empty()).then(|| view! { " " <span class="muted">{c.title}</span> })}
                        {c.decision_maker.then(|| view! { " " <span class="badge">{t!(i18n, contact_dm)}</span> })}
                        {(!c.phones.is_empty()).then(|| view! { <p class="small phones">{c.phones.join(" / ")}</p> })}
                        {(!c.reach.is_empty()).then(|| view! { <p class="small">{c.reach}</p> })}
                        {c.birthday.map(|b| view! { <p class="small muted">{t!(i18n, contact_birthday)} " " {b}</p> })}
                        {(!c.notes.is_empty()).then(|| view! { <p class="small">{c.notes}</p> })}
                    </li>
                }).collect_view()}
            </ul>
            {add.then(|| view! {
                <details data-testid="contact-form" open=move || err.get().is_some()>
                    <summary>{t!(i18n, contact_add)}</summary>
                    <ActionForm action=save attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <label><span>{t!(i18n, contact_name)} " *"</span><input name="name" required maxlength="100" data-testid="contact-name" /></label>
                        <FieldError err field="name" />
                        <label><span>{t!(i18n, contact_title)}</span><input name="title" maxlength="100" /></label>
                        <label><span>{t!(i18n, field_phones)}</span><input name="phones" inputmode="tel" autocomplete="off" data-testid="contact-phones" /></label>
                        <FieldError err field="phones" />
                        <label><span>{t!(i18n, contact_reach)}</span><input name="reach" maxlength="100" /></label>
                        <label class="check"><input type="checkbox" name="decision_maker" value="on" /><span>{t!(i18n, contact_dm)}</span></label>
                        <label><span>{t!(i18n, contact_birthday)}</span><input type="date" name="birthday" /></label>
                        <FieldError err field="birthday" />
                        <label><span>{t!(i18n, field_notes)}</span><textarea name="notes" rows="2" maxlength="500"></textarea></label>
                        <FieldError err field="notes" />
                        <FormError err fields=&["name", "phones", "birthday", "notes"] />
                        <button type="submit" class="primary" data-testid="contact-save">{t!(i18n, save)}</button>
                    </ActionForm>
                </details>
            })}
        </div>
    }
}

/// Correction requests waiting on this customer; a manager approves or refuses.
#[component]
pub(super) fn PendingChanges(items: Vec<ChangeView>) -> impl IntoView {
    let i18n = use_i18n();
    (!items.is_empty()).then(|| {
        view! {
            <div class="card" data-testid="pending-changes">
                <h2>{t!(i18n, change_requests_title)}</h2>
                <ul class="plain">
                    {items.into_iter().map(|c| view! { <ChangeRequest c /> }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// One request: before → after, who asked and why, and the decision buttons.
#[component]
pub fn ChangeRequest(c: ChangeView) -> impl IntoView {
    let i18n = use_i18n();
    let decide = ServerAction::<DecideChange>::new();
    reload_on_success(decide);
    let err = action_error(decide);
    let id = StoredValue::new(c.id.clone());
    let field = c.field.clone();
    view! {
        <li class="change-request" data-testid="change-request">
            <p>
                <strong>{move || change_field_text(i18n, &field)}</strong>
                " " <span class="muted small">{c.by_name.clone()} " · " {c.when.clone()}</span>
            </p>
            <p class="small"><s class="muted">{c.before.clone()}</s> " → " <strong data-testid="change-after">{c.after.clone()}</strong></p>
            {c.reason.clone().map(|r| view! { <p class="small">{r}</p> })}
            <FormError err fields=&[] />
            {if c.decidable {
                view! {
                    <div class="button-row">
                        <ActionForm action=decide>
                            <input type="hidden" name="change" value=id.get_value() />
                            <input type="hidden" name="approve" value="no" />
                            <button type="submit" data-testid="change-refuse">{t!(i18n, change_refuse)}</button>
                        </ActionForm>
                        <ActionForm action=decide>
                            <input type="hidden" name="change" value=id.get_value() />
                            <input type="hidden" name="approve" value="yes" />
                            <button type="submit" class="primary" data-testid="change-approve">{t!(i18n, change_approve)}</button>
                        </ActionForm>
                    </div>
                }.into_any()
            } else {
                view! { <p class="small muted">{t!(i18n, change_waiting)}</p> }.into_any()
            }}
        </li>
    }
}

/// The forms that keep the file current (for whoever may add to it).
#[component]
pub(super) fn FileForms(d: CustomerDetail) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(d.card.id.clone());
    let version = d.version.to_string();
    let version_again = version.clone();
    let expected = ServerAction::<SetExpected>::new();
    reload_on_success(expected);
    let expected_err = action_error(expected);
    let phones = ServerAction::<AddPhones>::new();
    reload_on_success(phones);
    let phones_err = action_error(phones);
    let note = ServerAction::<AddNote>::new();
    reload_on_success(note);
    let note_err = action_error(note);
    let position = ServerAction::<SetPosition>::new();
    reload_on_success(position);
    let position_err = action_error(position);
    let correct = ServerAction::<CorrectCustomer>::new();
    reload_on_success(correct);
    let correct_err = action_error(correct);
    let requested = move || matches!(correct.value().get(), Some(Ok(Corrected::Requested)));
    let rep = d.file.correct == Correct::Request;
    let amount = if d.card.expected_cents > 0 {
        format!("{:.2}", d.card.expected_cents as f64 / 100.0)
    } else {
        String::new()
    };
    let (lat, lng) = (
        d.lat.map(|v| v.to_string()).unwrap_or_default(),
        d.lng.map(|v| v.to_string()).unwrap_or_default(),
    );
    view! {
        <details class="card" data-testid="expected-form" open=move || expected_err.get().is_some()>
            <summary>{t!(i18n, file_expected_title)}</summary>
            <ActionForm action=expected attr:class="form">
                <input type="hidden" name="id" value=id.get_value() />
                <input type="hidden" name="version" value=version_again />
                <label><span>{t!(i18n, field_expected_amount)}</span><input name="expected_amount" inputmode="decimal" value=amount /></label>
                <FieldError err=expected_err field="expected_amount" />
                <label><span>{t!(i18n, field_close_on)}</span><input type="date" name="close_on" value=d.close_on.clone().unwrap_or_default() data-testid="close-on" /></label>
                <FieldError err=expected_err field="close_on" />
                <FormError err=expected_err fields=&["expected_amount", "close_on"] />
                <button type="submit" class="primary" data-testid="expected-save">{t!(i18n, save)}</button>
            </ActionForm>
        </details>
        <details class="card" data-testid="phone-form" open=move || phones_err.get().is_some()>
            <summary>{t!(i18n, file_add_phone)}</summary>
            <ActionForm action=phones attr:class="form">
                <input type="hidden" name="id" value=id.get_value() />
                <label><span>{t!(i18n, field_phones)}</span><input name="phones" inputmode="tel" required data-testid="add-phone" /></label>
                <FieldError err=phones_err field="phones" />
                <FormError err=phones_err fields=&["phones"] />
                <button type="submit" class="primary">{t!(i18n, save)}</button>
            </ActionForm>
        </details>
        <details class="card" data-testid="note-form" open=move || note_err.get().is_some()>
            <summary>{t!(i18n, file_add_note)}</summary>
            <ActionForm action=note attr:class="form">
                <input type="hidden" name="id" value=id.get_value() />
                <label><span>{t!(i18n, file_note)}</span><textarea name="text" rows="3" maxlength="1000" required data-testid="note-text"></textarea></label>
                <FieldError err=note_err field="text" />
                <FormError err=note_err fields=&["text"] />
                <button type="submit" class="primary" data-testid="note-save">{t!(i18n, save)}</button>
            </ActionForm>
        </details>
        <details class="card" data-testid="position-form" open=move || position_err.get().is_some()>
            <summary>{t!(i18n, file_position)}</summary>
            <ActionForm action=position attr:class="form position-form">
                <input type="hidden" name="id" value=id.get_value() />
                <p class="muted small">{t!(i18n, file_position_intro)}</p>
                <PositionInputs lat lng />
                <FieldError err=position_err field="location" />
                <FormError err=position_err fields=&["location"] />
                <button type="submit" class="primary">{t!(i18n, save)}</button>
            </ActionForm>
        </details>
        <details class="card" data-testid="correct-form" open=move || correct_err.get().is_some() || requested()>
            <summary>{t!(i18n, file_correct_title)}</summary>
            <ActionForm action=correct attr:class="form">
                <input type="hidden" name="id" value=id.get_value() />
                <input type="hidden" name="version" value=version />
                <p class="muted small">{if rep { t_string!(i18n, file_correct_rep) } else { t_string!(i18n, file_correct_manager) }}</p>
                <label><span>{t!(i18n, file_correct_field)}</span>
                    <select name="field" data-testid="correct-field">
                        {Fact::ALL.into_iter().map(|f| {
                            let name = f.as_str();
                            view! { <option value=name>{move || change_field_text(i18n, name)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label><span>{t!(i18n, file_correct_value)}</span><input name="value" maxlength="400" data-testid="correct-value" /></label>
                <FieldError err=correct_err field="value" />
                <label><span>{t!(i18n, reason)}</span><input name="reason" maxlength="500" /></label>
                <FieldError err=correct_err field="reason" />
                <FormError err=correct_err fields=&["value", "reason"] />
                <p class="notice" data-testid="correct-requested" class:hidden=move || !requested()>{t!(i18n, file_correct_requested)}</p>
                <button type="submit" class="primary" data-testid="correct-save">{if rep { t_string!(i18n, file_correct_ask) } else { t_string!(i18n, save) }}</button>
            </ActionForm>
        </details>
    }
}

/// The position inputs, filled from the phone's location on a tap (in the
/// browser only; without JavaScript the numbers are typed).
#[component]
fn PositionInputs(lat: String, lng: String) -> impl IntoView {
    use crate::field::components::Geo;
    let i18n = use_i18n();
    let lat = RwSignal::new(lat);
    let lng = RwSignal::new(lng);
    let geo = RwSignal::new(Geo::Locating);
    let asked = RwSignal::new(false);
    Effect::new(move |_| {
        if let Geo::At { lat: a, lng: b, .. } = geo.get() {
            lat.set(format!("{a:.6}"));
            lng.set(format!("{b:.6}"));
        }
    });
    let on_click = move |_| {
        asked.set(true);
        #[cfg(feature = "hydrate")]
        crate::field::components::locate(geo);
    };
    view! {
        <div class="two">
            <label><span>{t!(i18n, field_lat)}</span><input name="lat" inputmode="decimal" required prop:value=lat on:input=move |ev| lat.set(event_target_value(&ev)) /></label>
            <label><span>{t!(i18n, field_lng)}</span><input name="lng" inputmode="decimal" required prop:value=lng on:input=move |ev| lng.set(event_target_value(&ev)) /></label>
        </div>
        <button type="button" class="secondary" on:click=on_click data-testid="position-here">{t!(i18n, file_position_here)}</button>
        <p class="form-error" class:hidden=move || !(asked.get() && geo.get() == Geo::Denied)>{t!(i18n, file_position_failed)}</p>
    }
}
