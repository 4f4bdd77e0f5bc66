//! The customer referral tree (客户关系树状图, seed 000 §11): which customer
//! introduced which, the deals their referrals brought, who to thank and who has
//! not referred anyone yet; and the referrer picker of the registration form.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
