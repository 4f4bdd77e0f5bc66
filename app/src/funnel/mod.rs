//! Funnel stages, deadlines, confiscation and forecast.
//! So far: the pure rules. Storage, the sweeper and pages follow.
pub mod rules;
