//! Changing what was shared in a project: the edit page of a post (with
//! its Markdown preview), an event or a document's name, and the
//! confirmation step before deleting any of them. Each action ends with
//! a 303 to the project's section and a notice.

use super::{
    notice::{self, Notice},
    project_content::{as_member, refusal},
    project_page::ProjectSection,
    projects::project_path,
    session::{CsrfForm, Page},
    views::{ConfirmView, ProjectLinkView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::{project_content::EventInput, rows::ProjectRow, DomainError},
    error::AppError,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// `project_edit.html`: one form, for a post, an event or a document.
#[derive(Serialize, Default)]
struct EditPage {
    /// `post`, `event` or `document`.
    kind: &'static str,
    project: Option<ProjectLinkView>,
    /// Where the form posts.
    action: String,
    /// Where "Annuler" leads.
    cancel: String,
    error: Option<String>,
    error_field: Option<String>,
    preview_html: Option<String>,
    /// A thread's or an event's title, a document's name; `None` for a
    /// reply (no title).
    title: Option<String>,
    body: String,
    starts: String,
    ends: String,
    location: String,
    meeting_url: String,
}

/// The edit form as submitted (the fields of the kind edited).
#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    meeting_url: String,
    #[serde(default)]
    preview: Option<String>,
}

/// The confirmation form: nothing besides the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {}

/// What is edited or deleted: a path segment and its id.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Post,
    Event,
    Document,
}

impl Kind {
    fn segment(self) -> &'static str {
        match self {
            Kind::Post => "posts",
            Kind::Event => "events",
            Kind::Document => "documents",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Post => "post",
            Kind::Event => "event",
            Kind::Document => "document",
        }
    }

    fn section(self) -> ProjectSection {
        match self {
            Kind::Post => ProjectSection::Forum,
            Kind::Event => ProjectSection::Agenda,
            Kind::Document => ProjectSection::Documents,
        }
    }
}

fn local_input(ms: i64, zone: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn item_path(project: &ProjectRow, kind: Kind, id: i64) -> String {
    format!("{}/{}/{id}", project_path(project), kind.segment())
}

/// Where to go back after a post's change: its thread.
async fn post_back(state: &AppState, project: &ProjectRow, id: i64) -> String {
    match state.domain.project_post_in(project, id).await {
        Ok(post) => match post.thread_id {
            Some(thread) if thread != id => {
                format!("{}/threads/{thread}#reply-{id}", project_path(project))
            }
            _ => format!("{}/threads/{id}", project_path(project)),
        },
        _ => ProjectSection::Forum.path(project),
    }
}

/// The form filled with what is stored.
async fn stored_form(
    state: &AppState,
    page: &Page,
    project: &ProjectRow,
    kind: Kind,
    id: i64,
) -> Result<EditPage, DomainError> {
    let domain = &state.domain;
    let mut view = EditPage::default();
    match kind {
        Kind::Post => {
            let post = domain.project_post_in(project, id).await?;
            view.title = post.thread_id.is_none().then_some(post.title);
            view.body = post.source;
        }
        Kind::Event => {
            let event = domain.project_event_in(project, id).await?;
            view.title = Some(event.title);
            view.body = event.description_source;
            view.starts = local_input(event.starts_at, page.time_zone);
            view.ends = local_input(event.ends_at, page.time_zone);
            view.location = event.location;
            view.meeting_url = event.meeting_url;
        }
        Kind::Document => {
            let (document, _) = domain.project_document_in(project, id).await?;
            view.title = Some(document.name);
        }
    }
    Ok(view)
}

fn render(state: &AppState, page: &Page, status: StatusCode, view: &EditPage) -> Response {
    state.render_status(status, page, "project_edit.html", view)
}

async fn show_edit(state: AppState, page: Page, name: String, id: i64, kind: Kind) -> Response {
    let (_, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let mut view = match stored_form(&state, &page, &project, kind, id).await {
        Ok(view) => view,
        Err(error) => return refusal(&state, &page, error),
    };
    view.kind = kind.name();
    view.action = format!("{}/edit", item_path(&project, kind, id));
    view.cancel = back_of(&state, &project, kind, id).await;
    view.project = Some(ProjectLinkView::of(&project));
    render(&state, &page, StatusCode::OK, &view)
}

async fn back_of(state: &AppState, project: &ProjectRow, kind: Kind, id: i64) -> String {
    match kind {
        Kind::Post => post_back(state, project, id).await,
        _ => kind.section().path(project),
    }
}

async fn submit_edit(
    state: AppState,
    page: Page,
    name: String,
    id: i64,
    kind: Kind,
    form: EditForm,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let back = back_of(&state, &project, kind, id).await;
    // An empty title is sent as no title: whether the form has one is
    // the stored item's to say.
    let has_title = match stored_form(&state, &page, &project, kind, id).await {
        Ok(stored) => stored.title.is_some(),
        Err(error) => return refusal(&state, &page, error),
    };
    let mut view = EditPage {
        kind: kind.name(),
        project: Some(ProjectLinkView::of(&project)),
        action: format!("{}/edit", item_path(&project, kind, id)),
        cancel: back.clone(),
        title: has_title.then(|| form.title.clone().unwrap_or_default()),
        body: form.body.clone(),
        starts: form.starts.clone(),
        ends: form.ends.clone(),
        location: form.location.clone(),
        meeting_url: form.meeting_url.clone(),
        ..EditPage::default()
    };
    if kind != Kind::Document && form.preview.is_some() {
        let field = if kind == Kind::Post {
            "body"
        } else {
            "description"
        };
        return match crate::domain::rendering::markdown(form.body.clone(), field).await {
            Ok(html) => {
                view.preview_html = Some(html);
                render(&state, &page, StatusCode::OK, &view)
            }
            Err(error) => {
                let error = AppError::from(error);
                view.error_field = Some(field.to_string());
                view.error = Some(state.error_message(page.lang, &error));
                render(&state, &page, error.status, &view)
            }
        };
    }
    let title = form.title.clone().unwrap_or_default();
    let domain = &state.domain;
    let done = match kind {
        Kind::Post => domain
            .edit_project_post(&user, &project, id, &title, &form.body)
            .await
            .map(|_| Notice::new("project-post-edited")),
        Kind::Event => {
            let input = EventInput {
                title: title.clone(),
                description: form.body,
                starts: form.starts,
                ends: form.ends,
                location: form.location,
                meeting_url: form.meeting_url,
                attendees: Vec::new(),
                time_zone: Some(page.time_zone.name().to_string()),
            };
            domain
                .edit_project_event(&user, &project, id, &input)
                .await
                .map(|event| Notice::with("project-event-edited", event.title))
        }
        Kind::Document => domain
            .rename_project_document(&user, &project, id, &title)
            .await
            .map(|_| Notice::with("project-document-renamed", title.trim().to_string())),
    };
    match done {
        Ok(notice) => notice::redirect(&back, notice),
        Err(error @ DomainError::Refused(_)) => refused(&state, &page, view, error),
        Err(error) => refusal(&state, &page, error),
    }
}

/// The form shown again with the refusal's message at its field.
fn refused(state: &AppState, page: &Page, mut view: EditPage, error: DomainError) -> Response {
    let field = super::error_field(&error);
    let error = AppError::from(error);
    if error.status == StatusCode::FORBIDDEN || error.status == StatusCode::NOT_FOUND {
        return state.error_page(page, error);
    }
    view.error_field = Some(field.unwrap_or_else(|| "body".to_string()));
    view.error = Some(state.error_message(page.lang, &error));
    render(state, page, error.status, &view)
}

async fn confirm_delete(
    state: AppState,
    page: Page,
    name: String,
    id: i64,
    kind: Kind,
) -> Response {
    let (_, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let shown = match stored_form(&state, &page, &project, kind, id).await {
        Ok(view) => view.title.unwrap_or_else(|| truncate(&view.body)),
        Err(error) => return refusal(&state, &page, error),
    };
    let key = match kind {
        Kind::Post => "project-post-delete",
        Kind::Event => "project-event-delete",
        Kind::Document => "project-document-delete",
    };
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            key,
            &shown,
            format!("{}/delete", item_path(&project, kind, id)),
            back_of(&state, &project, kind, id).await,
        ),
    )
}

/// The first words of a reply, to name it.
fn truncate(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}

async fn submit_delete(state: AppState, page: Page, name: String, id: i64, kind: Kind) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let domain = &state.domain;
    let done = match kind {
        Kind::Post => match domain.delete_project_post(&user, &project, id).await {
            // A deleted thread's page still shows its replies; a deleted
            // reply's thread is where the reader was.
            Ok(post) => Ok(match post.thread_id {
                Some(thread) => format!("{}/threads/{thread}", project_path(&project)),
                None => ProjectSection::Forum.path(&project),
            }),
            Err(error) => Err(error),
        },
        Kind::Event => domain
            .delete_project_event(&user, &project, id)
            .await
            .map(|_| kind.section().path(&project)),
        Kind::Document => domain
            .delete_project_document(&user, &project, id)
            .await
            .map(|_| kind.section().path(&project)),
    };
    match done {
        Ok(back) => notice::redirect(&back, Notice::new(deleted_notice(kind))),
        Err(error) => refusal(&state, &page, error),
    }
}

