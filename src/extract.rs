//! Extractors of path and query input for pages, the API and federation
//! routes, and the one check every text input passes at the edge.
//!
//! - U+0000 is refused with `400 invalid_text` wherever text comes in (path,
//!   query, JSON body, form, multipart field, uploaded file name): PostgreSQL
//!   text cannot hold it, and no teacher means to type it. A form or query
//!   whose percent-decoded text is not UTF-8 is refused too, rather than
//!   stored with replacement characters.
//! - A path or query that does not parse (`/threads/abc`, `?page=abc`, a
//!   number too large) is refused with `400 invalid_path` or
//!   `400 invalid_query`: as JSON on the API and federation routes
//!   ([`ApiPath`], [`ApiQuery`]), as the HTML error page on pages
//!   ([`WebPath`], [`WebQuery`]).
//!
//! `clippy.toml` forbids axum's own `Path` and `Query`, whose rejections
//! are plain text without a code, so routes added later use these.

use crate::{app::AppState, error::AppError};
use axum::{
    extract::{FromRequestParts, RawPathParams},
    http::{request::Parts, StatusCode},
    response::Response,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `400 invalid_text`: the input holds a character no text may hold.
pub fn invalid_text(field: &str) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, "invalid_text").with_detail(field.to_string())
}

/// Whether some text of a JSON document (a string or a key, at any depth)
/// holds U+0000.
pub fn json_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains('\0') || json_has_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// What is wrong with the text of a URL-encoded form or query string.
#[derive(Debug, PartialEq, Eq)]
pub enum FormTextError {
    /// A name or value, once percent-decoded, is not UTF-8 (browsers always
    /// send UTF-8; anything else would be stored altered).
    NotUtf8,
    /// This field's name or value holds U+0000.
    Nul(String),
}

/// Percent-decodes one name or value of a form (`+` is a space), refusing
/// bytes that are not UTF-8 instead of replacing them.
fn decode_form_component(raw: &[u8]) -> Option<String> {
    let hex = |byte: Option<&u8>| byte.and_then(|b| (*b as char).to_digit(16));
    let mut out = Vec::with_capacity(raw.len());
    let mut index = 0;
    while index < raw.len() {
        match raw[index] {
            b'+' => out.push(b' '),
            b'%' => match (hex(raw.get(index + 1)), hex(raw.get(index + 2))) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    index += 2;
                }
                // A lone `%` stays itself, as browsers and form_urlencoded do.
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8(out).ok()
}

/// Checks every name and value of a URL-encoded form or query string:
/// UTF-8 once decoded, and without U+0000.
pub fn check_form_text(encoded: &[u8]) -> Result<(), FormTextError> {
    for pair in encoded.split(|byte| *byte == b'&') {
        let mut halves = pair.splitn(2, |byte| *byte == b'=');
        let name = halves.next().unwrap_or_default();
        let value = halves.next().unwrap_or_default();
        let (Some(name), Some(value)) = (decode_form_component(name), decode_form_component(value))
        else {
            return Err(FormTextError::NotUtf8);
        };
        if name.contains('\0') || value.contains('\0') {
            return Err(FormTextError::Nul(name.replace('\0', "")));
        }
    }
    Ok(())
}

/// The refusal of a form or query string that fails [`check_form_text`]:
/// `400 invalid_text` for U+0000, else `400 not_utf8_code`.
pub fn form_text_refusal(error: FormTextError, not_utf8_code: &'static str) -> AppError {
    match error {
        FormTextError::Nul(name) => invalid_text(&name),
        FormTextError::NotUtf8 => {
            AppError::new(StatusCode::BAD_REQUEST, not_utf8_code).with_detail("not UTF-8")
        }
    }
}

/// Whether the raw bytes of a JSON document hold U+0000 in some string,
/// without parsing it: a `\u0000` escape whose backslash is not itself
/// escaped (a raw NUL byte is not valid JSON and fails parsing anyway).
/// Used where a document is received before it is parsed (the inbox).
pub fn json_bytes_have_nul(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let mut backslashes = 0usize;
    for (index, byte) in bytes.iter().enumerate() {
        if *byte == b'\\' {
            backslashes += 1;
            continue;
        }
        if *byte == b'u' && backslashes % 2 == 1 && bytes.get(index + 1..index + 5) == Some(b"0000")
        {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// The media types the inbox takes (parameters such as `profile` or
/// `charset` aside): ActivityPub's two, and plain `application/json`,
/// which some servers send and Mastodon accepts.
const ACTIVITY_MEDIA_TYPES: [&str; 3] = [
    "application/activity+json",
    "application/ld+json",
    "application/json",
];

/// Whether a request's `Content-Type` names an ActivityPub document.
pub fn is_activity_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|essence| ACTIVITY_MEDIA_TYPES.contains(&essence.as_str()))
}

/// Reads the path parameters of a request into `T`.
async fn path_params<T, S>(parts: &mut Parts, state: &S) -> Result<T, AppError>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    let raw = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|rejection| {
            AppError::new(StatusCode::BAD_REQUEST, "invalid_path")
                .with_detail(rejection.body_text())
        })?;
    if let Some((name, _)) = raw.iter().find(|(_, value)| value.contains('\0')) {
        return Err(invalid_text(name));
    }
    #[allow(clippy::disallowed_types)]
    let parsed = axum::extract::Path::<T>::from_request_parts(parts, state).await;
    match parsed {
        Ok(axum::extract::Path(value)) => Ok(value),
        Err(rejection) if rejection.status().is_server_error() => {
            Err(AppError::internal(rejection.body_text()))
        }
        Err(rejection) => Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_path")
            .with_detail(rejection.body_text())),
    }
}

