//! Mentions in posts open here. A post's HTML (as written here or as
//! received) links a mention of a person to their profile on their own
//! instance (`https://b.example/users/carl`, `https://m.example/@ana`);
//! pages show it linking to the person's page on this instance
//! (`/@carl@b.example`), like every other link to a remote person. Only
//! what pages show is rewritten: the stored and federated HTML keeps the
//! remote URLs, which other servers need.
//!
//! The HTML has been sanitised before it was stored, so its links are
//! regular: `<a href="…" …>text</a>`. A link is a mention when its text
//! (tags removed) is `@name` or `@name@host`; the person's page is named
//! from that name and the host of the link (where the actor lives, as
//! this instance stores it). Hashtags and other links stay as they are.

use super::person_page;

/// `html` with the links of mentions of people elsewhere pointing at
/// their page here; `own_domain` is this instance's (its people's
/// mentions link to `/users/NAME`).
pub fn local_mention_links(html: &str, own_domain: &str) -> String {
    if !html.contains("<a ") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<a ") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let (Some(open_end), Some(close)) = (tail.find('>'), tail.find("</a>")) else {
            rest = tail;
            break;
        };
        if close < open_end {
            out.push_str(&tail[..open_end + 1]);
            rest = &tail[open_end + 1..];
            continue;
        }
        let opening = &tail[..=open_end];
        let inner = &tail[open_end + 1..close];
        match rewritten_opening(opening, inner, own_domain) {
            Some(opening) => out.push_str(&opening),
            None => out.push_str(opening),
        }
        out.push_str(inner);
        out.push_str("</a>");
        rest = &tail[close + "</a>".len()..];
    }
    out.push_str(rest);
    out
}

/// The opening tag with its `href` replaced, when the link is a mention.
fn rewritten_opening(opening: &str, inner: &str, own_domain: &str) -> Option<String> {
    let href_start = opening.find("href=\"")? + "href=\"".len();
    let href_len = opening[href_start..].find('"')?;
    let href = &opening[href_start..href_start + href_len];
    let name = mentioned_name(&text_of(inner))?;
    let url = url::Url::parse(&href.replace("&amp;", "&")).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => return None,
    };
    let local = host.eq_ignore_ascii_case(own_domain);
    let page = person_page(&name, &host.to_lowercase(), local);
    Some(format!(
        "{}{}{}",
        &opening[..href_start],
        page,
        &opening[href_start + href_len..]
    ))
}

/// The text of a link's content: tags removed.
fn text_of(inner: &str) -> String {
    let mut text = String::with_capacity(inner.len());
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// `name` when `text` is a mention, `@name` or `@name@host`.
fn mentioned_name(text: &str) -> Option<String> {
    let text = text.trim().strip_prefix('@')?;
    let name = text.split('@').next()?;
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if name.is_empty() || !name.chars().all(valid) || text.split('@').count() > 2 {
        return None;
    }
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: &str = "a.example";

    #[test]
    fn mentions_written_here_and_received_open_here() {
        // As Préau writes them (the actor's id).
        let ours = "<p>Merci <a href=\"https://b.example/users/carl\" rel=\"noopener\">@carl@b.example</a> !</p>";
        assert_eq!(
            local_mention_links(ours, HERE),
            "<p>Merci <a href=\"/@carl@b.example\" rel=\"noopener\">@carl@b.example</a> !</p>"
        );
        // As Mastodon writes them (the profile URL, the name in a span).
        let mastodon = "<p><span class=\"h-card\"><a href=\"https://m.example/@Ana\" class=\"u-url mention\" rel=\"noopener\">@<span>Ana</span></a></span> bonjour</p>";
        assert_eq!(
            local_mention_links(mastodon, HERE),
            "<p><span class=\"h-card\"><a href=\"/@Ana@m.example\" class=\"u-url mention\" rel=\"noopener\">@<span>Ana</span></a></span> bonjour</p>"
        );
        // With a port, as test instances have.
        let port = "<a href=\"http://127.0.0.1:4000/users/bea\">@bea</a>";
        assert_eq!(
            local_mention_links(port, HERE),
            "<a href=\"/@bea@127.0.0.1:4000\">@bea</a>"
        );
        // A teacher of this instance opens on their own page.
        let local = "<a href=\"https://a.example/users/dora\">@dora</a>";
        assert_eq!(
            local_mention_links(local, HERE),
            "<a href=\"/users/dora\">@dora</a>"
        );
    }

    #[test]
    fn other_links_stay_as_they_are() {
        for html in [
            "<p><a href=\"https://m.example/tags/maths\" class=\"mention hashtag\">#<span>maths</span></a></p>",
            "<p><a href=\"https://www.education.gouv.fr/\">le site du ministère</a></p>",
            "<p><a href=\"mailto:ana@m.example\">@ana</a></p>",
            "<p><a href=\"https://m.example/@ana\">@ana et @bob</a></p>",
            "<p>@ana sans lien, <code>&lt;a href</code></p>",
            "<p><a href=\"https://m.example/x\">@a@b@c</a></p>",
        ] {
            assert_eq!(local_mention_links(html, HERE), html);
        }
    }

    #[test]
    fn unfinished_links_do_not_lose_text() {
        let html = "<p>début <a href=\"https://m.example/@ana\">@ana";
        assert_eq!(local_mention_links(html, HERE), html);
        let two = "<a href=\"https://b.example/users/x\">@x</a> et <a href=\"https://c.example/u/y\">@y@c.example</a>";
        assert_eq!(
            local_mention_links(two, HERE),
            "<a href=\"/@x@b.example\">@x</a> et <a href=\"/@y@c.example\">@y@c.example</a>"
        );
    }
}
