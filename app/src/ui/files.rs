//! Choosing files (photos, spreadsheets) in the page's language.

use crate::i18n::*;
use leptos::prelude::*;

/// A file picker in the page's language: the browser's own input (whose button
/// reads "Choose Files" whatever the page's language) sits invisible inside a
/// styled button; once hydrated, what was chosen shows beside it.
#[component]
pub fn FileButton(
    #[prop(into)] name: String,
    #[prop(into)] accept: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] testid: String,
    #[prop(optional)] required: bool,
    #[prop(optional)] multiple: bool,
    /// Opens the camera on a phone.
    #[prop(optional)]
    camera: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let files = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files());
            chosen.set(files.and_then(|f| match f.length() {
                0 => None,
                1 => f.get(0).map(|f| f.name()),
                n => Some(t_string!(i18n, file_chosen).replace("{n}", &n.to_string())),
            }));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <label class="file-button">
            <input type="file" name=name accept=accept required=required multiple=multiple
                capture=camera.then_some("environment") data-testid=testid.clone() on:change=on_change />
            <span class="button">{move || label.get()}</span>
            <span class="file-names muted small" data-testid=format!("{testid}-chosen")>
                {move || chosen.get().unwrap_or_else(|| t_string!(i18n, file_none).to_string())}
            </span>
        </label>
    }
}

/// A `FileButton` on a page the browser does not otherwise run: an island of
/// its own, so what was chosen shows beside it.
#[island]
pub fn FileChooser(
    name: String,
    accept: String,
    label: String,
    testid: String,
    required: bool,
    multiple: bool,
    camera: bool,
) -> impl IntoView {
    view! { <FileButton name accept label testid required multiple camera /> }
}
