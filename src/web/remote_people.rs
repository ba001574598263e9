//! The page here of a person of another instance (`/@NAME@HOST`): what
//! this instance knows of them (name, biography, teaching, label and why),
//! their latest posts in the forums known here, and the actions a teacher
//! takes from here (contact request, invitation into one of their
//! projects), so nobody has to leave for the person's own instance. An
//! unknown handle is looked up on its instance first (WebFinger, with the
//! federation policy and the address filter); `POST /directory/lookup`
//! opens a handle typed in the directory.

use super::{
    notice::Notice,
    projects::{login_redirect, project_handle, resolve_actor},
    session::{CsrfForm, Page},
    views::{person_page, LabelView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::forums::forum_path,
    domain::{
        lookups::ActorLookup,
        remote_people::RemotePerson,
        rows::{ActorId, ActorKindRow, ActorRow},
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// `remote_person.html`.
#[derive(Serialize)]
struct RemotePersonPage {
    person: RemotePersonView,
    trust: LabelView,
    /// The visitor's contact state with this person, block and the
    /// presence a contact sees, when logged in.
    contact: Option<crate::domain::person_blocks::Relation>,
    /// The person's actor id (the block forms name it).
    actor_id: i64,
    /// The visitor's projects this person may be invited into.
    projects: Vec<ProjectChoice>,
    posts: Vec<RecentPostView>,
    /// Why the invitation just sent was refused, shown at its form.
    invite_error: Option<String>,
}

/// The person as shown.
#[derive(Serialize)]
struct RemotePersonView {
    display_name: String,
    handle: String,
    /// This page's path (forms come back to it).
    path: String,
    domain: String,
    bio_html: String,
    subjects: Vec<String>,
    levels: Vec<String>,
    languages: Vec<String>,
    academy: String,
    school: String,
    /// Their profile on their own instance.
    remote_url: String,
}

/// A project of the invitation choice.
#[derive(Serialize)]
struct ProjectChoice {
    id: i64,
    title: String,
    handle: String,
}

/// One of their latest posts.
#[derive(Serialize)]
struct RecentPostView {
    /// The thread's title.
    title: String,
    /// The post on its thread's page here.
    url: String,
    forum: String,
    forum_url: String,
    published: String,
    is_reply: bool,
}

/// `GET /@{name}`: a local person's short link (`/@NAME`, `/@NAME@HERE`)
/// goes to `/users/NAME`; `/@NAME@HOST` shows the person of HOST here.
pub async fn show_person(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    let remote = match name.split_once('@') {
        Some((_, host)) => !data.domain.is_own_host(host),
        None => false,
    };
    if !remote {
        let local = name.split('@').next().unwrap_or_default();
        return crate::web::redirect::permanent(&person_page(local, "", true));
    }
    // Only a logged-in teacher makes this instance look someone up on
    // another one; visitors see the people already known here.
    let found = if page.user.is_some() {
        resolve_actor(&data, &name).await
    } else {
        match data.domain.find_actor(&name).await {
            Ok(ActorLookup::Known(actor)) => Ok(actor),
            Ok(_) => Err(AppError::not_found()),
            Err(error) => Err(error.into()),
        }
    };
    let actor = match found {
        Ok(actor) => actor,
        Err(error) => return data.error_page(&page, error),
    };
    if actor.kind != ActorKindRow::Person {
        return elsewhere(&data, &page, &actor).await;
    }
    person_page_response(&data, &page, actor, None).await
}

/// A forum or project named by `/@NAME@HOST` opens on its own page here.
async fn elsewhere(data: &Data<AppState>, page: &Page, actor: &ActorRow) -> Response {
    match opened_elsewhere(data, actor).await {
        Ok(Some(path)) => crate::web::redirect::to(&path),
        Ok(None) => data.error_page(page, AppError::new(StatusCode::NOT_FOUND, "not_a_person")),
        Err(error) => data.error_page(page, error),
    }
}

/// The person's page; with `invite_error`, the refusal of an invitation
/// at its form, answered with the refusal's status.
async fn person_page_response(
    data: &Data<AppState>,
    page: &Page,
    actor: ActorRow,
    invite_error: Option<AppError>,
) -> Response {
    let labels = match data.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return data.error_page(page, error),
    };
    let person = match data.domain.remote_person(actor).await {
        Ok(person) => person,
        Err(error) => return data.error_page(page, error),
    };
    let trust = labels
        .person(&person.actor.domain, person.actor.email_domain.as_deref())
        .into();
    let (contact, projects) = match &page.user {
        Some(user) => {
            let contact = match data
                .domain
                .relation_with(user.actor_id, &person.actor)
                .await
            {
                Ok(contact) => contact,
                Err(error) => return data.error_page(page, error),
            };
            let projects = match data
                .domain
                .projects_to_invite_into(user, &person.actor)
                .await
            {
                Ok(projects) => projects,
                Err(error) => return data.error_page(page, error),
            };
            let projects = projects
                .iter()
                .map(|project| ProjectChoice {
                    id: project.actor.id.0,
                    title: project.title.clone(),
                    handle: project_handle(data, project),
                })
                .collect();
            (Some(contact), projects)
        }
        None => (None, Vec::new()),
    };
    let status = invite_error
        .as_ref()
        .map_or(StatusCode::OK, |error| error.status);
    data.render_status(
        status,
        page,
        "remote_person.html",
        &RemotePersonPage {
            posts: recent_posts(&person),
            person: person_view(&person, &data.domain.settings.instance.domain),
            trust,
            contact,
            actor_id: person.actor.id.0,
            projects,
            invite_error: invite_error.map(|error| data.error_message(page.lang, &error)),
        },
    )
}

fn person_view(person: &RemotePerson, own_domain: &str) -> RemotePersonView {
    let actor = &person.actor;
    let profile = &person.profile;
    RemotePersonView {
        display_name: if actor.display_name.trim().is_empty() {
            actor.name.clone()
        } else {
            actor.display_name.clone()
        },
        handle: format!("{}@{}", actor.name, actor.domain),
        path: person_page(&actor.name, &actor.domain, false),
        domain: actor.domain.clone(),
        bio_html: super::views::mention_links::local_mention_links(&actor.summary_html, own_domain),
        subjects: profile.subjects.clone(),
        levels: profile.school_levels.clone(),
        languages: profile.languages.clone(),
        academy: profile.academy.clone(),
        school: profile.school.clone(),
        remote_url: actor.ap_id.clone(),
    }
}

fn recent_posts(person: &RemotePerson) -> Vec<RecentPostView> {
    person
        .recent_posts
        .iter()
        .map(|recent| {
            let is_reply = recent.post.id != recent.thread.id;
            RecentPostView {
                title: recent.thread.title.clone(),
                url: if is_reply {
                    format!("/threads/{}#post-{}", recent.thread.id.0, recent.post.id.0)
                } else {
                    format!("/threads/{}", recent.thread.id.0)
                },
                forum: recent.forum.title.clone(),
                forum_url: forum_path(&recent.forum),
                published: super::views::date(recent.post.published_at),
                is_reply,
            }
        })
        .collect()
}

/// The invitation form of a person's page.
#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    /// The project's actor id.
    #[serde(default)]
    project: String,
}

/// `POST /@{name}/invite`: invite the person into one of my projects.
pub async fn submit_invite(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&format!("/@{name}"));
    };
    let invitee = match resolve_actor(&data, &name).await {
        Ok(invitee) => invitee,
        Err(error) => return data.error_page(&page, error),
    };
    let result = async {
        let project_id: i64 = form
            .project
            .trim()
            .parse()
            .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "invalid_choice"))?;
        let project_actor = data.domain.actor_by_id(ActorId(project_id)).await?;
        let project = data
            .domain
            .project_of_actor(&project_actor)
            .await?
            .ok_or_else(AppError::not_found)?;
        data.domain
            .invite_to_project(user, &project, &invitee)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => crate::web::notice::redirect(
            &person_page(&invitee.name, &invitee.domain, invitee.is_local()),
            Notice::with("invited", format!("{}@{}", invitee.name, invitee.domain)),
        ),
        // Already invited, not a member of that project…: the person's
        // page again, the reason at the invitation form.
        Err(error) if !error.status.is_server_error() => {
            person_page_response(&data, &page, invitee, Some(error)).await
        }
        Err(error) => data.error_page(&page, error),
    }
}

