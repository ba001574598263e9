//! Forums and posts on the wire: the `Group` actor and its collections
//! (followers, outbox, moderators, featured), post objects with their
//! `Tombstone`s, and FEP-7888 `context` collections of local threads.

use super::{
    activity_json,
    actors::{local_actor_document, DbActor},
};
use crate::domain::outbox::forum as outgoing;
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    error::AppError,
    store::{forums::ForumRow, posts::PostRow},
    urls,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use preau_federation::{collections::OrderedCollection, WithContext};
use serde_json::{json, Value};

/// The `Group` document of a local forum, or a JSON 404.
pub async fn forum_document(state: &AppState, name: &str) -> Response {
    let forum = match state.domain.store.local_forum(name).await {
        Ok(Some(forum)) => forum,
        Ok(None) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let actor = match DbActor::new(forum.actor.clone(), None) {
        Ok(actor) => actor,
        Err(error) => return AppError::internal(error).into_response_json(),
    };
    match local_actor_document(&state.domain, &actor) {
        Ok(mut document) => {
            document.min_post_level = Some(forum.min_post_level);
            activity_json(&WithContext::preau(document))
        }
        Err(error) => AppError::internal(error).into_response_json(),
    }
}

async fn local_forum(state: &AppState, name: &str) -> Result<ForumRow, Response> {
    match state.domain.store.local_forum(name).await {
        Ok(Some(forum)) => Ok(forum),
        Ok(None) => Err(AppError::not_found().into_response_json()),
        Err(error) => Err(AppError::from(error).into_response_json()),
    }
}

fn collection(id: String, items: Vec<Value>) -> Response {
    let Ok(id) = url::Url::parse(&id) else {
        return AppError::internal("invalid collection URL").into_response_json();
    };
    let collection = OrderedCollection::of_objects(id, items);
    let mut value = serde_json::to_value(&collection).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "@context".to_string(),
            json!("https://www.w3.org/ns/activitystreams"),
        );
    }
    activity_json(&value)
}

/// `GET /forums/{name}/followers`: the count only; who follows is not
/// published.
pub async fn get_forum_followers(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    let forum = match local_forum(&state, &name).await {
        Ok(forum) => forum,
        Err(response) => return response,
    };
    let count = state
        .domain
        .store
        .count_followers(forum.actor.id)
        .await
        .unwrap_or(0);
    activity_json(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": urls::forum_followers_of(&forum.actor.ap_id),
        "type": "OrderedCollection",
        "totalItems": count,
    }))
}

