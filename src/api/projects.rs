//! Project spaces over the API: list, create, read and look up projects;
//! membership (invite, answer, join, leave, decide, remove, promote,
//! demote); and the caller's requests ("Mes demandes"). The members-only
//! content (forum, documents, agenda) is in `project_content.rs`.

use super::{ApiJson, ApiUser};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    domain::{
        projects::ProjectInput,
        rows::{
            AccountRow, ActorId, ActorRow, LogEntry, MemberRow, MemberState, MemberView, ProjectRow,
        },
        trust::Labeller,
    },
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};

pub(super) fn iso(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

/// The `name@domain` of a project.
fn project_handle(state: &AppState, project: &ProjectRow) -> String {
    let domain = if project.actor.is_local() {
        &state.domain.settings.instance.domain
    } else {
        &project.actor.domain
    };
    format!("{}@{}", project.actor.name, domain)
}

/// The JSON view of a project: what its `Group` document publishes.
pub fn project_json(state: &AppState, project: &ProjectRow, labels: &Labeller<'_>) -> Value {
    json!({
        "handle": project_handle(state, project),
        "name": project.actor.name,
        "local": project.actor.is_local(),
        "actor_id": project.actor.ap_id,
        "title": project.title,
        "description_html": project.description_html,
        "subjects": project.subjects,
        "school_levels": project.school_levels,
        "languages": project.languages,
        "academy": project.academy,
        "country": project.country,
        "place": project.place,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "visibility": project.visibility.as_str(),
        "status": project.status.as_str(),
        "join_mode": project.join_mode.as_str(),
        "min_member_level": project.min_member_level.as_str(),
        "created_at": iso(project.created_at),
        "last_activity_at": iso(project.last_activity_at),
        // The label of the project's instance, as this instance verifies it.
        "trust": labels.instance(&project.actor.domain).to_json(),
    })
}

/// The JSON view of a person taking part in a project.
pub fn person_json(actor: &ActorRow, labels: &Labeller<'_>) -> Value {
    serde_json::to_value(super::schema::Person::new(actor, labels)).unwrap_or(Value::Null)
}

fn membership_json(view: &MemberView, labels: &Labeller<'_>) -> Value {
    json!({
        "person": person_json(&view.actor, labels),
        "role": view.member.role.as_str(),
        "state": view.member.state.as_str(),
        "since": iso(view.member.updated_at),
        "invited_by": view.inviter.as_ref().map(|i| person_json(i, labels)),
    })
}

/// The caller's own row, as the flags a client needs to offer actions.
fn me_json(row: Option<&MemberRow>) -> Value {
    match row {
        Some(row) => json!({
            "role": row.role.as_str(),
            "state": row.state.as_str(),
            "member": row.is_member(),
            "moderator": row.is_moderator(),
            "owner": row.is_owner(),
        }),
        None => Value::Null,
    }
}

fn log_json(entry: &LogEntry, labels: &Labeller<'_>) -> Value {
    json!({
        "kind": entry.kind,
        "actor": entry.actor.as_ref().map(|a| person_json(a, labels)),
        "subject": entry.subject.as_ref().map(|a| person_json(a, labels)),
        "detail": entry.detail,
        "at": iso(entry.at),
    })
}

/// `{"project": …, "membership": …}`: where `person` now stands in
/// `project`, as this instance records it.
async fn membership_response(
    state: &AppState,
    project: &ProjectRow,
    person: &ActorRow,
) -> Result<Json<Value>, AppError> {
    let labels = state.domain.labeller().await?;
    let membership = match state.domain.membership_of(project, person).await? {
        Some(view) => membership_json(&view, &labels),
        None => Value::Null,
    };
    Ok(Json(json!({
        "project": project_json(state, project, &labels),
        "membership": membership,
    })))
}

async fn actor_of(state: &AppState, account: &AccountRow) -> Result<ActorRow, AppError> {
    Ok(state.domain.actor_of(account).await?)
}

/// `GET /api/v1/projects`: public projects, and those the caller belongs
/// to (with a token), most recently active first.
pub async fn list_projects(
    State(state): State<AppState>,
    user: Option<ApiUser>,
) -> Result<Json<Value>, AppError> {
    let list = state
        .domain
        .projects_for(user.as_ref().map(|user| &user.account))
        .await?;
    let labels = state.domain.labeller().await?;
    let items: Vec<Value> = list
        .visible
        .iter()
        .map(|(project, row)| {
            let mut value = project_json(&state, project, &labels);
            value["me"] = me_json(row.as_ref());
            value
        })
        .collect();
    Ok(Json(json!({ "projects": items })))
}

/// `POST /api/v1/projects` body. Lists are JSON arrays; the choices
/// default as on the creation page.
#[derive(Deserialize)]
pub struct CreateProject {
    name: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    school_levels: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    academy: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
    #[serde(default = "default_visibility")]
    visibility: String,
    #[serde(default = "default_status")]
    status: String,
    #[serde(default = "default_join_mode")]
    join_mode: String,
    #[serde(default)]
    min_member_level: String,
}

fn default_visibility() -> String {
    "public".into()
}

fn default_status() -> String {
    "looking".into()
}

fn default_join_mode() -> String {
    "request".into()
}

/// A JSON list as the comma-separated text the project form sends; an
/// item with a comma would silently become two, so it is refused.
fn comma_list(items: &[String], field: &str) -> Result<String, AppError> {
    if items.iter().any(|item| item.contains(',')) {
        return Err(
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_list_item")
                .with_detail(field.to_string()),
        );
    }
    Ok(items.join(","))
}

/// `POST /api/v1/projects`: the caller becomes the first owner.
pub async fn create_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CreateProject>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let coordinate = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let input = ProjectInput {
        name: body.name,
        title: body.title,
        description: body.description,
        subjects: comma_list(&body.subjects, "subjects")?,
        school_levels: body.school_levels,
        languages: comma_list(&body.languages, "languages")?,
        academy: body.academy,
        country: body.country,
        place: body.place,
        latitude: coordinate(body.latitude),
        longitude: coordinate(body.longitude),
        visibility: body.visibility,
        status: body.status,
        join_mode: body.join_mode,
        min_member_level: body.min_member_level,
    };
    let project = state.domain.create_project(&user.account, &input).await?;
    let Json(value) = project_response(&state, &project, Some(&user.account)).await?;
    Ok((StatusCode::CREATED, Json(value)))
}

