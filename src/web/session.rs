//! Who is asking, in which language, and proof that a form came from us.
//!
//! - Sessions: an HttpOnly, SameSite=Lax cookie `preau_session` holding a
//!   random token (only its hash is stored); `Secure` when the instance is
//!   served over https.
//! - CSRF: a token bound to the session. Every browser holds a random
//!   pre-session secret in the `preau_csrf` cookie (SameSite=Strict,
//!   HttpOnly). Forms carry a hidden `csrf_token` derived from the session
//!   token when there is a session, else from that secret
//!   ([`form_token`]); [`CsrfForm`] refuses a POST whose field is not the
//!   token of the request's own cookies. A token read from another session,
//!   or a `preau_csrf` cookie planted by someone else, is refused for a
//!   logged-in teacher; log-in and log-out rotate the pre-session secret,
//!   so a token from before a log-in is dead after it.
//! - Language: the `preau_lang` cookie, else `Accept-Language`, else the
//!   instance default.

use crate::{app::AppState, domain::rows::AccountRow, error::AppError, i18n::Lang};
use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderValue},
    middleware::Next,
    response::Response,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine as _;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use subtle::ConstantTimeEq;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "preau_session";
/// Name of the CSRF cookie.
pub const CSRF_COOKIE: &str = "preau_csrf";
/// Name of the language cookie.
pub const LANG_COOKIE: &str = "preau_lang";

/// The CSRF token of the current request (what its forms must carry), put
/// in the request extensions by [`csrf_cookie`].
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The CSRF token forms carry: derived from the session token when the
/// browser holds a session cookie, else from its pre-session secret. Both
/// inputs are secrets only that browser holds (HttpOnly cookies), so the
/// token of one session is worthless with another session's cookies.
pub fn form_token(session_token: Option<&str>, pre_session_secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    match session_token {
        Some(session) => {
            hasher.update(b"preau csrf v2\0session\0");
            hasher.update(session.as_bytes());
        }
        None => {
            hasher.update(b"preau csrf v2\0pre-session\0");
            hasher.update(pre_session_secret.as_bytes());
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// A `preau_csrf` cookie holding a new pre-session secret: set by the
/// middleware on a browser's first visit, and by log-in and log-out so a
/// token from before them stops working.
pub fn fresh_csrf_cookie(state: &AppState) -> Cookie<'static> {
    Cookie::build((CSRF_COOKIE, random_token()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.is_https())
        .build()
}

/// Middleware: makes sure the browser holds a pre-session secret and
/// exposes the request's CSRF token ([`form_token`]) to handlers.
pub async fn csrf_cookie(
    state: axum::extract::State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|cookie| cookie.value().to_string())
        .filter(|value| value.len() >= 32);
    let (secret, new_cookie) = match existing {
        Some(secret) => (secret, None),
        None => {
            let cookie = fresh_csrf_cookie(&state);
            (cookie.value().to_string(), Some(cookie))
        }
    };
    let session = jar
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value())
        .filter(|value| !value.is_empty());
    request
        .extensions_mut()
        .insert(CsrfToken(form_token(session, &secret)));
    let mut response = next.run(request).await;
    if let Some(cookie) = new_cookie {
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A session cookie for `token`.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.is_https())
        .max_age(cookie_max_age())
        .build()
}

fn cookie_max_age() -> time::Duration {
    time::Duration::days(30)
}

/// A cookie that removes the session cookie.
pub fn clear_session_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}

