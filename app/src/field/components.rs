//! Field pages.
