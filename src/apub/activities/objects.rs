//! What handlers' `verify` read from other servers: the post an activity
//! carries, an actor, a project; and where a URL points.

use super::InboxError;
use crate::{
    app::AppState,
    apub::actors::{host_of, DbActor},
    domain::{
        inbox::ProjectRow,
        provenance::{same_origin, Provenance},
    },
};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use axum::http::StatusCode;
use preau_federation::objects::Post;
use url::Url;

/// Whether `url` is on this instance (its configured domain).
pub fn is_local(data: &Data<AppState>, url: &Url) -> bool {
    let domain = &data.domain.settings.instance.domain;
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}") == *domain,
        (Some(host), None) => host == domain,
        _ => false,
    }
}

/// The host and port of a URL, to compare an activity's id with its actor.
pub fn host_and_port(url: &Url) -> Option<(String, Option<u16>)> {
    url.host_str()
        .map(|host| (host.to_ascii_lowercase(), url.port_or_known_default()))
}

/// The post an activity carries, and whether it was fetched: embedded when
/// its id is on `sender`'s origin (the sender vouches only for its own
/// server's content), otherwise fetched from its id.
pub async fn post_of(
    data: &Data<AppState>,
    object: &serde_json::Value,
    sender: &Url,
) -> Result<(Post, bool), InboxError> {
    let embedded: Option<Post> = if object.is_object() {
        serde_json::from_value(object.clone()).ok()
    } else {
        None
    };
    if let Some(post) = &embedded {
        if same_origin(&post.id, sender) {
            return Ok((post.clone(), false));
        }
    }
    let id = embedded
        .map(|post| post.id)
        .or_else(|| object.as_str().and_then(|s| Url::parse(s).ok()))
        .or_else(|| {
            object
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| Url::parse(s).ok())
        })
        .ok_or_else(InboxError::invalid_object)?;
    if data.domain.is_local_url(&id) {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "author_is_local"));
    }
    match fetch_object_http::<AppState, Post>(&id, data).await {
        Ok(response) => Ok((response.object, true)),
        Err(error) => {
            tracing::info!(%error, %id, "inbox: object unavailable");
            Err(InboxError::new(
                StatusCode::BAD_REQUEST,
                "object_unavailable",
            ))
        }
    }
}

/// The provenance of a post returned by [`post_of`].
pub fn provenance<'a>(post: &'a Post, fetched: bool, sender: &'a Url) -> Provenance<'a> {
    if fetched {
        Provenance::FetchedFrom(&post.id)
    } else {
        Provenance::DeliveredBy(sender)
    }
}

/// The actor at `url`: known, or fetched; 400 `actor_unavailable` if not.
pub async fn actor_at(data: &Data<AppState>, url: &Url) -> Result<DbActor, InboxError> {
    let id: ObjectId<DbActor> = url.clone().into();
    id.dereference(data).await.map_err(|error| {
        tracing::info!(%error, %url, "inbox: actor unavailable");
        InboxError::new(StatusCode::BAD_REQUEST, "actor_unavailable")
    })
}

/// The project a URL names: known already, or fetched (a remote `Group`
/// of the project kind).
pub async fn project_at(
    data: &Data<AppState>,
    url: &Url,
) -> Result<Option<ProjectRow>, InboxError> {
    if let Some(project) = data.domain.project_at(url.as_str()).await? {
        return Ok(Some(project));
    }
    if host_of(url) == data.domain.settings.instance.domain {
        return Ok(None);
    }
    let id: ObjectId<DbActor> = url.clone().into();
    if let Err(error) = id.dereference(data).await {
        tracing::info!(%error, %url, "project unavailable");
        return Ok(None);
    }
    Ok(data.domain.project_at(url.as_str()).await?)
}
