use crate::error::AppError;
use leptos::prelude::*;

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
    use crate::auth::repo;
    use crate::auth::rules::{check_password, normalize_name, normalize_optional_phone};
    use crate::auth::session::{hash_password, require_user, verify_password};
    use crate::error::{AppError, AppResult};
    use crate::state::app_state;

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
        crate::people::repo::update_profile(&app_state()?.db, &user.id, name, phone).await
    }
}
