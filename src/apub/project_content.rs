//! Members-only objects of project spaces on the wire: serving them (JSON
//! at `/objects/{token}`, a document's bytes at `/objects/{token}/content`)
//! to member instances and local members only, and reading the ones other
//! instances send (`Create` to the project, or announced by it).

use super::{
    actors::{host_of, DbActor},
    projects::{check_member_read, SignedRead},
};
use crate::domain::provenance::{same_origin, Provenance};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        inbox::Applied,
        project_content::{media_type_of, ReceivedObject},
        rendering, DomainError,
    },
    error::AppError,
    store::{
        actors::ActorRow,
        now_ms,
        project_content::{NewEvent, NewProjectPost, NewVersion},
        projects::ProjectRow,
    },
    urls,
    web::session::Page,
};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use axum::{
    http::{header, HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use preau_federation::{
    activities::Activity,
    objects::{Post, PostKind},
    projects::{ProjectEvent, SharedDocument},
};
use serde_json::Value;
use url::Url;

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

fn ms_of(text: Option<&str>) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(now_ms)
}

/// A local members-only object, found by its id.
enum LocalObject {
    Post(crate::store::project_content::ProjectPostRow),
    Version(crate::store::project_content::VersionRow),
    Event(crate::store::project_content::EventRow),
}

async fn local_object(
    state: &AppState,
    token: &str,
) -> Result<(LocalObject, ProjectRow), AppError> {
    let ap_id = urls::project_object(&state.domain.settings.base_url(), token);
    let store = &state.domain.store;
    let (object, project_id) = if let Some(post) = store.project_post_by_ap_id(&ap_id).await? {
        let project = post.project_id;
        (LocalObject::Post(post), project)
    } else if let Some(version) = store.version_by_ap_id(&ap_id).await? {
        let document = store
            .document(version.document_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        (LocalObject::Version(version), document.project_id)
    } else if let Some(event) = store.event_by_ap_id(&ap_id).await? {
        let project = event.project_id;
        (LocalObject::Event(event), project)
    } else {
        return Err(AppError::not_found());
    };
    let project = store
        .project(project_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((object, project))
}

fn deleted(object: &LocalObject) -> bool {
    match object {
        LocalObject::Post(post) => post.deleted_at.is_some(),
        LocalObject::Version(_) => false,
        LocalObject::Event(event) => event.deleted_at.is_some(),
    }
}

async fn object_json(
    state: &AppState,
    object: &LocalObject,
    project: &ProjectRow,
) -> Result<Value, AppError> {
    let store = &state.domain.store;
    let author_of = |id| async move {
        store
            .actor_by_id(id)
            .await
            .map_err(AppError::from)?
            .ok_or_else(AppError::not_found)
    };
    let value = match object {
        LocalObject::Post(post) => {
            let author = author_of(post.author_id).await?;
            let parent = match post.in_reply_to_id {
                Some(id) => store.project_post(id).await?.map(|p| p.ap_id),
                None => None,
            };
            serde_json::to_value(crate::domain::outbox::project::post_object(
                post,
                &author.ap_id,
                &project.actor.ap_id,
                parent.as_deref(),
            ))
        }
        LocalObject::Version(version) => {
            let author = author_of(version.author_id).await?;
            let document = store
                .document(version.document_id)
                .await?
                .ok_or_else(AppError::not_found)?;
            let first = (document.ap_id != version.ap_id).then_some(document.ap_id.as_str());
            serde_json::to_value(crate::domain::outbox::project::document_object(
                version,
                &document.name,
                first,
                &author.ap_id,
                &project.actor.ap_id,
            ))
        }
        LocalObject::Event(event) => {
            let author = author_of(event.author_id).await?;
            let attendees: Vec<String> = store
                .event_attendees(event.id)
                .await?
                .into_iter()
                .map(|a| a.ap_id)
                .collect();
            serde_json::to_value(crate::domain::outbox::project::event_object(
                event,
                &author.ap_id,
                &project.actor.ap_id,
                &attendees,
            ))
        }
    };
    let mut value = value.map_err(AppError::internal)?;
    if let Some(map) = value.as_object_mut() {
        map.insert("@context".to_string(), preau_federation::preau_context());
    }
    Ok(value)
}

/// Checks a signed read of a sub-group event: the reader's instance must
/// host its author or one of the people it is for.
async fn check_event_audience(
    state: &AppState,
    signer_host: &str,
    event: &crate::store::project_content::EventRow,
) -> Result<(), Response> {
    if event.for_all {
        return Ok(());
    }
    let store = &state.domain.store;
    let mut hosts: Vec<String> = store
        .event_attendees(event.id)
        .await
        .map_err(|e| AppError::from(e).into_response_json())?
        .into_iter()
        .map(|a| a.domain)
        .collect();
    if let Ok(Some(author)) = store.actor_by_id(event.author_id).await {
        hosts.push(author.domain);
    }
    if hosts.iter().any(|h| h == signer_host) {
        Ok(())
    } else {
        Err(refuse(StatusCode::FORBIDDEN, "not_a_member"))
    }
}

fn signer_host(headers: &HeaderMap) -> String {
    headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| preau_federation::signatures::parse_signature_header(v).ok())
        .and_then(|h| Url::parse(&h.key_id).ok())
        .map(|u| host_of(&u))
        .unwrap_or_default()
}

/// `GET /objects/{token}`: a members-only object. ActivityPub readers
/// must sign as an instance with members; a browser of a local member is
/// sent to the project's page; anyone else is refused.
pub async fn get_object(
    data: Data<AppState>,
    page: Page,
    ApiPath(token): ApiPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (object, project) = match local_object(&data, &token).await {
        Ok(found) => found,
        Err(error) => return error.into_response_json(),
    };
    let signed = headers.contains_key("signature");
    if !signed && !crate::web::profile::wants_activity_json(&headers) {
        // A browser: members go to the page that shows it.
        let member = match &page.user {
            Some(user) => match &object {
                LocalObject::Event(event) => data
                    .domain
                    .may_see_event(user, event)
                    .await
                    .unwrap_or(false),
                _ => data
                    .domain
                    .may_read_project(Some(user), &project)
                    .await
                    .ok()
                    .flatten()
                    .is_some(),
            },
            None => false,
        };
        if member {
            return crate::web::redirect::to(&crate::web::projects::project_path(&project));
        }
        return data.error_page(&page, AppError::new(StatusCode::FORBIDDEN, "not_a_member"));
    }
    let request = SignedRead::of(method, &uri, headers.clone());
    if let Err(response) = check_member_read(&data, &request, &project).await {
        return response;
    }
    if let LocalObject::Event(event) = &object {
        if let Err(response) = check_event_audience(&data, &signer_host(&headers), event).await {
            return response;
        }
    }
    if deleted(&object) {
        return refuse(StatusCode::GONE, "post_deleted");
    }
    match object_json(&data, &object, &project).await {
        Ok(value) => super::activity_json(&value),
        Err(error) => error.into_response_json(),
    }
}

/// `GET /objects/{token}/content`: a document's bytes, to member
/// instances (signed fetch) and to local members.
pub async fn get_object_content(
    data: Data<AppState>,
    page: Page,
    ApiPath(token): ApiPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (object, project) = match local_object(&data, &token).await {
        Ok(found) => found,
        Err(error) => return error.into_response_json(),
    };
    let LocalObject::Version(version) = object else {
        return AppError::not_found().into_response_json();
    };
    let local_member = match &page.user {
        Some(user) => data
            .domain
            .may_read_project(Some(user), &project)
            .await
            .ok()
            .flatten()
            .is_some(),
        None => false,
    };
    if !local_member {
        let request = SignedRead::of(method, &uri, headers);
        if let Err(response) = check_member_read(&data, &request, &project).await {
            return response;
        }
    }
    document_bytes(&data, &version).await
}

/// The bytes of a local version as a download.
pub async fn document_bytes(
    state: &AppState,
    version: &crate::store::project_content::VersionRow,
) -> Response {
    let Some(key) = &version.storage_key else {
        return AppError::not_found().into_response_json();
    };
    match tokio::fs::read(state.domain.files_dir().join(key)).await {
        Ok(bytes) => download(&version.file_name, &version.media_type, bytes),
        Err(error) => AppError::internal(error).into_response_json(),
    }
}

/// A download response: the bytes as an attachment, never rendered
/// inline (an uploaded SVG or HTML cannot run in the instance's origin).
pub fn download(file_name: &str, media_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(file_name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn domain_refusal(error: DomainError) -> Response {
    match error {
        DomainError::Rule { status, code, .. } => refuse(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
        ),
        other => AppError::from(other).into_response_json(),
    }
}

/// Why a received object is refused: status and stable code.
type Refusal = (StatusCode, &'static str);

/// Reads a members-only object from its JSON; `author` must be its
/// `attributedTo` and its id, content link and author on one host.
async fn parse_object(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
) -> Result<ReceivedObject, Refusal> {
    let invalid = || (StatusCode::BAD_REQUEST, "invalid_object");
    let unavailable = || (StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let same_host = |id: &Url| host_of(id) == host_of(author);
    match kind {
        "Page" | "Note" => {
            let post: Post = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
            if post.author() != Some(author) || !same_host(&post.id) {
                return Err((StatusCode::FORBIDDEN, "author_mismatch"));
            }
            let title = post
                .name
                .as_deref()
                .map(|n| sanitize_plain(n, 200))
                .unwrap_or_default();
            if post.kind == PostKind::Page && title.is_empty() {
                return Err(invalid());
            }
            Ok(ReceivedObject::Post {
                post: NewProjectPost {
                    ap_id: post.id.to_string(),
                    project_id: project.actor.id,
                    thread_id: None,
                    in_reply_to_id: None,
                    author_id: project.actor.id,
                    title: if post.kind == PostKind::Page {
                        title
                    } else {
                        String::new()
                    },
                    source: String::new(),
                    content_html: rendering::remote_html(post.content.clone().unwrap_or_default())
                        .await
                        .map_err(|_| unavailable())?,
                    published_at: ms_of(post.published.as_deref()),
                    local: false,
                },
                in_reply_to: if post.kind == PostKind::Page {
                    None
                } else {
                    Some(post.in_reply_to.ok_or_else(invalid)?.to_string())
                },
            })
        }
        "Document" => {
            let document: SharedDocument =
                serde_json::from_value(object.clone()).map_err(|_| invalid())?;
            if &document.attributed_to != author
                || !same_host(&document.id)
                || !same_host(&document.url)
            {
                return Err((StatusCode::FORBIDDEN, "author_mismatch"));
            }
            let name = crate::domain::project_content::clean_file_name(&document.name);
            // The type is judged from the name, as for local uploads.
            let media_type = media_type_of(&name)
                .ok_or((StatusCode::UNSUPPORTED_MEDIA_TYPE, "document_type_refused"))?;
            if document.digest.len() != 64
                || !document.digest.chars().all(|c| c.is_ascii_hexdigit())
                || document.size < 0
            {
                return Err(invalid());
            }
            Ok(ReceivedObject::Document {
                version: NewVersion {
                    ap_id: document.id.to_string(),
                    version: document.version.max(1),
                    author_id: project.actor.id,
                    file_name: name.clone(),
                    media_type: media_type.to_string(),
                    size: document.size,
                    sha256: document.digest.to_ascii_lowercase(),
                    content_url: document.url.to_string(),
                    storage_key: None,
                    created_at: ms_of(document.published.as_deref()),
                    local: false,
                },
                name,
                version_of: document.version_of.map(|u| u.to_string()),
            })
        }
        "Event" => {
            let event: ProjectEvent =
                serde_json::from_value(object.clone()).map_err(|_| invalid())?;
            if &event.attributed_to != author || !same_host(&event.id) {
                return Err((StatusCode::FORBIDDEN, "author_mismatch"));
            }
            let starts_at = chrono::DateTime::parse_from_rfc3339(&event.start_time)
                .map_err(|_| invalid())?
                .timestamp_millis();
            let ends_at = chrono::DateTime::parse_from_rfc3339(&event.end_time)
                .map_err(|_| invalid())?
                .timestamp_millis();
            let members = urls::project_members_of(&project.actor.ap_id);
            let attendees: Vec<String> = event
                .to
                .iter()
                .filter(|to| **to != members && !preau_federation::objects::is_public_address(to))
                .cloned()
                .collect();
            Ok(ReceivedObject::Event {
                event: NewEvent {
                    ap_id: event.id.to_string(),
                    project_id: project.actor.id,
                    author_id: project.actor.id,
                    title: sanitize_plain(&event.name, 200),
                    description_source: String::new(),
                    description_html: rendering::remote_html(
                        event.content.clone().unwrap_or_default(),
                    )
                    .await
                    .map_err(|_| unavailable())?,
                    starts_at,
                    ends_at: ends_at.max(starts_at),
                    location: event
                        .location
                        .map(|l| sanitize_plain(&l.name, 200))
                        .unwrap_or_default(),
                    meeting_url: event
                        .url
                        .filter(|u| matches!(u.scheme(), "http" | "https"))
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                    for_all: attendees.is_empty(),
                    attendees: Vec::new(),
                    created_at: ms_of(event.published.as_deref()),
                    local: false,
                },
                attendees,
            })
        }
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, "object_type_unsupported")),
    }
}

/// A remote name shown on one line (a document's or an event's title, a
/// place), normalised like local names.
fn sanitize_plain(text: &str, max: usize) -> String {
    crate::domain::validate::single_line(text)
        .chars()
        .take(max)
        .collect()
}

/// The project a `Create` is for: its `audience`, or its object's.
pub fn audience_of(activity: &Activity) -> Option<Url> {
    activity.audience.clone().or_else(|| {
        activity
            .embedded_object()
            .and_then(|o| o.get("audience"))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
    })
}

/// On the host: a member of another instance created an object in a
/// local project.
pub async fn host_receive_create(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let member = data
        .domain
        .store
        .member(project.actor.id, signer.row.id)
        .await
        .map_err(|e| AppError::from(e).into_response_json())?;
    if !member.is_some_and(|m| m.is_member()) {
        return Err(refuse(StatusCode::FORBIDDEN, "not_project_member"));
    }
    let Some(object) = activity.embedded_object() else {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
    };
    let object_id = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    data.domain
        .check_authorship(
            &activity.actor,
            &object_id,
            Provenance::DeliveredBy(&activity.actor),
        )
        .map_err(domain_refusal)?;
    let parsed = parse_object(object, &activity.actor, project)
        .await
        .map_err(|(status, code)| refuse(status, code))?;
    data.domain
        .receive_project_object(activity.id.as_str(), project, &signer.row, parsed, raw)
        .await
        .map_err(domain_refusal)
}

/// On a member's instance: an object the project announced. An object
/// from the project's own server is taken as relayed; any other is read
/// from its origin with a signed fetch, so a project cannot put words in
/// another instance's teachers' mouths.
pub async fn mirror_receive_create(
    data: &Data<AppState>,
    announce_id: &str,
    inner: &Activity,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let object = inner.embedded_object().cloned();
    let object_id = inner
        .object_id()
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    if host_of(&object_id) == data.domain.settings.instance.domain {
        // Written here and relayed back by the project: already stored.
        return Ok(Applied::Ignored);
    }
    let project_url = Url::parse(&project.actor.ap_id)
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    let delivered = object.is_some() && same_origin(&object_id, &project_url);
    let object = match object {
        Some(object) if delivered => object,
        _ => {
            let fetched = fetch_object_http::<AppState, Value>(&object_id, data)
                .await
                .map_err(|error| {
                    // Perhaps only not yet: the origin may not have heard
                    // that this instance has a member. 503 makes the
                    // project's server deliver it again later.
                    tracing::info!(%error, id = %object_id, "project object unavailable");
                    refuse(StatusCode::SERVICE_UNAVAILABLE, "object_unavailable")
                })?
                .object;
            if fetched.get("id").and_then(Value::as_str) != Some(object_id.as_str()) {
                return Err(refuse(StatusCode::BAD_REQUEST, "object_unavailable"));
            }
            fetched
        }
    };
    let author_url = object
        .get("attributedTo")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    if author_url != inner.actor {
        return Err(refuse(StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let provenance = if delivered {
        Provenance::DeliveredBy(&project_url)
    } else {
        Provenance::FetchedFrom(&object_id)
    };
    data.domain
        .check_authorship(&author_url, &object_id, provenance)
        .map_err(domain_refusal)?;
    let id: activitypub_federation::fetch::object_id::ObjectId<DbActor> = author_url.clone().into();
    let author: ActorRow = id
        .dereference(data)
        .await
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "actor_unavailable"))?
        .row;
    let parsed = parse_object(&object, &author_url, project)
        .await
        .map_err(|(status, code)| refuse(status, code))?;
    data.domain
        .receive_project_object(announce_id, project, &author, parsed, &Value::Null)
        .await
        .map_err(domain_refusal)
}

/// Fetches the bytes of a remote document version for a local member,
/// with a signed fetch from this instance, and checks them against the
/// size and digest the `Document` announced.
pub async fn fetch_remote_bytes(
    state: &AppState,
    version: &crate::store::project_content::VersionRow,
) -> Result<Vec<u8>, AppError> {
    let unavailable = || AppError::new(StatusCode::BAD_GATEWAY, "document_unavailable");
    let response = super::projects::signed_get(state, &version.content_url, "*/*")
        .await
        .map_err(|error| {
            tracing::info!(%error, url = %version.content_url, "document fetch failed");
            unavailable()
        })?;
    if !response.status().is_success() {
        tracing::info!(status = %response.status(), url = %version.content_url, "document fetch refused");
        return Err(unavailable());
    }
    let limit = state.domain.settings.projects.max_document_bytes;
    let bytes = response.bytes().await.map_err(|_| unavailable())?;
    if bytes.len() as u64 > limit || bytes.len() as i64 != version.size {
        return Err(AppError::new(StatusCode::BAD_GATEWAY, "document_corrupt"));
    }
    if crate::domain::project_content::sha256_hex(&bytes) != version.sha256 {
        return Err(AppError::new(StatusCode::BAD_GATEWAY, "document_corrupt"));
    }
    Ok(bytes.to_vec())
}
