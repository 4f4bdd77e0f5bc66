//! The app frame: who is signed in, navigation (bottom bar on phones, side bar on
//! desktops), shared form helpers and translated error messages.

use crate::auth::api::whoami;
use crate::auth::model::{CurrentUser, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::me::api::SetLanguage;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

/// The signed-in user, loaded once by the shell and read by every page below it.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

pub fn use_user() -> UserResource {
    expect_context::<UserResource>()
}

/// Renders `view` with the signed-in user once known (pages below the shell).
#[component]
pub fn WithUser<V, F>(view: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let user = use_user().0;
    view! {
        <Suspense fallback=Loading>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => Some(view(u).into_any()),
                        _ => None,
                    }
                })
            }}
        </Suspense>
    }
}

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
          <crate::feed::live::LiveProvider>
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
            <main class="content">
                <Outlet />
            </main>
          </crate::feed::live::LiveProvider>
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading">{t!(i18n, loading)}</p> }
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
    let live = crate::feed::live::Live::get();
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

/// How many rows a paged list was asked for ("show more" puts `n` in the
/// query); 0 when absent or not a number, which means one page.
pub fn asked_rows(query: &leptos_router::params::ParamsMap) -> u32 {
    query
        .get("n")
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0)
}

pub fn role_label(i18n: I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Rep => t_string!(i18n, role_rep).to_string(),
        Role::Manager => t_string!(i18n, role_manager).to_string(),
        Role::Boss => t_string!(i18n, role_boss).to_string(),
        Role::Admin => t_string!(i18n, role_admin).to_string(),
    }
}

