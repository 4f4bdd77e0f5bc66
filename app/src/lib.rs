//! BPC: the shared application. Features live side by side, each with its model,
//! pure rules, server functions, components and (server only) repository.
#![recursion_limit = "256"]

// The macro is deprecated in favour of build.rs code generation, which would add
// another crate to every build; it generates the same `i18n` module.
#[allow(deprecated)]
mod i18n_gen {
    leptos_i18n::load_locales!();
}
pub use i18n_gen::i18n;

pub mod alarms;
#[cfg(test)]
mod architecture;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod customer_file;
pub mod customers;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod experience;
pub mod feed;
pub mod field;
pub mod funnel;
pub mod import;
pub mod live;
pub mod me;
pub mod measure;
pub mod notifications;
pub mod people;
#[cfg(feature = "ssr")]
pub mod photos;
pub mod referrals;
pub mod reminders;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod state;
pub mod suggestions;
pub mod targets;
pub mod text;
pub mod ui;
pub mod worklog;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::i18n::*;

/// Pages that are plain HTML forms: they work without the WASM (as every page
/// does with JavaScript off), so they are sent without it. A rep's first visit is
/// the login page; on a phone it is usable after about 6 KB instead of 730 KB
/// (issue 14). The WASM is fetched while the rep types (`prefetch` from the
/// first touch, idle priority) and is in the browser's cache when the app opens.
pub fn plain_page(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/login" | "/setup")
}

/// On a plain page, the first touch, click or key (the rep taps the login
/// field) prefetches the files `<meta name="bpc-prefetch">` names. (Not on
/// focus: headless browsers and some phones focus a page as it opens.)
const PREFETCH_ON_TOUCH: &str = "(() => { let done = false; const go = () => { \
    if (done) return; done = true; \
    for (const href of document.querySelector('meta[name=bpc-prefetch]').content.split(' ')) { \
    const link = document.createElement('link'); link.rel = 'prefetch'; link.href = href; \
    document.head.append(link); } }; \
    for (const ev of ['pointerdown', 'keydown']) addEventListener(ev, go, { once: true }); })();";

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // the build names the CSS, like the JS and WASM, after their content
    let css = format!("/pkg/{}.css", options.output_name);
    #[cfg(feature = "ssr")]
    let plain = use_context::<axum::http::request::Parts>()
        .is_some_and(|parts| plain_page(parts.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let plain = false;
    let name = options.output_name.clone();
    let scripts = if plain {
        // fetched from the moment the rep first touches the page: a visitor who
        // only looks downloads nothing more, and the page is quiet until then
        let files = format!("/pkg/{name}.js /pkg/{name}.wasm");
        view! {
            <meta name="bpc-prefetch" content=files />
            <script>{PREFETCH_ON_TOUCH}</script>
        }
        .into_any()
    } else {
        view! {
            <AutoReload options=options.clone() />
            <HydrationScripts options islands=true />
        }
        .into_any()
    };
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#b4232a" />
                <link rel="icon" href="/favicon.ico" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <link rel="stylesheet" id="leptos" href=css />
                {scripts}
                // the service worker (public/sw.js) lets the app open offline
                <script>
                    "if ('serviceWorker' in navigator) addEventListener('load', () => navigator.serviceWorker.register('/sw.js'));"
                </script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The UI speaks zh-CN unless the user chose otherwise (cookie or profile); the
    // server removes the browser's Accept-Language before the app sees it.
    view! {
        <I18nContextProvider>
            <AppTitle />
            <Router>
                <Routes fallback=shell::NotFound>
                    <Route path=path!("/login") view=auth::components::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/setup") view=auth::components::SetupPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("") view=shell::Shell ssr=SsrMode::Async>
                        <Route path=path!("feed") view=feed::components::FeedRoute />
                        <Route path=path!("customers") view=customer_file::components::CustomersPage />
                        <Route path=path!("customers/new") view=customer_file::components::RegisterPage />
                        <Route path=path!("customers/import") view=import::components::ImportPage />
                        <Route path=path!("customers/import/:id") view=import::components::ImportBatchPage />
                        <Route path=path!("customers/:id") view=customer_file::components::CustomerPage />
                        <Route path=path!("pool") view=customer_file::components::PoolPage />
                        <Route path=path!("funnel") view=funnel::components::FunnelPage />
                        <Route path=path!("notifications") view=notifications::components::NotificationsPage />
                        <Route path=path!("admin/funnel") view=funnel::components::FunnelSettingsPage />
                        <Route path=path!("checkin") view=field::components::CheckinPage />
                        <Route path=path!("logs") view=worklog::components::DailyLogPage />
                        <Route path=path!("reminders") view=reminders::components::RemindersPage />
                        <Route path=path!("me") view=me::components::MePage />
                        <Route path=path!("admin") view=people::components::AdminPage />
                        <Route path=path!("alarms") view=alarms::components::AlarmsPage />
                        <Route path=path!("alarms/new") view=alarms::components::RaiseAlarmPage />
                        <Route path=path!("alarms/stats") view=alarms::components::AlarmStatsPage />
                        <Route path=path!("alarms/:id") view=alarms::components::AlarmPage />
                        <Route path=path!("experience") view=experience::components::ExperiencePage />
                        <Route path=path!("experience/:id") view=experience::components::ExperienceEntryPage />
                        <Route path=path!("suggestions") view=suggestions::components::SuggestionsPage />
                        <Route path=path!("rankings") view=measure::components::RankingsPage />
                        <Route path=path!("people/:id") view=measure::components::PersonPage />
                        <Route path=path!("referrals") view=referrals::components::ReferralsPage />
                        <Route path=path!("audit/views") view=audit::components::ViewAuditPage />
                        <Route path=path!("targets") view=targets::components::TargetsPage />
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    // On the server the title is rendered once, as a plain string: a reactive title
    // is read again after the request's reactive arena is gone (a panic).
    #[cfg(feature = "ssr")]
    let text = t_string!(i18n, app_name).to_string();
    #[cfg(not(feature = "ssr"))]
    let text = move || t_string!(i18n, app_name).to_string();
    view! { <Title text /> }
}

#[cfg(test)]
mod tests {
    use super::plain_page;

    #[test]
    fn only_the_login_and_setup_forms_are_sent_without_the_wasm() {
        for (path, plain) in [
            ("/login", true),
            ("/login/", true),
            ("/setup", true),
            ("/feed", false),
            ("/", false),
            ("/loginx", false),
            ("/customers/login", false),
            ("/checkin", false),
        ] {
            assert_eq!(plain_page(path), plain, "{path}");
        }
    }
}
