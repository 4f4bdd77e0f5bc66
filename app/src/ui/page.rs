//! Small page helpers: paging by `n`, reloading.

use leptos::prelude::*;

/// How many rows a paged list was asked for ("show more" puts `n` in the
/// query); 0 when absent or not a number, which means one page.
pub fn asked_rows(query: &leptos_router::params::ParamsMap) -> u32 {
    query
        .get("n")
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0)
}

/// Loads the page again after `ms` milliseconds (a running import follows its
/// progress so). An island of a few lines: the page itself is server-rendered.
#[island]
pub fn ReloadSoon(ms: u32) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    set_timeout(reload_page, std::time::Duration::from_millis(u64::from(ms)));
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// Loads the page again (in the browser; nothing on the server).
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    let _ = window().location().reload();
}
