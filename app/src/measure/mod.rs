//! Measuring people (SPEC §7): ranking boards (排行榜) counted from the work as it
//! was done, a person's time and efficiency curves (时间曲线, 工效曲线) against
//! their department, stage success with the weakest stage, and the score's
//! settings.

pub mod api;
pub mod chart;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
