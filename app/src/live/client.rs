//! The browser's end of the live stream: one websocket per open page, shared by
//! the bell, the reminder alerts and the feed. It resumes from the last `seq` it
//! saw after a dropped connection and hands each message on once.

use crate::live::model::Push;
use leptos::prelude::*;

/// What the live stream has brought, for the components that show it.
#[derive(Clone, Copy)]
pub struct Live {
    /// Unread notifications, once the stream has said (the page load says first).
    pub unread: RwSignal<Option<i64>>,
    /// Feed messages not yet applied by the feed page.
    pub inbox: RwSignal<Vec<Push>>,
    pub connected: RwSignal<bool>,
    /// Reminders alerting now: (id, title, content), until acknowledged.
    pub alerts: RwSignal<Vec<(String, String, String)>>,
}

impl Live {
    pub fn provide() -> Live {
        let live = Live {
            unread: RwSignal::new(None),
            inbox: RwSignal::new(Vec::new()),
            connected: RwSignal::new(false),
            alerts: RwSignal::new(Vec::new()),
        };
        provide_context(live);
        live
    }

    pub fn get() -> Option<Live> {
        use_context::<Live>()
    }

    /// The feed messages that arrived since the last call (a tracked read, an
    /// untracked clear: inside an effect, each message is handed on once).
    pub fn take_inbox(&self) -> Vec<Push> {
        let pushes = self.inbox.with(Clone::clone);
        if !pushes.is_empty() {
            self.inbox.update_untracked(Vec::clear);
        }
        pushes
    }

    /// Unread notifications (0 until the browser has asked).
    pub fn unread_count(&self) -> i64 {
        self.unread.get().unwrap_or(0)
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn dispatch(&self, push: Push) {
        match push {
            Push::Notify { unread, .. } => self.unread.set(Some(unread)),
            Push::Alert {
                reminder,
                title,
                content,
                ..
            } => self.alerts.update(|v| {
                if !v.iter().any(|a| a.0 == reminder) {
                    v.push((reminder, title, content));
                }
            }),
            other => self.inbox.update(|v| v.push(other)),
        }
    }
}

/// Opens the socket, in the browser only (after hydration): it asks where the
/// stream stands and the unread count, then follows the stream from there. An
/// island: the page's other islands (bell, alerts, feed, check-in) sit inside
/// its children and read the stream from its context.
#[island]
pub fn LiveProvider(children: Children) -> impl IntoView {
    // In the browser the islands below also need the language: this is their
    // root, so it provides it (from `<html lang>`, which the server wrote).
    #[cfg(feature = "hydrate")]
    leptos_i18n::context::provide_i18n_context_with_options_inner::<crate::i18n::Locale>(
        Default::default(),
    );
    let live = Live::provide();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::begin(live);
        #[cfg(not(feature = "hydrate"))]
        let _ = live;
    });
    children()
}

/// The dot that shows whether the live stream is connected, on a page the
/// browser does not otherwise run: an island inside the stream's.
#[island]
pub fn LiveDot() -> impl IntoView {
    let connected = move || Live::get().is_some_and(|l| l.connected.get()).to_string();
    view! { <span class="live-dot" data-testid="live" data-connected=connected></span> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Live;
    use crate::live::model::{Hello, Push};
    use crate::live::rules::Resume;
    use leptos::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{MessageEvent, WebSocket};

    /// Asks where the stream stands and the unread count, then follows it. A page
    /// opened offline (the service worker's copy) asks again every few seconds
    /// and starts when the network is back (`connected` turns true then).
    /// Not signed in: no stream.
    pub fn begin(live: Live) {
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                match crate::live::api::stream_head().await {
                    Ok(cursor) => {
                        if let Ok(n) = crate::live::api::unread_count().await {
                            live.unread.set(Some(n));
                        }
                        start(live, cursor);
                        return;
                    }
                    Err(crate::error::AppError::Transport { .. }) => {
                        gloo_timers::future::TimeoutFuture::new(OFFLINE_RETRY_MS).await;
                    }
                    Err(_) => return,
                }
            }
        });
    }

    /// How often a page opened offline looks for the network.
    const OFFLINE_RETRY_MS: u32 = 3_000;

    pub fn start(live: Live, cursor: Option<String>) {
        let resume = Rc::new(RefCell::new(Resume::starting_at(cursor)));
        connect(live, resume);
    }

    fn url() -> Option<String> {
        let loc = web_sys::window()?.location();
        let scheme = if loc.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}/ws", loc.host().ok()?))
    }

    fn connect(live: Live, resume: Rc<RefCell<Resume>>) {
        let Some(url) = url() else { return };
        let Ok(ws) = WebSocket::new(&url) else {
            retry(live, resume);
            return;
        };
        let hello_ws = ws.clone();
        let hello_resume = resume.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let hello = Hello {
                after: hello_resume.borrow().cursor(),
            };
            if let Ok(text) = serde_json::to_string(&hello) {
                let _ = hello_ws.send_with_str(&text);
            }
            live.connected.set(true);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let msg_resume = resume.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            let Ok(push) = serde_json::from_str::<Push>(&text) else {
                return;
            };
            if msg_resume.borrow_mut().accept(push.seq()) {
                live.dispatch(push);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let close_resume = resume.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            live.connected.set(false);
            retry(live, close_resume.clone());
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();
    }

    fn retry(live: Live, resume: Rc<RefCell<Resume>>) {
        gloo_timers::callback::Timeout::new(1_500, move || connect(live, resume)).forget();
    }
}
