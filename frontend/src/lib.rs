//! The browser half: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests wait until the page is interactive.
    let _ = js_sys::Reflect::set(
        &leptos::prelude::window(),
        &"__bpc_hydrated".into(),
        &true.into(),
    );
}
