//! The server's integration tests, in one test binary: each file is a module.
//! One binary links SurrealDB and the app once; a binary per file linked them
//! eighteen times, which made `cargo test` slow and took gigabytes of disk.
//!
//! `cargo test -p server --test it -- field::` runs one file's tests.

// Tests and their helpers may unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod api;
mod assets;
mod audit;
mod backup;
mod cluster;
mod customer_file;
mod customers;
mod demo;
mod export;
mod field;
mod hardening;
mod hostile;
mod import;
mod measure;
mod metrics;
mod pages;
mod referrals;
mod reminders;
mod search;
mod security;
mod targets;
mod team;
mod timeline;
