//! Customers: registration, duplicate check (撞单), the wolf lock, the public pool.
pub mod api;
pub mod edit;
pub mod input;
pub mod lock;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod service;