/// Reads the query string of a request into `T`.
fn query_params<T: DeserializeOwned>(parts: &Parts) -> Result<T, AppError> {
    let query = parts.uri.query().unwrap_or_default();
    check_form_text(query.as_bytes()).map_err(|error| form_text_refusal(error, "invalid_query"))?;
    #[allow(clippy::disallowed_types)]
    let parsed = axum::extract::Query::<T>::try_from_uri(&parts.uri);
    match parsed {
        Ok(axum::extract::Query(value)) => Ok(value),
        Err(rejection) => Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_query")
            .with_detail(rejection.body_text())),
    }
}

/// Path parameters; a bad one is refused with a JSON error.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_params(parts, state).await.map(ApiPath)
    }
}

/// The query string; a bad one is refused with a JSON error.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        query_params(parts).map(ApiQuery)
    }
}

/// The HTML error page for a request no [`crate::web::session::Page`] was
/// built for yet.
fn page_error(parts: &Parts, state: &AppState, error: &AppError) -> Response {
    let lang = crate::web::session::lang_from_headers(&parts.headers, state);
    state.bare_error_page(lang, error)
}

/// Path parameters of a page; a bad one gets the HTML error page.
pub struct WebPath<T>(pub T);

impl<T> FromRequestParts<AppState> for WebPath<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match path_params(parts, state).await {
            Ok(value) => Ok(WebPath(value)),
            Err(error) => Err(page_error(parts, state, &error)),
        }
    }
}

/// The query string of a page; a bad one gets the HTML error page.
pub struct WebQuery<T>(pub T);

impl<T> FromRequestParts<AppState> for WebQuery<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match query_params(parts) {
            Ok(value) => Ok(WebQuery(value)),
            Err(error) => Err(page_error(parts, state, &error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_is_found_at_any_depth_of_json() {
        assert!(!json_has_nul(&json!({"name": "Camille", "list": [1, "a"]})));
        assert!(json_has_nul(&json!({"name": "Cam\u{0}ille"})));
        assert!(json_has_nul(&json!({"a": [{"b": ["x", "\u{0}"]}]})));
        assert!(json_has_nul(&json!({"ke\u{0}y": 1})));
    }

    #[test]
    fn nul_is_found_in_raw_json() {
        assert!(json_bytes_have_nul(br#"{"name": "a\u0000b"}"#));
        assert!(json_bytes_have_nul(br#"{"name": "a\\\u0000b"}"#));
        assert!(!json_bytes_have_nul(br#"{"name": "a\\u0000b"}"#));
        assert!(!json_bytes_have_nul(br#"{"name": "a\u0041b", "n": 0000}"#));
        assert!(json_bytes_have_nul(b"{\"name\": \"a\0b\"}"));
        for (text, nul) in [(r#""\u0000""#, true), (r#""\\u0000""#, false)] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(json_has_nul(&value), nul, "{text}");
            assert_eq!(json_bytes_have_nul(text.as_bytes()), nul, "{text}");
        }
    }

    #[test]
    fn activity_media_types_with_parameters_are_taken() {
        let with = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(axum::http::header::CONTENT_TYPE, value.parse().unwrap());
            is_activity_content_type(&headers)
        };
        assert!(with("application/activity+json"));
        assert!(with(
            r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#
        ));
        assert!(with("Application/Activity+JSON; charset=utf-8"));
        assert!(with("application/json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_activity_content_type(&axum::http::HeaderMap::new()));
    }

    #[test]
    fn forms_are_checked_for_nul_and_utf8() {
        let nul = |name: &str| Err(FormTextError::Nul(name.to_string()));
        assert_eq!(check_form_text(b"a=1&b=x%00y"), nul("b"));
        assert_eq!(check_form_text(b"a%00=1"), nul("a"));
        assert_eq!(check_form_text(b"a=1&b=%2500"), Ok(()));
        assert_eq!(
            check_form_text(b"page=abc&t=%C3%A9t%C3%A9+x&p=100%&q=%zz"),
            Ok(())
        );
        assert_eq!(check_form_text("t=été".as_bytes()), Ok(()));
        assert_eq!(check_form_text(b"t=%FF%FE"), Err(FormTextError::NotUtf8));
        assert_eq!(check_form_text(b"t=\xff"), Err(FormTextError::NotUtf8));
    }
}
