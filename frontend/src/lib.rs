//! The browser half: brings the page's islands to life (the interactive parts:
//! the live stream, the feed, the check-in form and its queue, the register
//! form's checks, …). The rest of each page is server-rendered HTML
//! that works as it is, as it does with JavaScript off.

// the islands live in `app`: without this the linker drops their exports
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // when the WASM was ready to run (bench/slow-4g.mjs splits load from hydration)
    let _ = js_sys::Reflect::set(
        &leptos::prelude::window(),
        &"__bpc_wasm_at".into(),
        &js_sys::Date::now().into(),
    );
    leptos::mount::hydrate_islands();
    // A server function that answers with a redirect (e.g. a registration, to the
    // new customer's page) sends the browser there: there is no client router.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = leptos::prelude::window().location().set_href(to);
    });
    // Lets browser tests wait until the page is interactive, and the slow-phone
    // bench (bench/slow-4g.mjs) read when that was (ms since the epoch). The
    // islands are brought to life right after this function returns (by the
    // loader's promise chain), so the mark is set on the next task, after them.
    leptos::prelude::set_timeout(
        || {
            let window = leptos::prelude::window();
            let now = js_sys::Date::now();
            let _ = js_sys::Reflect::set(&window, &"__bpc_hydrated_at".into(), &now.into());
            let _ = js_sys::Reflect::set(&window, &"__bpc_hydrated".into(), &true.into());
        },
        std::time::Duration::ZERO,
    );
}
