//! The moderators' reports queue: `/moderation/reports` across every forum
//! one moderates (every forum for admins), `/forums/{name}/reports` for one
//! forum, and the two ways of closing a report: "Traiter" (resolve,
//! optionally removing the post with a reason, after a confirmation) and
//! "Classer" (dismiss), each with a note.

use super::{
    notice::{self, Notice},
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::forums::forum_path,
    domain::{
        report_handling::ReportDecision,
        rows::{AccountRow, ReportRow},
        DomainError,
    },
    error::AppError,
    i18n::Catalogs,
};
use axum::{extract::State, response::Response};
use serde::{Deserialize, Serialize};

/// The queue across forums.
const QUEUE_PATH: &str = "/moderation/reports";

/// `reports.html`: a reports queue, of one forum or across forums.
#[derive(Serialize)]
struct ReportsPage {
    /// The forum when the queue is one forum's.
    forum: Option<ForumLink>,
    reports: Vec<ReportItem>,
    /// Where the forms come back to.
    back: String,
    /// The refused form, shown again filled in.
    attempt: Option<Attempt>,
    /// On the queue across forums: the forums the viewer moderates, each
    /// with its bans page.
    moderated: Vec<ForumLink>,
}

/// A forum's title and path.
#[derive(Serialize)]
struct ForumLink {
    title: String,
    path: String,
}

/// A report in the queue.
#[derive(Serialize)]
struct ReportItem {
    id: i64,
    /// `NAME@DOMAIN`.
    reporter: String,
    /// The forum, for the queue across forums.
    forum: Option<ForumLink>,
    /// The reported post's thread title.
    title: String,
    /// `NAME@DOMAIN` of the post's author, empty when unknown here.
    author: String,
    post_link: Option<String>,
    object: String,
    reason: String,
    created: Option<String>,
    /// The post is already removed (resolving does not remove it again).
    removed: bool,
}

/// A refused "Traiter"/"Classer" form: what was typed and why.
#[derive(Serialize)]
struct Attempt {
    report_id: i64,
    note: String,
    reason: String,
    remove: bool,
    /// The field at fault (`note`, `reason`), if known.
    field: Option<String>,
    message: String,
}

/// The form of both actions.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    note: String,
    /// "on" when the post is to be removed too.
    #[serde(default)]
    remove: Option<String>,
    /// The removal reason shown to the post's author.
    #[serde(default)]
    reason: String,
    /// Set by the confirmation page.
    #[serde(default)]
    confirmed: Option<String>,
    /// The queue to come back to.
    #[serde(default)]
    back: String,
}

fn handle(name: &str, domain: &str, local_domain: &str) -> String {
    let domain = if domain.is_empty() {
        local_domain
    } else {
        domain
    };
    format!("{name}@{domain}")
}

fn item(report: &ReportRow, local_domain: &str, with_forum: bool) -> ReportItem {
    let forum = (with_forum && !report.forum_name.is_empty()).then(|| ForumLink {
        title: if report.forum_title.is_empty() {
            report.forum_name.clone()
        } else {
            report.forum_title.clone()
        },
        path: if report.forum_domain.is_empty() {
            format!("/forums/{}", report.forum_name)
        } else {
            format!("/forums/{}@{}", report.forum_name, report.forum_domain)
        },
    });
    ReportItem {
        id: report.id,
        reporter: handle(&report.reporter_name, &report.reporter_domain, local_domain),
        forum,
        title: report.thread_title.clone(),
        author: if report.author_name.is_empty() {
            String::new()
        } else {
            handle(&report.author_name, &report.author_domain, local_domain)
        },
        post_link: report
            .post_id
            .map(|p| format!("/threads/{}#post-{}", p.0, p.0)),
        object: report.object_ap_id.clone(),
        reason: report.reason.clone(),
        created: crate::dates::iso_utc(report.created_at),
        removed: report.post_removed_at.is_some(),
    }
}

/// Which queue a page or a form is about: across forums, or one forum's.
enum Queue {
    All,
    Forum(String),
}

impl Queue {
    /// The queue a form's `back` names; anything else is the queue across
    /// forums.
    fn from_back(back: &str) -> Queue {
        back.strip_prefix("/forums/")
            .and_then(|rest| rest.strip_suffix("/reports"))
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .map_or(Queue::All, |name| Queue::Forum(name.to_string()))
    }
}

