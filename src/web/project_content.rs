//! The members-only parts of a project's pages: the internal forum (a
//! thread page and its forms) and shared documents (upload, versions,
//! download). The agenda (events, the personal agenda of every space a
//! teacher belongs to, iCalendar exports) is in [`super::agenda`]
//! (re-exported here).

use super::{
    notice::{self, Notice},
    project_page::{ProjectFormText, ProjectSection, TypedProjectForm},
    projects::{project_by_path, project_path},
    session::{CsrfForm, CsrfUpload, Page},
    views::{
        date, mention_links::local_mention_links, AgendaEventView, AuthorView, ProjectLinkView,
    },
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::project_content::{document_bytes, download, fetch_remote_bytes},
    domain::{
        project_content::Upload,
        rows::{AccountRow, MemberRow, ProjectRow},
        trust::Labeller,
    },
    error::AppError,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

pub use super::agenda::{
    export_agenda, export_project_agenda, show_agenda, submit_event, EventForm,
};

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} Mio", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.0} kio", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} o")
    }
}

/// The member parts of a project page: threads, documents, events, and
/// the members to pick an event's audience from.
#[derive(Serialize)]
pub struct MemberSections {
    threads: Vec<ThreadItem>,
    documents: Vec<DocumentItem>,
    events: Vec<AgendaEventView>,
    event_members: Vec<AuthorView>,
    max_document_mib: u64,
    document_extensions: String,
    /// Whether the member follows the project's forum by e-mail.
    mail_subscribed: bool,
}

/// A thread in a project's list.
#[derive(Serialize)]
struct ThreadItem {
    id: i64,
    title: String,
    deleted: bool,
    refused: Option<String>,
    replies: i64,
    last_activity: String,
    author: AuthorView,
}

/// A shared document with its versions.
#[derive(Serialize)]
struct DocumentItem {
    id: i64,
    name: String,
    /// Who shared its first version: who may rename it.
    author_id: i64,
    versions: Vec<VersionItem>,
}

/// One version of a shared document.
#[derive(Serialize)]
struct VersionItem {
    id: i64,
    version: i64,
    file_name: String,
    size: String,
    shared: String,
    author: AuthorView,
}

/// The opening post of a project thread page.
#[derive(Serialize)]
struct ProjectThreadItem {
    id: i64,
    title: String,
    content_html: String,
    deleted: bool,
    refused: Option<String>,
    published: String,
    author: AuthorView,
}

/// A reply on a project thread page.
#[derive(Serialize)]
struct ProjectReplyItem {
    id: i64,
    content_html: String,
    deleted: bool,
    refused: Option<String>,
    published: String,
    in_reply_to: Option<i64>,
    author: AuthorView,
}

/// `project_thread.html`.
#[derive(Serialize)]
struct ProjectThreadPage {
    error_field: Option<&'static str>,
    error: Option<String>,
    reply_body: Option<String>,
    /// The Markdown preview of the reply typed, when asked for.
    preview_html: Option<String>,
    project: ProjectLinkView,
    /// The reader's actor id, and whether they moderate the project
    /// (the edit and delete links).
    me_actor: i64,
    me_moderator: bool,
    thread: ProjectThreadItem,
    replies: Vec<ProjectReplyItem>,
}

