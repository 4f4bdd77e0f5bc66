//! Keeping the file current: contacts, phones, notes, the position, the amount
//! and close date are added by whoever keeps the customer; a registered fact is
//! corrected by a manager at once or requested by its rep (`customers::edit`
//! decides who). Every change is written with its before → after.

use super::*;
use crate::customers::edit::{
    file_rights, may_decide, new_keys, parse_contact, parse_expected, parse_fact, parse_note,
    parse_position, phone_list, ContactInput, Correct, Fact, FileRights,
};
use crate::customers::repo::{ChangeRow, FactsRow, FileWrite};
use chrono::NaiveDate;

/// The customer as the asking user may keep it: its row, facts and rights.
/// Not found when they may not see it; forbidden when they may see but not keep it.
struct Open {
    ctx: Ctx,
    row: CustomerRow,
    facts: FactsRow,
    rights: FileRights,
}

async fn open(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<Open> {
    let ctx = Ctx::load(state).await?;
    let row = load_settled(state, &ctx, id).await?;
    let tree = ctx.tree_of(user);
    let v = viewer(user, &tree);
    let st = standing(&ctx, &row.state);
    if !can_see(&v, &st) {
        return Err(AppError::NotFound);
    }
    let rights = file_rights(&v, &st);
    if !rights.add {
        return Err(AppError::Forbidden);
    }
    let facts = repo::facts(&state.db, &row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Open {
        ctx,
        row,
        facts,
        rights,
    })
}

fn refused((field, code): (&str, &str)) -> AppError {
    AppError::validation(field, code)
}

fn change<'a>(
    o: &'a Open,
    user: &'a CurrentUser,
    field: &'a str,
    before: String,
    after: String,
) -> FileWrite<'a> {
    FileWrite {
        customer: &o.row.id,
        by: &user.id,
        now: o.ctx.now,
        version: None,
        field,
        before,
        after,
        reason: None,
        status: "applied",
        set: serde_json::json!({}),
        keys: Vec::new(),
        reindex: false,
        clear_close: false,
        notify: Vec::new(),
    }
}

/// Adds a contact (name required; phones, e-mail/WeChat, title, decision-maker,
/// birthday, notes).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add_contact(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    input: ContactInput,
) -> AppResult<()> {
    let valid = parse_contact(&input).map_err(refused)?;
    let o = open(state, user, id).await?;
    repo::add_contact(&state.db, &o.row.id, &user.id, &valid, o.ctx.now).await
}

/// Adds phones to the customer (each checked for duplicates as at registration).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add_phones(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    raw: &str,
) -> AppResult<()> {
    let (typed, keys) = phone_list("phones", raw).map_err(refused)?;
    if typed.is_empty() {
        return Err(AppError::validation("phones", "phone_required"));
    }
    let o = open(state, user, id).await?;
    let fresh = new_keys(&o.facts.phone_keys, &keys);
    if fresh.is_empty() {
        return Err(AppError::validation("phones", "phone_already_there"));
    }
    let mut phones = o.facts.phones.clone();
    let mut phone_keys = o.facts.phone_keys.clone();
    for (p, k) in typed.iter().zip(&keys) {
        if fresh.contains(k) {
            phones.push(p.clone());
            phone_keys.push(k.clone());
        }
    }
    if phones.len() > crate::customers::input::PHONES_MAX * 2 {
        return Err(AppError::validation("phones", "too_many_phones"));
    }
    let mut w = change(
        &o,
        user,
        "phone_add",
        o.facts.phones.join(", "),
        phones.join(", "),
    );
    w.set = serde_json::json!({ "phones": phones, "phone_keys": phone_keys });
    w.keys = fresh.iter().map(|k| repo::phone_key_id(k)).collect();
    w.reindex = true;
    repo::write_change(&state.db, w).await
}

/// Adds a note to the file (the registration's notes stay as they were).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn add_note(state: &AppState, user: &CurrentUser, id: &str, text: &str) -> AppResult<()> {
    let text = parse_note(text).map_err(refused)?;
    let o = open(state, user, id).await?;
    let w = change(&o, user, "note", String::new(), text);
    repo::write_change(&state.db, w).await
}

fn position_text(lat: Option<f64>, lng: Option<f64>) -> String {
    match (lat, lng) {
        (Some(a), Some(b)) => format!("{a:.6},{b:.6}"),
        _ => String::new(),
    }
}

/// Sets where the customer is (typed, or from the phone at the customer).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn set_position(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    lat: &str,
    lng: &str,
) -> AppResult<()> {
    let (lat, lng) = parse_position(lat, lng).map_err(refused)?;
    let o = open(state, user, id).await?;
    let mut w = change(
        &o,
        user,
        "position",
        position_text(o.facts.lat, o.facts.lng),
        position_text(Some(lat), Some(lng)),
    );
    w.set = serde_json::json!({ "lat": lat, "lng": lng });
    repo::write_change(&state.db, w).await
}

