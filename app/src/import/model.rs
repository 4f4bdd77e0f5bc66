//! What the import pages show.

use serde::{Deserialize, Serialize};

/// Refused or failed rows a page lists (the error workbook has them all).
pub const SHOWN: usize = 200;

/// A place imported customers may go, as the importer may choose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetOption {
    /// "me", "rep:<id>", "department:<id>" or "pool".
    pub value: String,
    /// "me", "rep", "department" or "pool": how the page labels it.
    pub kind: String,
    /// The person's or department's name (empty for "me" and "pool").
    pub name: String,
}

/// One row the import refused or could not write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowIssue {
    /// The spreadsheet row (the header is row 1).
    pub row: u32,
    /// The company name as written in the file.
    pub name: String,
    /// The field at fault ("" when the whole row is).
    pub field: String,
    /// A translated code: a registration's validation codes, or "duplicate",
    /// "duplicate_mine", "same_as".
    pub code: String,
    /// For a duplicate: the local date it was registered (never by whom).
    pub on: Option<String>,
    /// For "same_as": the earlier row of the file.
    pub same_as: Option<u32>,
}

/// One import: what the check found, and once started, how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    /// Where the customers go (see [`TargetOption`]).
    pub target_kind: String,
    pub target_name: String,
    /// "invalid" (the file cannot be imported), "checked", "running", "done".
    pub status: String,
    /// Why the file cannot be imported (`import_err_<code>`).
    pub error: Option<String>,
    /// Required fields no column holds.
    pub missing: Vec<String>,
    /// Rows with anything in them.
    pub rows: u32,
    pub accepted: u32,
    /// Of the accepted rows, how many would lock now (the rest become drafts,
    /// the department's inbox or the pool, as the target says).
    pub will_lock: u32,
    pub will_draft: u32,
    /// The first refused rows (all are in the error workbook).
    pub refused: Vec<RowIssue>,
    pub refused_count: u32,
    /// Progress once started.
    pub done: u32,
    pub imported: u32,
    pub locked: u32,
    pub drafts: u32,
    pub failed: Vec<RowIssue>,
    pub failed_count: u32,
    /// Seconds the import took, once done.
    pub seconds: Option<f64>,
    /// The file's cells are gone (kept 7 days): counts remain, rows do not.
    #[serde(default)]
    pub expired: bool,
}

impl ImportView {
    /// Whether there is anything to download as the error workbook.
    pub fn has_errors(&self) -> bool {
        !self.expired && self.refused_count + self.failed_count > 0
    }
}
