//! The bans of a local forum, for its moderators and the instance's
//! admins: `/forums/{name}/bans` lists the bans in force (who, reason, by
//! whom, until when) with the ban form (prefilled from a post's "Bannir"
//! link with `?who=`), and lifting goes through a confirmation page
//! (`/forums/{name}/bans/lift?who=`) before its POST.

use super::{
    notice::{self, Notice},
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::extract::{WebPath, WebQuery};
use crate::{
    app::AppState,
    apub::forums::forum_path,
    domain::{
        forum_banning::{ban_end, BanListing, BanRequest, BanTarget},
        rows::{AccountRow, ForumRow},
        DomainError,
    },
    error::AppError,
    web::projects::resolve_person,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// `forum_bans.html`.
#[derive(Serialize)]
struct BansPage {
    title: String,
    path: String,
    bans: Vec<BanItem>,
    /// The form as typed (or prefilled).
    form: BanForm,
    /// Why the form was refused.
    error: Option<FormError>,
}

#[derive(Serialize)]
struct FormError {
    field: Option<String>,
    message: String,
}

/// A ban in the list.
#[derive(Serialize)]
struct BanItem {
    /// `NAME@DOMAIN`, or the banned domain.
    who: String,
    /// The person's display name, empty for an instance.
    display_name: String,
    instance: bool,
    reason: String,
    /// `NAME@DOMAIN` of the moderator who banned, if known.
    by: Option<String>,
    /// ISO end, `None` for good.
    until: Option<String>,
    since: Option<String>,
    /// The lift confirmation's URL.
    lift: String,
}

/// The ban form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct BanForm {
    #[serde(default)]
    who: String,
    #[serde(default)]
    reason: String,
    /// `1d`, `1w`, `1m`, `date` (with `until`) or `forever`.
    #[serde(default)]
    length: String,
    #[serde(default)]
    until: String,
}

/// `?who=` of the ban form and the lift confirmation.
#[derive(Debug, Default, Deserialize)]
pub struct WhoQuery {
    #[serde(default)]
    who: String,
}

/// The lift form (after its confirmation).
#[derive(Debug, Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    who: String,
}

fn handle(name: &str, domain: &str, local: &str) -> String {
    format!("{name}@{}", if domain.is_empty() { local } else { domain })
}

fn item(ban: &BanListing, path: &str, local: &str) -> BanItem {
    let instance = ban.actor_id.is_none();
    let who = if instance {
        ban.domain.clone()
    } else {
        handle(&ban.name, &ban.domain, local)
    };
    BanItem {
        lift: format!(
            "{path}/bans/lift?who={}",
            url::form_urlencoded::byte_serialize(who.as_bytes()).collect::<String>()
        ),
        who,
        display_name: ban.display_name.clone(),
        instance,
        reason: ban.reason.clone(),
        by: ban
            .by_name
            .as_deref()
            .map(|name| handle(name, ban.by_domain.as_deref().unwrap_or(""), local)),
        until: ban.expires_at.and_then(crate::dates::iso_utc),
        since: crate::dates::iso_utc(ban.created_at),
    }
}

async fn render(
    state: &AppState,
    page: &Page,
    name: &str,
    form: BanForm,
    refused: Option<(FormError, StatusCode)>,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to_login(&format!("/forums/{name}/bans"));
    };
    let forum = match state.domain.forum_by_path(name).await {
        Ok(forum) => forum,
        Err(error) => return state.error_page(page, error),
    };
    let bans = match state.domain.forum_bans(&user, &forum).await {
        Ok(bans) => bans,
        Err(error) => return state.error_page(page, error),
    };
    let path = forum_path(&forum);
    let local = state.domain.settings.instance.domain.clone();
    let bans = bans.iter().map(|ban| item(ban, &path, &local)).collect();
    let (error, status) = match refused {
        Some((error, status)) => (Some(error), status),
        None => (None, StatusCode::OK),
    };
    state.render_status(
        status,
        page,
        "forum_bans.html",
        &BansPage {
            title: forum.title.clone(),
            path,
            bans,
            form,
            error,
        },
    )
}

/// `GET /forums/{name}/bans`: the bans and the form (`?who=` prefills it).
pub async fn show_bans(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    WebQuery(query): WebQuery<WhoQuery>,
) -> Response {
    let form = BanForm {
        who: query.who,
        ..BanForm::default()
    };
    render(&state, &page, &name, form, None).await
}

/// Looks up on their instance the person a ban names when they are not
/// known here (WebFinger, then their document, stored), so that the ban
/// can name them: `404 person_not_found` (no teacher by that name here,
/// or it names a forum), else the refusals of every lookup
/// (`handle_unknown`, `host_unreachable`, `lookup_failed`). Only for the forum's moderators (a lookup makes this instance
/// fetch from elsewhere); the ban checks the moderator again.
pub(crate) async fn look_up_banned_person(
    data: &Data<AppState>,
    moderator: &AccountRow,
    forum: &ForumRow,
    target: &BanTarget,
) -> Result<(), AppError> {
    let BanTarget::Person(handle) = target else {
        return Ok(());
    };
    if !data.domain.can_moderate(moderator, forum).await? {
        return Ok(());
    }
    resolve_person(data, handle).await.map(|_| ())
}

/// `POST /forums/{name}/bans`: bans, then back to the list with a notice.
pub async fn submit_ban(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<BanForm>,
) -> Response {
    let state: &AppState = &data;
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return state.error_page(&page, error),
    };
    let now = state.domain.clock().now_ms();
    let request = BanTarget::parse(&form.who).and_then(|target| {
        Ok(BanRequest {
            target,
            reason: form.reason.clone(),
            expires_at: ban_end(&form.length, &form.until, now)?,
        })
    });
    if let Ok(request) = &request {
        if let Err(error) = look_up_banned_person(&data, &user, &forum, &request.target).await {
            let message = state.error_message(page.lang, &error);
            let status = error.status;
            let field = Some("who".to_string());
            return render(
                state,
                &page,
                &name,
                form,
                Some((FormError { field, message }, status)),
            )
            .await;
        }
    }
    let result = match request {
        Ok(request) => state.domain.ban_from_forum(&user, &forum, &request).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(()) => notice::redirect(
            &format!("{}/bans", forum_path(&forum)),
            Notice::with("forum-banned", form.who.trim()),
        ),
        Err(error @ DomainError::Refused(_)) => {
            let field = super::error_field(&error);
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            let status = error.status;
            render(
                state,
                &page,
                &name,
                form,
                Some((FormError { field, message }, status)),
            )
            .await
        }
        Err(error) => state.error_page(&page, error),
    }
}

/// `GET /forums/{name}/bans/lift?who=`: the confirmation of lifting.
pub async fn confirm_lift(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    WebQuery(query): WebQuery<WhoQuery>,
) -> Response {
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return state.error_page(&page, error),
    };
    let path = forum_path(&forum);
    let view = ConfirmView::from_catalog(
        page.lang,
        "forum-ban-lift",
        query.who.trim(),
        format!("{path}/bans/lift"),
        format!("{path}/bans"),
    )
    .field("who", query.who.trim());
    state.confirm_page(&page, view)
}

/// `POST /forums/{name}/bans/lift`: lifts, then back to the list.
pub async fn submit_lift(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<LiftForm>,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return state.error_page(&page, error),
    };
    match state.domain.lift_forum_ban(&user, &forum, &form.who).await {
        Ok(()) => notice::redirect(
            &format!("{}/bans", forum_path(&forum)),
            Notice::with("forum-ban-lifted", form.who.trim()),
        ),
        Err(error) => state.error_page(&page, error),
    }
}
