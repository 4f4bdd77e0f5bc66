//! The kit every page is built from: messages, form errors, file buttons,
//! page helpers. It knows no feature; features and the frame use it.

mod files;
mod form;
mod format;
mod messages;
mod nav;
mod page;

pub use files::{FileButton, FileChooser};
#[cfg(feature = "hydrate")]
pub use form::show_in_slots;
pub use form::{
    action_error, reload_on_success, Changes, FieldError, FieldSlot, FormErr, FormError,
};
pub use format::money;
pub use messages::{code_text, error_text, ErrorBox, Loading};
pub use nav::TeamNav;
pub use page::{asked_rows, reload_page, ReloadSoon};
