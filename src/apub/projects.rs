//! Project spaces on the wire: the project's `Group` document, its
//! members-only collections (members, activity), the mirror a member's
//! instance keeps of a remote project, and what the inbox does with
//! `Invite`, `Join`, `Leave`, `Accept`, `Reject`, `Remove`, role `Update`s
//! and the project's `Announce`s.
//!
//! Members-only documents are served only to signed fetches from the
//! project's host or from an instance with a current member; anything else
//! gets 401 (unsigned) or 403 `not_a_member`.

use super::{
    activity_json,
    actors::{host_of, local_actor_document, DbActor},
    policy::verify_signed_read,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        project_reads::{
            JoinMode, MemberState, NewLogEntry, NewMember, ProjectFields, ProjectRow,
            ProjectStatus, Visibility,
        },
        projects::{row_role, wire_role},
    },
    error::AppError,
    urls,
};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use axum::response::Response;
use preau_federation::{
    collections::OrderedCollection,
    projects::{Member, PROJECT_GROUP_KIND},
    WithContext,
};
use serde_json::{json, Value};
use url::Url;

/// What a signed read is checked on: method, path and headers.
pub struct SignedRead {
    /// The method (GET or HEAD).
    pub method: axum::http::Method,
    /// Path and query as requested.
    pub path: String,
    /// The headers, `Signature` among them.
    pub headers: axum::http::HeaderMap,
}

impl SignedRead {
    /// Takes what is needed from a request.
    pub fn of(
        method: axum::http::Method,
        uri: &axum::http::Uri,
        headers: axum::http::HeaderMap,
    ) -> SignedRead {
        SignedRead {
            method,
            path: uri
                .path_and_query()
                .map(|pq| pq.as_str().to_string())
                .unwrap_or_else(|| uri.path().to_string()),
            headers,
        }
    }
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The time `text` names, or `now` (the instance's clock) when it names
/// none.
fn ms_of(text: Option<&str>, now: i64) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now)
}

/// The `Group` document of a local project.
pub fn project_document(
    state: &AppState,
    project: &ProjectRow,
) -> Result<preau_federation::Actor, AppError> {
    let actor = DbActor::new(project.actor.clone(), None).map_err(AppError::internal)?;
    let mut document = local_actor_document(&state.domain, &actor).map_err(AppError::internal)?;
    let id = project.actor.ap_id.clone();
    let parse = |text: String| Url::parse(&text).map_err(AppError::internal);
    document.group_kind = Some(PROJECT_GROUP_KIND.to_string());
    document.members = Some(parse(urls::project_members_of(&id))?);
    document.project_activity = Some(parse(urls::project_activity_of(&id))?);
    document.project_content = Some(parse(urls::project_content_of(&id))?);
    document.project_status = Some(project.status.as_str().to_string());
    document.visibility = Some(project.visibility.as_str().to_string());
    document.join_mode = Some(project.join_mode.as_str().to_string());
    document.min_member_level = Some(project.min_member_level);
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    document.country = optional(&project.country);
    document.place = optional(&project.place);
    document.latitude = project.latitude;
    document.longitude = project.longitude;
    document.subjects = project.subjects.clone();
    document.school_levels = project.school_levels.clone();
    document.languages = project.languages.clone();
    document.academy = optional(&project.academy);
    // Joining is by invitation or request, never by a plain follow.
    document.manually_approves_followers = Some(true);
    // Members come by invitation or request, not by following; what
    // happens is announced to them, never published in an outbox.
    document.outbox = None;
    document.followers = None;
    document.featured = None;
    document.attributed_to = None;
    document.posting_restricted_to_mods = None;
    Ok(document)
}

/// The `Group` document of the local project `name`, or a JSON 404. A
/// members-only project shows only its name and title, except to a signed
/// fetch from an instance with members (whose mirror shows the rest).
pub async fn project_actor_response(
    data: &Data<AppState>,
    name: &str,
    request: &SignedRead,
) -> Response {
    let project = match local_project_or_404(data, name).await {
        Ok(project) => project,
        Err(response) => return response,
    };
    let mut document = match project_document(data, &project) {
        Ok(document) => document,
        Err(error) => return error.into_response_json(),
    };
    let private = project.visibility == Visibility::Members;
    if private
        && (!request.headers.contains_key("signature")
            || check_member_read(data, request, &project).await.is_err())
    {
        document.summary = None;
        document.subjects = Vec::new();
        document.school_levels = Vec::new();
        document.languages = Vec::new();
        document.academy = None;
        document.country = None;
        document.place = None;
        document.latitude = None;
        document.longitude = None;
    }
    activity_json(&WithContext::preau(document))
}