/// Sets the expected amount and close date, each change kept (the forecast
/// uses the current values). `version`: the one the page was read at.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn set_expected(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    amount: &str,
    close_on: &str,
    version: i64,
) -> AppResult<()> {
    let o = open(state, user, id).await?;
    let registered: NaiveDate = o.row.created_at.with_timezone(&o.ctx.tz).date_naive();
    let (cents, close) = parse_expected(amount, close_on, registered).map_err(refused)?;
    let close = close.map(|d| d.to_string());
    let amount_changed = cents != o.facts.expected_cents;
    let close_changed = close != o.facts.close_on;
    if !amount_changed && !close_changed {
        return Err(AppError::validation("expected_amount", "unchanged"));
    }
    if o.facts.version != version {
        return Err(AppError::Conflict {
            code: "stale".into(),
        });
    }
    // one change row per value, so each history reads before → after
    if amount_changed {
        let mut w = change(
            &o,
            user,
            "expected",
            o.facts.expected_cents.to_string(),
            cents.to_string(),
        );
        w.version = Some(version);
        w.set = serde_json::json!({ "expected_cents": cents });
        repo::write_change(&state.db, w).await?;
    }
    if close_changed {
        let mut w = change(
            &o,
            user,
            "close_on",
            o.facts.close_on.clone().unwrap_or_default(),
            close.clone().unwrap_or_default(),
        );
        w.version = Some(version + i64::from(amount_changed));
        match &close {
            Some(d) => w.set = serde_json::json!({ "close_on": d }),
            None => w.clear_close = true,
        }
        repo::write_change(&state.db, w).await?;
    }
    Ok(())
}

/// The stored value of a fact, as the trail shows it.
fn fact_value(f: &FactsRow, fact: Fact) -> String {
    match fact {
        Fact::Name => f.name.clone(),
        Fact::Phones => f.phones.join(", "),
        Fact::Industry => f.industry.clone(),
        Fact::Region => f.region.clone(),
        Fact::Address => f.address.clone(),
        Fact::Source => f.source.clone(),
        Fact::Size => f.size.clone(),
    }
}

/// What a correction sets on the customer, and the keys it takes.
fn fact_write(
    fact: Fact,
    f: &FactsRow,
    value: &crate::customers::edit::NewValue,
) -> (serde_json::Value, Vec<String>) {
    match fact {
        Fact::Name => {
            let key = value.keys.first().cloned().unwrap_or_default();
            let (head, tail) = crate::customers::input::name_head_tail(&key);
            let keys = new_keys(std::slice::from_ref(&f.name_key), &value.keys)
                .iter()
                .map(|k| repo::name_key_id(k))
                .collect();
            (
                serde_json::json!({ "name": value.shown, "name_key": key, "name_head": head, "name_tail": tail }),
                keys,
            )
        }
        Fact::Phones => (
            serde_json::json!({ "phones": value.phones, "phone_keys": value.keys }),
            new_keys(&f.phone_keys, &value.keys)
                .iter()
                .map(|k| repo::phone_key_id(k))
                .collect(),
        ),
        other => (
            serde_json::json!({ other.as_str(): value.shown }),
            Vec::new(),
        ),
    }
}

/// Corrects a registered fact: applied at once for a manager or the boss, a
/// request for the rep who owns the customer (their managers are told). A new
/// name or phone that another customer holds is refused as a duplicate.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn correct(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    field: &str,
    value: &str,
    reason: &str,
    version: i64,
) -> AppResult<Corrected> {
    let fact = Fact::parse(field).ok_or_else(|| AppError::validation("field", "invalid"))?;
    let value = parse_fact(fact, value).map_err(refused)?;
    let reason = crate::text::clean_field("reason", reason, Shape::lines(500)).map_err(refused)?;
    let o = open(state, user, id).await?;
    let before = fact_value(&o.facts, fact);
    if before == value.shown {
        return Err(AppError::validation("value", "unchanged"));
    }
    if o.facts.version != version {
        return Err(AppError::Conflict {
            code: "stale".into(),
        });
    }
    // a request reserves nothing: its keys are checked again when approved
    let duplicate = repo::find_exact(
        &state.db,
        value
            .keys
            .first()
            .map(String::as_str)
            .filter(|_| fact == Fact::Name),
        if fact == Fact::Phones {
            &value.keys
        } else {
            &[]
        },
    )
    .await?;
    if duplicate.is_some_and(|hit| hit.customer != o.row.id) {
        return Err(AppError::Conflict {
            code: "duplicate".into(),
        });
    }
    let mut w = change(&o, user, fact.as_str(), before, value.shown.clone());
    w.version = Some(version);
    w.reason = (!reason.trim().is_empty()).then_some(reason);
    match o.rights.correct {
        Correct::Apply => {
            let (set, keys) = fact_write(fact, &o.facts, &value);
            w.set = set;
            w.keys = keys;
            w.reindex = fact.keyed();
            repo::write_change(&state.db, w).await?;
            Ok(Corrected::Applied)
        }
        Correct::Request => {
            w.status = "pending";
            w.notify = manager_of(&o.ctx, &o.row.state)
                .into_iter()
                .map(|m| NotificationIn {
                    user: m,
                    kind: "change_requested".into(),
                    detail: Some(user.name.clone()),
                })
                .collect();
            repo::write_change(&state.db, w).await?;
            Ok(Corrected::Requested)
        }
        Correct::No => Err(AppError::Forbidden),
    }
}

