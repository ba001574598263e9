//! Avatars: the images (`/avatars/{person}/{size}.png`, served from this
//! instance for local and remote people alike, with headers that let a
//! browser do nothing but show a PNG), the upload on the profile settings
//! page and its removal (with a confirmation step), and the `avatar()`
//! template function that draws a person's avatar or, without one, their
//! initials in a coloured circle.

use super::{
    session::{CsrfForm, CsrfUpload, Page},
    views::ConfirmView,
};
use crate::{app::AppState, error::AppError, extract::WebPath};
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::Value;
use std::collections::HashMap;

/// A 1 × 1 transparent PNG: what a person without a picture is drawn as.
const TRANSPARENT_PIXEL: [u8; 68] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
    0, 0, 31, 21, 196, 137, 0, 0, 0, 11, 73, 68, 65, 84, 120, 156, 99, 96, 0, 2, 0, 0, 5, 0, 1,
    122, 94, 171, 63, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// `GET /avatars/{person}/{size}.png[?v=VERSION]`: `person` is `name`
/// for people here, `name@host` for others. With the current version in
/// the URL the image may be cached for good (a new avatar is a new URL);
/// without it (lists of authors do not look the version up), the browser
/// asks again each time.
pub async fn serve_avatar(
    State(state): State<AppState>,
    WebPath((person, file)): WebPath<(String, String)>,
    crate::extract::WebQuery(query): crate::extract::WebQuery<HashMap<String, String>>,
) -> Response {
    let pixels = file
        .strip_suffix(".png")
        .and_then(|size| size.parse::<u32>().ok());
    let found = match pixels {
        Some(pixels) => state.domain.avatar_image(&person, pixels).await,
        None => Ok(None),
    };
    let (version, png) = match found {
        Ok(Some(found)) => found,
        // A person without a picture, at a size we serve: a transparent
        // pixel, so the initials under it show in every browser (a failed
        // image may be drawn as a "broken" icon over them).
        Ok(None) if pixels.is_some_and(|size| [48, 96, 256].contains(&size)) => {
            (String::new(), TRANSPARENT_PIXEL.to_vec())
        }
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                [(header::CACHE_CONTROL, "no-cache")],
                "",
            )
                .into_response()
        }
        Err(error) => return AppError::from(error).into_response(),
    };
    let cache = if !version.is_empty() && query.get("v") == Some(&version) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = png.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"avatar.png\""),
    );
    response
}

/// `POST /settings/avatar` (multipart: `avatar`, `csrf_token`).
pub async fn submit_avatar(
    State(state): State<AppState>,
    page: Page,
    upload: CsrfUpload,
) -> Response {
    let Some(user) = &page.user else {
        return Redirect::to("/login").into_response();
    };
    if upload.too_large {
        let error = AppError::from(crate::domain::DomainError::Refused(
            crate::domain::Refusal::AvatarTooLarge,
        ));
        return super::profile::avatar_refused(&state, &page, error).await;
    }
    let bytes = upload.file.map(|(_, bytes)| bytes).unwrap_or_default();
    let documents = crate::apub::person_updates::PersonUpdates;
    match state
        .domain
        .set_avatar(user.actor_id, bytes, &documents)
        .await
    {
        Ok(_) => super::notice::redirect(
            "/settings/profile",
            super::notice::Notice::new("avatar-saved"),
        ),
        // A refused picture (too large, unreadable, too many pixels): the
        // form again, with the reason at the file field.
        Err(error @ crate::domain::DomainError::Refused(_)) => {
            super::profile::avatar_refused(&state, &page, AppError::from(error)).await
        }
        Err(error) => state.error_page(&page, error),
    }
}

/// `GET /settings/avatar/remove`: the confirmation step.
pub async fn confirm_remove_avatar(State(state): State<AppState>, page: Page) -> Response {
    if page.user.is_none() {
        return Redirect::to("/login").into_response();
    }
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            "remove-avatar",
            "",
            "/settings/avatar/remove".to_string(),
            "/settings/profile".to_string(),
        ),
    )
}

