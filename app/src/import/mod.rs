//! Importing customers from Excel or CSV (导入): a template, a check of the file
//! with registration's rules (a dry run), then the import in the background with
//! its progress and an error workbook of the rows it refused.

pub mod api;
pub mod components;
pub mod model;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod file;
#[cfg(feature = "ssr")]
pub mod isolate;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
