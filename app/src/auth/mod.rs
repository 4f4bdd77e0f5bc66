//! Who is asking: login, sessions, first-run setup and role checks.
pub mod api;
pub mod components;
pub mod model;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