fn deleted_notice(kind: Kind) -> &'static str {
    match kind {
        Kind::Post => "project-post-deleted",
        Kind::Event => "project-event-deleted",
        Kind::Document => "project-document-deleted",
    }
}

/// Declares the four handlers of one kind of item.
macro_rules! item_handlers {
    ($kind:expr, $show:ident, $submit:ident, $confirm:ident, $delete:ident) => {
        /// `GET …/{id}/edit`.
        pub async fn $show(
            State(state): State<AppState>,
            page: Page,
            WebPath((name, id)): WebPath<(String, i64)>,
        ) -> Response {
            show_edit(state, page, name, id, $kind).await
        }

        /// `POST …/{id}/edit`.
        pub async fn $submit(
            State(state): State<AppState>,
            page: Page,
            WebPath((name, id)): WebPath<(String, i64)>,
            CsrfForm(form): CsrfForm<EditForm>,
        ) -> Response {
            submit_edit(state, page, name, id, $kind, form).await
        }

        /// `GET …/{id}/delete`: the confirmation step.
        pub async fn $confirm(
            State(state): State<AppState>,
            page: Page,
            WebPath((name, id)): WebPath<(String, i64)>,
        ) -> Response {
            confirm_delete(state, page, name, id, $kind).await
        }

        /// `POST …/{id}/delete`.
        pub async fn $delete(
            State(state): State<AppState>,
            page: Page,
            WebPath((name, id)): WebPath<(String, i64)>,
            CsrfForm(_): CsrfForm<DeleteForm>,
        ) -> Response {
            submit_delete(state, page, name, id, $kind).await
        }
    };
}

item_handlers!(
    Kind::Post,
    show_edit_post,
    submit_edit_post,
    confirm_delete_post,
    submit_delete_post
);
item_handlers!(
    Kind::Event,
    show_edit_event,
    submit_edit_event,
    confirm_delete_event,
    submit_delete_event
);
item_handlers!(
    Kind::Document,
    show_edit_document,
    submit_edit_document,
    confirm_delete_document,
    submit_delete_document
);