/// `GET /forums/{name}/moderators`: the actors who moderate the forum
/// (its `attributedTo`, as Lemmy does).
pub async fn get_forum_moderators(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    let forum = match local_forum(&state, &name).await {
        Ok(forum) => forum,
        Err(response) => return response,
    };
    let moderators = match state.domain.store.forum_moderators(forum.actor.id).await {
        Ok(moderators) => moderators,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let ids: Vec<Value> = moderators
        .into_iter()
        .map(|m| Value::String(m.ap_id))
        .collect();
    collection(format!("{}/moderators", forum.actor.ap_id), ids)
}

/// `GET /forums/{name}/featured`: pinned threads.
pub async fn get_forum_featured(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    let forum = match local_forum(&state, &name).await {
        Ok(forum) => forum,
        Err(response) => return response,
    };
    let ids = match state.domain.store.pinned_threads(forum.actor.id).await {
        Ok(ids) => ids,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let items: Vec<Value> = ids.into_iter().map(Value::String).collect();
    collection(format!("{}/featured", forum.actor.ap_id), items)
}

/// `GET /forums/{name}/outbox`: the latest threads, each as the forum's
/// `Announce` of its `Create` (FEP-1b12, as Lemmy serves and reads it).
pub async fn get_forum_outbox(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    let forum = match local_forum(&state, &name).await {
        Ok(forum) => forum,
        Err(response) => return response,
    };
    let threads = match state
        .domain
        .store
        .forum_threads(forum.actor.id, 20, 0)
        .await
    {
        Ok(threads) => threads,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let mut items = Vec::new();
    for view in threads {
        if let Some(object) = outgoing::post_object(
            &view.post,
            &view.author.ap_id,
            &forum.actor.ap_id,
            None,
            state.domain.settings.instance.trust_level,
        ) {
            if let Ok(object) = serde_json::to_value(object) {
                let mut activity = outgoing::activity(
                    "Create",
                    &format!("{}#create", view.post.ap_id),
                    &view.author.ap_id,
                    &forum,
                    object,
                );
                if let Some(map) = activity.as_object_mut() {
                    map.remove("@context");
                }
                // Lemmy reads a community's outbox only as the group's
                // `Announce`s: a bare `Create` by an author is dropped.
                let (_, mut announce) = outgoing::announce_with_id(
                    &format!("{}#announce", view.post.ap_id),
                    &forum,
                    &activity,
                );
                if let Some(map) = announce.as_object_mut() {
                    map.remove("@context");
                }
                items.push(announce);
            }
        }
    }
    collection(format!("{}/outbox", forum.actor.ap_id), items)
}

async fn local_post(state: &AppState, token: &str) -> Result<PostRow, Response> {
    let ap_id = urls::post(&state.domain.settings.base_url(), token);
    match state.domain.store.post_by_ap_id(&ap_id).await {
        Ok(Some(post)) if post.local => Ok(post),
        Ok(_) => Err(AppError::not_found().into_response_json()),
        Err(error) => Err(AppError::from(error).into_response_json()),
    }
}

/// `GET /posts/{token}`: the `Page`/`Note` (or its `Tombstone`, 410) for
/// ActivityPub clients; browsers go to the thread page.
pub async fn get_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
) -> Response {
    let post = match local_post(&state, &token).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    if !crate::web::profile::wants_activity_json(&headers) {
        return crate::web::redirect::to(&format!(
            "{}#post-{}",
            urls::thread_page(post.thread().0),
            post.id.0
        ));
    }
    if !post.is_visible() {
        let mut response = match outgoing::tombstone(&post) {
            Some(tombstone) => activity_json(&WithContext::preau(tombstone)),
            None => AppError::not_found().into_response_json(),
        };
        *response.status_mut() = StatusCode::GONE;
        return response;
    }
    let store = &state.domain.store;
    let (author, forum) = match (
        store.actor_by_id(post.author_id).await,
        store.forum(post.forum_id).await,
    ) {
        (Ok(Some(author)), Ok(Some(forum))) => (author, forum),
        _ => return AppError::internal("post without author or forum").into_response_json(),
    };
    let parent = match post.in_reply_to_id {
        Some(parent) => store.post(parent).await.ok().flatten().map(|p| p.ap_id),
        None => None,
    };
    match outgoing::post_object(
        &post,
        &author.ap_id,
        &forum.actor.ap_id,
        parent.as_deref(),
        state.domain.settings.instance.trust_level,
    ) {
        Some(object) => activity_json(&WithContext::preau(object)),
        None => AppError::internal("invalid post URL").into_response_json(),
    }
}

/// `GET /posts/{token}/context`: FEP-7888, the thread and its replies in
/// order, for servers that backfill threads.
pub async fn get_post_context(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Response {
    let post = match local_post(&state, &token).await {
        Ok(post) => post,
        Err(response) => return response,
    };
    let thread = match state.domain.store.post(post.thread()).await {
        Ok(Some(thread)) => thread,
        _ => return AppError::not_found().into_response_json(),
    };
    let ids = match state.domain.store.thread_ap_ids(thread.id).await {
        Ok(ids) => ids,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let id = thread
        .context_url
        .clone()
        .unwrap_or_else(|| urls::thread_context_of(&thread.ap_id));
    collection(id, ids.into_iter().map(Value::String).collect())
}

/// `GET /contexts/{id}`: the FEP-7888 context collection of a thread
/// started elsewhere (a Mastodon post mentioning a forum here) in one of
/// this instance's forums.
pub async fn get_hosted_context(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Response {
    let store = &state.domain.store;
    let context = urls::hosted_thread_context(&state.domain.settings.base_url(), id);
    let thread = match store.post(crate::store::posts::PostId(id)).await {
        Ok(Some(thread)) if thread.context_url.as_deref() == Some(context.as_str()) => thread,
        Ok(_) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    if !thread.is_visible() {
        return AppError::new(StatusCode::GONE, "post_deleted").into_response_json();
    }
    let ids = match store.thread_ap_ids(thread.id).await {
        Ok(ids) => ids,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    collection(context, ids.into_iter().map(Value::String).collect())
}

/// Finds a forum by `!name@domain`, `name@domain` or URL: local forums
/// from the database, remote ones through WebFinger or a fetch of the
/// actor (which stores the forum).
pub async fn resolve_forum(
    data: &activitypub_federation::config::Data<AppState>,
    input: &str,
) -> Result<ForumRow, AppError> {
    use activitypub_federation::fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor};
    let input = input.trim().trim_start_matches(['!', '@']);
    let store = &data.domain.store;
    let local_domain = &data.domain.settings.instance.domain;
    let actor: DbActor = if input.starts_with("https://") || input.starts_with("http://") {
        let url = url::Url::parse(input)
            .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "invalid_handle"))?;
        if let Some(forum) = store.forum_by_ap_id(url.as_str()).await? {
            return Ok(forum);
        }
        let id: ObjectId<DbActor> = url.into();
        id.dereference(data).await.map_err(|error| {
            tracing::info!(%error, "forum lookup failed");
            AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed")
        })?
    } else {
        let Some((name, domain)) = input
            .split_once('@')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty())
        else {
            return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_handle"));
        };
        if domain.eq_ignore_ascii_case(local_domain) {
            return store
                .local_forum(&name.to_lowercase())
                .await?
                .ok_or_else(AppError::not_found);
        }
        if let Some(known) = store.remote_actor_by_handle(name, domain).await? {
            if let Some(forum) = store.forum(known.id).await? {
                return Ok(forum);
            }
        }
        webfinger_resolve_actor(input, data)
            .await
            .map_err(|error: super::actors::ApubError| {
                tracing::info!(%error, "forum lookup failed");
                AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed")
            })?
    };
    store
        .forum(actor.row.id)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_a_forum"))
}

/// The forum a page or API path names: a local name, or `name@domain` of
/// a remote forum already known here.
pub async fn forum_by_path(state: &AppState, name: &str) -> Result<ForumRow, AppError> {
    let store = &state.domain.store;
    let found = match name.split_once('@') {
        Some((name, domain))
            if !domain.eq_ignore_ascii_case(&state.domain.settings.instance.domain) =>
        {
            match store.remote_actor_by_handle(name, domain).await? {
                Some(actor) => store.forum(actor.id).await?,
                None => None,
            }
        }
        Some((name, _)) => store.local_forum(&name.to_lowercase()).await?,
        None => store.local_forum(&name.to_lowercase()).await?,
    };
    found.ok_or_else(AppError::not_found)
}

/// The handle of a forum: `name@domain`.
pub fn forum_handle(state: &AppState, forum: &ForumRow) -> String {
    let domain = if forum.actor.is_local() {
        state.domain.settings.instance.domain.as_str()
    } else {
        forum.actor.domain.as_str()
    };
    format!("{}@{}", forum.actor.name, domain)
}

/// The local path of a forum's page.
pub fn forum_path(forum: &ForumRow) -> String {
    if forum.actor.is_local() {
        format!("/forums/{}", forum.actor.name)
    } else {
        format!("/forums/{}@{}", forum.actor.name, forum.actor.domain)
    }
}
