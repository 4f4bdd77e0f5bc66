//! The customer pages. Every form is an `ActionForm`, so it also posts without
//! JavaScript.

mod file;
mod labels;
mod list;
mod page;
mod pool;
mod register;

pub use list::CustomersPage;
pub use page::CustomerPage;
pub use pool::PoolPage;
pub use register::RegisterPage;
