//! Sign-up, e-mail verification, log-in, log-out and password reset pages.

use super::{
    redirect,
    session::{clear_session_cookie, fresh_csrf_cookie, session_cookie, CsrfForm, Page},
    views::{LinkView, MessagePage, ResendView},
};
use crate::extract::WebQuery;
use crate::{
    app::AppState,
    domain::{accounts::SignupInput, rows::AccountStatus, DomainError},
    error::AppError,
    i18n::Catalogs,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

/// `signup.html`.
#[derive(Serialize)]
struct SignupPage<'a> {
    form: &'a SignupForm,
    error: Option<String>,
    error_field: Option<String>,
    charter_html: String,
}

/// `email_form.html`: one e-mail field (new verification link, forgotten
/// password).
#[derive(Serialize)]
struct EmailFormPage<'a> {
    heading: String,
    intro: String,
    submit: String,
    action: &'static str,
    email: &'a str,
    error: Option<String>,
}

/// `login.html`.
#[derive(Serialize)]
struct LoginPage<'a> {
    form: &'a LoginForm,
    error: Option<String>,
    /// Where to go after logging in.
    next: String,
}

/// `reset.html`: the new-password form.
#[derive(Serialize)]
struct ResetPage {
    token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The sign-up form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    motivation: String,
    #[serde(default)]
    accept_charter: Option<String>,
}

fn field_of(error: &DomainError) -> Option<String> {
    super::error_field(error)
}

fn rate_limited() -> AppError {
    AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited")
}

fn signup_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: &SignupForm,
    error: Option<(String, Option<String>)>,
) -> Response {
    let (message, field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    state.render_status(
        status,
        page,
        "signup.html",
        &SignupPage {
            form,
            error: message,
            error_field: field,
            charter_html: state.charter_html(page.lang),
        },
    )
}

/// `GET /signup`.
pub async fn show_signup(State(state): State<AppState>, page: Page) -> Response {
    signup_page(&state, &page, StatusCode::OK, &SignupForm::default(), None)
}

/// `POST /signup`: creates the account and sends the verification mail.
/// An address that already has an account gets the same answer (its owner
/// gets a mail instead; see [`crate::domain::accounts::SignupOutcome`]).
pub async fn submit_signup(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> Response {
    if !state.limits.allow_signup(page.client_ip) {
        let error = rate_limited();
        let message = state.error_message(page.lang, &error);
        return signup_page(&state, &page, error.status, &form, Some((message, None)));
    }
    let input = SignupInput {
        username: form.username.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        accept_charter: form.accept_charter.as_deref() == Some("yes"),
        school: form.school.clone(),
        motivation: form.motivation.clone(),
        lang: page.lang,
    };
    match state.domain.sign_up(input).await {
        Ok(outcome) if !outcome.verification_sent => {
            let text = Catalogs::get().format(page.lang, "signup-done-mail-failed", &[]);
            message_page(
                &state,
                &page,
                StatusCode::CREATED,
                "signup-done-title",
                vec![text],
                None,
                Some(&outcome.receipt.email),
            )
        }
        Ok(outcome) => {
            let account = outcome.receipt;
            let catalogs = Catalogs::get();
            let mut paragraphs =
                vec![catalogs.format(page.lang, "signup-done-body", &[("email", &account.email)])];
            if state.domain.settings.instance.registrations
                == crate::config::Registrations::Approval
            {
                paragraphs.push(catalogs.format(page.lang, "signup-done-approval", &[]));
            }
            message_page(
                &state,
                &page,
                StatusCode::CREATED,
                "signup-done-title",
                paragraphs,
                None,
                Some(&account.email),
            )
        }
        Err(error) => {
            let field = field_of(&error);
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            signup_page(&state, &page, error.status, &form, Some((message, field)))
        }
    }
}

/// Renders `message.html`: a heading, paragraphs, an optional link and an
/// optional "send a new link" form.
fn message_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    heading_key: &str,
    paragraphs: Vec<String>,
    link: Option<(&str, &str)>,
    resend_email: Option<&str>,
) -> Response {
    let catalogs = Catalogs::get();
    let link = link.map(|(href, label_key)| LinkView {
        href: href.to_string(),
        label: catalogs.format(page.lang, label_key, &[]),
    });
    state.render_status(
        status,
        page,
        "message.html",
        &MessagePage {
            heading: catalogs.format(page.lang, heading_key, &[]),
            paragraphs,
            link,
            resend: resend_email.map(|email| ResendView {
                email: email.to_string(),
            }),
        },
    )
}

/// Query with a token from an e-mailed link.
#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /verify?token=…`: the link from the verification mail.
pub async fn verify_email(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Response {
    match state.domain.verify_email(&query.token).await {
        Ok(account) => {
            let key = if account.status == AccountStatus::PendingApproval {
                "verify-done-pending"
            } else {
                "verify-done-active"
            };
            let text = Catalogs::get().format(page.lang, key, &[]);
            let link = (account.status == AccountStatus::Active)
                .then_some(("/login", "verify-login-link"));
            message_page(
                &state,
                &page,
                StatusCode::OK,
                "verify-done-title",
                vec![text],
                link,
                None,
            )
        }
        Err(error) => state.error_page(&page, error),
    }
}

/// A form with one e-mail field.
#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

fn email_form_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    which: &str,
    email: &str,
    error: Option<String>,
) -> Response {
    let catalogs = Catalogs::get();
    let (heading, intro, submit, action) = match which {
        "resend" => (
            "resend-title",
            "resend-intro",
            "verify-resend",
            "/verify/resend",
        ),
        _ => (
            "forgot-title",
            "forgot-intro",
            "forgot-submit",
            "/password/forgot",
        ),
    };
    state.render_status(
        status,
        page,
        "email_form.html",
        &EmailFormPage {
            heading: catalogs.format(page.lang, heading, &[]),
            intro: catalogs.format(page.lang, intro, &[]),
            submit: catalogs.format(page.lang, submit, &[]),
            action,
            email,
            error,
        },
    )
}

/// `GET /verify/resend`.
pub async fn show_resend(State(state): State<AppState>, page: Page) -> Response {
    email_form_page(&state, &page, StatusCode::OK, "resend", "", None)
}

/// `POST /verify/resend`: always answers the same, known address or not.
pub async fn submit_resend(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    if !state.limits.allow_signup(page.client_ip) {
        let error = rate_limited();
        return email_form_page(
            &state,
            &page,
            error.status,
            "resend",
            &form.email,
            Some(state.error_message(page.lang, &error)),
        );
    }
    match state.domain.resend_verification(&form.email).await {
        Ok(()) => {
            let text = Catalogs::get().format(page.lang, "resend-done", &[]);
            message_page(
                &state,
                &page,
                StatusCode::OK,
                "resend-title",
                vec![text],
                None,
                None,
            )
        }
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            email_form_page(
                &state,
                &page,
                error.status,
                "resend",
                &form.email,
                Some(message),
            )
        }
    }
}