/// What every page handler needs: language, logged-in user, CSRF token,
/// current path and client address.
#[derive(Debug, Clone)]
pub struct Page {
    /// Interface language.
    pub lang: Lang,
    /// The logged-in, active account.
    pub user: Option<AccountRow>,
    /// The session token, when logged in.
    pub session_token: Option<String>,
    /// CSRF token to put in forms.
    pub csrf_token: String,
    /// Path and query of the request, for the language switch.
    pub path: String,
    /// The client's address, for rate limits.
    pub client_ip: IpAddr,
    /// The header's counts (unread notifications, pending requests) when
    /// logged in.
    pub counts: Option<crate::domain::home::HeaderCounts>,
    /// The confirmation of the action just done ([`super::notice`]), in
    /// the page's language.
    pub notice: Option<String>,
    /// The zone dates are shown in: the teacher's, or the instance's
    /// default for visitors.
    pub time_zone: chrono_tz::Tz,
    /// The status the teacher chose (`available`, `away`, `busy`), shown
    /// beside their name in the header.
    pub presence: Option<&'static str>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let session_token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|v| !v.is_empty());
        let user = match &session_token {
            Some(token) => state.domain.session_account(token).await?,
            None => None,
        };
        let lang = jar
            .get(LANG_COOKIE)
            .and_then(|cookie| Lang::parse(cookie.value()))
            .or_else(|| user.as_ref().and_then(|u| Lang::parse(&u.locale)))
            .unwrap_or_else(|| lang_from_headers(&parts.headers, state));
        let csrf_token = parts
            .extensions
            .get::<CsrfToken>()
            .map(|token| token.0.clone())
            .unwrap_or_default();
        let path = parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let client_ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        // A fragment for a page's script (`conversation_lines`) has no
        // header: neither its counts nor the teacher's own presence are
        // read for it (the fragment reads the counts it shows itself).
        let whole_page = !super::conversation_lines::wants_lines_fragment(&parts.headers);
        // One query; a failure costs the header its counts, not the page.
        let counts = match &user {
            Some(_) if !whole_page => None,
            Some(account) => match state.domain.header_counts(account).await {
                Ok(counts) => Some(counts),
                Err(error) => {
                    tracing::warn!(%error, "header counts unavailable");
                    None
                }
            },
            None => None,
        };
        // A request is activity (presence); a failure costs the header
        // its status, not the page.
        let presence = match &user {
            Some(account) => {
                if let Err(error) = state.domain.note_activity(account.actor_id).await {
                    tracing::warn!(%error, "recording activity failed");
                }
                match whole_page {
                    true => state
                        .domain
                        .own_presence(account.actor_id)
                        .await
                        .map(|status| status.as_str())
                        .ok(),
                    false => None,
                }
            }
            None => None,
        };
        let notice = super::notice::from_headers(&parts.headers, lang);
        let time_zone = match &user {
            Some(account) => state.domain.time_zone_of(account),
            None => state.domain.settings.instance.time_zone(),
        };
        Ok(Page {
            time_zone,
            lang,
            user,
            session_token,
            csrf_token,
            path,
            client_ip,
            counts,
            notice,
            presence,
        })
    }
}

/// The language a request asks for without a session: the language
/// cookie, else `Accept-Language`, else the instance default.
pub fn lang_from_headers(headers: &axum::http::HeaderMap, state: &AppState) -> Lang {
    CookieJar::from_headers(headers)
        .get(LANG_COOKIE)
        .and_then(|cookie| Lang::parse(cookie.value()))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_else(|| Lang::from_code(&state.domain.settings.instance.default_language))
}

/// The hidden field every form carries.
#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// A form body whose `csrf_token` is the token of the request's own
/// cookies ([`form_token`]).
pub struct CsrfForm<T>(pub T);

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_from_headers(request.headers(), state);
        let fail = |error: AppError| state.bare_error_page(lang, &error);
        let expected = request
            .extensions()
            .get::<CsrfToken>()
            .map(|token| token.0.clone())
            .unwrap_or_default();
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| {
                fail(AppError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                ))
            })?;
        let field: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| {
            fail(AppError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_form",
            ))
        })?;
        let matches = !expected.is_empty()
            && bool::from(field.csrf_token.as_bytes().ct_eq(expected.as_bytes()));
        if !matches {
            return Err(fail(AppError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf_failed",
            )));
        }
        if let Err(error) = crate::extract::check_form_text(&bytes) {
            return Err(fail(crate::extract::form_text_refusal(
                error,
                "invalid_form",
            )));
        }
        let form = serde_html_form::from_bytes(&bytes).map_err(|error| {
            fail(
                AppError::new(axum::http::StatusCode::BAD_REQUEST, "invalid_form")
                    .with_detail(error.to_string()),
            )
        })?;
        Ok(CsrfForm(form))
    }
}

/// A `multipart/form-data` body (a file upload) whose `csrf_token` field
/// is the token of the request's own cookies: its text fields and its one
/// file. A file over `[projects] max_document_bytes` is read to its end
/// but not kept ([`CsrfUpload::too_large`]), so the form can come back
/// with the reason at its field; a body more than
/// [`UPLOAD_DRAIN_FACTOR`] times that is refused outright.
pub struct CsrfUpload {
    /// Text fields by name (repeated names keep every value).
    pub fields: Vec<(String, String)>,
    /// The file field: its name as sent and its bytes.
    pub file: Option<(String, Vec<u8>)>,
    /// Whether a file was sent but was over the limit (then `file` is
    /// `None`): the handler answers with its own form and the reason.
    pub too_large: bool,
}

