//! Redirects of the pages, and the one check every return-to target goes
//! through.
//!
//! A target that comes from the request (`next` on `/login` and
//! `/lang/…`, `back` on contact forms) is followed only when it is a path
//! on this site; anything else sends the browser to `/`. Browsers drop
//! tabs and newlines from URLs and read `\` as `/`, so `/%09/evil.example`
//! or `/\evil.example` would leave the site: such targets are refused,
//! before and after percent-decoding. Every redirect of the pages is built
//! by [`to`], which never fails (a header value with CR/LF would otherwise
//! end the request with a 500).

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// How many rounds of percent-decoding are checked: enough for targets
/// encoded twice or thrice, bounded so a long `%25252525…` costs nothing.
const DECODING_ROUNDS: usize = 4;

/// Whether `text` reads as a same-site path to a browser: one leading `/`,
/// no `//` or `/\` opening, no backslash, no control character.
fn reads_as_local_path(text: &str) -> bool {
    text.starts_with('/')
        && !text.starts_with("//")
        && !text.contains('\\')
        && !text.chars().any(char::is_control)
}

/// The same-site path `raw` names, normalised and percent-encoded so it is
/// a valid `Location`; `None` when `raw` is not a plain path on this site
/// (an absolute or scheme-relative URL, a backslash, a control character,
/// raw or percent-encoded).
pub fn local_path(raw: &str) -> Option<String> {
    let mut decoded = raw.to_string();
    for _ in 0..DECODING_ROUNDS {
        if !reads_as_local_path(&decoded) {
            return None;
        }
        let next = crate::urls::percent_decode(&decoded);
        if next == decoded {
            break;
        }
        decoded = next;
    }
    if !reads_as_local_path(&decoded) {
        return None;
    }
    let base = url::Url::parse("http://this-site.invalid/").ok()?;
    let joined = base.join(raw).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let mut path = joined.path().to_string();
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = joined.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    Some(path)
}

/// Where to go back to: `raw` when it is a path on this site, `fallback`
/// otherwise (an absent or empty target included).
pub fn target_or(raw: Option<&str>, fallback: &str) -> String {
    raw.and_then(local_path)
        .unwrap_or_else(|| fallback.to_string())
}

/// A `303 See Other` to a same-site path: `target` when it is one, `/`
/// otherwise. Never fails, whatever `target` holds.
pub fn to(target: &str) -> Response {
    let location = local_path(target).unwrap_or_else(|| "/".to_string());
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, HeaderValue::from_static("/"))],
        )
            .into_response(),
    }
}

/// A `308 Permanent Redirect` to a same-site path (see [`to`]).
pub fn permanent(target: &str) -> Response {
    let mut response = to(target);
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    response
}

/// The log-in page, coming back to `next` (a path of this site) after.
pub fn to_login(next: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    to(&format!("/login?next={next}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_kept() {
        assert_eq!(
            local_path("/users/camille").as_deref(),
            Some("/users/camille")
        );
        assert_eq!(
            local_path("/forums?page=2#post-3").as_deref(),
            Some("/forums?page=2#post-3")
        );
        assert_eq!(
            local_path("/projects/jardin@other.example").as_deref(),
            Some("/projects/jardin@other.example")
        );
        assert_eq!(
            local_path("/users/élodie").as_deref(),
            Some("/users/%C3%A9lodie")
        );
        assert_eq!(local_path("/a/../b").as_deref(), Some("/b"));
    }

    #[test]
    fn anything_that_can_leave_the_site_goes_home() {
        for bad in [
            "",
            "users",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/x\\y",
            "https://evil.example",
            "javascript:alert(1)",
            " //evil.example",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "\t//evil.example",
            "/%09/evil.example/x",
            "/%0a/evil.example/x",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%250d%250aSet-Cookie:x",
            "/%25%30%39/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/%0d%0aSet-Cookie:x",
            "/\u{7f}",
            "/\u{85}evil",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
            assert_eq!(target_or(Some(bad), "/"), "/", "{bad:?}");
        }
        assert_eq!(target_or(None, "/requests"), "/requests");
    }

    #[test]
    fn redirects_never_fail() {
        for target in ["/ok", "/\r\nSet-Cookie: x=1", "//evil.example", "/é"] {
            let response = to(target);
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            let location = response.headers()[header::LOCATION].to_str().unwrap();
            assert!(location.starts_with('/') && !location.starts_with("//"));
        }
        assert_eq!(to("/\r\n").headers()[header::LOCATION], "/");
        assert_eq!(
            permanent("/users/a").status(),
            StatusCode::PERMANENT_REDIRECT
        );
    }
}