/// The log-in form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Query of the log-in page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: &LoginForm,
    error: Option<String>,
) -> Response {
    state.render_status(
        status,
        page,
        "login.html",
        &LoginPage {
            form,
            error,
            next: form.next.clone().unwrap_or_default(),
        },
    )
}

/// `GET /login`.
pub async fn show_login(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<NextQuery>,
) -> Response {
    let form = LoginForm {
        next: query.next,
        ..LoginForm::default()
    };
    login_page(&state, &page, StatusCode::OK, &form, None)
}

/// `POST /login`: opens a session and goes to the profile (or `next`).
pub async fn submit_login(
    State(state): State<AppState>,
    page: Page,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    if !state.limits.allow_login(page.client_ip) {
        let error = rate_limited();
        let message = state.error_message(page.lang, &error);
        return login_page(&state, &page, error.status, &form, Some(message));
    }
    match state
        .domain
        .log_in_noting_first(&form.login, &form.password)
        .await
    {
        Ok((_, token, first)) => {
            // A target that is not a path on this site goes home: the
            // log-in worked, the target was refused. Without one, every
            // log-in leads home, which invites a teacher whose profile is
            // still empty to complete it (with a welcome the first time).
            let target = match form.next.as_deref() {
                Some(next) if !next.is_empty() => redirect::target_or(Some(next), "/"),
                _ if first => "/?welcome=1".to_string(),
                _ => "/".to_string(),
            };
            // A previous session on this browser ends with the new log-in.
            if let Some(old) = &page.session_token {
                let _ = state.domain.log_out(old).await;
            }
            // A new pre-session secret: a CSRF token obtained before the
            // log-in (or planted with a cookie) is dead after it.
            (
                jar.add(session_cookie(&state, token))
                    .add(fresh_csrf_cookie(&state)),
                redirect::to(&target),
            )
                .into_response()
        }
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            login_page(&state, &page, error.status, &form, Some(message))
        }
    }
}

/// The log-out form has only its CSRF field.
#[derive(Deserialize)]
pub struct EmptyForm {}

/// `POST /logout`.
pub async fn submit_logout(
    State(state): State<AppState>,
    page: Page,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Response {
    if let Some(token) = &page.session_token {
        if let Err(error) = state.domain.log_out(token).await {
            return state.error_page(&page, error);
        }
    }
    (
        jar.add(clear_session_cookie())
            .add(fresh_csrf_cookie(&state)),
        redirect::to("/"),
    )
        .into_response()
}

/// `GET /password/forgot`.
pub async fn show_forgot(State(state): State<AppState>, page: Page) -> Response {
    email_form_page(&state, &page, StatusCode::OK, "forgot", "", None)
}

/// `POST /password/forgot`: sends a reset link if the address is known,
/// and answers the same either way.
pub async fn submit_forgot(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    if !state.limits.allow_signup(page.client_ip) {
        let error = rate_limited();
        return email_form_page(
            &state,
            &page,
            error.status,
            "forgot",
            &form.email,
            Some(state.error_message(page.lang, &error)),
        );
    }
    match state.domain.request_password_reset(&form.email).await {
        Ok(()) => {
            let text = Catalogs::get().format(page.lang, "forgot-done", &[]);
            message_page(
                &state,
                &page,
                StatusCode::OK,
                "forgot-title",
                vec![text],
                None,
                None,
            )
        }
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            email_form_page(
                &state,
                &page,
                error.status,
                "forgot",
                &form.email,
                Some(message),
            )
        }
    }
}

/// `GET /password/reset?token=…`.
pub async fn show_reset(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<TokenQuery>,
) -> Response {
    state.render(
        &page,
        "reset.html",
        &ResetPage {
            token: query.token,
            error: None,
        },
    )
}

/// The new-password form.
#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// `POST /password/reset`.
pub async fn submit_reset(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Response {
    match state
        .domain
        .reset_password(&form.token, &form.password)
        .await
    {
        Ok(_) => {
            let text = Catalogs::get().format(page.lang, "reset-done", &[]);
            message_page(
                &state,
                &page,
                StatusCode::OK,
                "reset-title",
                vec![text],
                Some(("/login", "verify-login-link")),
                None,
            )
        }
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            state.render_status(
                error.status,
                &page,
                "reset.html",
                &ResetPage {
                    token: form.token,
                    error: Some(message),
                },
            )
        }
    }
}
