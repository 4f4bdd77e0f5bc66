//! Sales targets (销售目标, seed 003): monthly targets of amount and deals for
//! each rep, department and the company; quarters and years are their sums; each
//! shows what was closed, the completion and a projection with the forecast.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
