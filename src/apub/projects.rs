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
use crate::{
    app::AppState,
    domain::{
        inbox::Applied,
        projects::{row_role, wire_role},
        DomainError,
    },
    error::AppError,
    store::{
        now_ms,
        projects::{MemberState, NewLogEntry, NewMember, ProjectRow, Role},
    },
    urls,
};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use axum::{extract::Path, http::StatusCode, response::Response};
use preau_federation::{
    activities::{Activity, ActivityKind},
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

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn ms_of(text: Option<&str>) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(now_ms)
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
    document.featured = None;
    document.attributed_to = None;
    document.posting_restricted_to_mods = None;
    Ok(document)
}

/// The `Group` document of the local project `name`, or a JSON 404.
pub async fn project_actor_response(state: &AppState, name: &str) -> Response {
    match state.domain.store.local_project(name).await {
        Ok(Some(project)) => match project_document(state, &project) {
            Ok(document) => activity_json(&WithContext::preau(document)),
            Err(error) => error.into_response_json(),
        },
        Ok(None) => AppError::not_found().into_response_json(),
        Err(error) => AppError::from(error).into_response_json(),
    }
}

/// Reads a remote project's fields from its `Group` document.
pub fn remote_project_fields(
    json: &preau_federation::Actor,
    title: &str,
    summary_html: &str,
) -> crate::store::projects::ProjectFields {
    use crate::store::projects::{JoinMode, ProjectFields, ProjectStatus, Visibility};
    let clip = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .take(20)
            .map(|item| item.chars().take(80).collect())
            .collect()
    };
    let text = |value: &Option<String>, max: usize| -> String {
        value
            .as_deref()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
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
    let signer = verify_signed_read(data, &request.method, &request.path, &request.headers).await?;
    let host = signer.actor().row.domain.clone();
    match data.domain.host_may_read_project(project, &host).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(refuse(StatusCode::FORBIDDEN, "not_a_member")),
        Err(error) => Err(AppError::from(error).into_response_json()),
    }
}

async fn local_project_or_404(data: &Data<AppState>, name: &str) -> Result<ProjectRow, Response> {
    match data.domain.store.local_project(name).await {
        Ok(Some(project)) => Ok(project),
        Ok(None) => Err(AppError::not_found().into_response_json()),
        Err(error) => Err(AppError::from(error).into_response_json()),
    }
}

