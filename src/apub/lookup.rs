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
            // A 404 (or 410) answers with an error document or none: it
            // does not parse as WebFinger or as an actor.
            FederationError::NotFound
            | FederationError::ObjectDeleted(_)
            | FederationError::WebfingerResolveFailed(_)
            | FederationError::ParseFetchedObject(..)
            | FederationError::FetchInvalidContentType(_) => {
                AppError::new(StatusCode::NOT_FOUND, "handle_unknown")
            }
            _ => AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed"),
        },
        _ => AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed"),
    }
}
