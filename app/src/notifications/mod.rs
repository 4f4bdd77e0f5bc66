//! Notifications: what the system tells one person (a deadline, a confiscation,
//! an answer to their alarm, a comment on their visit). Written by the features
//! whose changes cause them; read and marked here.

pub mod api;
pub mod components;
pub mod model;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
