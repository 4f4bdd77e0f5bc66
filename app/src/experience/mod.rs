//! The experience pool (经验池, SPEC §6): resolved alarms, post-mortems of lost
//! customers and stories of won ones, searchable in Chinese and English.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod index;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
