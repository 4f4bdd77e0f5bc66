//! Sessions and password hashing (server only).
//!
//! Sessions live in SurrealDB through `tower-sessions`; the cookie holds only the
//! session id. The user is re-read on every request, so deactivating a user or
//! changing their role takes effect at once.

use crate::auth::model::{CurrentUser, Role};
use crate::auth::repo;
use crate::auth::rules::{needs_touch, session_valid};
use crate::error::{internal, AppError, AppResult};
use crate::state::app_state;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use tower_sessions::Session;

const USER_KEY: &str = "uid";
/// When the session was signed in (unix ms, the app's clock).
const SINCE_KEY: &str = "since";
/// When the session was last written (unix ms), to move its expiry on.
const SEEN_KEY: &str = "seen";

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
    db: &crate::db::Db,
    session: &Session,
) -> AppResult<Option<CurrentUser>> {
    let Some(id) = session.get::<String>(USER_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    let since = session.get::<i64>(SINCE_KEY).await.map_err(internal)?;
    let now = now_ms();
    match still_valid(db, &id, since, now).await? {
        Some(user) => {
            let seen = session.get::<i64>(SEEN_KEY).await.map_err(internal)?;
            if needs_touch(seen, now) {
                // a changed session is saved with a new inactivity expiry
                session.insert(SEEN_KEY, now).await.map_err(internal)?;
            }
            Ok(Some(user))
        }
        // Deactivated, vanished, cut or too old: the session ends here.
        None => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

/// The user of a session that names `user_id` and began at `since_ms`, if it
/// is still good at `now_ms`: the user active, the session neither older than
/// the cap nor cut since it began.
pub async fn still_valid(
    db: &crate::db::Db,
    user_id: &str,
    since_ms: Option<i64>,
    now_ms: i64,
) -> AppResult<Option<CurrentUser>> {
    Ok(match repo::find_session_user(db, user_id).await? {
        Some((user, true, cut)) if session_valid(since_ms, cut, now_ms, SESSION_MAX_MS) => {
            Some(user)
        }
        _ => None,
    })
}

/// What a long-lived connection (the live socket) keeps of its session, to
/// ask again later whether it still stands.
#[derive(Debug, Clone)]
pub struct SessionMark {
    pub session_id: String,
    pub user_id: String,
    pub since_ms: Option<i64>,
}

impl SessionMark {
    pub async fn of(session: &Session) -> AppResult<Option<SessionMark>> {
        let (Some(id), Some(user_id)) = (
            session.id(),
            session.get::<String>(USER_KEY).await.map_err(internal)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(SessionMark {
            session_id: id.to_string(),
            user_id,
            since_ms: session.get::<i64>(SINCE_KEY).await.map_err(internal)?,
        }))
    }

    /// The user, if the session is still stored (not signed out, not
    /// expired) and still good; read from the database, not from a copy.
    pub async fn recheck(&self, state: &crate::state::AppState) -> AppResult<Option<CurrentUser>> {
        let mut resp = crate::db::checked(
            state
                .db
                .query("RETURN (type::record('session', $s).expiry_date ?? 0) > $now")
                .bind(("s", self.session_id.clone()))
                .bind(("now", chrono::Utc::now().timestamp()))
                .await?,
        )?;
        let stored: Option<bool> = resp.take(0)?;
        if stored != Some(true) {
            return Ok(None);
        }
        still_valid(&state.db, &self.user_id, self.since_ms, now_ms()).await
    }
}

/// Now, in unix ms. Sessions live on the wall clock, as the session store's
/// expiry does: a test server's moved business clock must not sign people out.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The longest a session lives however busy it is (7 days); inactivity ends it
/// sooner (`BPC_SESSION_HOURS`).
pub const SESSION_MAX_MS: i64 = 7 * 24 * 3_600_000;

pub async fn require_user() -> AppResult<CurrentUser> {
    current_user().await?.ok_or(AppError::Unauthorized)
}

/// Who is asking, with the app's state: the first line of every server
/// function that needs a signed-in user. `Unauthorized` without a session.
pub async fn caller() -> AppResult<(crate::state::AppState, CurrentUser)> {
    let user = require_user().await?;
    Ok((crate::state::app_state()?, user))
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
    let now = now_ms();
    session
        .insert(USER_KEY, user_id.to_string())
        .await
        .map_err(internal)?;
    session.insert(SINCE_KEY, now).await.map_err(internal)?;
    session.insert(SEEN_KEY, now).await.map_err(internal)
}

pub async fn sign_out() -> AppResult<()> {
    session().await?.flush().await.map_err(internal)
}

/// Argon2id with the crate's default (OWASP) parameters, off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    let _turn = HASHING.acquire().await.map_err(internal)?;
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
    let _turn = HASHING.acquire().await.map_err(internal)?;
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

/// The caller's IP address: the socket peer, or what a trusted proxy in front
/// says it forwarded for (`BPC_TRUSTED_PROXIES`; see `rules::client_address`).
pub async fn client_ip(trusted: &[ipnet::IpNet]) -> String {
    let Ok(peer) = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await
    else {
        return "unknown".to_string();
    };
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    crate::auth::rules::client_address(peer.0.ip(), forwarded, trusted).to_string()
}

/// Password hashes run at most this many at once (each takes 19 MiB and a
/// core for tens of milliseconds); more wait their turn instead of starving
/// every other request.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    tokio::sync::Semaphore::new(cores.clamp(1, 4))
});
