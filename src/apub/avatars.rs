//! Remote avatars: when a remote person's document names an `icon`, the
//! image is fetched once through the instance's HTTP client (the address
//! filter, the DNS resolver refusing private addresses, signed GETs, the
//! 10 s timeout, no redirects) and the federation policy, at most
//! [`MAX_AVATAR_BYTES`], then checked and converted like an upload and
//! served from this instance's own `/avatars` URL: pages never point at
//! another server's image.

use crate::{
    app::AppState,
    domain::{actors::ActorId, avatars::MAX_AVATAR_BYTES},
};
use activitypub_federation::config::Data;
use preau_federation::Icon;

/// Brings a remote person's stored avatar in line with their document's
/// `icon`: fetched (in the background) when it names a new URL, forgotten
/// when it names none. Failures are logged, never fatal to the actor.
pub async fn refresh_remote_avatar(data: &Data<AppState>, actor: ActorId, icon: Option<&Icon>) {
    let stored = match data.domain.remote_avatar_source(actor).await {
        Ok(stored) => stored,
        Err(error) => {
            tracing::warn!(%error, "remote avatar: cannot read the stored one");
            return;
        }
    };
    let Some(icon) = icon else {
        if stored.is_some() {
            if let Err(error) = data.domain.forget_remote_avatar(actor).await {
                tracing::warn!(%error, "remote avatar: cannot forget");
            }
        }
        return;
    };
    if stored.as_deref() == Some(icon.url.as_str()) {
        return;
    }
    let state: AppState = (**data).clone();
    let url = icon.url.clone();
    tokio::spawn(async move {
        match fetch_image(&state, &url).await {
            Ok(bytes) => {
                if let Err(error) = state
                    .domain
                    .record_remote_avatar(actor, url.as_str(), bytes)
                    .await
                {
                    tracing::info!(%url, %error, "remote avatar refused");
                }
            }
            Err(reason) => tracing::info!(%url, reason, "remote avatar not fetched"),
        }
    });
}

/// The bytes at `url`, within the policy and the size limit.
async fn fetch_image(state: &AppState, url: &url::Url) -> Result<Vec<u8>, String> {
    match state
        .domain
        .federation_refusal(&super::policy::host_of(url))
        .await
    {
        Ok(None) => {}
        Ok(Some(refusal)) => return Err(refusal.code().to_string()),
        Err(error) => return Err(error.to_string()),
    }
    let mut response = state
        .http
        .get(url.as_str())
        .header("Accept", "image/png, image/jpeg, image/webp, image/gif")
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_AVATAR_BYTES as u64)
    {
        return Err("too large".into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| error.to_string())? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_AVATAR_BYTES {
            return Err("too large".into());
        }
    }
    Ok(body)
}