/// How much more than the largest file an upload's body may be read
/// (and thrown away) so that the form can answer "too large" in place:
/// past that, the connection's bytes are not worth it and the answer is
/// the bare error page.
pub const UPLOAD_DRAIN_FACTOR: usize = 4;

impl CsrfUpload {
    /// The first value of a text field, or "".
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default()
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::http::StatusCode;
        let lang = lang_from_headers(request.headers(), state);
        let fail = |error: AppError| state.bare_error_page(lang, &error);
        let expected = request
            .extensions()
            .get::<CsrfToken>()
            .map(|token| token.0.clone())
            .unwrap_or_default();
        let limit = state.domain.settings.projects.max_document_bytes as usize;
        let too_large = || {
            fail(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "document_too_large",
            ))
        };
        let declared = request
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let drain_limit = limit.saturating_mul(UPLOAD_DRAIN_FACTOR) + 64 * 1024;
        if declared.is_some_and(|length| length > drain_limit) {
            return Err(too_large());
        }
        let (parts, body) = request.into_parts();
        // Counted as it streams: a body that lied about its length stops
        // at the same bound.
        let mut read = 0usize;
        let body = axum::body::Body::from_stream(futures::StreamExt::map(
            body.into_data_stream(),
            move |chunk| {
                let chunk = chunk.map_err(std::io::Error::other)?;
                read += chunk.len();
                if read > drain_limit {
                    return Err(std::io::Error::other("upload over its bound"));
                }
                Ok(chunk)
            },
        ));
        let request = Request::from_parts(parts, body);
        let invalid = || fail(AppError::new(StatusCode::BAD_REQUEST, "invalid_form"));
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|_| invalid())?;
        let mut upload = CsrfUpload {
            fields: Vec::new(),
            file: None,
            too_large: false,
        };
        let mut text_bytes = 0usize;
        // A malformed part (a header that does not parse, a NUL in a file
        // name) is a bad form; a stream cut at its bound is too large.
        let part_error = |error: axum::extract::multipart::MultipartError| {
            if error.status() == StatusCode::BAD_REQUEST {
                invalid()
            } else {
                too_large()
            }
        };
        while let Some(mut field) = multipart.next_field().await.map_err(part_error)? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    // Read in chunks; past the limit, keep reading (the
                    // browser waits for its upload to end before it reads
                    // the answer) but keep nothing.
                    let mut bytes = Vec::new();
                    let mut over = false;
                    while let Some(chunk) = field.chunk().await.map_err(part_error)? {
                        if over || bytes.len() + chunk.len() > limit {
                            over = true;
                            bytes = Vec::new();
                        } else {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    if upload.file.is_none() && !upload.too_large && !file_name.is_empty() {
                        if over {
                            upload.too_large = true;
                        } else {
                            upload.file = Some((file_name, bytes));
                        }
                    }
                }
                None => {
                    let value = field.text().await.map_err(|_| invalid())?;
                    text_bytes += value.len();
                    if text_bytes > 64 * 1024 {
                        return Err(too_large());
                    }
                    upload.fields.push((name, value));
                }
            }
        }
        let sent = upload.field("csrf_token").to_string();
        let matches =
            !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()));
        if !matches {
            return Err(fail(AppError::new(StatusCode::FORBIDDEN, "csrf_failed")));
        }
        let with_nul = upload
            .fields
            .iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
            .map(|(name, _)| name.replace('\0', ""))
            .or_else(|| {
                let (file_name, _) = upload.file.as_ref()?;
                file_name.contains('\0').then(|| "file".to_string())
            });
        if let Some(name) = with_nul {
            return Err(fail(crate::extract::invalid_text(&name)));
        }
        Ok(upload)
    }
}

#[cfg(test)]
mod tests {
    use super::form_token;

    #[test]
    fn form_tokens_are_bound_to_the_session_or_the_pre_session_secret() {
        let anonymous = form_token(None, "secret-a");
        assert_ne!(anonymous, "secret-a", "never the cookie itself");
        assert_ne!(anonymous, form_token(None, "secret-b"));
        // With a session, the token depends on the session only: a planted
        // pre-session cookie changes nothing.
        assert_eq!(
            form_token(Some("session-1"), "secret-a"),
            form_token(Some("session-1"), "planted")
        );
        assert_ne!(
            form_token(Some("session-1"), "secret-a"),
            form_token(Some("session-2"), "secret-a")
        );
        assert_ne!(form_token(Some("x"), "x"), form_token(None, "x"));
    }
}