/// The translated message for an error code sent by the server.
pub fn code_text(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "bad_credentials" => t_string!(i18n, err_bad_credentials).to_string(),
        "required" => t_string!(i18n, err_required).to_string(),
        "password_too_short" => t_string!(i18n, err_password_too_short).to_string(),
        "password_too_long" => t_string!(i18n, err_password_too_long).to_string(),
        "password_needs_letter_and_digit" => {
            t_string!(i18n, err_password_needs_letter_and_digit).to_string()
        }
        "password_mismatch" => t_string!(i18n, err_password_mismatch).to_string(),
        "wrong_password" => t_string!(i18n, err_wrong_password).to_string(),
        "login_length" => t_string!(i18n, err_login_length).to_string(),
        "login_chars" => t_string!(i18n, err_login_chars).to_string(),
        "name_too_long" => t_string!(i18n, err_name_too_long).to_string(),
        "name_chars" => t_string!(i18n, err_name_chars).to_string(),
        "phone_invalid" => t_string!(i18n, err_phone_invalid).to_string(),
        "login_taken" => t_string!(i18n, err_login_taken).to_string(),
        "already_set_up" => t_string!(i18n, err_already_set_up).to_string(),
        "department_cycle" => t_string!(i18n, err_department_cycle).to_string(),
        "cannot_deactivate_self" => t_string!(i18n, err_cannot_deactivate_self).to_string(),
        "last_admin" => t_string!(i18n, err_last_admin).to_string(),
        "only_admin_grants_admin" => t_string!(i18n, err_only_admin_grants_admin).to_string(),
        "forbidden" => t_string!(i18n, err_forbidden).to_string(),
        "unknown_role" => t_string!(i18n, err_unknown_role).to_string(),
        "not_found" => t_string!(i18n, err_reference_not_found).to_string(),
        "unknown_language" => t_string!(i18n, err_unknown_language).to_string(),
        "duplicate" => t_string!(i18n, err_duplicate).to_string(),
        "phone_required" => t_string!(i18n, err_phone_required).to_string(),
        "too_many_phones" => t_string!(i18n, err_too_many_phones).to_string(),
        "too_long" => t_string!(i18n, err_too_long).to_string(),
        "name_invalid" => t_string!(i18n, err_name_invalid).to_string(),
        "location_invalid" => t_string!(i18n, err_location_invalid).to_string(),
        "date_invalid" => t_string!(i18n, err_date_invalid).to_string(),
        "amount_invalid" => t_string!(i18n, err_amount_invalid).to_string(),
        "feedback_required" => t_string!(i18n, err_feedback_required).to_string(),
        "skip_needs_reason" => t_string!(i18n, err_skip_needs_reason).to_string(),
        "same_stage" => t_string!(i18n, err_same_stage).to_string(),
        "unknown_stage" => t_string!(i18n, err_unknown_stage).to_string(),
        "post_mortem_short" => t_string!(i18n, err_post_mortem_short).to_string(),
        "stale" => t_string!(i18n, err_stale).to_string(),
        "own_alarm" => t_string!(i18n, err_own_alarm).to_string(),
        "alarm_closed" => t_string!(i18n, err_alarm_closed).to_string(),
        "lost_pending" => t_string!(i18n, err_lost_pending).to_string(),
        "not_proposed" => t_string!(i18n, err_not_proposed).to_string(),
        "story_closed" => t_string!(i18n, err_story_closed).to_string(),
        "unknown_filter" => t_string!(i18n, err_unknown_filter).to_string(),
        "unknown_period" => t_string!(i18n, err_unknown_period).to_string(),
        "unknown_measure" => t_string!(i18n, err_unknown_measure).to_string(),
        "range_reversed" => t_string!(i18n, err_range_reversed).to_string(),
        "range_too_long" => t_string!(i18n, err_range_too_long).to_string(),
        "weight_range" => t_string!(i18n, err_weight_range).to_string(),
        "referral_cycle" => t_string!(i18n, err_referral_cycle).to_string(),
        "not_owned" => t_string!(i18n, err_not_owned).to_string(),
        "at_cap" => t_string!(i18n, err_at_cap).to_string(),
        "below_cap" => t_string!(i18n, err_below_cap).to_string(),
        "reclaim_cooldown" => t_string!(i18n, err_reclaim_cooldown).to_string(),
        "daily_claims" => t_string!(i18n, err_daily_claims).to_string(),
        "not_in_pool" => t_string!(i18n, err_not_in_pool).to_string(),
        "target_at_cap" => t_string!(i18n, err_target_at_cap).to_string(),
        "dispute_open" => t_string!(i18n, err_dispute_open).to_string(),
        "already_yours" => t_string!(i18n, err_already_yours).to_string(),
        "number_invalid" => t_string!(i18n, err_number_invalid).to_string(),
        "too_large" => t_string!(i18n, err_photo_too_large).to_string(),
        "not_image" => t_string!(i18n, err_not_image).to_string(),
        "too_many" => t_string!(i18n, err_too_many_photos).to_string(),
        "log_closed" => t_string!(i18n, err_log_closed).to_string(),
        "in_past" => t_string!(i18n, err_in_past).to_string(),
        "number_range" => t_string!(i18n, err_number_range).to_string(),
        "not_active" => t_string!(i18n, err_not_active).to_string(),
        "control_chars" => t_string!(i18n, err_control_chars).to_string(),
        "bidi_chars" => t_string!(i18n, err_bidi_chars).to_string(),
        "invalid_chars" => t_string!(i18n, err_invalid_chars).to_string(),
        "malformed" | "invalid_utf8" | "content_type" => t_string!(i18n, err_malformed).to_string(),
        "body_too_large" => t_string!(i18n, err_too_large).to_string(),
        "no_manager" => t_string!(i18n, err_no_manager).to_string(),
        "import_started" => t_string!(i18n, err_import_started).to_string(),
        "too_many_posts" => t_string!(i18n, err_too_many_posts).to_string(),
        "race" => t_string!(i18n, err_race).to_string(),
        _ => t_string!(i18n, err_invalid).to_string(),
    }
}

pub fn error_text(i18n: I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Validation { code, .. } | AppError::Conflict { code } => code_text(i18n, code),
        AppError::NotFound => t_string!(i18n, err_not_found).to_string(),
        AppError::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        AppError::Unauthorized => t_string!(i18n, err_unauthorized).to_string(),
        AppError::RateLimited => t_string!(i18n, err_rate_limited).to_string(),
        AppError::Internal { id } => format!("{} {id}", t_string!(i18n, err_internal)),
        AppError::Transport { .. } => t_string!(i18n, err_network).to_string(),
    }
}

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

#[component]
pub fn ErrorBox(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="form-error" role="alert">{move || error_text(i18n, &err)}</p> }
}

/// Two small forms, so the switch works without JavaScript too (the server sets the
/// language cookie and sends the page back).
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLanguage>::new();
    Effect::new(move |_| {
        if let Some(Ok(lang)) = action.value().get() {
            if let Some(locale) = Locale::get_all().iter().find(|l| l.as_str() == lang) {
                i18n.set_locale(*locale);
            }
        }
    });
    let current = move || i18n.get_locale().as_str();
    view! {
        <div class="lang-switch" data-testid="lang-switch">
            <ActionForm action>
                <input type="hidden" name="lang" value="zh-CN" />
                <button type="submit" class:current=move || current() == "zh-CN">"中文"</button>
            </ActionForm>
            <ActionForm action>
                <input type="hidden" name="lang" value="en" />
                <button type="submit" class:current=move || current() == "en">"English"</button>
            </ActionForm>
        </div>
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