/// Reads a remote project's fields from its `Group` document.
pub fn remote_project_fields(
    json: &preau_federation::Actor,
    title: &str,
    summary_html: &str,
) -> ProjectFields {
    use crate::domain::validate::single_line;
    let clip = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .take(20)
            .map(|item| single_line(item).chars().take(80).collect())
            .collect()
    };
    let text = |value: &Option<String>, max: usize| -> String {
        single_line(value.as_deref().unwrap_or_default())
            .chars()
            .take(max)
            .collect()
    };
    let coordinate =
        |value: Option<f64>, limit: f64| value.filter(|v| v.is_finite() && v.abs() <= limit);
    let latitude = coordinate(json.latitude, 90.0);
    let longitude = coordinate(json.longitude, 180.0);
    ProjectFields {
        title: title.chars().take(120).collect(),
        description_source: String::new(),
        description_html: summary_html.to_string(),
        subjects: clip(&json.subjects),
        school_levels: clip(&json.school_levels),
        languages: clip(&json.languages),
        academy: text(&json.academy, 80),
        country: text(&json.country, 80),
        place: text(&json.place, 120),
        latitude: latitude.and(longitude).and(latitude),
        longitude: latitude.and(longitude),
        visibility: json
            .visibility
            .as_deref()
            .and_then(Visibility::parse)
            .unwrap_or(Visibility::Members),
        status: json
            .project_status
            .as_deref()
            .and_then(ProjectStatus::parse)
            .unwrap_or(ProjectStatus::Running),
        join_mode: match json.join_mode.as_deref() {
            Some("open") => JoinMode::Open,
            Some("request") | Some("restricted") => JoinMode::Request,
            _ => JoinMode::Invite,
        },
        min_member_level: json.min_member_level.unwrap_or_default(),
        members_url: json.members.as_ref().map(Url::to_string),
        activity_url: json.project_activity.as_ref().map(Url::to_string),
    }
}

/// Whether a Group document is a project space.
pub fn is_project(json: &preau_federation::Actor) -> bool {
    json.group_kind.as_deref() == Some(PROJECT_GROUP_KIND)
}

/// Checks that a signed fetch comes from an instance allowed to read the
/// members-only content of `project`.
pub async fn check_member_read(
    data: &Data<AppState>,
    request: &SignedRead,
    project: &ProjectRow,
) -> Result<(), Response> {
    let host = signed_reader_host(data, request).await?;
    data.domain
        .require_host_may_read_project(project, &host)
        .await
        .map_err(|error| AppError::from(error).into_response_json())
}

/// The host of the instance that signed a read, once its signature is
/// verified.
pub(super) async fn signed_reader_host(
    data: &Data<AppState>,
    request: &SignedRead,
) -> Result<String, Response> {
    let signer = verify_signed_read(data, &request.method, &request.path, &request.headers).await?;
    Ok(signer.actor().row.domain.clone())
}

/// A members-only read of a collection of the local project `name`: the
/// project and the host of the instance that signed `request`; otherwise
/// the answer to give (404 for no such project, then that of a signature
/// that fails). Whether that host may read is the domain's to say.
pub(super) async fn signed_project_read(
    data: &Data<AppState>,
    name: &str,
    request: &SignedRead,
) -> Result<(ProjectRow, String), Response> {
    let project = local_project_or_404(data, name).await?;
    let host = signed_reader_host(data, request).await?;
    Ok((project, host))
}

/// The local project `name`, or a JSON 404.
async fn local_project_or_404(data: &Data<AppState>, name: &str) -> Result<ProjectRow, Response> {
    match data.domain.project_by_name(name).await {
        Ok(Some(project)) => Ok(project),
        Ok(None) => Err(AppError::not_found().into_response_json()),
        Err(error) => Err(AppError::from(error).into_response_json()),
    }
}

pub(super) fn collection(id: &str, items: Vec<Value>) -> Response {
    let Ok(id) = Url::parse(id) else {
        return AppError::internal("invalid collection URL").into_response_json();
    };
    let mut value =
        serde_json::to_value(OrderedCollection::of_objects(id, items)).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("@context".to_string(), preau_federation::preau_context());
    }
    activity_json(&value)
}

