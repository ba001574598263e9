//! Confirmation messages after an action ("Invitation envoyée à …").
//!
//! A form handler that succeeds answers with [`redirect`]: a `303 See Other`
//! plus a short-lived `preau_notice` cookie naming a catalog message
//! (`notice-<key>`) and at most one argument. The next page read by that
//! browser shows the message at the top of `<main>` (`base.html`, a
//! `role="status"` region) and [`clear_after_page`] removes the cookie with
//! that page's response, so a reload does not show it again. No JavaScript
//! and no server-side state are involved.
//!
//! The cookie is HttpOnly and only ever set by our own redirects; a browser
//! that forges one can only show itself a message of the catalog: the key
//! must be a catalog key made of `[a-z0-9-]` and the argument is escaped
//! like any other template value.

use crate::i18n::{Catalogs, Lang};
use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine as _;

/// Name of the confirmation cookie.
pub const NOTICE_COOKIE: &str = "preau_notice";

/// Longest argument kept (in characters); longer ones are cut.
const MAX_ARGUMENT_CHARS: usize = 200;

/// A confirmation to show on the next page: the catalog message
/// `notice-<key>`, with `$name` set to the argument when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    key: &'static str,
    argument: Option<String>,
}

impl Notice {
    /// The message `notice-<key>` of the catalogs.
    pub fn new(key: &'static str) -> Notice {
        Notice {
            key,
            argument: None,
        }
    }

    /// The message `notice-<key>` with `$name` = `argument`.
    pub fn with(key: &'static str, argument: impl Into<String>) -> Notice {
        Notice {
            key,
            argument: Some(argument.into().chars().take(MAX_ARGUMENT_CHARS).collect()),
        }
    }

    /// The cookie value: `key` or `key.base64url(argument)`.
    fn cookie_value(&self) -> String {
        match &self.argument {
            None => self.key.to_string(),
            Some(argument) => format!(
                "{}.{}",
                self.key,
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(argument)
            ),
        }
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// The message a `preau_notice` cookie value names, in `lang`; `None` when
/// the value is malformed or names no catalog message.
pub fn message(value: &str, lang: Lang) -> Option<String> {
    let (key, argument) = match value.split_once('.') {
        Some((key, encoded)) => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded)
                .ok()?;
            let argument: String = String::from_utf8(bytes)
                .ok()?
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_ARGUMENT_CHARS)
                .collect();
            (key, Some(argument))
        }
        None => (value, None),
    };
    if !valid_key(key) {
        return None;
    }
    let catalog_key = format!("notice-{key}");
    let catalogs = Catalogs::get();
    if !catalogs.has(lang, &catalog_key) {
        return None;
    }
    let mut args = fluent_bundle::FluentArgs::new();
    if let Some(argument) = argument {
        args.set("name", fluent_bundle::FluentValue::from(argument));
    }
    Some(catalogs.format_args(lang, &catalog_key, &args))
}

/// The message of the request's `preau_notice` cookie, if any.
pub fn from_headers(headers: &axum::http::HeaderMap, lang: Lang) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(NOTICE_COOKIE)
        .and_then(|cookie| message(cookie.value(), lang))
}

/// A `303 See Other` to the same-site `target` (see
/// [`super::redirect::to`]) that shows `notice` on the page it leads to.
pub fn redirect(target: &str, notice: Notice) -> Response {
    let mut response = super::redirect::to(target);
    let cookie = Cookie::build((NOTICE_COOKIE, notice.cookie_value()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::minutes(2))
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Middleware: once a page (an HTML response that is not a redirect) has
/// been answered to a request carrying a notice, the notice cookie is
/// removed, so the message shows once.
pub async fn clear_after_page(request: Request, next: Next) -> Response {
    let had_notice = CookieJar::from_headers(request.headers())
        .get(NOTICE_COOKIE)
        .is_some();
    let mut response = next.run(request).await;
    let is_page = !response.status().is_redirection()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html"));
    let sets_notice = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| {
            value
                .to_str()
                .is_ok_and(|text| text.starts_with(&format!("{NOTICE_COOKIE}=")))
        });
    if had_notice && is_page && !sets_notice {
        let removal = Cookie::build((NOTICE_COOKIE, ""))
            .path("/")
            .max_age(time::Duration::ZERO)
            .build();
        if let Ok(value) = HeaderValue::from_str(&removal.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_round_trips_through_its_cookie_value() {
        let plain = Notice::new("saved").cookie_value();
        assert_eq!(plain, "saved");
        let with = Notice::with("invited", "camille@autre.example").cookie_value();
        assert!(with.starts_with("invited."));
        assert!(!with.contains('@'), "the argument is encoded: {with}");
    }

    #[test]
    fn forged_values_show_nothing() {
        for value in [
            "",
            "no such key",
            "UPPER",
            "../x",
            "saved.%%%",
            "unknown-key-of-no-catalog",
        ] {
            assert_eq!(message(value, Lang::Fr), None, "{value:?}");
        }
    }

    #[test]
    fn a_known_key_shows_its_message_with_the_argument() {
        let value = Notice::with("invited", "<b>camille</b>").cookie_value();
        let french = message(&value, Lang::Fr).expect("notice-invited is in the catalog");
        assert!(french.contains("<b>camille</b>"), "{french}");
        let english = message(&value, Lang::En).expect("notice-invited is in the catalog");
        assert_ne!(french, english);
    }
}
