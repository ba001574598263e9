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
    domain::federation_reads::{ForumRow, PostId, PostRow},
    error::AppError,
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
    let forum = match state.domain.forum_by_name(name).await {
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
    match state.domain.forum_by_name(name).await {
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
    let count = state.domain.forum_follower_count(&forum).await.unwrap_or(0);
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
    let ids: Vec<Value> = match state.domain.forum_moderator_urls(&forum).await {
        Ok(ids) => ids.into_iter().map(Value::String).collect(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
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
    let ids = match state.domain.forum_featured_urls(&forum).await {
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
    let threads = match state.domain.forum_outbox_threads(&forum).await {
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
    match state.domain.local_post_by_token(token).await {
        Ok(Some(post)) => Ok(post),
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
    let parts = match state.domain.post_document_parts(&post).await {
        Ok(Some(parts)) => parts,
        _ => return AppError::internal("post without author or forum").into_response_json(),
    };
    match outgoing::post_object(
        &post,
        &parts.author.ap_id,
        &parts.forum.actor.ap_id,
        parts.parent_ap_id.as_deref(),
        state.domain.settings.instance.trust_level,
    ) {
        Some(mut object) => {
            // The people it mentions, as when it was sent (those known).
            if post.local {
                if let Ok(mentions) = state.domain.known_mentions(&post.source).await {
                    outgoing::add_mentions(&mut object, &mentions);
                }
            }
            activity_json(&WithContext::preau(object))
        }
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
    let thread = match state.domain.post_by_row_id(post.thread()).await {
        Ok(Some(thread)) => thread,
        _ => return AppError::not_found().into_response_json(),
    };
    let ids = match state.domain.thread_item_urls(&thread).await {
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
    let context = urls::hosted_thread_context(&state.domain.settings.base_url(), id);
    let thread = match state.domain.post_by_row_id(PostId(id)).await {
        Ok(Some(thread)) if thread.context_url.as_deref() == Some(context.as_str()) => thread,
        Ok(_) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    if !thread.is_visible() {
        return AppError::new(StatusCode::GONE, "post_deleted").into_response_json();
    }
    let ids = match state.domain.thread_item_urls(&thread).await {
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
    let lookup_failed =
        |error: &super::actors::ApubError| super::lookup::lookup_failure(input, error);
    let actor: DbActor = if input.starts_with("https://") || input.starts_with("http://") {
        let url = url::Url::parse(input)
            .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "invalid_handle"))?;
        if let Some(forum) = data.domain.forum_by_url(url.as_str()).await? {
            return Ok(forum);
        }
        let id: ObjectId<DbActor> = url.into();
        id.dereference(data).await.map_err(|e| lookup_failed(&e))?
    } else {
        let Some((name, domain)) = input
            .split_once('@')
            .filter(|(n, d)| !n.is_empty() && !d.is_empty())
        else {
            return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_handle"));
        };
        if domain.eq_ignore_ascii_case(&data.domain.settings.instance.domain) {
            return data
                .domain
                .forum_by_name(&name.to_lowercase())
                .await?
                .ok_or_else(AppError::not_found);
        }
        if let Some(forum) = data.domain.known_remote_forum(name, domain).await? {
            return Ok(forum);
        }
        webfinger_resolve_actor(input, data)
            .await
            .map_err(|e: super::actors::ApubError| lookup_failed(&e))?
    };
    data.domain
        .forum_of_actor(&actor.row)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_a_forum"))
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
