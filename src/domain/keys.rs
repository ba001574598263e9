//! Key pairs for local actors.

use super::{DomainError, DomainResult};

/// A fresh RSA-2048 key pair (PEM), generated off the async runtime since
/// it takes a noticeable fraction of a second.
pub async fn generate_key_pair() -> DomainResult<(String, String)> {
    let pair = tokio::task::spawn_blocking(
        activitypub_federation::http_signatures::generate_actor_keypair,
    )
    .await
    .map_err(|error| DomainError::Internal(error.to_string()))?
    .map_err(|error| DomainError::Internal(error.to_string()))?;
    Ok((pair.public_key, pair.private_key))
}
