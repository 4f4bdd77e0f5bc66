//! Forms: the error of the last submission, shown under its field or above
//! the form, and a page's change counter that reloads what an action changed.

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::messages::error_text;
use leptos::prelude::*;

/// A page's change counter: bumped after any successful action, so the page's
/// resources (keyed on it) reload.
#[derive(Clone, Copy)]
pub struct Changes(pub RwSignal<u32>);

impl Changes {
    /// A fresh counter, provided to the components below.
    pub fn provide() -> Changes {
        let changes = Changes(RwSignal::new(0));
        provide_context(changes);
        changes
    }
}

/// Bumps the page's `Changes` whenever `action` succeeds.
pub fn reload_on_success<I>(action: ServerAction<I>)
where
    I: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    I::Output: Clone + Send + Sync + 'static,
{
    let changes = expect_context::<Changes>();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            changes.0.update(|n| *n += 1);
        }
    });
}

/// The error of the last submission of a form, if any.
pub type FormErr = Signal<Option<AppError>>;

pub fn action_error<I, O>(action: ServerAction<I>) -> FormErr
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// The message for `field`, shown under that input.
#[component]
pub fn FieldError(err: FormErr, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        err.get()
            .filter(|e| e.field() == Some(field))
            .map(|e| view! { <p class="field-error" role="alert" data-field=field>{error_text(i18n, &e)}</p> })
    }
}

/// Errors not tied to one of `fields`, shown above the form.
#[component]
pub fn FormError(err: FormErr, fields: &'static [&'static str]) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        err.get()
            .filter(|e| e.field().is_none_or(|f| !fields.contains(&f)))
            .map(|e| view! { <p class="form-error" role="alert">{error_text(i18n, &e)}</p> })
    }
}

/// A refused field's message under it, in a server-rendered part of a form
/// (the children of a form island). Without JavaScript the page itself comes
/// back with the message; in the browser the island fills the slot
/// (`show_in_slots`).
#[component]
pub fn FieldSlot(err: FormErr, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        err.get()
            .filter(|e| e.field() == Some(field))
            .map(|e| error_text(i18n, &e))
    };
    view! {
        <p class="field-error" role="alert" data-slot=field data-field=field hidden=move || text().is_none()>
            {move || text().unwrap_or_default()}
        </p>
    }
}

/// Puts `refused` (field, message) in its slot inside `form`, empties the other
/// slots, and opens the fold (`<details>`) around the refused field.
#[cfg(feature = "hydrate")]
pub fn show_in_slots(form: &web_sys::HtmlFormElement, refused: Option<(String, String)>) {
    use wasm_bindgen::JsCast;
    let Ok(slots) = form.query_selector_all("[data-slot]") else {
        return;
    };
    for i in 0..slots.length() {
        let Some(slot) = slots
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            continue;
        };
        let this = refused
            .as_ref()
            .filter(|(field, _)| slot.dataset().get("slot").as_deref() == Some(field.as_str()));
        slot.set_text_content(this.map(|(_, text)| text.as_str()));
        slot.set_hidden(this.is_none());
        if this.is_some() {
            if let Ok(Some(fold)) = slot.closest("details") {
                let _ = fold.set_attribute("open", "");
            }
        }
    }
}