/// The directory's "open a profile" form.
#[derive(Debug, Default, Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    handle: String,
}

/// `POST /directory/lookup`: open the page here of what `handle` names
/// (a teacher's `name@domain`, a project's or forum's handle, or the
/// address of any of them), looking it up on its instance when unknown:
/// a project opens on its page here, with the join action its policy
/// allows. Refusals: 400 `invalid_handle`, 404 `handle_unknown`, 502
/// `host_unreachable` or `lookup_failed`, 404 `lookup_not_openable` (an
/// actor that is neither a person, a forum nor a project).
pub async fn submit_lookup(
    data: Data<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<LookupForm>,
) -> Response {
    if page.user.is_none() {
        return login_redirect("/directory");
    }
    let handle = form.handle.trim().trim_start_matches(['@', '!']);
    let address = handle.starts_with("https://") || handle.starts_with("http://");
    if !address && !handle.contains('@') {
        let error = AppError::new(StatusCode::BAD_REQUEST, "invalid_handle");
        return super::directory::lookup_refused(&data, &page, &form.handle, error).await;
    }
    match resolve_actor(&data, handle).await {
        Ok(actor) if actor.kind == ActorKindRow::Person => {
            crate::web::redirect::to(&person_page(&actor.name, &actor.domain, actor.is_local()))
        }
        Ok(actor) => match opened_elsewhere(&data, &actor).await {
            Ok(Some(path)) => crate::web::redirect::to(&path),
            Ok(None) => {
                let error = AppError::new(StatusCode::NOT_FOUND, "lookup_not_openable");
                super::directory::lookup_refused(&data, &page, &form.handle, error).await
            }
            Err(error) => data.error_page(&page, error),
        },
        // Not found, unreachable, refused: the form again with the handle
        // and the reason; a fault of this instance gets the error page.
        Err(error)
            if !error.status.is_server_error()
                || matches!(error.code, "lookup_failed" | "host_unreachable") =>
        {
            super::directory::lookup_refused(&data, &page, &form.handle, error).await
        }
        Err(error) => data.error_page(&page, error),
    }
}

/// The page here of a project or forum actor, if it is one.
async fn opened_elsewhere(
    data: &Data<AppState>,
    actor: &ActorRow,
) -> Result<Option<String>, AppError> {
    if let Some(project) = data.domain.project_of_actor(actor).await? {
        return Ok(Some(super::projects::project_path(&project)));
    }
    let path = if actor.is_local() {
        actor.name.clone()
    } else {
        format!("{}@{}", actor.name, actor.domain)
    };
    Ok(data
        .domain
        .forum_by_path(&path)
        .await
        .ok()
        .map(|forum| forum_path(&forum)))
}
