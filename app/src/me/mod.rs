//! The signed-in user's own page: profile, password, language.
pub mod api;
pub mod components;
