//! Reminders (日程提醒, SPEC §4): the rep's schedule items, revisits of existing
//! customers and birthday / founding-date reminders. Each alerts in the app at
//! its time; unacknowledged, it escalates through a notification channel.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod channel;
#[cfg(feature = "ssr")]
pub mod service;
