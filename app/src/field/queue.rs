//! The check-in queue's state in this browser, and the island that sends the
//! queue from any page. The queue itself (Cache Storage) is in `outbox.rs`.

use crate::error::AppError;
use crate::field::model::CheckinOutcome;
use leptos::prelude::*;

/// What the check-in page shows of the queue.
#[derive(Clone, Copy)]
pub struct Outbox {
    /// Check-ins waiting in this browser for the network.
    pub pending: RwSignal<usize>,
    /// The last check-in the queue sent: its customer and flags, or an error code.
    pub sent: RwSignal<Option<Result<CheckinOutcome, AppError>>>,
}

impl Outbox {
    pub fn get() -> Option<Outbox> {
        use_context::<Outbox>()
    }
}

/// Sends the queue whenever the network is there: when the live stream
/// connects (the page loaded online, or the socket came back) and when the
/// browser says it is online again. An island inside the live stream's; the
/// page (and its check-in form) sits inside it and reads the queue from its
/// context.
#[island]
pub fn OutboxProvider(children: Children) -> impl IntoView {
    let outbox = Outbox {
        pending: RwSignal::new(0),
        sent: RwSignal::new(None),
    };
    provide_context(outbox);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::prelude::*;
        use wasm_bindgen::JsCast;
        let live = crate::live::client::Live::get();
        Effect::new(move |_| {
            if live.is_some_and(|l| l.connected.get()) {
                crate::field::outbox::flush_soon(outbox);
            }
        });
        Effect::new(move |_| {
            if let Some(w) = web_sys::window() {
                let on_online = Closure::<dyn FnMut()>::new(move || {
                    crate::field::outbox::flush_soon(outbox);
                });
                let _ = w
                    .add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
                on_online.forget();
            }
        });
    }
    children()
}
