//! One error type for every server function.
//!
//! Variants carry *codes*, never sentences: the client turns a code into a translated
//! message (see `shell::error_text`). Internal causes are logged on the server with an
//! id and only that id reaches the user.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// Bad input: `field` names the form field, `code` the rule it broke.
    #[error("invalid {field}: {code}")]
    Validation { field: String, code: String },
    #[error("not found")]
    NotFound,
    /// The request clashes with existing data (`code` says how).
    #[error("conflict: {code}")]
    Conflict { code: String },
    #[error("forbidden")]
    Forbidden,
    #[error("unauthorized")]
    Unauthorized,
    #[error("too many attempts")]
    RateLimited,
    /// Something broke on the server; `id` finds the log line.
    #[error("internal error {id}")]
    Internal { id: String },
    /// The request never reached our code (network, decoding).
    #[error("transport: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn validation(field: &str, code: &str) -> Self {
        AppError::Validation {
            field: field.to_string(),
            code: code.to_string(),
        }
    }

    pub fn conflict(code: &str) -> Self {
        AppError::Conflict {
            code: code.to_string(),
        }
    }

    /// The field a validation error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    /// HTTP status for JSON clients.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::RateLimited => 429,
            AppError::Internal { .. } | AppError::Transport { .. } => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A malformed request body is bad input, not a server fault. The
            // decoder's message can quote the input: it is not sent back.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::validation("request", "malformed")
            }
            // On the server, a body that cannot be decoded (not UTF-8, cut off)
            // is the client's fault too. In the browser the same variant means the
            // server's answer could not be read: a transport problem.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::validation("request", "malformed"),
            other => AppError::Transport {
                message: other.to_string(),
            },
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    /// Logs an unexpected failure once, with an id the user can quote.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        tracing::error!(error_id = %id, "internal error: {cause}");
        AppError::Internal { id }
    }

    /// A transaction that lost a write race at commit (another one changed the
    /// same rows first): `Conflict { code: "race" }`. Callers that expect races
    /// retry or turn it into what the winner did (a duplicate, a stale form);
    /// anywhere else the user reads "changed at the same moment, try again".
    /// Only this is retried: any other database failure stays internal.
    pub fn lost_race(cause: impl std::fmt::Display) -> AppError {
        tracing::debug!("transaction lost a write race: {cause}");
        AppError::conflict(RACE)
    }

    /// The code of a lost write race (see [`lost_race`]).
    pub const RACE: &str = "race";

    /// Is this a lost write race?
    pub fn is_race(e: &AppError) -> bool {
        matches!(e, AppError::Conflict { code } if code == RACE)
    }
}
