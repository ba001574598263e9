//! HTML pages: templates, rendering, and the routes of the web interface.
//!
//! Templates live in `templates/` beside the handlers and are compiled into
//! the binary; every text in them is a message catalog key passed to `t()`.
//! Handlers are thin: extract, call the domain, render.

pub mod admin;
pub mod admin_instances;
pub mod agenda;
pub mod auth;
pub mod avatars;
pub mod contact_categories;
pub mod contacts;
pub mod conversation_actions;
pub mod conversation_lines;
pub mod conversations;
pub mod csv_export;
pub mod directory;
pub mod forum_bans;
pub mod forums;
pub mod fragments;
pub mod home;
pub mod home_teacher;
pub mod languages;
pub mod mail_lists;
pub mod message_requests;
pub mod moderation;
pub mod notice;
pub mod notification_settings;
pub mod notifications;
pub mod person_blocks;
mod person_target;
pub mod posts;
pub mod profile;
pub mod project_content;
pub mod project_edits;
pub mod project_members;
pub mod project_page;
pub mod projects;
pub mod redirect;
pub mod remote_people;
pub mod search;
pub mod session;
pub mod threads;
pub mod views;

use crate::{
    app::AppState,
    error::AppError,
    i18n::{Catalogs, Lang},
};
use axum::{
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Router,
};
use fluent_bundle::{FluentArgs, FluentValue};
use minijinja::{
    value::{merge_maps, Kwargs},
    Environment, State, Value,
};
use serde::Serialize;
use session::Page;

const TEMPLATES: [(&str, &str); 47] = [
    (
        "conversations.html",
        include_str!("templates/conversations.html"),
    ),
    (
        "conversation.html",
        include_str!("templates/conversation.html"),
    ),
    (
        "conversation_line.html",
        include_str!("templates/conversation_line.html"),
    ),
    (
        "conversation_lines.html",
        include_str!("templates/conversation_lines.html"),
    ),
    ("event_when.html", include_str!("templates/event_when.html")),
    ("forum_bans.html", include_str!("templates/forum_bans.html")),
    (
        "remote_person.html",
        include_str!("templates/remote_person.html"),
    ),
    ("confirm.html", include_str!("templates/confirm.html")),
    ("search.html", include_str!("templates/search.html")),
    (
        "notifications.html",
        include_str!("templates/notifications.html"),
    ),
    (
        "home_teacher.html",
        include_str!("templates/home_teacher.html"),
    ),
    (
        "notification_settings.html",
        include_str!("templates/notification_settings.html"),
    ),
    (
        "unsubscribe.html",
        include_str!("templates/unsubscribe.html"),
    ),
    (
        "field_error.html",
        include_str!("templates/field_error.html"),
    ),
    ("directory.html", include_str!("templates/directory.html")),
    (
        "project_thread.html",
        include_str!("templates/project_thread.html"),
    ),
    ("agenda.html", include_str!("templates/agenda.html")),
    ("projects.html", include_str!("templates/projects.html")),
    ("project.html", include_str!("templates/project.html")),
    (
        "project_edit.html",
        include_str!("templates/project_edit.html"),
    ),
    (
        "project_item_actions.html",
        include_str!("templates/project_item_actions.html"),
    ),
    (
        "project_form.html",
        include_str!("templates/project_form.html"),
    ),
    ("requests.html", include_str!("templates/requests.html")),
    ("contacts.html", include_str!("templates/contacts.html")),
    (
        "post_actions.html",
        include_str!("templates/post_actions.html"),
    ),
    ("reports.html", include_str!("templates/reports.html")),
    ("forums.html", include_str!("templates/forums.html")),
    ("forum.html", include_str!("templates/forum.html")),
    ("thread.html", include_str!("templates/thread.html")),
    (
        "thread_replies.html",
        include_str!("templates/thread_replies.html"),
    ),
    ("base.html", include_str!("templates/base.html")),
    (
        "trust_badge.html",
        include_str!("templates/trust_badge.html"),
    ),
    ("label.html", include_str!("templates/label.html")),
    (
        "person_relation.html",
        include_str!("templates/person_relation.html"),
    ),
    ("errors.html", include_str!("templates/errors.html")),
    ("home.html", include_str!("templates/home.html")),
    ("charter.html", include_str!("templates/charter.html")),
    ("signup.html", include_str!("templates/signup.html")),
    ("message.html", include_str!("templates/message.html")),
    ("login.html", include_str!("templates/login.html")),
    ("email_form.html", include_str!("templates/email_form.html")),
    ("reset.html", include_str!("templates/reset.html")),
    ("profile.html", include_str!("templates/profile.html")),
    (
        "profile_edit.html",
        include_str!("templates/profile_edit.html"),
    ),
    ("admin.html", include_str!("templates/admin.html")),
    (
        "admin_instances.html",
        include_str!("templates/admin_instances.html"),
    ),
    ("error.html", include_str!("templates/error.html")),
];

