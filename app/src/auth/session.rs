//! Sessions and password hashing (server only).
//!
//! Sessions live in SurrealDB through `tower-sessions`; the cookie holds only the
//! session id. The user is re-read on every request, so deactivating a user or
//! changing their role takes effect at once.

use crate::auth::model::{CurrentUser, Role};
use crate::error::{internal, AppError, AppResult};
use crate::people::repo;
use crate::state::app_state;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use tower_sessions::Session;

const USER_KEY: &str = "uid";

pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

/// The signed-in, active user, or `None`.
pub async fn current_user() -> AppResult<Option<CurrentUser>> {
    let session = session().await?;
    user_of_session(&app_state()?.db, &session).await
}

/// The active user a session belongs to (for plain axum handlers such as the
/// websocket and photos, which have the session but no Leptos context).
pub async fn user_of_session(
    db: &crate::state::Db,
    session: &Session,
) -> AppResult<Option<CurrentUser>> {
    let Some(id) = session.get::<String>(USER_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    match repo::find_user(db, &id).await? {
        Some((user, true)) => Ok(Some(user)),
        // Deactivated or vanished: the session ends here.
        _ => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

pub async fn require_user() -> AppResult<CurrentUser> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

pub async fn require_role(allowed: impl Fn(Role) -> bool) -> AppResult<CurrentUser> {
    let user = require_user().await?;
    if allowed(user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Boss or admin.
pub async fn require_admin() -> AppResult<CurrentUser> {
    require_role(Role::can_administer).await
}

/// Starts a fresh session for `user_id` (a new id defeats session fixation).
pub async fn sign_in(user_id: &str) -> AppResult<()> {
    let session = session().await?;
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(USER_KEY, user_id.to_string())
        .await
        .map_err(internal)
}

pub async fn sign_out() -> AppResult<()> {
    session().await?.flush().await.map_err(internal)
}

/// Argon2id with the crate's default (OWASP) parameters, off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

/// A fixed hash checked when the login is unknown, so both failures take as long.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1Cm8T5MaHKnxb0ua1lfHQpSbbNpuRLpvY4zCRWuE+2w";

pub async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(internal)
}

/// The caller's IP address (the socket peer; a proxy in front should be trusted
/// explicitly before honouring forwarded headers, which we do not yet).
pub async fn client_ip() -> String {
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_string())
}