/// The project with what the caller may see of its membership: everyone
/// sees the members of a public project; members also see pending
/// invitations and requests, former members and the activity log.
async fn project_response(
    state: &AppState,
    project: &ProjectRow,
    account: Option<&AccountRow>,
) -> Result<Json<Value>, AppError> {
    let labels = state.domain.labeller().await?;
    let view = state.domain.project_view(account, project).await?;
    let is_member = view.is_member();
    let mut members = Vec::new();
    let mut pending = Vec::new();
    let mut former = Vec::new();
    for member in &view.members {
        let entry = membership_json(member, &labels);
        match member.member.state {
            MemberState::Member => members.push(entry),
            MemberState::Left | MemberState::Removed => former.push(entry),
            _ => pending.push(entry),
        }
    }
    let mut value = json!({
        "project": project_json(state, project, &labels),
        "me": me_json(view.me.as_ref()),
        "members": members,
    });
    if is_member {
        let log: Vec<Value> = view
            .log
            .iter()
            .map(|entry| log_json(entry, &labels))
            .collect();
        value["pending"] = json!(pending);
        value["former"] = json!(former);
        value["log"] = json!(log);
    }
    Ok(Json(value))
}

/// `GET /api/v1/projects/{name}`: `name` here, `name@domain` for a
/// project of another instance already known here.
pub async fn get_project(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    project_response(&state, &project, user.as_ref().map(|u| &u.account)).await
}

/// `?handle=` of a lookup.
#[derive(Deserialize)]
pub struct HandleQuery {
    #[serde(default)]
    handle: String,
}

/// `GET /api/v1/projects/lookup?handle=name@domain`: finds a project here
/// or on another instance (by WebFinger or URL) and records it.
pub async fn lookup_project(
    data: Data<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<HandleQuery>,
) -> Result<Json<Value>, AppError> {
    let actor = resolve_actor(&data, &query.handle).await?;
    let project = data
        .domain
        .project_of_actor(&actor)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "not_a_project"))?;
    project_response(&data, &project, Some(&user.account)).await
}

