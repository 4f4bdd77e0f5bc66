//! Feed pages.
