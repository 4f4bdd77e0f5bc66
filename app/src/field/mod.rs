//! Field work (SPEC §4): visit check-ins with position and photos, follow-ups.

pub mod api;
pub mod components;
pub mod model;
pub mod queue;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

#[cfg(feature = "hydrate")]
pub mod outbox;
