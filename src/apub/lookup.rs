//! What a teacher is told when a handle or an address typed here could
//! not be looked up on another instance: one rule for every route that
//! looks up (pages and API), so the same failure always gets the same
//! status and stable code.

use super::actors::ApubError;
use crate::error::AppError;
use activitypub_federation::error::Error as FederationError;
use axum::http::StatusCode;

/// The refusal for a failed lookup of `input`:
/// - 404 `handle_unknown`: the instance answered, but knows no one (and
///   no forum or project) by that name or at that address;
/// - 502 `host_unreachable`: the instance could not be reached (no such
///   host, connection refused, timeout);
/// - 502 `lookup_failed`: anything else (a document that cannot be taken,
///   an address the federation policy or the address filter refuses).
pub fn lookup_failure(input: &str, error: &ApubError) -> AppError {
    tracing::info!(%error, input, "lookup failed");
    match error {
        ApubError::Federation(federation) => match federation {
            FederationError::Reqwest(_)
            | FederationError::ReqwestMiddleware(_)
            | FederationError::IoError(_) => {
                AppError::new(StatusCode::BAD_GATEWAY, "host_unreachable")
            }
            FederationError::NotFound
            | FederationError::ObjectDeleted(_)
            | FederationError::FetchInvalidContentType(_) => {
                AppError::new(StatusCode::NOT_FOUND, "handle_unknown")
            }
            // A 404 answers with an error document or none, which does not
            // parse; an actor document that fails the checks is another
            // matter.
            FederationError::ParseFetchedObject(_, _, content) if !is_a_document(content) => {
                AppError::new(StatusCode::NOT_FOUND, "handle_unknown")
            }
            _ => AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed"),
        },
        _ => AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed"),
    }
}

/// Whether a fetched body is an ActivityStreams document or a WebFinger
/// answer (it has an `id`, a `type` or a `subject`), rather than an error
/// body or nothing.
fn is_a_document(content: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(content).is_ok_and(|value| {
        ["id", "type", "subject"]
            .iter()
            .any(|key| value.get(key).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::is_a_document;

    #[test]
    fn error_bodies_are_not_documents() {
        assert!(!is_a_document(
            r#"{"error":{"code":"not_found","message":"This page does not exist."}}"#
        ));
        assert!(!is_a_document(""));
        assert!(!is_a_document("<html>Not Found</html>"));
        assert!(is_a_document(
            r#"{"id":"https://a.example/users/x","type":"Person"}"#
        ));
        assert!(is_a_document(r#"{"subject":"acct:x@a.example"}"#));
    }
}
