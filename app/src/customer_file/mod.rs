//! The customer file: the pages a rep and a manager work a customer from — the
//! lists, registration, the pool and one customer's page. They compose the
//! customers feature with the others that act on a customer (check-ins and
//! follow-ups, alarms, reminders, referrals), so they sit above all of them.

pub mod api;
pub mod components;
pub mod model;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod timeline;