/// What the project page shows to a member: threads, documents, events,
/// and the members to pick an event's audience from.
pub async fn member_sections(
    state: &AppState,
    account: &AccountRow,
    project: &ProjectRow,
    labels: &Labeller<'_>,
) -> Result<MemberSections, AppError> {
    let domain = &state.domain;
    let threads = domain
        .project_threads_for(account, project)
        .await?
        .iter()
        .map(|view| ThreadItem {
            id: view.post.id,
            title: view.post.title.clone(),
            deleted: view.post.deleted_at.is_some(),
            refused: view
                .post
                .refused_at
                .map(|_| view.post.refused_reason.clone().unwrap_or_default()),
            replies: view.reply_count,
            last_activity: date(view.post.last_activity_at),
            author: AuthorView::of(&view.author, labels),
        })
        .collect();
    let documents = domain
        .project_documents_for(account, project)
        .await?
        .iter()
        .map(|view| DocumentItem {
            id: view.document.id,
            name: view.document.name.clone(),
            author_id: view
                .versions
                .iter()
                .min_by_key(|(version, _)| version.version)
                .map(|(version, _)| version.author_id.0)
                .unwrap_or_default(),
            versions: view
                .versions
                .iter()
                .map(|(version, author)| VersionItem {
                    id: version.id,
                    version: version.version,
                    file_name: version.file_name.clone(),
                    size: size_text(version.size),
                    shared: date(version.created_at),
                    author: AuthorView::of(author, labels),
                })
                .collect(),
        })
        .collect();
    let events = domain
        .project_events_for(account, project)
        .await?
        .iter()
        .map(|view| AgendaEventView::of(view, None, labels))
        .collect();
    let event_members = domain
        .project_member_actors(account, project)
        .await?
        .iter()
        .map(|actor| AuthorView::of(actor, labels))
        .collect();
    let mail_subscribed = domain.follows_by_mail(account, project.actor.id).await?;
    let limits = &state.domain.settings.projects;
    Ok(MemberSections {
        mail_subscribed,
        threads,
        documents,
        events,
        event_members,
        max_document_mib: limits.max_document_bytes.div_ceil(1024 * 1024),
        document_extensions: crate::domain::project_content::accepted_extensions(
            &limits.document_types,
        )
        .join(", "),
    })
}

pub(super) fn refusal(state: &AppState, page: &Page, error: impl Into<AppError>) -> Response {
    state.error_page(page, error)
}

/// The project and the member's row, or the page to show instead.
pub(super) async fn as_member(
    state: &AppState,
    page: &Page,
    name: &str,
) -> Result<(AccountRow, ProjectRow, MemberRow), Response> {
    let Some(user) = page.user.clone() else {
        let next: String =
            url::form_urlencoded::byte_serialize(format!("/projects/{name}").as_bytes()).collect();
        return Err(crate::web::redirect::to(&format!("/login?next={next}")));
    };
    let project = project_by_path(state, name)
        .await
        .map_err(|e| refusal(state, page, e))?;
    let row = state
        .domain
        .may_read_project(Some(&user), &project)
        .await
        .map_err(|e| refusal(state, page, e))?
        .ok_or_else(|| {
            refusal(
                state,
                page,
                AppError::new(StatusCode::FORBIDDEN, "not_project_member"),
            )
        })?;
    Ok((user, project, row))
}

/// The thread and reply forms; `preview` asks for the Markdown preview
/// instead of posting.
#[derive(Debug, Default, Deserialize)]
pub struct PostForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    in_reply_to: Option<i64>,
    #[serde(default)]
    preview: Option<String>,
}

/// The Markdown preview of `body`, or the page's message when it is
/// refused (too long, too deep).
async fn preview_of(body: &str) -> Result<String, AppError> {
    crate::domain::rendering::markdown(body.to_string(), "body")
        .await
        .map_err(AppError::from)
}

/// `POST /projects/{name}/threads`.
pub async fn submit_thread(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if form.preview.is_some() {
        let typed = ProjectFormText::Thread {
            title: form.title,
            body: form.body.clone(),
        };
        return match preview_of(&form.body).await {
            Ok(html) => {
                let typed = TypedProjectForm {
                    field: None,
                    preview_html: Some(html),
                    form: typed,
                };
                super::project_page::project_page_with(
                    &state,
                    &page,
                    StatusCode::OK,
                    &project,
                    ProjectSection::Forum,
                    None,
                    Some(typed),
                )
                .await
            }
            Err(error) => {
                let message = state.error_message(page.lang, &error);
                let typed = TypedProjectForm {
                    field: Some("body".to_string()),
                    preview_html: None,
                    form: typed,
                };
                super::project_page::project_page_with(
                    &state,
                    &page,
                    error.status,
                    &project,
                    ProjectSection::Forum,
                    Some(message),
                    Some(typed),
                )
                .await
            }
        };
    }
    crate::apub::mentions::look_up(&data, &form.body).await;
    match state
        .domain
        .post_project_thread(&user, &project, &form.title, &form.body)
        .await
    {
        Ok(post) => notice::redirect(
            &format!("{}/threads/{}", project_path(&project), post.id),
            Notice::with("thread-opened", post.title),
        ),
        Err(error) => {
            let typed = ProjectFormText::Thread {
                title: form.title,
                body: form.body,
            };
            typed_refusal(&state, &page, &project, typed, error).await
        }
    }
}

