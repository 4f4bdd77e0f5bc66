//! Difficulty alarms (困难报警, SPEC §6): a rep stuck on a customer asks the whole
//! company; answers come live; the one that solved it is kept in the experience
//! pool. Lost customers are proposed through an alarm with a post-mortem, won
//! ones prompt a success story, and unanswered alarms escalate to managers.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