/// `t("key", name=value…)` in templates: the message in the page's language.
fn translate(state: &State, key: &str, kwargs: Kwargs) -> Result<Value, minijinja::Error> {
    let lang = state
        .lookup("lang")
        .and_then(|value| value.as_str().map(Lang::from_code))
        .unwrap_or(Lang::Fr);
    let mut args = FluentArgs::new();
    // Markup already safe (a `<time>` from the `when` filter) goes in as
    // a placeholder, put back once the rest of the message is escaped.
    let mut safe: Vec<(String, String)> = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        if let Some(number) = value.as_i64() {
            args.set(name.to_string(), FluentValue::from(number));
        } else if value.is_safe() {
            let token = format!("\u{E000}{}\u{E001}", safe.len());
            args.set(name.to_string(), FluentValue::from(token.clone()));
            safe.push((token, value.to_string()));
        } else {
            args.set(name.to_string(), FluentValue::from(value.to_string()));
        }
    }
    let text = Catalogs::get().format_args(lang, key, &args);
    if safe.is_empty() {
        return Ok(Value::from(text));
    }
    let mut html = crate::dates::escape_html(&text);
    for (token, markup) in safe {
        html = html.replace(&token, &markup);
    }
    Ok(Value::from_safe_string(html))
}

/// `{{ post.refused|reason }}`: a reason another server gave, in the
/// page's language when it is one of Préau's error messages
/// ([`Catalogs::reason`]).
fn reason_filter(state: &State, reason: &str) -> String {
    let lang = state
        .lookup("lang")
        .and_then(|value| value.as_str().map(Lang::from_code))
        .unwrap_or(Lang::Fr);
    Catalogs::get().reason(lang, reason)
}

/// Builds the template environment once at start-up.
pub fn build_templates() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_function("t", translate);
    env.add_function("avatar", avatars::avatar_function);
    env.add_filter("reason", reason_filter);
    env.add_filter("language_names", languages::language_names_filter);
    env.add_filter("when", views::when_filter);
    env.add_filter("same_day", views::same_day_filter);
    env.add_filter("zone_place", views::zone_place_filter);
    Ok(env)
}

/// What a template sees: the page's view over the base view, a field of
/// the view hiding a base field of the same name.
fn page_context(base: &impl Serialize, view: &impl Serialize) -> Value {
    merge_maps([Value::from_serialize(base), Value::from_serialize(view)])
}

impl AppState {
    /// Renders `name` with the page's view over the [`views::BaseView`]:
    /// a field of the view hides a base field of the same name.
    fn render_with(
        &self,
        status: StatusCode,
        lang: Lang,
        page: Option<&Page>,
        name: &str,
        view: &impl Serialize,
    ) -> Response {
        let base = views::BaseView::of(self, lang, page);
        let result = self
            .templates
            .get_template(name)
            .and_then(|template| template.render(page_context(&base, view)));
        match result {
            Ok(html) => {
                let mut response = (status, Html(html)).into_response();
                response.headers_mut().insert(
                    header::VARY,
                    header::HeaderValue::from_static("Accept, Accept-Language, Cookie"),
                );
                response
            }
            Err(error) => {
                tracing::error!(%error, template = name, "template rendering failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error").into_response()
            }
        }
    }

