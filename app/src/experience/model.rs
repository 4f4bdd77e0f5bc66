//! What the experience pool's pages receive.

use crate::experience::rules::Piece;
use serde::{Deserialize, Serialize};

/// A piece of text, marked where it matches the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marked {
    pub text: String,
    pub hit: bool,
}

impl From<Piece> for Marked {
    fn from(p: Piece) -> Marked {
        Marked {
            text: p.text,
            hit: p.hit,
        }
    }
}

/// One experience entry as a search result (or the newest, without a query).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperienceHit {
    pub id: String,
    /// alarm | lost | won
    pub source: String,
    pub title: Vec<Marked>,
    pub body: Vec<Marked>,
    pub stage_name: String,
    pub industry: String,
    pub customer_name: String,
    pub author_name: String,
    pub helper_name: Option<String>,
    pub alarm_id: Option<String>,
    pub day: String,
    /// BM25 relevance (0 without a query).
    pub score: f64,
}

/// The search page: results and what the filters may be set to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperienceView {
    pub hits: Vec<ExperienceHit>,
    pub total: i64,
    pub stages: Vec<String>,
    pub industries: Vec<String>,
}
