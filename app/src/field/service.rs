//! Check-ins and follow-ups: check who may visit, judge the position, store the
//! photos, then write the visit, the clocks and the feed event together.

use crate::auth::model::CurrentUser;
use crate::customers::service::{visit_target, VisitTarget};
use crate::error::{AppError, AppResult};
use crate::field::model::{CheckinOutcome, NearbyCustomer};
use crate::field::repo::{self, VisitError, VisitIn, VisitKind};
use crate::field::rules::{assess, nearest_first, parse_fix, valid_key};
use crate::funnel::snapshot::department_tree;
use crate::live::post::FeedIn;
use crate::photos::MAX_PHOTOS;
use crate::state::AppState;
use bytes::Bytes;
use chrono::{DateTime, Utc};

/// A check-in as posted by the phone (text fields of the multipart form).
#[derive(Debug, Clone, Default)]
pub struct CheckinForm {
    pub key: String,
    pub customer: String,
    pub purpose: String,
    pub lat: String,
    pub lng: String,
    pub accuracy: String,
    /// RFC 3339, from the phone's clock when the check-in was made.
    pub captured_at: String,
}

fn parse_captured(s: &str) -> AppResult<Option<DateTime<Utc>>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| AppError::validation("captured_at", "invalid"))
}

fn check_purpose(p: &str) -> AppResult<String> {
    crate::text::checked("purpose", p, crate::text::Shape::lines(500))
}

/// Stores photos (at most [`MAX_PHOTOS`]) by content; returns their addresses.
pub(crate) async fn store_photos(state: &AppState, photos: Vec<Bytes>) -> AppResult<Vec<String>> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::validation("photos", "too_many"));
    }
    let mut hashes = Vec::with_capacity(photos.len());
    for p in photos {
        let h = state.photos.put(p).await?;
        if !hashes.contains(&h) {
            hashes.push(h);
        }
    }
    Ok(hashes)
}

/// Writes the visit `plan` makes of the customer as it stands, with its clocks
/// and feed event; re-reads and plans again when the customer changed meanwhile.
/// Returns the customer's name and what was written, or `None` when the same key
/// was stored meanwhile (a queue flushing twice at once).
async fn write_visit<F>(
    state: &AppState,
    user: &CurrentUser,
    kind: VisitKind,
    id: &str,
    customer: &str,
    plan: F,
) -> AppResult<Option<(String, VisitIn)>>
where
    F: Fn(&VisitTarget) -> (VisitIn, FeedIn),
{
    let _turn = state
        .visit_writers
        .acquire()
        .await
        .map_err(|_| AppError::conflict("stale"))?;
    for _ in 0..4 {
        let target = visit_target(state, user, customer).await?;
        let (visit, feed) = plan(&target);
        let written = visit.clone();
        match repo::record_visit(
            &state.db,
            kind,
            visit,
            target.clocks.clone(),
            target.row.state.version,
            feed,
            target.now,
        )
        .await
        {
            Ok(()) => {
                // only customers with a revisit interval have a reminder to move
                if target.row.revisit_days.is_some() {
                    after_visit(state, &target.row.id).await;
                }
                return Ok(Some((target.row.name, written)));
            }
            Err(VisitError::Retry) => {
                if repo::visit_exists(&state.db, kind, id).await? {
                    return Ok(None);
                }
            }
            Err(VisitError::Other(e)) => return Err(e),
        }
    }
    Err(AppError::conflict("stale"))
}

/// The answer to a key already stored.
async fn repeat_of(state: &AppState, id: &str) -> AppResult<Option<CheckinOutcome>> {
    Ok(repo::stored_checkin(&state.db, id)
        .await?
        .map(|done| CheckinOutcome {
            id: id.to_string(),
            duplicate: true,
            customer_name: done.customer_name,
            distance_m: done.distance_m,
            flags: done.flags,
        }))
}

/// Records a visit. The same key from the same user is stored once: a repeat
/// answers with what was stored the first time.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn check_in(
    state: &AppState,
    user: &CurrentUser,
    form: CheckinForm,
    photos: Vec<Bytes>,
) -> AppResult<CheckinOutcome> {
    // a form posted without JavaScript has no key: it is sent once anyway
    let generated = uuid::Uuid::new_v4().to_string();
    let key = match form.key.trim() {
        "" => generated.as_str(),
        k => k,
    };
    if !valid_key(key) {
        return Err(AppError::validation("key", "invalid"));
    }
    let id = format!("{}:{}", user.id, key);
    // A repeated key answers with what was stored. With photos that is asked
    // first, so they are not stored again; without, the write goes first (the
    // transaction refuses a key it has, and everything else is undone with it)
    // and the stored check-in is read only when the write did not happen: one
    // read less on every rep's busiest path.
    if !photos.is_empty() {
        if let Some(repeat) = repeat_of(state, &id).await? {
            return Ok(repeat);
        }
    }
    let customer = form.customer.trim();
    if customer.is_empty() {
        return Err(AppError::validation("customer", "required"));
    }
    let purpose = check_purpose(&form.purpose)?;
    let fix = parse_fix(&form.lat, &form.lng, &form.accuracy)
        .map_err(|field| AppError::validation(field, "invalid"))?;
    let captured_at = parse_captured(&form.captured_at)?;
    // who may visit is checked before photos are stored (the write checks again)
    if !photos.is_empty() {
        visit_target(state, user, customer).await?;
    }
    let photos = store_photos(state, photos).await?;
    let written = write_visit(state, user, VisitKind::Checkin, &id, customer, |target| {
        let row = &target.row;
        let (distance_m, flags) = assess(fix, row.lat.zip(row.lng), captured_at, target.now);
        let flags: Vec<String> = flags.iter().map(|f| f.as_str().to_string()).collect();
        let visit = VisitIn {
            id: id.clone(),
            user: user.id.clone(),
            department: user.department_id.clone(),
            customer: row.id.clone(),
            purpose: purpose.clone(),
            text: String::new(),
            lat: fix.map(|f| f.lat),
            lng: fix.map(|f| f.lng),
            accuracy: fix.map(|f| f.accuracy).filter(|a| a.is_finite()),
            distance_m,
            flags: flags.clone(),
            photos: photos.clone(),
            captured_at,
            day: crate::calendar::day_key(target.now, &state.config.timezone),
        };
        let feed = FeedIn {
            kind: "checkin".into(),
            actor: Some(user.id.clone()),
            subject: Some(user.id.clone()),
            subject_name: user.name.clone(),
            // colleagues see each other's visits: the rep's own department
            department: user.department_id.clone(),
            customer: Some(row.id.clone()),
            customer_name: Some(row.name.clone()),
            text: (!purpose.is_empty()).then(|| purpose.clone()),
            photos: photos.clone(),
            flags,
            distance_m,
            ..Default::default()
        };
        (visit, feed)
    })
    .await;
    let written = match written {
        Ok(w) => w,
        // the customer may have changed hands since the key was stored
        Err(e) => return repeat_of(state, &id).await?.ok_or(e),
    };
    match written {
        Some((customer_name, visit)) => Ok(CheckinOutcome {
            id,
            duplicate: false,
            customer_name,
            distance_m: visit.distance_m,
            flags: visit.flags,
        }),
        None => repeat_of(state, &id)
            .await?
            .ok_or(AppError::conflict("stale")),
    }
}