/// The `Member` entry of one membership, invitation or request.
fn member_entry(
    project: &ProjectRow,
    group: &Url,
    view: &crate::domain::project_reads::MemberView,
) -> Option<Value> {
    let role = wire_role(&view.member)?;
    let actor = Url::parse(&view.actor.ap_id).ok()?;
    let id = Url::parse(&urls::project_member(
        &project.actor.ap_id,
        &view.actor.ap_id,
    ))
    .ok()?;
    let mut member = Member::new(id, actor, group.clone(), role);
    member.activity = view
        .member
        .activity_id
        .as_deref()
        .and_then(|a| Url::parse(a).ok());
    member.invited_by = view
        .inviter
        .as_ref()
        .and_then(|i| Url::parse(&i.ap_id).ok());
    member.updated = rfc3339(view.member.updated_at);
    serde_json::to_value(member).ok()
}

/// `GET /projects/{name}/members`: `Member` entries (members, invitations,
/// requests), to member instances only.
pub async fn get_project_members(
    data: Data<AppState>,
    ApiPath(name): ApiPath<String>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let (project, host) = match signed_project_read(&data, &name, &request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let members = match data.domain.project_members_for_host(&project, &host).await {
        Ok(members) => members,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let Ok(group) = Url::parse(&project.actor.ap_id) else {
        return AppError::internal("invalid project URL").into_response_json();
    };
    let items: Vec<Value> = members
        .iter()
        .filter_map(|view| member_entry(&project, &group, view))
        .collect();
    collection(&urls::project_members_of(&project.actor.ap_id), items)
}

/// `GET /projects/{name}/activity`: what happened, newest first, to member
/// instances only.
pub async fn get_project_activity(
    data: Data<AppState>,
    ApiPath(name): ApiPath<String>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let (project, host) = match signed_project_read(&data, &name, &request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let log = match data.domain.project_log_for_host(&project, &host).await {
        Ok(log) => log,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let items: Vec<Value> = log
        .iter()
        .map(|entry| {
            json!({
                "type": entry.kind,
                "actor": entry.actor.as_ref().map(|a| a.ap_id.clone()),
                "object": entry.subject.as_ref().map(|a| a.ap_id.clone()),
                "summary": entry.detail,
                "published": rfc3339(entry.at),
            })
        })
        .collect();
    collection(&urls::project_activity_of(&project.actor.ap_id), items)
}

/// The items of a fetched collection: inline, or in its embedded or
/// linked first page.
async fn collection_items(data: &Data<AppState>, url: &Url) -> Result<Vec<Value>, String> {
    let fetched = fetch_object_http::<AppState, Value>(url, data)
        .await
        .map_err(|e| e.to_string())?
        .object;
    let inline = |value: &Value| {
        value
            .get("orderedItems")
            .or_else(|| value.get("items"))
            .and_then(Value::as_array)
            .cloned()
    };
    if let Some(items) = inline(&fetched) {
        return Ok(items);
    }
    match fetched.get("first") {
        Some(first) if first.is_object() => Ok(inline(first).unwrap_or_default()),
        Some(Value::String(link)) => {
            let link = Url::parse(link).map_err(|e| e.to_string())?;
            let page = fetch_object_http::<AppState, Value>(&link, data)
                .await
                .map_err(|e| e.to_string())?
                .object;
            Ok(inline(&page).unwrap_or_default())
        }
        _ => Ok(Vec::new()),
    }
}

/// Reads the members of a remote project from its host: the actors
/// are fetched, an unknown inviter is left out. Bounded: 1,000 members.
/// Also says whether the host counts a teacher of this instance as a
/// current member.
async fn mirror_members(
    data: &Data<AppState>,
    project: &ProjectRow,
) -> Result<(Vec<NewMember>, bool), String> {
    let members_url = project
        .members_url
        .clone()
        .unwrap_or_else(|| urls::project_members_of(&project.actor.ap_id));
    let members_url = Url::parse(&members_url).map_err(|e| e.to_string())?;
    let items = collection_items(data, &members_url).await?;
    let mut members = Vec::new();
    let mut counts_us = false;
    for item in items.into_iter().take(1000) {
        let Ok(member) = serde_json::from_value::<Member>(item) else {
            continue;
        };
        if member.object.as_str() != project.actor.ap_id {
            continue;
        }
        let id: ObjectId<DbActor> = member.actor.clone().into();
        let Ok(actor) = id.dereference(data).await else {
            continue;
        };
        let invited_by = match &member.invited_by {
            Some(url) => known_actor_id(data, url.as_str()).await?,
            None => None,
        };
        let (role, state) = row_role(member.role);
        counts_us |= actor.row.is_local() && state == MemberState::Member;
        members.push(NewMember {
            actor_id: actor.row.id,
            role,
            state,
            activity_id: member.activity.map(|a| a.to_string()),
            invited_by,
            updated_at: ms_of(member.updated.as_deref(), data.domain.clock().now_ms()),
        });
    }
    Ok((members, counts_us))
}

async fn known_actor_id(
    data: &Data<AppState>,
    ap_id: &str,
) -> Result<Option<crate::domain::project_reads::ActorId>, String> {
    data.domain
        .actor_id_by_url(ap_id)
        .await
        .map_err(|e| e.to_string())
}

/// Reads the activity of a remote project from its host, oldest first;
/// empty when it cannot be read. Bounded: 200 entries.
async fn mirror_log(
    data: &Data<AppState>,
    project: &ProjectRow,
) -> Result<Vec<NewLogEntry>, String> {
    let mut log = Vec::new();
    let Some(activity_url) = project
        .activity_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
    else {
        return Ok(log);
    };
    let Ok(items) = collection_items(data, &activity_url).await else {
        return Ok(log);
    };
    for item in items.into_iter().take(200) {
        let find = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_string);
        let mut entry = NewLogEntry {
            kind: find("type").unwrap_or_default().chars().take(20).collect(),
            actor_id: None,
            subject_id: None,
            detail: find("summary")
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect(),
            at: ms_of(find("published").as_deref(), data.domain.clock().now_ms()),
        };
        if let Some(actor) = find("actor") {
            entry.actor_id = known_actor_id(data, &actor).await?;
        }
        if let Some(subject) = find("object") {
            entry.subject_id = known_actor_id(data, &subject).await?;
        }
        log.push(entry);
    }
    log.reverse();
    Ok(log)
}

/// Reads again a remote project's members and activity from its host and
/// replaces this instance's mirror. Bounded: 1,000 members. When the host
/// counts this instance's first member, what the project held before is
/// then fetched (see [`super::project_backfill`]).
pub async fn refresh_mirror(data: &Data<AppState>, project: &ProjectRow) -> Result<(), String> {
    if project.actor.is_local() {
        return Ok(());
    }
    // What is recorded from now on is newer than what is read below.
    let as_of = data.domain.clock().now_ms();
    // The project itself first: a members-only project shows its
    // description only to instances with members.
    refresh_project_actor(data, project).await;
    let (members, counts_us) = mirror_members(data, project).await?;
    let log = mirror_log(data, project).await?;
    let log = (!log.is_empty()).then_some(log);
    data.domain
        .replace_project_mirror(project, &members, log.as_deref(), as_of)
        .await
        .map_err(|e| e.to_string())?;
    let due = data
        .domain
        .project_backfill_due(project, counts_us)
        .await
        .map_err(|e| e.to_string())?;
    if due {
        let stored = super::project_backfill::backfill_project(data, project).await?;
        tracing::info!(project = %project.actor.ap_id, stored, "project backfilled");
        data.domain
            .mark_project_backfilled(project)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Refreshes a mirror in the background.
pub fn spawn_refresh(data: &Data<AppState>, project: ProjectRow) {
    let data = data.reset_request_count();
    tokio::spawn(async move {
        if let Err(error) = refresh_mirror(&data, &project).await {
            tracing::info!(project = %project.actor.ap_id, %error, "project mirror refresh failed");
        }
    });
}

/// The update of a remote project's own `Group`: read it again.
pub async fn refresh_project_actor(data: &Data<AppState>, project: &ProjectRow) {
    if let Ok(url) = Url::parse(&project.actor.ap_id) {
        let id: ObjectId<DbActor> = url.into();
        if let Err(error) = id.dereference_forced(data).await {
            tracing::info!(%error, project = %project.actor.ap_id, "project refresh failed");
        }
    }
}

/// GETs `url` as a signed fetch (members' instances read members-only
/// content so), after the federation policy allowed the host. The
/// instance's HTTP client signs every GET with the instance actor's key
/// ([`crate::apub::signing::SignFetches`]).
pub async fn signed_get(
    state: &AppState,
    url: &str,
    accept: &str,
) -> Result<reqwest::Response, String> {
    let parsed = Url::parse(url).map_err(|e| e.to_string())?;
    if let Some(refusal) = state
        .domain
        .federation_refusal(&host_of(&parsed))
        .await
        .map_err(|e| e.to_string())?
    {
        return Err(format!(
            "refused by the federation policy: {}",
            refusal.code()
        ));
    }
    state
        .http
        .get(url)
        .header(axum::http::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|e| e.to_string())
}

/// The status of a signed GET of `url` (tests and diagnostics); 0 when
/// the request could not be made.
pub async fn signed_get_status(state: &AppState, url: &str) -> u16 {
    match signed_get(state, url, preau_federation::ACTIVITY_JSON).await {
        Ok(response) => response.status().as_u16(),
        Err(error) => {
            tracing::info!(%error, url, "signed GET failed");
            0
        }
    }
}