/// `POST /api/v1/projects/{name}/invite` body.
#[derive(Deserialize)]
pub struct InviteBody {
    handle: String,
}

/// `POST /api/v1/projects/{name}/invite`: a member invites a teacher by
/// handle or URL.
pub async fn invite_member(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = data.domain.project_by_path(&name).await?;
    let invitee = resolve_actor(&data, &body.handle).await?;
    data.domain
        .invite_to_project(&user.account, &project, &invitee)
        .await?;
    let response = membership_response(&data, &project, &invitee).await?;
    Ok((StatusCode::CREATED, response))
}

/// `POST /api/v1/projects/{name}/answer` body.
#[derive(Deserialize)]
pub struct AnswerBody {
    accept: bool,
}

/// `POST /api/v1/projects/{name}/answer`: the invitee accepts or declines.
pub async fn answer_invitation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<Json<Value>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .answer_invitation(&user.account, &project, body.accept)
        .await?;
    membership_response(&state, &project, &actor_of(&state, &user.account).await?).await
}

/// `POST /api/v1/projects/{name}/join`: asks to join (joins an open
/// project).
pub async fn join_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state.domain.join_project(&user.account, &project).await?;
    let response =
        membership_response(&state, &project, &actor_of(&state, &user.account).await?).await?;
    Ok((StatusCode::CREATED, response))
}

/// `POST /api/v1/projects/{name}/leave`.
pub async fn leave_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state.domain.leave_project(&user.account, &project).await?;
    membership_response(&state, &project, &actor_of(&state, &user.account).await?).await
}

/// `POST /api/v1/projects/{name}/members/{id}` body.
#[derive(Deserialize)]
pub struct MemberActionBody {
    /// `accept` or `reject` (a join request), `remove`, `promote`, `demote`.
    action: String,
}

/// `POST /api/v1/projects/{name}/members/{id}`: a moderator or owner acts
/// on someone's membership; `id` is the person's `id` in member objects.
pub async fn act_on_member(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<MemberActionBody>,
) -> Result<Json<Value>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let target = state.domain.actor_by_id(ActorId(id)).await?;
    let domain = &state.domain;
    let account = &user.account;
    match body.action.as_str() {
        "accept" => domain.decide_join(account, &project, &target, true).await?,
        "reject" => {
            domain
                .decide_join(account, &project, &target, false)
                .await?
        }
        "remove" => {
            domain
                .remove_from_project(account, &project, &target)
                .await?
        }
        "promote" => {
            domain
                .change_member_role(account, &project, &target, true)
                .await?
        }
        "demote" => {
            domain
                .change_member_role(account, &project, &target, false)
                .await?
        }
        _ => {
            return Err(
                AppError::new(StatusCode::BAD_REQUEST, "invalid_choice").with_detail("action")
            )
        }
    }
    membership_response(&state, &project, &target).await
}

/// `GET /api/v1/me/requests`: "Mes demandes": invitations to answer, join
/// requests to decide on (as a moderator), and the invitations the caller
/// sent, with what became of them.
pub async fn list_my_requests(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, AppError> {
    let labels = state.domain.labeller().await?;
    let me = user.account.actor_id;
    let requests = state.domain.project_requests(&user.account).await?;
    let invitations: Vec<Value> = requests
        .invitations
        .iter()
        .map(|(project, row, inviter)| {
            json!({
                "project": project_json(&state, project, &labels),
                "invited_by": inviter.as_ref().map(|i| person_json(i, &labels)),
                "since": iso(row.updated_at),
            })
        })
        .collect();
    let to_decide: Vec<Value> = requests
        .to_decide
        .iter()
        .map(|(project, view)| {
            json!({
                "project": project_json(&state, project, &labels),
                "person": person_json(&view.actor, &labels),
                "since": iso(view.member.updated_at),
            })
        })
        .collect();
    let sent: Vec<Value> = requests
        .sent
        .iter()
        .map(|(project, view)| {
            json!({
                "project": project_json(&state, project, &labels),
                "person": person_json(&view.actor, &labels),
                "state": view.member.state.as_str(),
                "since": iso(view.member.updated_at),
            })
        })
        .collect();
    Ok(Json(json!({
        "invitations": invitations,
        "to_decide": to_decide,
        "sent": sent,
        "contacts": super::contacts::contact_lists(&state, me, &labels).await?,
    })))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
