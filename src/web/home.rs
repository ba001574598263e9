//! The home page (a logged-in teacher's is in `home_teacher`), the
//! charter and the language switch.

use super::session::{Page, LANG_COOKIE};
use crate::extract::{WebPath, WebQuery};
use crate::{app::AppState, i18n::Lang};
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};

/// `home.html`: the instance's figures and its charter.
#[derive(Serialize)]
struct HomePage {
    stats: HomeStats,
    charter_html: String,
}

/// The figures on the home page.
#[derive(Serialize)]
struct HomeStats {
    /// Active accounts.
    users: i64,
}

/// Query of the home: the page of a teacher's posts; `welcome=1` after a
/// first log-in.
#[derive(Deserialize)]
pub struct HomeQuery {
    page: Option<String>,
    welcome: Option<String>,
}

/// `charter.html`.
#[derive(Serialize)]
struct CharterPage {
    charter_html: String,
}

/// `GET /`: what this instance is, its trust level and its charter; to an
/// ActivityPub client (Lemmy reads a server's root for its instance
/// actor), the instance actor's document.
pub async fn show_home(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    page: Page,
    WebQuery(query): WebQuery<HomeQuery>,
) -> Response {
    if crate::web::profile::wants_activity_json(&headers) {
        return crate::apub::actors::get_instance_actor(State(state)).await;
    }
    if let Some(user) = &page.user {
        // A logged-in teacher's home: what is new for them.
        return match super::notifications::page_number(query.page.as_deref()) {
            Ok(number) => {
                let welcome = query.welcome.as_deref() == Some("1");
                super::home_teacher::show(&state, &page, user, number, welcome).await
            }
            Err(error) => state.error_page(&page, error),
        };
    }
    let users = match state.domain.active_account_count().await {
        Ok(count) => count,
        Err(error) => return state.error_page(&page, error),
    };
    let charter_html = state.charter_html(page.lang);
    state.render(
        &page,
        "home.html",
        &HomePage {
            stats: HomeStats { users },
            charter_html,
        },
    )
}

/// `GET /about/charter`.
pub async fn show_charter(State(state): State<AppState>, page: Page) -> Response {
    let charter_html = state.charter_html(page.lang);
    state.render(&page, "charter.html", &CharterPage { charter_html })
}

/// Query of the language switch.
#[derive(Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

/// `GET /lang/{fr|en}?next=PATH`: remembers the language in a cookie.
pub async fn switch_language(
    State(state): State<AppState>,
    page: Page,
    WebPath(code): WebPath<String>,
    WebQuery(query): WebQuery<SwitchQuery>,
    jar: CookieJar,
) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return state.error_page(&page, crate::error::AppError::not_found());
    };
    if let Some(user) = &page.user {
        if let Err(error) = state.domain.set_account_language(user, lang.code()).await {
            return state.error_page(&page, error);
        }
    }
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(state.is_https())
        .max_age(time::Duration::days(365))
        .build();
    (
        jar.add(cookie),
        super::redirect::to(&super::redirect::target_or(query.next.as_deref(), "/")),
    )
        .into_response()
}