    /// Renders `name` as a part of a page (the page's view over the base
    /// view, as [`Self::render_status`] would); `None`, logged, when it
    /// fails.
    pub fn render_part(&self, page: &Page, name: &str, view: &impl Serialize) -> Option<String> {
        let base = views::BaseView::of(self, page.lang, Some(page));
        self.templates
            .get_template(name)
            .and_then(|template| template.render(page_context(&base, view)))
            .map_err(|error| tracing::error!(%error, template = name, "template rendering failed"))
            .ok()
    }

    /// Renders a page with status 200.
    pub fn render(&self, page: &Page, name: &str, view: &impl Serialize) -> Response {
        self.render_with(StatusCode::OK, page.lang, Some(page), name, view)
    }

    /// Renders a page with another status (a form re-shown with an error).
    pub fn render_status(
        &self,
        status: StatusCode,
        page: &Page,
        name: &str,
        view: &impl Serialize,
    ) -> Response {
        self.render_with(status, page.lang, Some(page), name, view)
    }

    /// The translated message of an error code.
    pub fn error_message(&self, lang: Lang, error: &AppError) -> String {
        Catalogs::get().format(lang, &format!("error-{}", error.code), &[])
    }

    /// An error page for a request.
    pub fn error_page(&self, page: &Page, error: impl Into<AppError>) -> Response {
        let error = error.into();
        let message = self.error_message(page.lang, &error);
        self.render_with(
            error.status,
            page.lang,
            Some(page),
            "error.html",
            &views::ErrorPage {
                message,
                code: error.code,
                status: error.status.as_u16(),
            },
        )
    }

    /// An error page when no [`Page`] could be built (bad form bodies).
    pub fn bare_error_page(&self, lang: Lang, error: &AppError) -> Response {
        let message = self.error_message(lang, error);
        self.render_with(
            error.status,
            lang,
            None,
            "error.html",
            &views::ErrorPage {
                message,
                code: error.code,
                status: error.status.as_u16(),
            },
        )
    }

    /// The confirmation step of a destructive action (`confirm.html`):
    /// shown by the action's `GET`, its form posts the action itself.
    pub fn confirm_page(&self, page: &Page, confirm: views::ConfirmView) -> Response {
        #[derive(Serialize)]
        struct ConfirmPage {
            confirm: views::ConfirmView,
        }
        self.render(page, "confirm.html", &ConfirmPage { confirm })
    }

    /// The charter as sanitised HTML, in the page's language.
    pub fn charter_html(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.charters.fr.clone(),
            Lang::En => self.charters.en.clone(),
        }
    }
}

/// The charter in both languages as sanitised HTML, rendered once when the
/// instance starts rather than on each page.
#[derive(Debug, Clone, Default)]
pub struct Charters {
    fr: String,
    en: String,
}

impl Charters {
    /// Renders the configured charters, or the catalogs' default text.
    /// Markdown nested too deep is shown flattened rather than refused: it
    /// comes from the configuration, not from a form.
    pub fn render(settings: &crate::config::Settings) -> Charters {
        let render = |lang: Lang, configured: &str| {
            let text = if configured.trim().is_empty() {
                Catalogs::get().format(lang, "charter-default", &[])
            } else {
                configured.to_string()
            };
            crate::domain::rendering::markdown_now(&text, "charter")
                .unwrap_or_else(|_| crate::domain::rendering::remote_html_now(&text))
        };
        Charters {
            fr: render(Lang::Fr, &settings.instance.charter_fr),
            en: render(Lang::En, &settings.instance.charter_en),
        }
    }
}

/// The form field a domain refusal names, for the message beside it: the
/// detail of a rule error up to its first `:` (`"languages: xx"` names
/// `languages`).
pub fn error_field(error: &crate::domain::DomainError) -> Option<String> {
    match error {
        crate::domain::DomainError::Refused(refusal) => refusal
            .detail()?
            .split(':')
            .next()
            .map(str::trim)
            .filter(|field| !field.is_empty() && !field.contains(' '))
            .map(str::to_string),
        _ => None,
    }
}

/// Serves the stylesheet compiled into the binary.
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("static/preau.css"),
    )
        .into_response()
}

