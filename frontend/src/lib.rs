//! The browser half: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests wait until the page is interactive, and the slow-phone
    // bench (bench/slow-4g.mjs) read when that was (ms since the epoch).
    let window = leptos::prelude::window();
    let now = js_sys::Date::now();
    let _ = js_sys::Reflect::set(&window, &"__bpc_hydrated_at".into(), &now.into());
    let _ = js_sys::Reflect::set(&window, &"__bpc_hydrated".into(), &true.into());
}
