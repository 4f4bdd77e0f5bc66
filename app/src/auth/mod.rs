//! Who is asking: login, sessions, first-run setup and role checks.
pub mod api;
pub mod components;
pub mod context;
pub mod language;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
