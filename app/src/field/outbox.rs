//! The phone's check-in queue. Every check-in is first put in the browser's
//! Cache Storage (the whole multipart form, photos included, under its
//! idempotency key), then sent; it leaves the queue when the server has answered.
//! No network: it waits, and goes out when the browser is back online, when the
//! live socket reconnects, or at the next page load. The key makes a repeat
//! harmless, so "exactly once" holds even if an answer is lost on the way back.

use crate::error::AppError;
use crate::field::model::CheckinOutcome;
use crate::field::queue::Outbox;
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, FormData, Request, RequestInit, Response};

const CACHE: &str = "bpc-outbox";
const PREFIX: &str = "/outbox/checkin/";

thread_local! {
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    /// Asked to flush while a flush ran: run once more when it ends.
    static AGAIN: Cell<bool> = const { Cell::new(false) };
}

async fn cache() -> Option<Cache> {
    let caches = web_sys::window()?.caches().ok()?;
    JsFuture::from(caches.open(CACHE))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// A fresh idempotency key.
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{}", js_sys::Date::now() as u64))
}

/// Queues a check-in. False when the browser has no storage for it (it is then
/// sent directly).
pub async fn enqueue(key: &str, form: &FormData) -> bool {
    let Some(cache) = cache().await else {
        return false;
    };
    let Ok(resp) = Response::new_with_opt_form_data(Some(form)) else {
        return false;
    };
    JsFuture::from(cache.put_with_str(&format!("{PREFIX}{key}"), &resp))
        .await
        .is_ok()
}

async fn queued(cache: &Cache) -> Vec<Request> {
    let Ok(keys) = JsFuture::from(cache.keys()).await else {
        return Vec::new();
    };
    js_sys::Array::from(&keys)
        .iter()
        .filter_map(|r| r.dyn_into::<Request>().ok())
        .collect()
}

pub async fn pending() -> usize {
    match cache().await {
        Some(c) => queued(&c).await.len(),
        None => 0,
    }
}

enum Sent {
    Answered(Result<CheckinOutcome, AppError>),
    /// No network (or the server is down): keep it.
    Offline,
}

async fn post(form: &FormData) -> Sent {
    let Some(w) = web_sys::window() else {
        return Sent::Offline;
    };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(form);
    let Ok(req) = Request::new_with_str_and_init(
        <crate::field::api::CheckIn as leptos::server_fn::ServerFn>::PATH,
        &init,
    ) else {
        return Sent::Offline;
    };
    let _ = req.headers().set("Accept", "application/json");
    let Ok(resp) = JsFuture::from(w.fetch_with_request(&req)).await else {
        return Sent::Offline;
    };
    let Ok(resp) = resp.dyn_into::<Response>() else {
        return Sent::Offline;
    };
    let status = resp.status();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if (200..300).contains(&status) {
        match serde_json::from_str::<CheckinOutcome>(&text) {
            Ok(o) => Sent::Answered(Ok(o)),
            Err(_) => Sent::Offline,
        }
    } else if (400..500).contains(&status) && status != 408 && status != 429 {
        // refused for good (bad input, not allowed): retrying cannot help
        Sent::Answered(Err(serde_json::from_str::<AppError>(&text).unwrap_or(
            AppError::Transport {
                message: status.to_string(),
            },
        )))
    } else {
        Sent::Offline
    }
}

/// Sends everything queued, oldest first, stopping at the first network failure.
/// One flush at a time; a request during a flush makes it go round once more.
pub async fn flush(outbox: Outbox) {
    if FLUSHING.with(|f| f.replace(true)) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    loop {
        AGAIN.with(|a| a.set(false));
        flush_once(outbox).await;
        if !AGAIN.with(Cell::get) {
            break;
        }
    }
    FLUSHING.with(|f| f.set(false));
}

async fn flush_once(outbox: Outbox) {
    if let Some(cache) = cache().await {
        for req in queued(&cache).await {
            let Ok(found) = JsFuture::from(cache.match_with_request(&req)).await else {
                continue;
            };
            let Ok(resp) = found.dyn_into::<Response>() else {
                continue;
            };
            let Ok(p) = resp.form_data() else { continue };
            let Ok(form) = JsFuture::from(p).await else {
                continue;
            };
            let Ok(form) = form.dyn_into::<FormData>() else {
                continue;
            };
            match post(&form).await {
                Sent::Answered(result) => {
                    let _ = JsFuture::from(cache.delete_with_request(&req)).await;
                    outbox.sent.set(Some(result));
                }
                Sent::Offline => break,
            }
        }
        outbox.pending.set(queued(&cache).await.len());
    }
}

pub fn flush_soon(outbox: Outbox) {
    wasm_bindgen_futures::spawn_local(flush(outbox));
}
