//! Server functions of the auth feature. Each one authorises itself.

use crate::auth::model::CurrentUser;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None` for a visitor.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    crate::auth::session::current_user().await
}

/// True while the company has no user yet and was not started with demo data.
#[server(endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    server::needs_setup().await
}

/// Signs in. Unknown login and wrong password get the same answer.
#[server(endpoint = "login")]
pub async fn login(login: String, password: String) -> Result<(), AppError> {
    server::login(login, password).await
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    server::logout().await
}

/// One-time setup of an empty installation: company name and first administrator.
#[server(endpoint = "setup")]
pub async fn setup(
    company: String,
    name: String,
    login: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    server::setup(company, name, login, password, confirm).await
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::auth::model::Role;
    use crate::auth::repo::{self, NewUser};
    use crate::auth::rules::{check_password, normalize_login, normalize_name};
    use crate::auth::session::{client_ip, hash_password, sign_in, sign_out, verify_password};
    use crate::auth::throttle::LoginThrottle;
    use crate::error::{AppError, AppResult};
    use crate::state::app_state;

    pub async fn needs_setup() -> AppResult<bool> {
        let state = app_state()?;
        Ok(repo::count_users(&state.db).await? == 0)
    }

    pub async fn login(login: String, password: String) -> AppResult<()> {
        let state = app_state()?;
        let login = login.trim().to_lowercase();
        let ip = client_ip(&state.config.trusted_proxies).await;
        // counted before the password is hashed: parallel attempts cannot
        // outrun the limit (see auth::throttle)
        let Some(attempt) = state
            .part::<LoginThrottle>()
            .reserve(&state.db, &login, &ip, state.now())
            .await?
        else {
            return Err(AppError::RateLimited);
        };
        let creds = repo::find_credentials(&state.db, &login).await?;
        let (id, hash, active) = match creds {
            Some(c) => (Some(c.id), Some(c.password_hash), c.active),
            None => (None, None, false),
        };
        let password_ok = verify_password(password, hash).await?;
        match id {
            Some(id) if password_ok && active => {
                state
                    .part::<LoginThrottle>()
                    .succeeded(&state.db, &attempt)
                    .await?;
                sign_in(&id).await?;
                remember_language(&state, &id).await?;
                leptos_axum::redirect("/feed");
                Ok(())
            }
            // The attempt stays counted. A deactivated user with the right
            // password learns nothing more than a stranger would.
            _ => Err(AppError::validation("password", "bad_credentials")),
        }
    }

    /// Puts the user's saved language in the i18n cookie, so the next page speaks it.
    async fn remember_language(state: &crate::state::AppState, id: &str) -> AppResult<()> {
        if let Some((user, _)) = repo::find_user(&state.db, id).await? {
            crate::auth::language::server::set_language_cookie(&user.language);
        }
        Ok(())
    }

    pub async fn logout() -> AppResult<()> {
        sign_out().await?;
        leptos_axum::redirect("/login");
        Ok(())
    }

    pub async fn setup(
        company: String,
        name: String,
        login: String,
        password: String,
        confirm: String,
    ) -> AppResult<()> {
        let state = app_state()?;
        let company = normalize_name(&company).map_err(|c| AppError::validation("company", c))?;
        let name = normalize_name(&name).map_err(|c| AppError::validation("name", c))?;
        let login = normalize_login(&login).map_err(|c| AppError::validation("login", c))?;
        check_password(&password).map_err(|c| AppError::validation("password", c))?;
        if password != confirm {
            return Err(AppError::validation("confirm", "password_mismatch"));
        }
        if repo::count_users(&state.db).await? > 0 {
            return Err(AppError::conflict("already_set_up"));
        }
        let admin = NewUser {
            login,
            name,
            role: Role::Admin,
            department_id: String::new(),
            password_hash: hash_password(password).await?,
        };
        let (_, user_id) = repo::bootstrap_company(&state.db, company, admin).await?;
        sign_in(&user_id).await?;
        leptos_axum::redirect("/admin");
        Ok(())
    }
}
