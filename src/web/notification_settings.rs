//! `/settings/notifications`: how each kind of notification reaches the
//! logged-in teacher (radio groups, no JavaScript needed), and the signed
//! one-click unsubscribe links of notification mails (`/unsubscribe/...`),
//! which work without logging in.

use super::session::{CsrfForm, Page};
use crate::{
    app::AppState,
    domain::notification_settings::{Delivery, DigestFrequency, SettingsChange},
    error::AppError,
    extract::WebPath,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// One radio button.
#[derive(Serialize)]
struct Choice {
    value: &'static str,
    checked: bool,
}

/// One kind's radio group.
#[derive(Serialize)]
struct KindView {
    kind: &'static str,
    choices: Vec<Choice>,
}

/// One forum or project followed by e-mail.
#[derive(Serialize)]
struct ListView {
    group: i64,
    /// `forum` or `project`.
    kind: &'static str,
    title: String,
    handle: String,
    link: String,
}

/// `notification_settings.html`.
#[derive(Serialize)]
struct SettingsPage {
    kinds: Vec<KindView>,
    lists: Vec<ListView>,
    digest: Vec<Choice>,
    error: Option<String>,
}

/// `unsubscribe.html`.
#[derive(Serialize)]
struct UnsubscribePage {
    /// The kind's catalog key suffix, or `digest`.
    kind: String,
    username: String,
    /// For a mailing list, the forum's or project's title.
    list: Option<String>,
    /// Where the confirmation form posts.
    action: String,
    done: bool,
}

async fn settings_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    settings: &crate::domain::notification_settings::NotificationSettings,
    error: Option<String>,
) -> Response {
    let lists = match &page.user {
        Some(user) => match state.domain.mail_subscriptions(user).await {
            Ok(lists) => lists
                .into_iter()
                .map(|list| ListView {
                    group: list.group_id.0,
                    kind: list.kind.as_str(),
                    title: list.title,
                    handle: list.handle,
                    link: list.link,
                })
                .collect(),
            Err(error) => return state.error_page(page, error),
        },
        None => Vec::new(),
    };
    let kinds = settings
        .kinds
        .iter()
        .map(|(kind, chosen)| KindView {
            kind,
            choices: Delivery::ALL
                .into_iter()
                .map(|delivery| Choice {
                    value: delivery.as_str(),
                    checked: delivery == *chosen,
                })
                .collect(),
        })
        .collect();
    let digest = DigestFrequency::ALL
        .into_iter()
        .map(|frequency| Choice {
            value: frequency.as_str(),
            checked: frequency == settings.digest,
        })
        .collect();
    state.render_status(
        status,
        page,
        "notification_settings.html",
        &SettingsPage {
            kinds,
            lists,
            digest,
            error,
        },
    )
}

/// `GET /settings/notifications`.
pub async fn show_settings(State(state): State<AppState>, page: Page) -> Response {
    let Some(user) = &page.user else {
        return super::redirect::to("/login?next=%2Fsettings%2Fnotifications");
    };
    match state.domain.notification_settings(user).await {
        Ok(settings) => settings_page(&state, &page, StatusCode::OK, &settings, None).await,
        Err(error) => state.error_page(&page, error),
    }
}

/// `POST /settings/notifications`: fields `kind-KIND` (a delivery) and
/// `digest`.
pub async fn submit_settings(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Response {
    let Some(user) = &page.user else {
        return super::redirect::to("/login?next=%2Fsettings%2Fnotifications");
    };
    let change = SettingsChange {
        kinds: form
            .iter()
            .filter_map(|(name, value)| {
                name.strip_prefix("kind-")
                    .map(|kind| (kind.to_string(), value.clone()))
            })
            .collect(),
        digest: form.get("digest").cloned(),
    };
    match state.domain.set_notification_settings(user, &change).await {
        Ok(_) => super::notice::redirect(
            "/settings/notifications",
            super::notice::Notice::new("notification-settings-saved"),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            match state.domain.notification_settings(user).await {
                Ok(settings) => {
                    settings_page(&state, &page, error.status, &settings, Some(message)).await
                }
                Err(other) => state.error_page(&page, other),
            }
        }
    }
}

fn unsubscribe_page(state: &AppState, page: &Page, target: UnsubscribePage) -> Response {
    state.render(page, "unsubscribe.html", &target)
}

/// `GET /unsubscribe/{account}/{kind}/{signature}`: asks to confirm.
pub async fn show_unsubscribe(
    State(state): State<AppState>,
    page: Page,
    WebPath((account, kind, signature)): WebPath<(i64, String, String)>,
) -> Response {
    match state
        .domain
        .check_unsubscribe(account, &kind, &signature)
        .await
    {
        Ok(target) => unsubscribe_page(
            &state,
            &page,
            UnsubscribePage {
                action: crate::urls::unsubscribe(account, &kind, &signature),
                kind: target.kind,
                list: target.list,
                username: target.username,
                done: false,
            },
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// `POST /unsubscribe/{account}/{kind}/{signature}`: the one-click
/// unsubscribe (RFC 8058; a mail client posts
/// `List-Unsubscribe=One-Click` with no cookie, so the signature is the
/// only credential and no CSRF token is asked).
pub async fn submit_unsubscribe(
    State(state): State<AppState>,
    page: Page,
    WebPath((account, kind, signature)): WebPath<(i64, String, String)>,
) -> Response {
    match state.domain.unsubscribe(account, &kind, &signature).await {
        Ok(target) => unsubscribe_page(
            &state,
            &page,
            UnsubscribePage {
                action: String::new(),
                kind: target.kind,
                list: target.list,
                username: target.username,
                done: true,
            },
        ),
        Err(error) => state.error_page(&page, error),
    }
}
