//! The UI's language: chosen on the login page or the profile, kept in the
//! cookie leptos_i18n reads and, when signed in, on the user.

use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// Languages the UI speaks; the first is the default.
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// Switches the UI language (cookie), and remembers it on the profile when signed in.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String) -> Result<String, AppError> {
    server::set_language(lang).await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::LANGUAGES;
    use crate::auth::repo;
    use crate::auth::session::current_user;
    use crate::error::{AppError, AppResult};
    use crate::state::app_state;

    /// The cookie leptos_i18n reads to pick the locale.
    pub const LANG_COOKIE: &str = "i18n_pref_locale";

    pub fn set_language_cookie(lang: &str) {
        if !LANGUAGES.contains(&lang) {
            return;
        }
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
            if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
                opts.append_header(axum::http::header::SET_COOKIE, value);
            }
        }
    }

    pub async fn set_language(lang: String) -> AppResult<String> {
        if !LANGUAGES.contains(&lang.as_str()) {
            return Err(AppError::validation("lang", "unknown_language"));
        }
        if let Some(user) = current_user().await? {
            repo::set_language(&app_state()?.db, &user.id, &lang).await?;
        }
        set_language_cookie(&lang);
        Ok(lang)
    }
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
