//! Funnel stages, deadlines, confiscation and forecast.
pub mod api;
pub mod components;
pub mod config;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod report;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod scope;
#[cfg(feature = "ssr")]
pub mod snapshot;
