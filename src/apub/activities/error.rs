//! The one error every inbox step returns: a status and a stable code (and
//! a detail when a rule gives one), answered as the JSON error of the
//! federation routes. Domain errors become inbox errors here and nowhere
//! else.

use crate::{
    domain::{rows::StoreError, DomainError},
    error::AppError,
};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// Why the inbox refused an activity (or failed on it).
#[derive(Debug)]
pub enum InboxError {
    /// A refusal with a status and a stable code.
    Refused {
        /// The HTTP status answered.
        status: StatusCode,
        /// Stable snake_case code (`error-<code>` in the locales).
        code: &'static str,
        /// Which field or value, in English, when a rule says.
        detail: Option<String>,
    },
    /// Something that is not the sender's fault; the cause is logged
    /// where it is built and never sent.
    Internal,
}

impl InboxError {
    /// A refusal with `status` and `code`.
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        InboxError::Refused {
            status,
            code,
            detail: None,
        }
    }

    /// 400 `invalid_object`: the activity names no usable object.
    pub fn invalid_object() -> Self {
        InboxError::new(StatusCode::BAD_REQUEST, "invalid_object")
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            InboxError::Refused { status, .. } => *status,
            InboxError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<DomainError> for InboxError {
    fn from(error: DomainError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let code = error.code();
        match error {
            DomainError::Refused(refusal) => InboxError::Refused {
                status,
                code,
                detail: refusal.detail().map(str::to_string),
            },
            other => {
                tracing::error!(cause = %other, "internal error");
                InboxError::Internal
            }
        }
    }
}

impl From<StoreError> for InboxError {
    fn from(error: StoreError) -> Self {
        tracing::error!(cause = %error, "internal error");
        InboxError::Internal
    }
}

impl IntoResponse for InboxError {
    fn into_response(self) -> Response {
        match self {
            InboxError::Refused {
                status,
                code,
                detail,
            } => {
                let mut error = AppError::new(status, code);
                if let Some(detail) = detail {
                    error = error.with_detail(detail);
                }
                error.into_response_json()
            }
            InboxError::Internal => {
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
                    .into_response_json()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Refusal;

    #[test]
    fn a_rule_keeps_its_status_code_and_detail() {
        let error = InboxError::from(DomainError::from(Refusal::FieldRequired("title".into())));
        match error {
            InboxError::Refused {
                status,
                code,
                detail,
            } => {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(code, "field_required");
                assert_eq!(detail.as_deref(), Some("title"));
            }
            other => panic!("{other:?}"),
        }
        let forbidden = InboxError::from(DomainError::from(Refusal::NotModerator));
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        assert_eq!(forbidden.into_response().status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn anything_else_is_an_internal_error_without_its_cause() {
        let error = InboxError::from(DomainError::Internal("secret".into()));
        assert!(matches!(error, InboxError::Internal));
        assert_eq!(
            error.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