/// `GET /projects/{name}/threads/{id}`.
pub async fn show_thread(
    State(state): State<AppState>,
    page: Page,
    WebPath((name, id)): WebPath<(String, i64)>,
) -> Response {
    project_thread_page(&state, &page, &name, id, StatusCode::OK, None).await
}

/// A reply shown again: the text typed and either the message of its
/// refusal or the preview asked for.
struct RefusedReply {
    body: String,
    message: Option<String>,
    preview_html: Option<String>,
}

/// A project thread; with `refused`, the reply form shows the text typed
/// again and the message at the field.
async fn project_thread_page(
    state: &AppState,
    page: &Page,
    name: &str,
    id: i64,
    status: StatusCode,
    refused: Option<RefusedReply>,
) -> Response {
    let (user, project, member) = match as_member(state, page, name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let found = match state.domain.project_thread_for(&user, &project, id).await {
        Ok(found) => found,
        Err(error) => return refusal(state, page, error),
    };
    let (thread, author) = (&found.thread, &found.author);
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let replies = found
        .replies
        .iter()
        .map(|view| ProjectReplyItem {
            id: view.post.id,
            content_html: local_mention_links(&view.post.content_html, labels.local_domain()),
            deleted: view.post.deleted_at.is_some(),
            refused: view
                .post
                .refused_at
                .map(|_| view.post.refused_reason.clone().unwrap_or_default()),
            published: date(view.post.published_at),
            in_reply_to: view.post.in_reply_to_id,
            author: AuthorView::of(&view.author, &labels),
        })
        .collect();
    let (reply_body, error, preview_html) = match refused {
        Some(refused) => (Some(refused.body), refused.message, refused.preview_html),
        None => (None, None, None),
    };
    state.render_status(
        status,
        page,
        "project_thread.html",
        &ProjectThreadPage {
            error_field: error.as_ref().map(|_| "body"),
            error,
            reply_body,
            preview_html,
            project: ProjectLinkView::of(&project),
            me_actor: member.actor_id.0,
            me_moderator: member.is_moderator(),
            thread: ProjectThreadItem {
                id: thread.id,
                title: thread.title.clone(),
                content_html: local_mention_links(&thread.content_html, labels.local_domain()),
                deleted: thread.deleted_at.is_some(),
                refused: thread
                    .refused_at
                    .map(|_| thread.refused_reason.clone().unwrap_or_default()),
                published: date(thread.published_at),
                author: AuthorView::of(author, &labels),
            },
            replies,
        },
    )
}

/// `POST /projects/{name}/threads/{id}/replies`.
pub async fn submit_reply(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    page: Page,
    WebPath((name, id)): WebPath<(String, i64)>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let parent_id = form.in_reply_to.unwrap_or(id);
    let parent = match state
        .domain
        .project_reply_parent(&project, id, Some(parent_id))
        .await
    {
        Ok(parent) => parent,
        Err(error) => return refusal(&state, &page, error),
    };
    if form.preview.is_some() {
        let (status, shown) = match preview_of(&form.body).await {
            Ok(html) => (
                StatusCode::OK,
                RefusedReply {
                    body: form.body,
                    message: None,
                    preview_html: Some(html),
                },
            ),
            Err(error) => (
                error.status,
                RefusedReply {
                    body: form.body,
                    message: Some(state.error_message(page.lang, &error)),
                    preview_html: None,
                },
            ),
        };
        return project_thread_page(&state, &page, &name, id, status, Some(shown)).await;
    }
    crate::apub::mentions::look_up(&data, &form.body).await;
    match state
        .domain
        .reply_project_post(&user, &project, &parent, &form.body)
        .await
    {
        Ok(reply) => notice::redirect(
            &format!("{}/threads/{id}#reply-{}", project_path(&project), reply.id),
            Notice::new("reply-posted"),
        ),
        Err(error @ crate::domain::DomainError::Refused(_)) => {
            let error = AppError::from(error);
            let refused = RefusedReply {
                body: form.body,
                message: Some(state.error_message(page.lang, &error)),
                preview_html: None,
            };
            project_thread_page(&state, &page, &name, id, error.status, Some(refused)).await
        }
        Err(error) => refusal(&state, &page, error),
    }
}

/// `POST /projects/{name}/documents` (multipart: `file`, optional
/// `version_of`).
pub async fn submit_document(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    upload: CsrfUpload,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let version_of = upload.field("version_of").trim().parse::<i64>().ok();
    let typed = ProjectFormText::Document { version_of };
    let Some((file_name, bytes)) = upload.file.clone() else {
        // No file, or one over the limit: the section again, the reason
        // at the file field.
        let refused = if upload.too_large {
            crate::domain::Refusal::DocumentTooLarge
        } else {
            crate::domain::Refusal::FieldRequired("file".to_string())
        };
        let error = crate::domain::DomainError::Refused(refused);
        return typed_refusal(&state, &page, &project, typed, error).await;
    };
    let shared_name = file_name.clone();
    match state
        .domain
        .share_document(
            &user,
            &project,
            Upload {
                file_name,
                bytes,
                version_of,
            },
        )
        .await
    {
        Ok(_) => notice::redirect(
            &ProjectSection::Documents.path(&project),
            Notice::with("document-shared", shared_name),
        ),
        // The section again, with the reason at the file field, so the
        // form is at hand.
        Err(error) => typed_refusal(&state, &page, &project, typed, error).await,
    }
}

/// `GET /projects/{name}/documents/{version}`: the bytes of a version,
/// read from the instance it was shared on when it is not this one.
pub async fn download_document(
    State(state): State<AppState>,
    page: Page,
    WebPath((name, version)): WebPath<(String, i64)>,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let version = match state
        .domain
        .project_version_for(&user, &project, version)
        .await
    {
        Ok(version) => version,
        Err(error) => return refusal(&state, &page, error),
    };
    if version.local {
        return document_bytes(&state, &version).await;
    }
    match fetch_remote_bytes(&state, &version).await {
        Ok(bytes) => download(&version.file_name, &version.media_type, bytes),
        Err(error) => refusal(&state, &page, error),
    }
}

/// A refusal of what was typed in a project page form: for a rule of the
/// domain (a field too long, a date that does not parse…), the form's
/// section again with the form filled in and the message at the field;
/// any other error gets the error page.
pub(super) async fn typed_refusal(
    state: &AppState,
    page: &Page,
    project: &ProjectRow,
    typed: ProjectFormText,
    error: crate::domain::DomainError,
) -> Response {
    if !matches!(error, crate::domain::DomainError::Refused(_)) {
        return refusal(state, page, error);
    }
    let field = super::error_field(&error);
    let section = match typed {
        ProjectFormText::Thread { .. } => ProjectSection::Forum,
        ProjectFormText::Event { .. } => ProjectSection::Agenda,
        ProjectFormText::Invite { .. } => ProjectSection::About,
        ProjectFormText::Document { .. } => ProjectSection::Documents,
    };
    let error = AppError::from(error);
    let message = state.error_message(page.lang, &error);
    let typed = TypedProjectForm {
        field,
        preview_html: None,
        form: typed,
    };
    super::project_page::project_page_with(
        state,
        page,
        error.status,
        project,
        section,
        Some(message),
        Some(typed),
    )
    .await
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size_text(512), "512 o");
        assert_eq!(size_text(2048), "2 kio");
        assert_eq!(size_text(3 * 1024 * 1024 / 2), "1.5 Mio");
    }
}