/// Serves the icon compiled into the binary, at /favicon.svg and at
/// /favicon.ico (asked for by browsers that ignore the `<link rel=icon>`).
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        include_str!("static/favicon.svg"),
    )
        .into_response()
}

/// Serves the live-updates script compiled into the binary.
async fn live_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("static/live.js"),
    )
        .into_response()
}

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show_home))
        .route("/about/charter", get(home::show_charter))
        .route("/lang/{code}", get(home::switch_language))
        .route("/static/preau.css", get(stylesheet))
        .route("/static/live.js", get(live_script))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/signup", get(auth::show_signup).post(auth::submit_signup))
        .route("/verify", get(auth::verify_email))
        .route(
            "/verify/resend",
            get(auth::show_resend).post(auth::submit_resend),
        )
        .route("/login", get(auth::show_login).post(auth::submit_login))
        .route("/logout", post(auth::submit_logout))
        .route(
            "/password/forgot",
            get(auth::show_forgot).post(auth::submit_forgot),
        )
        .route(
            "/password/reset",
            get(auth::show_reset).post(auth::submit_reset),
        )
        .route("/@{name}", get(remote_people::show_person))
        .route("/@{name}/invite", post(remote_people::submit_invite))
        .route(
            "/settings/profile",
            get(profile::show_edit).post(profile::submit_edit),
        )
        .route(
            "/settings/avatar",
            post(avatars::submit_avatar).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/settings/avatar/remove",
            get(avatars::confirm_remove_avatar).post(avatars::submit_remove_avatar),
        )
        .route("/avatars/{person}/{file}", get(avatars::serve_avatar))
        .route("/admin", get(admin::show_admin))
        .route("/admin/users.csv", get(admin::export_csv))
        .route("/admin/instances", get(admin_instances::show_instances))
        .route(
            "/admin/instances/{host}/recheck",
            post(admin_instances::recheck),
        )
        .route(
            "/admin/instances/{host}/manual",
            post(admin_instances::set_manual),
        )
        .route("/admin/users/{name}/approve", post(admin::approve_user))
        .route("/admin/users/{name}/refuse", post(admin::refuse_user))
        .route(
            "/admin/users/{name}/suspend",
            get(admin::confirm_suspend).post(admin::suspend_user),
        )
        .route(
            "/forums",
            get(forums::show_forums).post(forums::submit_create_forum),
        )
        .route("/forums/follow", post(forums::submit_follow))
        .route("/forums/{name}", get(forums::show_forum))
        .route("/forums/{name}/threads", post(forums::submit_thread))
        .route(
            "/forums/{name}/unfollow",
            get(forums::confirm_unfollow).post(forums::submit_unfollow),
        )
        .route(
            "/forums/{name}/mail-subscription",
            post(mail_lists::submit_forum),
        )
        .route(
            "/forums/{name}/mail-subscription/stop",
            get(mail_lists::confirm_forum_stop),
        )
        .route(
            "/projects/{name}/mail-subscription",
            post(mail_lists::submit_project),
        )
        .route(
            "/projects/{name}/mail-subscription/stop",
            get(mail_lists::confirm_project_stop),
        )
        .route(
            "/settings/mail-subscriptions/stop",
            get(mail_lists::confirm_stop).post(mail_lists::submit_stop),
        )
        .route("/threads/{id}", get(forums::show_thread))
        .route("/threads/{id}/replies", post(forums::submit_reply))
        .route("/threads/{id}/moderate", post(posts::submit_moderate))
        .route("/forums/{name}/reports", get(moderation::show_forum_queue))
        .route(
            "/forums/{name}/bans",
            get(forum_bans::show_bans).post(forum_bans::submit_ban),
        )
        .route(
            "/forums/{name}/bans/lift",
            get(forum_bans::confirm_lift).post(forum_bans::submit_lift),
        )
        .route("/moderation/reports", get(moderation::show_queue))
        .route(
            "/moderation/reports/{id}/resolve",
            post(moderation::submit_resolve),
        )
        .route(
            "/moderation/reports/{id}/dismiss",
            post(moderation::submit_dismiss),
        )
        .route("/post/{id}/edit", post(posts::submit_edit))
        .route(
            "/post/{id}/delete",
            get(posts::confirm_delete).post(posts::submit_delete),
        )
        .route("/post/{id}/like", post(posts::submit_like))
        .route("/post/{id}/report", post(posts::submit_report))
        .route(
            "/post/{id}/remove",
            get(posts::confirm_remove).post(posts::submit_remove),
        )
        .route(
            "/projects",
            get(projects::show_projects).post(projects::submit_new_project),
        )
        .route("/projects/new", get(projects::show_new_project))
        .route("/projects/lookup", post(project_members::submit_lookup))
        .route("/projects/{name}", get(project_page::show_project))
        .route("/projects/{name}/forum", get(project_page::show_forum))
        .route("/projects/{name}/search", get(search::show_project_search))
        .route(
            "/projects/{name}/documents",
            get(project_page::show_documents)
                .post(project_content::submit_document)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/projects/{name}/agenda", get(project_page::show_agenda))
        .route("/projects/{name}/members", get(project_page::show_members))
        .route(
            "/projects/{name}/activity",
            get(project_page::show_activity),
        )
        .route(
            "/projects/{name}/edit",
            get(projects::show_edit_project).post(projects::submit_edit_project),
        )
        .route(
            "/projects/{name}/invite",
            post(project_members::submit_invite),
        )
        .route("/projects/{name}/join", post(project_members::submit_join))
        .route(
            "/projects/{name}/leave",
            get(project_members::confirm_leave).post(project_members::submit_leave),
        )
        .route(
            "/projects/{name}/answer",
            post(project_members::submit_answer),
        )
        .route(
            "/projects/{name}/members/{member}",
            post(project_members::submit_member_action),
        )
        .route(
            "/projects/{name}/members/{member}/remove",
            get(project_members::confirm_remove_member),
        )
        .route(
            "/projects/{name}/members.csv",
            get(project_members::export_members_csv),
        )
        .route("/requests", get(project_members::show_requests))
        .route(
            "/conversations",
            get(conversations::show_conversations).post(conversations::submit_conversation),
        )
        .route("/conversations/{id}", get(conversations::show_conversation))
        .route(
            "/conversations/{id}/messages",
            post(conversation_actions::submit_message),
        )
        .route(
            "/conversations/{id}/lines",
            get(conversation_lines::show_lines),
        )
        .route(
            "/conversations/{id}/messages/{line}/edit",
            post(conversation_actions::submit_edit),
        )
        .route(
            "/conversations/{id}/messages/{line}/delete",
            get(conversation_actions::confirm_delete).post(conversation_actions::submit_delete),
        )
        .route(
            "/conversations/{id}/invite",
            post(conversation_actions::submit_invite),
        )
        .route(
            "/conversations/{id}/answer",
            post(conversation_actions::submit_answer),
        )
        .route(
            "/conversations/{id}/request",
            post(message_requests::submit_request_answer),
        )
        .route(
            "/conversations/{id}/leave",
            get(conversation_actions::confirm_leave).post(conversation_actions::submit_leave),
        )
        .route(
            "/conversations/{id}/remove/{person}",
            get(conversation_actions::confirm_remove).post(conversation_actions::submit_remove),
        )
        .route(
            "/conversations/{id}/export",
            get(conversations::export_conversation),
        )
        .route(
            "/contacts",
            get(contact_categories::show_contacts).post(contacts::submit_contact_request),
        )
        .route(
            "/contacts/categories",
            post(contact_categories::submit_create_category),
        )
        .route(
            "/contacts/categories/{id}/rename",
            post(contact_categories::submit_rename_category),
        )
        .route(
            "/contacts/categories/{id}/delete",
            get(contact_categories::confirm_delete_category)
                .post(contact_categories::submit_delete_category),
        )
        .route(
            "/contacts/{id}/move",
            post(contact_categories::submit_move_contact),
        )
        .route(
            "/contacts/{id}/remove",
            get(contact_categories::confirm_remove_contact)
                .post(contact_categories::submit_remove_contact),
        )
        .route(
            "/contacts/{id}/answer",
            post(contacts::submit_contact_answer),
        )
        .route(
            "/contacts/{id}/block",
            get(person_blocks::confirm_block).post(person_blocks::submit_block),
        )
        .route(
            "/contacts/{id}/unblock",
            post(person_blocks::submit_unblock),
        )
        .route("/settings/presence", post(person_blocks::submit_presence))
        .route("/directory", get(directory::show_directory))
        .route("/directory/lookup", post(remote_people::submit_lookup))
        .route("/search", get(search::show_search))
        .route(
            "/projects/{name}/threads",
            post(project_content::submit_thread),
        )
        .route(
            "/projects/{name}/threads/{id}",
            get(project_content::show_thread),
        )
        .route(
            "/projects/{name}/threads/{id}/replies",
            post(project_content::submit_reply),
        )
        .route(
            "/projects/{name}/documents/{version}",
            get(project_content::download_document),
        )
        .route(
            "/projects/{name}/posts/{id}/edit",
            get(project_edits::show_edit_post).post(project_edits::submit_edit_post),
        )
        .route(
            "/projects/{name}/posts/{id}/delete",
            get(project_edits::confirm_delete_post).post(project_edits::submit_delete_post),
        )
        .route(
            "/projects/{name}/events/{id}/edit",
            get(project_edits::show_edit_event).post(project_edits::submit_edit_event),
        )
        .route(
            "/projects/{name}/events/{id}/delete",
            get(project_edits::confirm_delete_event).post(project_edits::submit_delete_event),
        )
        .route(
            "/projects/{name}/documents/{version}/edit",
            get(project_edits::show_edit_document).post(project_edits::submit_edit_document),
        )
        .route(
            "/projects/{name}/documents/{version}/delete",
            get(project_edits::confirm_delete_document).post(project_edits::submit_delete_document),
        )
        .route(
            "/projects/{name}/events",
            post(project_content::submit_event),
        )
        .route(
            "/projects/{name}/agenda.ics",
            get(project_content::export_project_agenda),
        )
        .route("/agenda", get(project_content::show_agenda))
        .route(
            "/settings/notifications",
            get(notification_settings::show_settings).post(notification_settings::submit_settings),
        )
        .route(
            "/unsubscribe/{account}/{kind}/{signature}",
            get(notification_settings::show_unsubscribe)
                .post(notification_settings::submit_unsubscribe),
        )
        .route("/agenda.ics", get(project_content::export_agenda))
        .route("/notifications", get(notifications::show_notifications))
        .route("/notifications/read", post(notifications::submit_mark_read))
        .route(
            "/notifications/{id}/open",
            get(notifications::open_notification),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_view_hides_the_base_field_of_the_same_name() {
        #[derive(Serialize)]
        struct Base {
            lang: &'static str,
            path: &'static str,
        }
        #[derive(Serialize)]
        struct View {
            path: &'static str,
            title: &'static str,
        }
        let context = page_context(
            &Base {
                lang: "fr",
                path: "/",
            },
            &View {
                path: "/forums",
                title: "Forums",
            },
        );
        let env = Environment::new();
        let html = env
            .render_str("{{ lang }} {{ path }} {{ title }}", context)
            .unwrap();
        assert_eq!(html, "fr /forums Forums");
    }

    #[test]
    fn dates_are_written_in_the_page_language_and_the_reader_zone() {
        let env = build_templates().unwrap();
        let render = |lang: &str, zone: &str, source: &str| {
            env.render_str(
                source,
                minijinja::context! {
                    lang => lang,
                    time_zone => zone,
                    starts => "2027-01-12T17:00:00Z",
                    ends => "2027-01-12T18:30:00Z",
                    name => "<b>",
                },
            )
            .unwrap()
        };
        assert_eq!(
            render("fr", "Europe/Paris", "{{ starts|when }}"),
            "<time datetime=\"2027-01-12T17:00:00Z\">mar. 12 janv. 2027, 18 h</time>"
        );
        assert_eq!(
            render("en", "America/Martinique", "{{ starts|when }}"),
            "<time datetime=\"2027-01-12T17:00:00Z\">Tue 12 Jan 2027, 13:00</time>"
        );
        assert_eq!(
            render(
                "fr",
                "America/Martinique",
                "{{ starts|when(none, 'Europe/Paris') }}"
            ),
            "<time datetime=\"2027-01-12T17:00:00Z\">mar. 12 janv. 2027, 18 h</time>"
        );
        assert_eq!(
            render(
                "fr",
                "Europe/Paris",
                "{{ starts|when('text') }}|{{ ends|when('hour') }}|{{ ''|when }}"
            ),
            "mar. 12 janv. 2027, 18 h|<time datetime=\"2027-01-12T18:30:00Z\">19 h 30</time>|"
        );
        // Inside a message, the markup is kept and everything else escaped.
        assert_eq!(
            render("fr", "Europe/Paris", "{{ t('event-when', starts=starts|when, ends=name) }}"),
            "du <time datetime=\"2027-01-12T17:00:00Z\">mar. 12 janv. 2027, 18 h</time> au &lt;b&gt;"
        );
    }

    /// An event within one day in the reader's zone names its day once;
    /// one that crosses midnight there names both ends whole.
    #[test]
    fn an_event_of_one_day_names_its_day_once() {
        let env = build_templates().unwrap();
        let render = |lang: &str, zone: &str, ends: &str| {
            env.render_str(
                "{% include 'event_when.html' %}",
                minijinja::context! {
                    lang => lang,
                    time_zone => zone,
                    event => minijinja::context! {
                        starts => "2027-01-12T17:00:00Z",
                        ends => ends,
                        time_zone => zone,
                    },
                },
            )
            .unwrap()
        };
        let text = |html: String| {
            let mut out = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out
        };
        assert_eq!(
            text(render("fr", "Europe/Paris", "2027-01-12T18:30:00Z")),
            "le mar. 12 janv. 2027, de 18 h à 19 h 30"
        );
        assert_eq!(
            text(render("en", "Europe/Paris", "2027-01-12T18:30:00Z")),
            "Tue 12 Jan 2027, from 18:00 to 19:30"
        );
        // Until 23 h 30 in Paris: still one day; in Tokyo the same
        // span crosses midnight.
        assert_eq!(
            text(render("fr", "Europe/Paris", "2027-01-12T22:30:00Z")),
            "le mar. 12 janv. 2027, de 18 h à 23 h 30"
        );
        assert_eq!(
            text(render("fr", "Asia/Tokyo", "2027-01-13T16:00:00Z")),
            "du mer. 13 janv. 2027, 2 h au jeu. 14 janv. 2027, 1 h"
        );
    }

    #[test]
    fn templates_compile() {
        let env = build_templates().unwrap();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    /// An error page says what happened and where to go next; its code is
    /// kept for support in an attribute, never shown as text.
    #[test]
    fn an_error_page_hides_its_code_and_says_where_to_go() {
        let env = build_templates().unwrap();
        let render = |status: u16, logged_in: bool| {
            let context = minijinja::context! {
                lang => "fr",
                path => "/projects/club/threads/3",
                instance => minijinja::context! { name => "Préau" },
                user => if logged_in { Some(minijinja::context! { username => "anne" }) } else { None },
                message => "Réservé aux membres du projet.",
                code => "not_project_member",
                status => status,
            };
            env.get_template("error.html")
                .unwrap()
                .render(context)
                .unwrap()
        };
        let page = render(403, true);
        assert!(
            page.contains(r#"data-error-code="not_project_member""#),
            "{page}"
        );
        let text_only = page.replace(r#"data-error-code="not_project_member""#, "");
        assert!(!text_only.contains("not_project_member"), "{page}");
        assert!(page.contains("Accès refusé"), "{page}");
        assert!(page.contains("Votre compte n’a pas accès"), "{page}");
        // Anonymous: a log-in link that comes back here.
        let page = render(403, false);
        assert!(
            page.contains("/login?next=&#x2f;projects&#x2f;club&#x2f;threads&#x2f;3"),
            "{page}"
        );
        let page = render(404, false);
        assert!(page.contains("Page introuvable"), "{page}");
    }
}
