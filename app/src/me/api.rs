use crate::error::AppError;
use leptos::prelude::*;

/// Languages the UI speaks; the first is the default.
pub const LANGUAGES: [&str; 2] = ["zh-CN", "en"];

/// Switches the UI language (cookie), and remembers it on the profile when signed in.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String) -> Result<String, AppError> {
    server::set_language(lang).await
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    server::change_password(current, password, confirm).await
}

#[server(endpoint = "update_profile")]
pub async fn update_profile(name: String, phone: String) -> Result<(), AppError> {
    server::update_profile(name, phone).await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::LANGUAGES;
    use crate::auth::rules::{check_password, normalize_name, normalize_optional_phone};
    use crate::auth::session::{current_user, hash_password, require_user, verify_password};
    use crate::error::{AppError, AppResult};
    use crate::people::repo;
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

    pub async fn change_password(
        current: String,
        password: String,
        confirm: String,
    ) -> AppResult<()> {
        let user = require_user().await?;
        let state = app_state()?;
        let creds = repo::find_credentials(&state.db, &user.login)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !verify_password(current, Some(creds.password_hash)).await? {
            return Err(AppError::validation("current", "wrong_password"));
        }
        check_password(&password).map_err(|c| AppError::validation("password", c))?;
        if password != confirm {
            return Err(AppError::validation("confirm", "password_mismatch"));
        }
        let hash = hash_password(password).await?;
        let now_ms = crate::auth::session::now_ms();
        repo::set_password_hash(&state.db, &user.id, hash, now_ms).await?;
        // every other session ends; this one starts again (a new id too)
        crate::auth::session::sign_in(&user.id).await
    }

    pub async fn update_profile(name: String, phone: String) -> AppResult<()> {
        let user = require_user().await?;
        let name = normalize_name(&name).map_err(|c| AppError::validation("name", c))?;
        let phone =
            normalize_optional_phone(&phone).map_err(|c| AppError::validation("phone", c))?;
        repo::update_profile(&app_state()?.db, &user.id, name, phone).await
    }
}
