//! The audit of who viewed whose customers (seed 000 §13: "提前预知经理炒他业务员
//! 的单"): every time a manager, the boss or an admin opens a customer owned by
//! someone else it is recorded; the boss sees it per manager over time with a
//! flag on bursts, and a rep sees who opened their customers.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
