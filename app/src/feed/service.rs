//! The feed: who sees which events, likes and comments, and turning stream rows
//! into websocket messages.

use crate::auth::model::{CurrentUser, Role};
use crate::calendar::local_label;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::feed::model::{FeedCursor, FeedPage};
use crate::feed::repo::{self, CommentRow, EventRow, Scope, StreamRow};
use crate::feed::rules::{cut_page, parse_comment, sees, Audience, FeedViewer, PageStart};
use crate::funnel::snapshot::department_tree;
use crate::live::model::{CommentItem, FeedItem, Push};
use crate::state::AppState;
use chrono::{DateTime, Utc};

/// What a user may see of the feed.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn feed_viewer(state: &AppState, user: &CurrentUser) -> AppResult<FeedViewer> {
    let departments = match user.role {
        Role::Boss | Role::Admin => None,
        Role::Manager => Some(department_tree(state, user).await?),
        Role::Rep => Some(vec![user.department_id.clone()]),
    };
    Ok(FeedViewer {
        user: user.id.clone(),
        departments,
    })
}

fn item(row: EventRow, liked: bool, comments: Vec<CommentItem>, tz: &chrono_tz::Tz) -> FeedItem {
    FeedItem {
        id: row.id,
        kind: row.kind,
        subject_name: row.subject_name,
        customer_id: row.customer,
        customer_name: row.customer_name,
        text: row.text,
        detail: row.detail,
        photos: row.photos,
        flags: row.flags,
        distance_m: row.distance_m,
        at: row.at,
        at_local: local_label(row.at, tz),
        likes: row.likes,
        comments: row.comments,
        liked,
        comment_list: comments,
        link: row.link,
    }
}

fn comment_item(c: CommentRow, tz: &chrono_tz::Tz) -> CommentItem {
    CommentItem {
        id: c.id,
        user_name: c.user_name,
        text: c.text,
        at_local: local_label(c.at, tz),
        at: c.at,
    }
}

/// How many cards a page of the feed shows.
pub const PAGE: usize = crate::feed::model::PAGE_SIZE;

/// A page of the events the user may see, newest first, with their comments:
/// the newest (`start` = `None`) with the stream position the live socket
/// resumes from, or an older one from a page's `next`. Reads about what it
/// shows: one index seek per scope, the viewer's likes of these events and
/// their comments.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn feed(
    state: &AppState,
    user: &CurrentUser,
    start: Option<&FeedCursor>,
) -> AppResult<FeedPage> {
    let start = start.map(parse_cursor).transpose()?;
    let viewer = feed_viewer(state, user).await?;
    let tz = state.config.timezone;
    // read the head first: anything written after it arrives over the socket
    let cursor = crate::live::repo::stream_head(&state.db).await?;
    let scope = match &viewer.departments {
        None => Scope::All,
        Some(d) => Scope::Departments(d),
    };
    let rows = repo::events(&state.db, scope, start.as_ref(), PAGE).await?;
    // instants to the microsecond, as `newest` and the cursor hold them
    let (rows, next) = cut_page(
        rows,
        |r| (r.at.timestamp_micros(), r.id.as_str()),
        start.as_ref(),
        PAGE,
    );
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let liked = repo::liked(&state.db, &user.id, &ids).await?;
    let comments = repo::comments_of(&state.db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let mine: Vec<CommentItem> = comments
                .iter()
                .filter(|c| c.event == r.id)
                .cloned()
                .map(|c| comment_item(c, &tz))
                .collect();
            let liked = liked.contains(&r.id);
            item(r, liked, mine, &tz)
        })
        .collect();
    Ok(FeedPage {
        items,
        cursor,
        next: next.map(|n| FeedCursor {
            before: DateTime::from_timestamp_micros(n.at)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            seen: n.seen.join(","),
        }),
    })
}

/// A page start as a client sends it back; anything malformed is a validation
/// error on `before`.
fn parse_cursor(c: &FeedCursor) -> AppResult<PageStart<i64>> {
    let at = DateTime::parse_from_rfc3339(c.before.trim())
        .map_err(|_| AppError::validation("before", "err_invalid"))?
        .with_timezone(&Utc)
        .timestamp_micros();
    let seen: Vec<String> = c
        .seen
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    // event ids are UUIDs; a page shows at most PAGE of them per instant and page
    let valid = |s: &String| s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if seen.len() > 50 * PAGE || !seen.iter().all(valid) {
        return Err(AppError::validation("seen", "err_invalid"));
    }
    Ok(PageStart { at, seen })
}