/// Records a follow-up (text, optional photos) on a customer.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn follow_up(
    state: &AppState,
    user: &CurrentUser,
    customer: &str,
    key: &str,
    text: &str,
    photos: Vec<Bytes>,
) -> AppResult<()> {
    let text = &crate::text::checked("text", text, crate::text::Shape::lines(2000))?;
    if text.is_empty() {
        return Err(AppError::validation("text", "required"));
    }
    let key = if key.trim().is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else if valid_key(key.trim()) {
        key.trim().to_string()
    } else {
        return Err(AppError::validation("key", "invalid"));
    };
    let id = format!("{}:{}", user.id, key);
    if repo::visit_exists(&state.db, VisitKind::Followup, &id).await? {
        return Ok(());
    }
    if !photos.is_empty() {
        visit_target(state, user, customer).await?;
    }
    let photos = store_photos(state, photos).await?;
    write_visit(state, user, VisitKind::Followup, &id, customer, |target| {
        let row = &target.row;
        let visit = VisitIn {
            id: id.clone(),
            user: user.id.clone(),
            department: user.department_id.clone(),
            customer: row.id.clone(),
            purpose: String::new(),
            text: text.to_string(),
            lat: None,
            lng: None,
            accuracy: None,
            distance_m: None,
            flags: Vec::new(),
            photos: photos.clone(),
            captured_at: None,
            day: crate::calendar::day_key(target.now, &state.config.timezone),
        };
        let feed = FeedIn {
            kind: "followup".into(),
            actor: Some(user.id.clone()),
            subject: Some(user.id.clone()),
            subject_name: user.name.clone(),
            department: user.department_id.clone(),
            customer: Some(row.id.clone()),
            customer_name: Some(row.name.clone()),
            text: Some(text.to_string()),
            photos: photos.clone(),
            ..Default::default()
        };
        (visit, feed)
    })
    .await?;
    Ok(())
}

/// A visit moves the customer's revisit reminder on (derived data: a failure is
/// logged, the visit stands).
async fn after_visit(state: &AppState, customer: &str) {
    if let Err(e) = crate::reminders::service::schedule_revisit(state, customer).await {
        tracing::warn!("revisit reminder for {customer}: {e}");
    }
}

/// The customers the user may visit, nearest first when a position is known.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn nearby(
    state: &AppState,
    user: &CurrentUser,
    lat: Option<f64>,
    lng: Option<f64>,
    q: &str,
) -> AppResult<Vec<NearbyCustomer>> {
    use crate::customers::search::{matches, parse_query, QueryError, Searchable};
    let query = match parse_query(q) {
        Ok(query) => Some(query),
        Err(QueryError::Empty) => None,
        Err(QueryError::TooShort) => return Err(AppError::validation("q", "search_short")),
    };
    let tree = department_tree(state, user).await?;
    let mut rows = repo::places(&state.db, &user.id, &tree).await?;
    if let Some(query) = &query {
        rows.retain(|r| {
            let mut contacts = vec![r.contact.as_str(), r.decision_maker.as_str()];
            contacts.extend(r.contact_names.iter().map(String::as_str));
            matches(
                &Searchable {
                    name: &r.name,
                    phones: &r.phones,
                    contacts: &contacts,
                },
                query,
            )
        });
    }
    let here = lat.zip(lng);
    let order: Vec<(usize, Option<f64>)> = match here {
        Some(h) => {
            let places: Vec<Option<(f64, f64)>> = rows.iter().map(|r| r.lat.zip(r.lng)).collect();
            nearest_first(h, &places)
        }
        None => (0..rows.len()).map(|i| (i, None)).collect(),
    };
    Ok(order
        .into_iter()
        .take(50)
        .map(|(i, d)| NearbyCustomer {
            id: rows[i].id.clone(),
            name: rows[i].name.clone(),
            address: rows[i].address.clone(),
            distance_m: d,
        })
        .collect())
}