async fn render_queue(
    state: &AppState,
    page: &Page,
    user: &AccountRow,
    queue: Queue,
    attempt: Option<(Attempt, axum::http::StatusCode)>,
) -> Response {
    let local_domain = state.domain.settings.instance.domain.clone();
    let (forum, reports, back) = match queue {
        Queue::All => match state.domain.moderation_queue(user).await {
            Ok(reports) => (None, reports, QUEUE_PATH.to_string()),
            Err(error) => return state.error_page(page, error),
        },
        Queue::Forum(name) => {
            let forum = match state.domain.forum_by_path(&name).await {
                Ok(forum) => forum,
                Err(error) => return state.error_page(page, error),
            };
            let reports = match state.domain.reports_for(user, &forum).await {
                Ok(reports) => reports,
                Err(error) => return state.error_page(page, error),
            };
            let path = forum_path(&forum);
            let back = format!("{path}/reports");
            let link = ForumLink {
                title: forum.title.clone(),
                path,
            };
            (Some(link), reports, back)
        }
    };
    let with_forum = forum.is_none();
    let moderated = if with_forum {
        match state.domain.moderated_forums(user).await {
            Ok(forums) => forums
                .iter()
                .map(|forum| ForumLink {
                    title: forum.title.clone(),
                    path: forum_path(forum),
                })
                .collect(),
            Err(error) => return state.error_page(page, error),
        }
    } else {
        Vec::new()
    };
    let reports = reports
        .iter()
        .map(|report| item(report, &local_domain, with_forum))
        .collect();
    let (attempt, status) = match attempt {
        Some((attempt, status)) => (Some(attempt), status),
        None => (None, axum::http::StatusCode::OK),
    };
    state.render_status(
        status,
        page,
        "reports.html",
        &ReportsPage {
            forum,
            reports,
            back,
            attempt,
            moderated,
        },
    )
}

/// `GET /moderation/reports`: the queue across the forums the teacher
/// moderates (every forum for admins).
pub async fn show_queue(State(state): State<AppState>, page: Page) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to_login(QUEUE_PATH);
    };
    render_queue(&state, &page, &user, Queue::All, None).await
}

/// `GET /forums/{name}/reports`: one forum's queue.
pub async fn show_forum_queue(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to_login(&format!("/forums/{name}/reports"));
    };
    render_queue(&state, &page, &user, Queue::Forum(name), None).await
}

/// `POST /moderation/reports/{id}/resolve`: "Traiter". With the removal
/// box ticked, a confirmation page first.
pub async fn submit_resolve(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Response {
    let remove = form.remove.as_deref() == Some("on");
    if remove && form.confirmed.is_none() {
        return confirm_removal(&state, &page, id, &form).await;
    }
    let decision = ReportDecision::Resolve {
        remove: remove.then(|| form.reason.clone()),
    };
    let key = if remove {
        "report-resolved-removed"
    } else {
        "report-resolved"
    };
    close(&state, &page, id, decision, form, key).await
}

/// `POST /moderation/reports/{id}/dismiss`: "Classer".
pub async fn submit_dismiss(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Response {
    close(
        &state,
        &page,
        id,
        ReportDecision::Dismiss,
        form,
        "report-dismissed",
    )
    .await
}

/// The confirmation of "Traiter" with the post's removal: names the post
/// and the reason its author will read.
async fn confirm_removal(state: &AppState, page: &Page, id: i64, form: &CloseForm) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let report = match state.domain.report_for(&user, id).await {
        Ok(report) => report,
        Err(error) => return state.error_page(page, error),
    };
    let back = queue_path(&form.back);
    let catalogs = Catalogs::get();
    let title = report.thread_title.as_str();
    state.confirm_page(
        page,
        ConfirmView {
            title: catalogs.format(page.lang, "report-remove-confirm-title", &[]),
            question: catalogs.format(
                page.lang,
                "report-remove-confirm-question",
                &[("title", title), ("reason", form.reason.trim())],
            ),
            // A thread's first post takes its replies with it: say so.
            detail: Some(
                catalogs.format(
                    page.lang,
                    if report
                        .post_id
                        .is_some_and(|post| Some(post.0) == report.thread_id)
                    {
                        "report-remove-confirm-detail-thread"
                    } else {
                        "report-remove-confirm-detail"
                    },
                    &[],
                ),
            ),
            action: format!("/moderation/reports/{id}/resolve"),
            fields: vec![
                ("note".into(), form.note.clone()),
                ("remove".into(), "on".into()),
                ("reason".into(), form.reason.clone()),
                ("confirmed".into(), "1".into()),
                ("back".into(), back.clone()),
            ],
            button: catalogs.format(page.lang, "report-remove-confirm-button", &[]),
            cancel: back,
        },
    )
}

/// The queue path `back` names, the queue across forums otherwise.
fn queue_path(back: &str) -> String {
    match Queue::from_back(back) {
        Queue::All => QUEUE_PATH.to_string(),
        Queue::Forum(name) => format!("/forums/{name}/reports"),
    }
}

async fn close(
    state: &AppState,
    page: &Page,
    id: i64,
    decision: ReportDecision,
    form: CloseForm,
    notice_key: &'static str,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let remove = matches!(decision, ReportDecision::Resolve { remove: Some(_) });
    match state
        .domain
        .close_report(&user, id, decision, &form.note)
        .await
    {
        Ok(report) => notice::redirect(
            &queue_path(&form.back),
            Notice::with(notice_key, report.thread_title),
        ),
        Err(error @ DomainError::Refused(_)) => {
            let field = super::error_field(&error);
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            let attempt = Attempt {
                report_id: id,
                note: form.note,
                reason: form.reason,
                remove,
                field,
                message,
            };
            render_queue(
                state,
                page,
                &user,
                Queue::from_back(&form.back),
                Some((attempt, error.status)),
            )
            .await
        }
        Err(error) => state.error_page(page, error),
    }
}