/// Loads an event the user may see; anything else is not found.
async fn visible_event(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<EventRow> {
    // event ids are UUIDs
    if id.len() != 36 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(AppError::NotFound);
    }
    let viewer = feed_viewer(state, user).await?;
    match repo::event(&state.db, id).await? {
        Some(e) if e.company || sees(&viewer, &Audience::Department(e.department.clone())) => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn toggle_like(state: &AppState, user: &CurrentUser, event: &str) -> AppResult<bool> {
    let e = visible_event(state, user, event).await?;
    repo::toggle_like(&state.db, &e.id, &user.id, &user.name, state.now()).await
}

#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn comment(
    state: &AppState,
    user: &CurrentUser,
    event: &str,
    text: &str,
) -> AppResult<CommentItem> {
    let text = parse_comment(text).map_err(|code| AppError::validation("text", code))?;
    let e = visible_event(state, user, event).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = state.now();
    repo::add_comment(&state.db, &e.id, &id, &user.id, &user.name, &text, now).await?;
    Ok(CommentItem {
        id,
        user_name: user.name.clone(),
        text,
        at: now,
        at_local: local_label(now, &state.config.timezone),
    })
}

/// A stream row as a websocket message and who may receive it. `None` when
/// what it points at is gone or the row is of a kind this version does not know.
pub async fn render(
    db: &Db,
    tz: &chrono_tz::Tz,
    row: &StreamRow,
) -> AppResult<Option<(Audience, Push)>> {
    let audience = match (&row.user, &row.department) {
        (Some(u), _) => Audience::User(u.clone()),
        (None, Some(d)) => Audience::Department(d.clone()),
        (None, None) => Audience::Company,
    };
    let seq = row.seq.clone();
    let push = match row.kind.as_str() {
        "event" => {
            let Some(id) = &row.event else {
                return Ok(None);
            };
            let Some(e) = repo::event(db, id).await? else {
                return Ok(None);
            };
            Push::Event {
                seq,
                item: item(e, false, Vec::new(), tz),
            }
        }
        "counts" => {
            let Some(id) = &row.event else {
                return Ok(None);
            };
            let Some(e) = repo::event(db, id).await? else {
                return Ok(None);
            };
            Push::Counts {
                seq,
                event: e.id,
                likes: e.likes,
                comments: e.comments,
            }
        }
        "comment" => {
            let (Some(event), Some(id)) = (&row.event, &row.reference) else {
                return Ok(None);
            };
            let Some(c) = repo::comment(db, id).await? else {
                return Ok(None);
            };
            Push::Comment {
                seq,
                event: event.clone(),
                comment: comment_item(c, tz),
            }
        }
        "notify" => {
            let Some(u) = &row.user else { return Ok(None) };
            Push::Notify {
                seq,
                unread: crate::live::repo::unread(db, u).await?,
            }
        }
        "alert" => {
            let Some(id) = &row.reference else {
                return Ok(None);
            };
            let Some(a) = repo::alert(db, id).await? else {
                return Ok(None);
            };
            Push::Alert {
                seq,
                reminder: a.id,
                title: a.title,
                content: a.content,
                at: a.remind_at,
            }
        }
        "alarm_answer" => {
            let (Some(alarm), Some(id)) = (&row.event, &row.reference) else {
                return Ok(None);
            };
            let Some(answer) = crate::alarms::service::answer_item(db, tz, id).await? else {
                return Ok(None);
            };
            Push::AlarmAnswer {
                seq,
                alarm: alarm.clone(),
                answer,
            }
        }
        "alarm_status" => {
            let Some(alarm) = &row.event else {
                return Ok(None);
            };
            let Some(version) = crate::alarms::repo::version(db, alarm).await? else {
                return Ok(None);
            };
            Push::AlarmStatus {
                seq,
                alarm: alarm.clone(),
                version,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some((audience, push)))
}
