//! The app frame: the top bar with the bell, navigation (bottom bar on phones,
//! side bar on desktops), the page for an unknown address.

use crate::auth::api::whoami;
use crate::auth::context::{role_label, UserResource};
use crate::auth::model::CurrentUser;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::ErrorBox;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

/// The frame of every signed-in page. Visitors go to the login page.
///
/// Page content (the `Outlet`) is not rendered inside the user's `Suspend`: pages
/// create their own resources, and resources created inside a `Suspend` lose the
/// request context during server rendering.
#[component]
pub fn Shell() -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    provide_context(UserResource(user));
    view! {
        <div class="app">
          <crate::live::client::LiveProvider>
            <Suspense fallback=|| view! { <header class="topbar"><span class="brand">"BPC"</span></header> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => view! { <Frame user /> }.into_any(),
                        Ok(None) | Err(AppError::Unauthorized) => {
                            view! { <Redirect path="/login" /> }.into_any()
                        }
                        Err(err) => view! { <ErrorBox err /> }.into_any(),
                    }
                })}
            </Suspense>
            <crate::field::queue::OutboxProvider>
                <main class="content">
                    <Outlet />
                </main>
            </crate::field::queue::OutboxProvider>
          </crate::live::client::LiveProvider>
        </div>
    }
}

/// Top bar and navigation (bottom bar on phones, side bar on desktops).
#[component]
fn Frame(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let is_admin = user.role.can_administer();
    let role = user.role;
    view! {
        <header class="topbar">
            <a class="brand" href="/feed">"BPC"</a>
            <span class="topbar-right">
                <a class="bell" href="/notifications" data-testid="bell" aria-label=move || t_string!(i18n, notifications_title).to_string()>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d=ICON_BELL /></svg>
                    <BellCount />
                </a>
                <span class="topbar-user" data-testid="current-user">
                    {user.name.clone()}
                    <small>{move || role_label(i18n, role)}</small>
                </span>
            </span>
        </header>
        <crate::reminders::components::AlertBanner />
        <nav class="nav" aria-label=move || t_string!(i18n, nav_main).to_string() data-testid="main-nav">
            <NavItem href="/feed" icon=ICON_FEED label=move || t_string!(i18n, nav_feed).to_string() />
            <NavItem href="/customers" icon=ICON_CUSTOMERS label=move || t_string!(i18n, nav_customers).to_string() />
            <NavItem href="/checkin" icon=ICON_CHECKIN label=move || t_string!(i18n, nav_checkin).to_string() />
            <NavItem href="/alarms" also=&["/experience", "/suggestions", "/rankings", "/people", "/targets"] icon=ICON_TEAM label=move || t_string!(i18n, nav_team).to_string() />
            <NavItem href="/me" icon=ICON_ME label=move || t_string!(i18n, nav_me).to_string() />
            <Show when=move || is_admin>
                <NavItem href="/admin" icon=ICON_ADMIN label=move || t_string!(i18n, nav_admin).to_string() desktop_only=true />
            </Show>
        </nav>
    }
}

/// The unread count on the bell, asked for after hydration and kept current by
/// the live stream. An island inside the live stream's.
#[island]
fn BellCount() -> impl IntoView {
    let live = crate::live::client::Live::get();
    let count = move || live.map(|l| l.unread_count()).unwrap_or(0);
    view! {
        {move || (count() > 0).then(|| view! { <span class="bell-count" data-testid="bell-count">{count()}</span> })}
    }
}

const ICON_BELL: &str = "M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z";
const ICON_FEED: &str = "M4 5h16v3H4zM4 10.5h16v3H4zM4 16h10v3H4z";
const ICON_CUSTOMERS: &str = "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9c0-3.3 3.1-6 7-6s7 2.7 7 6v1H2zm15.5-9a3.5 3.5 0 1 0 0-7M18 14c2.4.4 4 2.6 4 5v2h-3";
const ICON_CHECKIN: &str = "M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z";
const ICON_TEAM: &str = "M12 2 1 21h22zm0 5.5 1 8h-2zm-1.2 10h2.4v2.3h-2.4z";
const ICON_ME: &str = "M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm-9 10c0-4.4 4-8 9-8s9 3.6 9 8z";
const ICON_ADMIN: &str = "M10 2h4l.6 2.6 2.3 1 2.3-1.4 2.8 2.8-1.4 2.3 1 2.3L24 12v0l-2.4.4-1 2.3 1.4 2.3-2.8 2.8-2.3-1.4-2.3 1L14 22h-4l-.6-2.6-2.3-1-2.3 1.4-2.8-2.8 1.4-2.3-1-2.3L0 12l2.4-.4 1-2.3L2 7l2.8-2.8 2.3 1.4 2.3-1zm2 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z";

#[component]
fn NavItem(
    href: &'static str,
    icon: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] desktop_only: bool,
    /// Other paths that belong to this item.
    #[prop(optional)]
    also: &'static [&'static str],
) -> impl IntoView {
    let location = use_location();
    let active = move || {
        let path = location.pathname.get();
        path.starts_with(href) || also.iter().any(|a| path.starts_with(a))
    };
    view! {
        <A href=href attr:class=move || {
            let mut class = String::from("nav-item");
            if active() { class.push_str(" active"); }
            if desktop_only { class.push_str(" desktop-only"); }
            class
        }>
            <svg viewBox="0 0 24 24" aria-hidden="true" class="icon"><path d=icon /></svg>
            <span>{label}</span>
        </A>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page narrow">
            <h1>{t!(i18n, page_not_found)}</h1>
            <p><a href="/feed">{t!(i18n, back_home)}</a></p>
        </section>
    }
}
