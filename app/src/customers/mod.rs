//! Customers: registration, duplicate check (撞单), the wolf lock.
//! So far: the pure rules. Storage, server functions and pages follow.
pub mod rules;
