//! The "Follow by e-mail" buttons of forum and project pages and the
//! "stop" buttons of `/settings/notifications` (mailing-list mode, see
//! `domain::mail_lists`): plain forms, no JavaScript needed.

use super::{
    notice::{self, Notice},
    project_page::ProjectSection,
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::{
    app::AppState,
    apub::forums::forum_path,
    domain::{rows::ActorId, Refusal},
    extract::{WebPath, WebQuery},
    web::projects::project_path,
};
use axum::{extract::State, response::Response};
use serde::Deserialize;

/// The follow form: `action` is `subscribe` or `unsubscribe`.
#[derive(Debug, Deserialize)]
pub struct MailFollowForm {
    #[serde(default)]
    action: String,
}

/// The settings form: which forum or project to stop following.
#[derive(Debug, Deserialize)]
pub struct StopForm {
    #[serde(default)]
    group: i64,
}

fn login(next: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    super::redirect::to(&format!("/login?next={next}"))
}

/// `POST /forums/{name}/mail-subscription`: follows the forum by e-mail or
/// stops.
pub async fn submit_forum(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<MailFollowForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login(&format!("/forums/{name}"));
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return state.error_page(&page, error),
    };
    let done = if form.action == "unsubscribe" {
        unsubscribe(&state, user, forum.actor.id).await
    } else {
        state.domain.subscribe_forum_by_mail(user, &forum).await
    };
    match done {
        Ok(()) => notice::redirect(
            &forum_path(&forum),
            follow_notice(&form.action, &forum.title),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// The notice of a follow form's `action`.
fn follow_notice(action: &str, title: &str) -> Notice {
    if action == "unsubscribe" {
        Notice::with("mail-list-stopped", title)
    } else {
        Notice::with("mail-list-followed", title)
    }
}

/// `GET /forums/{name}/mail-subscription/stop`: the confirmation step of
/// no longer following a forum by e-mail.
pub async fn confirm_forum_stop(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    if page.user.is_none() {
        return login(&format!("/forums/{name}"));
    }
    match state.domain.forum_by_path(&name).await {
        Ok(forum) => stop_confirmation(
            &state,
            &page,
            &forum.title,
            forum_path(&forum),
            forum_path(&forum),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// `GET /projects/{name}/mail-subscription/stop`: the confirmation step
/// of no longer following a project's forum by e-mail.
pub async fn confirm_project_stop(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    if page.user.is_none() {
        return login(&format!("/projects/{name}/forum"));
    }
    match super::projects::project_by_path(&state, &name).await {
        Ok(project) => stop_confirmation(
            &state,
            &page,
            &project.title,
            project_path(&project),
            ProjectSection::Forum.path(&project),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// The confirmation page whose form posts `unsubscribe` to
/// `{path}/mail-subscription`.
fn stop_confirmation(
    state: &AppState,
    page: &Page,
    title: &str,
    path: String,
    cancel: String,
) -> Response {
    state.confirm_page(
        page,
        ConfirmView::from_catalog(
            page.lang,
            "mail-list-stop",
            title,
            format!("{path}/mail-subscription"),
            cancel,
        )
        .field("action", "unsubscribe"),
    )
}

/// `POST /projects/{name}/mail-subscription`: a member follows the
/// project's forum by e-mail or stops.
pub async fn submit_project(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<MailFollowForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login(&format!("/projects/{name}"));
    };
    let project = match super::projects::project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return state.error_page(&page, error),
    };
    let done = if form.action == "unsubscribe" {
        unsubscribe(&state, user, project.actor.id).await
    } else {
        state.domain.subscribe_project_by_mail(user, &project).await
    };
    match done {
        Ok(()) => notice::redirect(
            &ProjectSection::Forum.path(&project),
            follow_notice(&form.action, &project.title),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// `GET /settings/mail-subscriptions/stop?group=ID`: the confirmation
/// step of ending one subscription from the settings page; a group the
/// teacher does not follow by e-mail is not found.
pub async fn confirm_stop(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<StopForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login("/settings/notifications");
    };
    let subscriptions = match state.domain.mail_subscriptions(user).await {
        Ok(subscriptions) => subscriptions,
        Err(error) => return state.error_page(&page, error),
    };
    let Some(list) = subscriptions
        .iter()
        .find(|list| list.group_id == ActorId(query.group))
    else {
        return state.error_page(&page, crate::domain::DomainError::from(Refusal::NotFound));
    };
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            "mail-list-stop",
            &list.title,
            "/settings/mail-subscriptions/stop".to_string(),
            "/settings/notifications#mail-lists".to_string(),
        )
        .field("group", &query.group.to_string()),
    )
}

/// `POST /settings/mail-subscriptions/stop`: ends one subscription.
pub async fn submit_stop(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<StopForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login("/settings/notifications");
    };
    match state
        .domain
        .unsubscribe_by_mail(user, ActorId(form.group))
        .await
    {
        Ok(_) => notice::redirect(
            "/settings/notifications#mail-lists",
            Notice::new("mail-list-stopped-one"),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// Stops `user`'s mail subscription to `group` (a forum or a project),
/// whether or not they had one.
async fn unsubscribe(
    state: &AppState,
    user: &crate::domain::rows::AccountRow,
    group: ActorId,
) -> crate::domain::DomainResult<()> {
    state
        .domain
        .unsubscribe_by_mail(user, group)
        .await
        .map(|_| ())
}
