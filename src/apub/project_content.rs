//! Members-only objects of project spaces on the wire: serving them (JSON
//! at `/objects/{token}`, a document's bytes at `/objects/{token}/content`)
//! to member instances and local members only, and fetching a remote
//! document's bytes for a local member. Reading the ones other instances
//! send is in [`super::project_received`] (re-exported here).

use super::{
    actors::host_of,
    projects::{check_member_read, SignedRead},
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::project_reads::{EventRow, ProjectObject, ProjectRow, VersionRow},
    error::AppError,
    web::session::Page,
};
use activitypub_federation::config::Data;
use axum::{
    http::{header, HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use url::Url;

pub use super::project_received::{audience_of, mirror_receive_create};

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

async fn local_object(
    state: &AppState,
    token: &str,
) -> Result<(ProjectObject, ProjectRow), AppError> {
    state
        .domain
        .project_object_by_token(token)
        .await?
        .ok_or_else(AppError::not_found)
}

pub(super) async fn object_json(
    state: &AppState,
    object: &ProjectObject,
    project: &ProjectRow,
) -> Result<Value, AppError> {
    let domain = &state.domain;
    let author_of = |id| async move {
        domain
            .actor_by_row_id(id)
            .await
            .map_err(AppError::from)?
            .ok_or_else(AppError::not_found)
    };
    let value = match object {
        ProjectObject::Post(post) => {
            let author = author_of(post.author_id).await?;
            let parent = match post.in_reply_to_id {
                Some(id) => domain.project_post_by_row_id(id).await?.map(|p| p.ap_id),
                None => None,
            };
            let object = domain
                .project_post_object(post, &author.ap_id, &project.actor.ap_id, parent.as_deref())
                .await?;
            serde_json::to_value(object)
        }
        ProjectObject::Version(version) => {
            let author = author_of(version.author_id).await?;
            let document = domain
                .project_document_by_row_id(version.document_id)
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
        ProjectObject::Event(event) => {
            let author = author_of(event.author_id).await?;
            let attendees = domain.event_attendee_urls(event).await?;
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
    event: &EventRow,
) -> Result<(), Response> {
    match state.domain.host_may_see_event(event, signer_host).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(refuse(StatusCode::FORBIDDEN, "not_a_member")),
        Err(error) => Err(AppError::from(error).into_response_json()),
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
                ProjectObject::Event(event) => data
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
    if let ProjectObject::Event(event) = &object {
        if let Err(response) = check_event_audience(&data, &signer_host(&headers), event).await {
            return response;
        }
    }
    if object.deleted() {
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
    let ProjectObject::Version(version) = object else {
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
pub async fn document_bytes(state: &AppState, version: &VersionRow) -> Response {
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

/// Fetches the bytes of a remote document version for a local member,
/// with a signed fetch from this instance, and checks them against the
/// size and digest the `Document` announced.
pub async fn fetch_remote_bytes(
    state: &AppState,
    version: &VersionRow,
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
