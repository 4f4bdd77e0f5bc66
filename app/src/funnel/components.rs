//! Funnel pages (to come in the next commit).
