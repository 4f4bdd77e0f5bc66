//! Live push. Each app server follows the `stream` table with one SurrealDB live
//! query and fans each row out to its own websockets, so a write through any app
//! server (or straight into the database) reaches every socket on every server.
//! A reconnecting client sends the last `seq` it saw and gets the rows after it,
//! in order, before the live ones.

use app::auth::model::CurrentUser;
use app::auth::session::SessionMark;
use app::db::Db;
use app::feed::repo::{self, StreamRow};
use app::feed::rules::{sees, Audience};
use app::live::model::Hello;
use app::live::rules::bounded_replay_floor;
use app::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use surrealdb::types::SurrealValue;
use tokio::sync::broadcast;
use tower_sessions::Session;

/// A rendered stream row: who may see it and the JSON to send.
#[derive(Debug)]
pub struct Outgoing {
    pub seq: String,
    pub audience: Audience,
    /// Serialized once; every socket sends the same bytes (a clone is a
    /// reference count, not a copy).
    pub json: Utf8Bytes,
}

/// This process's fan-out point.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Outgoing>>,
    /// Changes that may end a socket or change what it may see.
    revoke: broadcast::Sender<Revoke>,
    /// Open sockets per session id, on this server.
    open: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

/// A socket counted against its session while it lives.
struct SocketSlot {
    open: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    session: String,
}

impl Hub {
    /// Counts a socket for `session`, unless it already holds
    /// [`SOCKETS_PER_SESSION`].
    fn take_slot(&self, session: &str) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(session.to_string()).or_insert(0);
        if *n >= SOCKETS_PER_SESSION {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            open: self.open.clone(),
            session: session.to_string(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.session) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.session);
            }
        }
    }
}

/// What an open socket must check again (security review M2: a socket used to
/// keep what it could see when it connected, past sign-out and deactivation).
#[derive(Debug, Clone, PartialEq)]
pub enum Revoke {
    /// This session was signed out, cycled or expired: its sockets close.
    Session(String),
    /// This person changed (deactivated, new role or department, password
    /// changed): their sockets ask whether their session still stands, and
    /// what it may see now.
    User(String),
    /// The department tree changed: every socket works out its scope again.
    Org,
}

/// How often an open socket asks again whether its session still stands, for
/// what no change announces (a session expiring from inactivity).
const RECHECK_EVERY: Duration = Duration::from_secs(60);

/// Messages a slow socket may fall behind by before it is dropped (it then
/// reconnects and catches up from the stream).
const BACKLOG: usize = 4096;
/// Rows replayed per reconnect, at most (and from the last hour only:
/// `bounded_replay_floor`).
const REPLAY_LIMIT: usize = 500;
/// Sockets one session may hold open on one app server (a few tabs); more are
/// refused with 429.
const SOCKETS_PER_SESSION: usize = 6;

impl Hub {
    /// Starts following the stream table. The task re-subscribes if the live
    /// query ends (a dropped connection to a remote database).
    pub fn start(db: Db, tz: chrono_tz::Tz) -> Hub {
        let (tx, _) = broadcast::channel(BACKLOG);
        let (revoke, _) = broadcast::channel(BACKLOG);
        let hub = Hub {
            tx,
            revoke,
            open: Arc::default(),
        };
        let task = hub.clone();
        let revocations_db = db.clone();
        tokio::spawn(async move { task.follow(db, tz).await });
        for table in ["session", "user", "department"] {
            let task = hub.clone();
            let db = revocations_db.clone();
            tokio::spawn(async move { task.follow_revocations(db, table).await });
        }
        hub
    }