/// Approves or refuses a correction request. Approving applies it, if the
/// field still holds what the request saw (else `Conflict("changed_since")`)
/// and no other customer took the new name or phone meanwhile.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn decide_change(
    state: &AppState,
    user: &CurrentUser,
    change_id: &str,
    approve: bool,
) -> AppResult<()> {
    let ch = repo::change(&state.db, change_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ctx = Ctx::load(state).await?;
    let row = load_settled(state, &ctx, &ch.customer).await?;
    let tree = ctx.tree_of(user);
    let v = viewer(user, &tree);
    let st = standing(&ctx, &row.state);
    if !can_see(&v, &st) {
        return Err(AppError::NotFound);
    }
    if !may_decide(&v, &st, &ch.by) {
        return Err(AppError::Forbidden);
    }
    if ch.status != "pending" {
        return Err(AppError::Conflict {
            code: "decided".into(),
        });
    }
    let fact = Fact::parse(&ch.field).ok_or_else(|| AppError::validation("field", "invalid"))?;
    let facts = repo::facts(&state.db, &row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notify = vec![NotificationIn {
        user: ch.by.clone(),
        kind: if approve {
            "change_approved"
        } else {
            "change_refused"
        }
        .into(),
        detail: Some(user.name.clone()),
    }];
    let apply = if approve {
        if fact_value(&facts, fact) != ch.before {
            return Err(AppError::Conflict {
                code: "changed_since".into(),
            });
        }
        let value = parse_fact(fact, &ch.after).map_err(refused)?;
        let (set, keys) = fact_write(fact, &facts, &value);
        Some(FileWrite {
            customer: &row.id,
            by: &user.id,
            now: ctx.now,
            version: Some(facts.version),
            field: fact.as_str(),
            before: ch.before.clone(),
            after: ch.after.clone(),
            reason: None,
            status: "applied",
            set,
            keys,
            reindex: fact.keyed(),
            clear_close: false,
            notify: Vec::new(),
        })
    } else {
        None
    };
    repo::decide_change(&state.db, &ch.id, &user.id, approve, apply, notify, ctx.now).await
}

/// A change row as the page shows it.
pub(super) fn change_view(ctx: &Ctx, c: ChangeRow, decidable: bool) -> ChangeView {
    ChangeView {
        id: c.id,
        customer: c.customer,
        customer_name: c.customer_name.unwrap_or_default(),
        field: c.field,
        before: c.before,
        after: c.after,
        reason: c.reason,
        by_name: c.by_name.unwrap_or_default(),
        when: crate::calendar::local_stamp(c.at, &ctx.tz),
        status: c.status,
        decided_by_name: c.decided_by_name,
        decidable,
    }
}

/// The correction requests `user` may decide: their department tree's, every
/// one for the boss. Reps have none.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn pending_requests(state: &AppState, user: &CurrentUser) -> AppResult<Vec<ChangeView>> {
    let ctx = Ctx::load(state).await?;
    let rows = match user.role {
        Role::Rep => return Ok(Vec::new()),
        Role::Boss | Role::Admin => repo::pending_all(&state.db).await?,
        Role::Manager => repo::pending_in(&state.db, &ctx.tree_of(user)).await?,
    };
    Ok(rows
        .into_iter()
        .filter(|c| c.by != user.id)
        .map(|c| change_view(&ctx, c, true))
        .collect())
}

/// What the customer page adds about the file: contacts (phones masked as the
/// customer's are), waiting requests, and the viewer's rights.
pub(super) async fn file_part(
    state: &AppState,
    ctx: &Ctx,
    v: &crate::customers::lock::Viewer<'_>,
    st: &crate::customers::lock::Standing<'_>,
    id: &str,
    show_phones: bool,
) -> AppResult<(Vec<ContactView>, Vec<ChangeView>, FileRights)> {
    let rights = file_rights(v, st);
    let contacts = repo::contacts(&state.db, id)
        .await?
        .into_iter()
        .map(|c| ContactView {
            id: c.id,
            name: c.name,
            title: c.title,
            phones: if show_phones {
                c.phones
            } else {
                c.phones.iter().map(|p| mask_phone(p)).collect()
            },
            reach: if show_phones { c.reach } else { String::new() },
            decision_maker: c.decision_maker,
            birthday: c.birthday,
            notes: c.notes,
        })
        .collect();
    let pending = if rights.add {
        repo::pending_on(&state.db, id)
            .await?
            .into_iter()
            .map(|c| {
                let decidable = may_decide(v, st, &c.by);
                change_view(ctx, c, decidable)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((contacts, pending, rights))
}
