//! The one error type at the HTTP edge.
//!
//! Every failure a client can see has an HTTP status, a stable snake_case
//! code (documented in docs/api.md) and a human message. Pages show the
//! message in the reader's language; the JSON API returns
//! `{"error": {"code", "message"}}`. Internal causes are logged, never sent.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// An error a client receives.
#[derive(Debug, Clone)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code, also the message catalog key `error-CODE`.
    pub code: &'static str,
    /// Extra detail in English for the JSON API (never an internal cause).
    pub detail: Option<String>,
}

impl AppError {
    /// An error with a status and code.
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        AppError {
            status,
            code,
            detail: None,
        }
    }

    /// Adds a detail, for instance the field that failed validation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A 500 whose cause is logged here and hidden from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
    }

    /// 404 `not_found`.
    pub fn not_found() -> Self {
        AppError::new(StatusCode::NOT_FOUND, "not_found")
    }

    /// The English message for the JSON API.
    pub fn english_message(&self) -> String {
        let base = crate::i18n::Catalogs::english_error(self.code);
        match &self.detail {
            Some(detail) => format!("{base} ({detail})"),
            None => base,
        }
    }
}

/// A database failure below the domain: a 500, through [`DomainError`].
///
/// [`DomainError`]: crate::domain::DomainError
impl From<crate::domain::rows::StoreError> for AppError {
    fn from(error: crate::domain::rows::StoreError) -> Self {
        crate::domain::DomainError::from(error).into()
    }
}

impl From<crate::domain::DomainError> for AppError {
    fn from(error: crate::domain::DomainError) -> Self {
        use crate::domain::DomainError as E;
        match error {
            E::Store(inner) => AppError::internal(inner),
            E::Internal(inner) => AppError::internal(inner),
            E::Mail(inner) => {
                tracing::warn!(cause = %inner, "mail could not be sent");
                AppError::new(StatusCode::SERVICE_UNAVAILABLE, "mail_unavailable")
            }
            E::Rule {
                status,
                code,
                detail,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
                let error = AppError::new(status, code);
                match detail {
                    Some(detail) => error.with_detail(detail),
                    None => error,
                }
            }
        }
    }
}

impl AppError {
    /// The JSON error response (API and federation routes).
    pub fn into_response_json(self) -> Response {
        json_error(&self)
    }
}

/// The JSON shape of an API error.
pub fn json_error(error: &AppError) -> Response {
    let mut body = json!({
        "error": { "code": error.code, "message": error.english_message() }
    });
    if let Some(detail) = &error.detail {
        body["error"]["detail"] = json!(detail);
    }
    (error.status, Json(body)).into_response()
}

/// Used where the API returns errors directly.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        json_error(&self)
    }
}