/// `POST /settings/avatar/remove`.
pub async fn submit_remove_avatar(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(_): CsrfForm<super::auth::EmptyForm>,
) -> Response {
    let Some(user) = &page.user else {
        return Redirect::to("/login").into_response();
    };
    let documents = crate::apub::person_updates::PersonUpdates;
    match state.domain.remove_avatar(user.actor_id, &documents).await {
        Ok(_) => super::notice::redirect(
            "/settings/profile",
            super::notice::Notice::new("avatar-removed"),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// The initials of a display name: the first letter of its first two
/// words, upper-cased (`Camille Martin` → `CM`).
pub fn initials(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// One of six background colours, always the same for one person.
fn hue(handle: &str) -> u32 {
    handle.bytes().fold(0u32, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(u32::from(byte))
    }) % 6
}

/// `avatar(person, size=48)` in templates: `person` has `name`, `domain`
/// ("" or this instance's for local people), `display_name` and, when
/// known, `avatar_version`. The initials are drawn under the image: a
/// person without an avatar gets a transparent pixel over them. The avatar is decorative (`alt=""`, hidden from screen
/// readers): the person's name always stands beside it.
pub fn avatar_function(person: Value, size: Option<u32>) -> Result<Value, minijinja::Error> {
    let text = |name: &str| {
        person
            .get_attr(name)
            .ok()
            .filter(|value| !value.is_undefined() && !value.is_none())
            .map(|value| value.to_string())
            .unwrap_or_default()
    };
    let (name, domain) = match text("name") {
        // A directory entry: `@name@host` or `@name`.
        name if name.is_empty() => {
            let handle = text("handle");
            let handle = handle.trim_start_matches('@');
            match handle.split_once('@') {
                Some((name, host)) => (name.to_string(), host.to_string()),
                None => (handle.to_string(), String::new()),
            }
        }
        name => (name, text("domain")),
    };
    let display_name = text("display_name");
    let version = text("avatar_version");
    let size = match size {
        Some(96) => 96,
        Some(256) => 256,
        _ => 48,
    };
    let handle = if domain.is_empty() {
        name.clone()
    } else {
        format!("{name}@{domain}")
    };
    let mut initials = initials(if display_name.is_empty() {
        &name
    } else {
        &display_name
    });
    if initials.is_empty() {
        initials.push('?');
    }
    let query = if version.is_empty() {
        String::new()
    } else {
        format!("?v={}", urlencode(&version))
    };
    let escape = crate::dates::escape_html;
    Ok(Value::from_safe_string(format!(
        "<span class=\"avatar avatar-{size} avatar-hue-{hue}\" aria-hidden=\"true\">\
         <span class=\"avatar-initials\">{initials}</span>\
         <img src=\"/avatars/{handle}/{size}.png{query}\" alt=\"\" width=\"{size}\" height=\"{size}\" loading=\"lazy\"></span>",
        hue = hue(&handle),
        initials = escape(&initials),
        handle = escape(&urlencode(&handle)),
        query = escape(&query),
    )))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' | b':' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_two_words() {
        assert_eq!(initials("Camille Martin"), "CM");
        assert_eq!(initials("élodie"), "É");
        assert_eq!(initials("  jean-luc de la Tour"), "JD");
        assert_eq!(initials(""), "");
    }

    #[test]
    fn the_avatar_markup_escapes_and_falls_back() {
        let person = Value::from_serialize(serde_json::json!({
            "name": "camille", "domain": "b.example:8080",
            "display_name": "<Camille> Martin", "avatar_version": "abc123"
        }));
        let html = avatar_function(person, Some(96)).unwrap().to_string();
        assert!(html.contains("/avatars/camille@b.example:8080/96.png?v=abc123"));
        assert!(html.contains(">CM<"));
        assert!(!html.contains("<Camille>"));
        assert!(html.contains("alt=\"\""));
    }
}
