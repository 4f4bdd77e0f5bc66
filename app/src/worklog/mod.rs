//! Daily logs (工作日报, SPEC §4): one per rep and local day, prefilled with the
//! day's check-ins, follow-ups and stage moves; managers comment on the log's feed
//! event.

pub mod api;
pub mod components;
pub mod model;

#[cfg(feature = "ssr")]
pub mod service;