    /// Follows one table whose changes may end sockets or change their scope
    /// (through the database, so a sign-out on another app server counts).
    async fn follow_revocations(self, db: Db, table: &'static str) {
        use surrealdb::types::Action;
        loop {
            match db.select::<Vec<IdOnly>>(table).live().await {
                Ok(mut stream) => {
                    while let Some(n) = stream.next().await {
                        let n = match n {
                            Ok(n) => n,
                            Err(e) => {
                                tracing::warn!("live {table}: {e}");
                                break;
                            }
                        };
                        if self.revoke.receiver_count() == 0 {
                            continue;
                        }
                        let key = key_of(&n.data.id);
                        let revoke = match (table, n.action) {
                            ("session", Action::Delete) => Revoke::Session(key),
                            ("session", _) => continue,
                            ("user", Action::Update | Action::Delete) => Revoke::User(key),
                            ("user", _) => continue,
                            _ => Revoke::Org,
                        };
                        let _ = self.revoke.send(revoke);
                    }
                    tracing::warn!("live {table} ended; following it again");
                }
                Err(e) => tracing::warn!("cannot follow {table}: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Outgoing>> {
        self.tx.subscribe()
    }

    async fn follow(self, db: Db, tz: chrono_tz::Tz) {
        loop {
            match db.select::<Vec<StreamLive>>("stream").live().await {
                Ok(mut stream) => {
                    while let Some(n) = stream.next().await {
                        let row = match n {
                            Ok(n) if n.action == surrealdb::types::Action::Create => n.data,
                            Ok(_) => continue,
                            Err(e) => {
                                tracing::warn!("live stream: {e}");
                                break;
                            }
                        };
                        // no socket is open on this server: nothing to render for
                        if self.tx.receiver_count() == 0 {
                            continue;
                        }
                        let row = row.into_row();
                        match render(&db, &tz, &row).await {
                            Some(out) => {
                                // the last socket may have closed meanwhile
                                let _ = self.tx.send(Arc::new(out));
                            }
                            None => continue,
                        }
                    }
                    tracing::warn!("live stream ended; following it again");
                }
                Err(e) => tracing::warn!("cannot follow the stream: {e}"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Just the id of a changed record.
#[derive(Debug, Clone, SurrealValue)]
struct IdOnly {
    id: surrealdb::types::RecordId,
}

/// A stream row as the live query delivers it (record links, not ids).
#[derive(Debug, Clone, SurrealValue)]
struct StreamLive {
    seq: String,
    kind: String,
    department: Option<surrealdb::types::RecordId>,
    user: Option<surrealdb::types::RecordId>,
    event: Option<String>,
    #[surreal(rename = "ref")]
    reference: Option<String>,
}

fn key_of(id: &surrealdb::types::RecordId) -> String {
    match &id.key {
        surrealdb::types::RecordIdKey::String(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

impl StreamLive {
    fn into_row(self) -> StreamRow {
        StreamRow {
            seq: self.seq,
            kind: self.kind,
            department: self.department.as_ref().map(key_of),
            user: self.user.as_ref().map(key_of),
            event: self.event,
            reference: self.reference,
        }
    }
}

pub async fn render(db: &Db, tz: &chrono_tz::Tz, row: &StreamRow) -> Option<Outgoing> {
    match app::feed::service::render(db, tz, row).await {
        Ok(Some((audience, push))) => Some(Outgoing {
            seq: push.seq().to_string(),
            audience,
            json: Utf8Bytes::from(serde_json::to_string(&push).ok()?),
        }),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!("render stream row {}: {e}", row.seq);
            None
        }
    }
}

/// Everything the socket handler needs.
#[derive(Clone)]
pub struct LiveState {
    pub app: AppState,
    pub hub: Hub,
}

/// A socket's read buffer, and the largest message a client may send.
const READ_BUFFER: usize = 4 * 1024;
const MAX_INCOMING: usize = 16 * 1024;

/// `GET /ws`: signed-in users only.
pub async fn ws_handler(
    State(live): State<LiveState>,
    session: Session,
    upgrade: WebSocketUpgrade,
) -> Response {
    let user = match app::auth::session::user_of_session(&live.app.db, &session).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mark = match SessionMark::of(&session).await {
        Ok(Some(m)) => m,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(slot) = live.hub.take_slot(&mark.session_id) else {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    };
    // a client only ever says where to resume: small buffers, not tungstenite's
    // 128 KiB read buffer per connection (5,000 idle sockets took 132 KiB each)
    upgrade
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING)
        .on_upgrade(move |socket| async move {
            serve_socket(live, user, mark, socket).await;
            drop(slot);
        })
}

async fn serve_socket(live: LiveState, user: CurrentUser, mark: SessionMark, socket: WebSocket) {
    let mut viewer = match app::feed::service::feed_viewer(&live.app, &user).await {
        Ok(v) => v,
        Err(_) => return,
    };
    // Subscribe before the replay, so nothing falls between the two.
    let mut rx = live.hub.subscribe();
    let mut revoked = live.hub.revoke.subscribe();
    let (mut sink, mut incoming) = socket.split();
    // The client speaks first: where to resume.
    let hello = match tokio::time::timeout(Duration::from_secs(10), incoming.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Hello>(&t).ok(),
        _ => None,
    };
    let Some(hello) = hello else { return };
    let _open = crate::metrics::Socket::open();
    let mut sent: HashSet<String> = HashSet::new();
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    if let Some(floor) = hello
        .after
        .as_deref()
        .and_then(|after| bounded_replay_floor(after, now_ms))
    {
        match replay(&live.app.db, &live.app.config.timezone, &floor).await {
            Ok(rows) => {
                for out in rows {
                    if sees(&viewer, &out.audience)
                        && sent.insert(out.seq.clone())
                        && sink.send(Message::Text(out.json.clone())).await.is_err()
                    {
                        return;
                    }
                }
            }
            Err(()) => return,
        }
    }
    let mut ping = tokio::time::interval(Duration::from_secs(25));
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    recheck.reset();
    loop {
        tokio::select! {
            change = revoked.recv() => {
                let ask = match change {
                    Ok(Revoke::Session(id)) if id == mark.session_id => {
                        let _ = sink.send(Message::Close(None)).await;
                        return;
                    }
                    Ok(Revoke::Session(_)) => false,
                    Ok(Revoke::User(id)) => id == mark.user_id,
                    Ok(Revoke::Org) => true,
                    // missed some: ask, to be safe
                    Err(broadcast::error::RecvError::Lagged(_)) => true,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if ask {
                    match still_seeing(&live.app, &mark).await {
                        Some(v) => viewer = v,
                        None => {
                            let _ = sink.send(Message::Close(None)).await;
                            return;
                        }
                    }
                }
            },
            _ = recheck.tick() => match still_seeing(&live.app, &mark).await {
                Some(v) => viewer = v,
                None => {
                    let _ = sink.send(Message::Close(None)).await;
                    return;
                }
            },
            msg = rx.recv() => match msg {
                Ok(out) => {
                    if !sees(&viewer, &out.audience) {
                        continue;
                    }
                    // already sent by the replay
                    if !sent.is_empty() && sent.remove(&out.seq) {
                        continue;
                    }
                    if sink.send(Message::Text(out.json.clone())).await.is_err() {
                        return;
                    }
                }
                // fell too far behind: the client reconnects and replays
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming_msg = incoming.next() => match incoming_msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// What a socket's session may see now, or `None` when the session is over
/// (signed out, expired, cut, the person deactivated) or cannot be read.
async fn still_seeing(app: &AppState, mark: &SessionMark) -> Option<app::feed::rules::FeedViewer> {
    let user = mark.recheck(app).await.ok()??;
    app::feed::service::feed_viewer(app, &user).await.ok()
}

async fn replay(db: &Db, tz: &chrono_tz::Tz, floor: &str) -> Result<Vec<Outgoing>, ()> {
    let rows = repo::stream_since(db, floor, REPLAY_LIMIT)
        .await
        .map_err(|e| tracing::warn!("replay: {e}"))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(o) = render(db, tz, row).await {
            out.push(o);
        }
    }
    Ok(out)
}
