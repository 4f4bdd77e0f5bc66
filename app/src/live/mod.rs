//! The live stream (SPEC §5): what it carries, how features write an event
//! into it, and the browser's end of the socket. The feed, alarms, reminders
//! and the bell read it; none of them owns it.

pub mod api;
pub mod client;
pub mod labels;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod post;
#[cfg(feature = "ssr")]
pub mod repo;
