//! Customer pages (to come in the next commit).