fn collection(id: &str, items: Vec<Value>) -> Response {
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

/// `GET /projects/{name}/members`: `Member` entries (members, invitations,
/// requests), to member instances only.
pub async fn get_project_members(
    data: Data<AppState>,
    Path(name): Path<String>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let project = match local_project_or_404(&data, &name).await {
        Ok(project) => project,
        Err(response) => return response,
    };
    if let Err(response) = check_member_read(&data, &request, &project).await {
        return response;
    }
    let members = match data.domain.store.project_members(project.actor.id).await {
        Ok(members) => members,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let Ok(group) = Url::parse(&project.actor.ap_id) else {
        return AppError::internal("invalid project URL").into_response_json();
    };
    let items: Vec<Value> = members
        .iter()
        .filter_map(|view| {
            let role = wire_role(&view.member)?;
            let actor = Url::parse(&view.actor.ap_id).ok()?;
            let id = Url::parse(&format!(
                "{}/members#{}",
                project.actor.ap_id, view.actor.id.0
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
        })
        .collect();
    collection(&urls::project_members_of(&project.actor.ap_id), items)
}

/// `GET /projects/{name}/activity`: what happened, newest first, to member
/// instances only.
pub async fn get_project_activity(
    data: Data<AppState>,
    Path(name): Path<String>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let project = match local_project_or_404(&data, &name).await {
        Ok(project) => project,
        Err(response) => return response,
    };
    if let Err(response) = check_member_read(&data, &request, &project).await {
        return response;
    }
    let log = match data.domain.store.project_log(project.actor.id, 200).await {
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

/// Reads again a remote project's members and activity from its host and
/// replaces this instance's mirror. Bounded: 1,000 members.
pub async fn refresh_mirror(data: &Data<AppState>, project: &ProjectRow) -> Result<(), String> {
    if project.actor.is_local() {
        return Ok(());
    }
    let members_url = project
        .members_url
        .clone()
        .unwrap_or_else(|| urls::project_members_of(&project.actor.ap_id));
    let members_url = Url::parse(&members_url).map_err(|e| e.to_string())?;
    let items = collection_items(data, &members_url).await?;
    let mut members = Vec::new();
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
            Some(url) => data
                .domain
                .store
                .actor_by_ap_id(url.as_str())
                .await
                .map_err(|e| e.to_string())?
                .map(|a| a.id),
            None => None,
        };
        let (role, state) = row_role(member.role);
        members.push(NewMember {
            actor_id: actor.row.id,
            role,
            state,
            activity_id: member.activity.map(|a| a.to_string()),
            invited_by,
            updated_at: ms_of(member.updated.as_deref()),
        });
    }
    let mut log = Vec::new();
    if let Some(activity_url) = project
        .activity_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
    {
        if let Ok(items) = collection_items(data, &activity_url).await {
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
                    at: ms_of(find("published").as_deref()),
                };
                if let Some(actor) = find("actor") {
                    entry.actor_id = data
                        .domain
                        .store
                        .actor_by_ap_id(&actor)
                        .await
                        .map_err(|e| e.to_string())?
                        .map(|a| a.id);
                }
                if let Some(subject) = find("object") {
                    entry.subject_id = data
                        .domain
                        .store
                        .actor_by_ap_id(&subject)
                        .await
                        .map_err(|e| e.to_string())?
                        .map(|a| a.id);
                }
                log.push(entry);
            }
            log.reverse();
        }
    }
    let log = (!log.is_empty()).then_some(log);
    data.domain
        .replace_project_mirror(project, &members, log.as_deref())
        .await
        .map_err(|e| e.to_string())
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

fn domain_refusal(error: DomainError) -> Response {
    match error {
        DomainError::Rule { status, code, .. } => refuse(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
        ),
        other => AppError::from(other).into_response_json(),
    }
}

/// The project a URL names: known already, or fetched (a remote `Group`
/// of the project kind).
async fn project_at(data: &Data<AppState>, url: &Url) -> Result<Option<ProjectRow>, Response> {
    match data.domain.store.project_by_ap_id(url.as_str()).await {
        Ok(Some(project)) => return Ok(Some(project)),
        Ok(None) => {}
        Err(error) => return Err(AppError::from(error).into_response_json()),
    }
    if host_of(url) == data.domain.settings.instance.domain {
        return Ok(None);
    }
    let id: ObjectId<DbActor> = url.clone().into();
    if id.dereference(data).await.is_err() {
        return Ok(None);
    }
    data.domain
        .store
        .project_by_ap_id(url.as_str())
        .await
        .map_err(|error| AppError::from(error).into_response_json())
}

async fn actor_at(data: &Data<AppState>, url: &Url) -> Result<DbActor, Response> {
    let id: ObjectId<DbActor> = url.clone().into();
    id.dereference(data).await.map_err(|error| {
        tracing::info!(%error, %url, "inbox: actor unavailable");
        refuse(StatusCode::BAD_REQUEST, "actor_unavailable")
    })
}

/// Handles the project activities of the inbox; `None` when the activity
/// is not about a project (forums handle it then).
pub async fn dispatch(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
) -> Option<Result<Applied, Response>> {
    let domain = &data.domain;
    let id = activity.id.as_str();
    let result = match &activity.kind {
        ActivityKind::Invite | ActivityKind::Join | ActivityKind::Leave => {
            let project_url = activity.object_id()?;
            let project = match project_at(data, &project_url).await {
                Ok(Some(project)) => project,
                Ok(None) => return None,
                Err(response) => return Some(Err(response)),
            };
            if project.actor.is_local() {
                host_receive(data, activity, raw, signer, &project).await
            } else if activity.kind == ActivityKind::Invite {
                invited_here(data, activity, signer, &project, None).await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Accept | ActivityKind::Reject => {
            let accept = activity.kind == ActivityKind::Accept;
            let object = activity.object_id()?;
            let row = match domain.store.member_by_activity(object.as_str()).await {
                Ok(row) => row?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            let project = match domain.store.project(row.project_id).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                let person = match domain.store.actor_by_id(row.actor_id).await {
                    Ok(Some(person)) => person,
                    Ok(None) => return Some(Ok(Applied::Ignored)),
                    Err(error) => return Some(Err(AppError::from(error).into_response_json())),
                };
                let result = match row.state {
                    MemberState::Invited if person.id == signer.row.id => {
                        domain
                            .host_answer_invitation(&project, &person, &row, accept, raw, Some(id))
                            .await
                    }
                    MemberState::Requested if person.id != signer.row.id => {
                        domain
                            .host_decide_join(
                                &project,
                                &signer.row,
                                &person,
                                &row,
                                accept,
                                Some(id),
                            )
                            .await
                    }
                    _ => Err(DomainError::rule(409, "nothing_to_answer")),
                };
                result.map_err(domain_refusal)
            } else if signer.row.ap_id == project.actor.ap_id {
                // The project answers a local teacher's join request.
                let member = NewMember {
                    actor_id: row.actor_id,
                    role: Role::Member,
                    state: if accept {
                        MemberState::Member
                    } else {
                        MemberState::Rejected
                    },
                    activity_id: None,
                    invited_by: None,
                    updated_at: now_ms(),
                };
                let applied = domain
                    .record_remote_membership(id, &project, &member)
                    .await
                    .map_err(domain_refusal);
                if accept {
                    spawn_refresh(data, project);
                }
                applied
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Remove => {
            let group = activity.target_id().or_else(|| {
                activity.origin.as_ref().and_then(|o| {
                    o.as_str().and_then(|s| Url::parse(s).ok()).or_else(|| {
                        o.get("id")
                            .and_then(Value::as_str)
                            .and_then(|s| Url::parse(s).ok())
                    })
                })
            })?;
            let project = match domain.store.project_by_ap_id(group.as_str()).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                host_receive(data, activity, raw, signer, &project).await
            } else if host_of(&activity.actor) == project.actor.domain {
                removed_here(data, activity, &project, id).await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Update => {
            let object = activity.embedded_object()?;
            if object.get("type").and_then(Value::as_str) == Some("Member") {
                let member: Member = match serde_json::from_value(object.clone()) {
                    Ok(member) => member,
                    Err(_) => return Some(Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"))),
                };
                let project = match domain.store.project_by_ap_id(member.object.as_str()).await {
                    Ok(project) => project?,
                    Err(error) => return Some(Err(AppError::from(error).into_response_json())),
                };
                if !project.actor.is_local() {
                    return Some(Ok(Applied::Ignored));
                }
                host_receive(data, activity, raw, signer, &project).await
            } else {
                return None;
            }
        }
        ActivityKind::Create => {
            let audience = super::project_content::audience_of(activity)?;
            let project = match domain.store.project_by_ap_id(audience.as_str()).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                super::project_content::host_receive_create(data, activity, raw, signer, &project)
                    .await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Announce => {
            let project = match domain.store.project_by_ap_id(&signer.row.ap_id).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                return Some(Ok(Applied::Ignored));
            }
            announced_here(data, activity, &project).await
        }
        _ => return None,
    };
    // An `Update` of the project itself is handled with the actor refresh
    // below; everything else has been answered.
    Some(result)
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

/// On the host: a membership activity from another instance.
async fn host_receive(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let domain = &data.domain;
    let id = activity.id.as_str();
    let result = match &activity.kind {
        ActivityKind::Invite => {
            let Some(target) = activity.target_id() else {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_target"));
            };
            let invitee = actor_at(data, &target).await?;
            domain
                .host_invite(project, &signer.row, &invitee.row, id, raw, Some(id))
                .await
        }
        ActivityKind::Join => {
            domain
                .host_join(project, &signer.row, id, raw, Some(id))
                .await
        }
        ActivityKind::Leave => match domain.store.member(project.actor.id, signer.row.id).await {
            Ok(Some(row)) => {
                domain
                    .host_leave(project, &signer.row, &row, raw, Some(id))
                    .await
            }
            Ok(None) => Err(DomainError::rule(409, "not_project_member")),
            Err(error) => Err(error.into()),
        },
        ActivityKind::Remove => {
            let Some(target) = activity.object_id() else {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
            };
            let target = actor_at(data, &target).await?;
            domain
                .host_remove(project, &signer.row, &target.row, raw, Some(id))
                .await
        }
        ActivityKind::Update => {
            let member: Member = activity
                .parse_object()
                .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
            let target = actor_at(data, &member.actor).await?;
            let (role, state) = row_role(member.role);
            if state != MemberState::Member {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_role"));
            }
            domain
                .host_change_role(project, &signer.row, &target.row, role, raw, Some(id))
                .await
        }
        _ => Ok(Applied::Ignored),
    };
    result.map_err(domain_refusal)
}

/// A local teacher is invited into a remote project: directly by an
/// inviter on the project's own server, or announced by the project.
async fn invited_here(
    data: &Data<AppState>,
    invite: &Activity,
    sender: &DbActor,
    project: &ProjectRow,
    received: Option<&str>,
) -> Result<Applied, Response> {
    // Only the project's server vouches for an invitation into it.
    if sender.row.domain != project.actor.domain {
        return Err(refuse(StatusCode::FORBIDDEN, "invite_not_from_project"));
    }
    let Some(target) = invite.target_id() else {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_target"));
    };
    let invitee = match data.domain.store.actor_by_ap_id(target.as_str()).await {
        Ok(Some(actor)) if actor.is_local() => actor,
        Ok(_) => return Ok(Applied::Ignored),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let inviter = actor_at(data, &invite.actor).await?;
    let member = NewMember {
        actor_id: invitee.id,
        role: Role::Member,
        state: MemberState::Invited,
        activity_id: Some(invite.id.to_string()),
        invited_by: Some(inviter.row.id),
        updated_at: now_ms(),
    };
    data.domain
        .record_remote_membership(received.unwrap_or(invite.id.as_str()), project, &member)
        .await
        .map_err(domain_refusal)
}

/// A remote project removed a local teacher.
async fn removed_here(
    data: &Data<AppState>,
    remove: &Activity,
    project: &ProjectRow,
    received: &str,
) -> Result<Applied, Response> {
    let Some(target) = remove.object_id() else {
        return Ok(Applied::Ignored);
    };
    let person = match data.domain.store.actor_by_ap_id(target.as_str()).await {
        Ok(Some(person)) if person.is_local() => person,
        Ok(_) => return Ok(Applied::Ignored),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let role = match data.domain.store.member(project.actor.id, person.id).await {
        Ok(row) => row.map(|r| r.role).unwrap_or(Role::Member),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let member = NewMember {
        actor_id: person.id,
        role,
        state: MemberState::Removed,
        activity_id: None,
        invited_by: None,
        updated_at: now_ms(),
    };
    data.domain
        .record_remote_membership(received, project, &member)
        .await
        .map_err(domain_refusal)
}

/// What a remote project announces: invitations of local teachers are
/// recorded at once; then the mirror is read again from the host.
async fn announced_here(
    data: &Data<AppState>,
    announce: &Activity,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let received = announce.id.as_str();
    let inner = announce.inner_activity();
    let applied = match &inner {
        Some(inner) if inner.kind == ActivityKind::Invite => {
            let project_actor = match DbActor::new(project.actor.clone(), None) {
                Ok(actor) => actor,
                Err(error) => return Err(AppError::internal(error).into_response_json()),
            };
            invited_here(data, inner, &project_actor, project, Some(received)).await?
        }
        Some(inner) if inner.kind == ActivityKind::Remove => {
            removed_here(data, inner, project, received).await?
        }
        Some(inner) if inner.kind == ActivityKind::Create => {
            return super::project_content::mirror_receive_create(data, received, inner, project)
                .await;
        }
        Some(inner)
            if inner.kind == ActivityKind::Update
                && inner
                    .object_id()
                    .is_some_and(|o| o.as_str() == project.actor.ap_id) =>
        {
            refresh_project_actor(data, project).await;
            Applied::Applied
        }
        _ => Applied::Applied,
    };
    // Who is in, and what happened, as the host says.
    let involved = data
        .domain
        .store
        .host_is_involved(project.actor.id, "")
        .await
        .unwrap_or(false);
    if involved {
        spawn_refresh(data, project.clone());
    }
    Ok(applied)
}

/// For pages: when a local teacher looks up a project of another
/// instance by handle or URL.
pub async fn lookup_project(
    data: &Data<AppState>,
    url: &Url,
) -> Result<Option<ProjectRow>, Response> {
    project_at(data, url).await
}

/// GETs `url` with an HTTP signature of the local actor `signer` (a
/// signed fetch, as members' instances read members-only content), after
/// the federation policy allowed the host.
pub async fn signed_get(
    state: &AppState,
    signer: &crate::store::actors::ActorRow,
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
    let private_key = signer
        .private_key_pem
        .as_deref()
        .ok_or_else(|| "the signer has no private key".to_string())?;
    let mut headers = axum::http::HeaderMap::new();
    let host = host_of(&parsed);
    headers.insert(
        axum::http::header::HOST,
        axum::http::HeaderValue::from_str(&host).map_err(|e| e.to_string())?,
    );
    let path = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_string(),
    };
    preau_federation::signatures::sign_request(
        &axum::http::Method::GET,
        &path,
        &mut headers,
        None,
        &urls::key_id(&signer.ap_id),
        private_key,
        std::time::SystemTime::now(),
    )
    .map_err(|e| e.to_string())?;
    headers.insert(
        axum::http::header::ACCEPT,
        axum::http::HeaderValue::from_str(accept).map_err(|e| e.to_string())?,
    );
    state
        .http
        .get(url)
        .headers(headers)
        .send()
        .await
        .map_err(|e| e.to_string())
}

/// The status of a signed GET of `url` (tests and diagnostics); 0 when
/// the request could not be made.
pub async fn signed_get_status(
    state: &AppState,
    signer: &crate::store::actors::ActorRow,
    url: &str,
) -> u16 {
    match signed_get(state, signer, url, preau_federation::ACTIVITY_JSON).await {
        Ok(response) => response.status().as_u16(),
        Err(error) => {
            tracing::info!(%error, url, "signed GET failed");
            0
        }
    }
}
