//! The organisation: departments (a tree, each with a head) and users.
pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod components;
pub mod model;
pub mod org;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod rules;
