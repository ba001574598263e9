//! Every way text becomes HTML that pages show: local Markdown (posts,
//! replies, bios, descriptions, previews, the charter) and HTML from other
//! servers (posts, events, actor summaries), plus the plain text of HTML
//! (titles taken from microblog posts, calendar exports).
//!
//! The HTML parser behind the sanitiser (html5ever, through ammonia) spends
//! time in proportion to the depth of open elements for each element it
//! opens, so 20,000 nested `<blockquote>` cost seconds of CPU and an
//! unclosed formatting element per paragraph makes it clone every earlier
//! one, without limit. Two bounds keep every render cheap, whatever a
//! teacher or a peer sends:
//!
//! - local Markdown deeper than [`MAX_NESTING`] (or longer than
//!   [`MAX_MARKDOWN_BYTES`]) is refused with `markdown_too_deep` (or
//!   `field_too_long`) before any HTML is built;
//! - remote HTML is cut at [`MAX_REMOTE_HTML_BYTES`] and rewritten by a
//!   linear pass, [`balance_html`], into HTML where every element is
//!   explicitly closed and nothing is nested deeper than [`MAX_NESTING`]
//!   (deeper tags are dropped, their text kept), before the sanitiser
//!   parses it.
//!
//! The `async` functions run the work on tokio's blocking threads so that a
//! render never holds an async worker; request paths use those.

use super::{DomainError, DomainResult, Refusal};

/// Deepest nesting of elements kept: Markdown blocks (quotes, lists, list
/// items, paragraphs, emphasis) or HTML elements. Ordinary writing stays
/// under 15.
pub const MAX_NESTING: usize = 40;

/// Largest Markdown source rendered, in bytes. The fields have their own,
/// smaller limits in characters; this one holds for every caller.
pub const MAX_MARKDOWN_BYTES: usize = 200 * 1024;

/// Remote HTML beyond this many bytes is cut (at a character boundary)
/// before it is sanitised.
pub const MAX_REMOTE_HTML_BYTES: usize = 200 * 1024;

/// Elements without content or end tag: never counted in the depth.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn too_deep(field: &str) -> DomainError {
    Refusal::MarkdownTooDeep(field.into()).into()
}

/// Renders local Markdown to sanitised HTML, or refuses it when its
/// nesting (Markdown blocks or raw HTML) goes deeper than [`MAX_NESTING`].
/// Runs on a blocking thread.
/// `field` names the input in the error (`body`, `bio`…).
pub async fn markdown(source: String, field: &'static str) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || markdown_now(&source, field))
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))?
}

/// Sanitises HTML received from another server, flattening what is nested
/// deeper than [`MAX_NESTING`]. Runs on a blocking thread.
pub async fn remote_html(html: String) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || remote_html_now(&html))
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))
}

/// The text of an HTML fragment (from anywhere), tags removed, entities
/// of sanitised HTML decoded, whitespace collapsed. Runs on a blocking
/// thread.
pub async fn html_text(html: String) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || html_text_now(&html))
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))
}

/// [`markdown`] on the calling thread, for callers that are not async
/// (form validation, tests). Bounded like [`markdown`].
pub fn markdown_now(source: &str, field: &str) -> DomainResult<String> {
    markdown_linked_now(source, field, &[])
}

/// The Markdown extensions Préau renders (also what mentions are read
/// from, so both see the same text).
pub(crate) fn markdown_options() -> pulldown_cmark::Options {
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    options
}

/// [`markdown`] with mentions made links: `links` pairs a mention as
/// written (`@bob@b.example`, compared without case) with the URL it
/// links to. Mentions in code or links, and those not in `links`, stay
/// text.
pub async fn markdown_with_mentions(
    source: String,
    field: &'static str,
    links: Vec<(String, String)>,
) -> DomainResult<String> {
    tokio::task::spawn_blocking(move || markdown_linked_now(&source, field, &links))
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))?
}

/// Text events with the mentions of `links` turned into links; other
/// events unchanged.
fn link_mentions<'a>(
    events: impl Iterator<Item = pulldown_cmark::Event<'a>>,
    links: &[(String, String)],
) -> Vec<pulldown_cmark::Event<'a>> {
    use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
    let mut out = Vec::new();
    let mut text = String::new();
    let mut hidden = 0usize;
    let flush = |text: &mut String, out: &mut Vec<Event<'a>>| {
        if text.is_empty() {
            return;
        }
        let run = std::mem::take(text);
        let mut from = 0;
        for (range, handle) in super::mentions::scan(&run) {
            let key = handle.written().to_lowercase();
            let Some((_, href)) = links
                .iter()
                .find(|(written, _)| written.to_lowercase() == key)
            else {
                continue;
            };
            if range.start > from {
                out.push(Event::Text(CowStr::from(
                    run[from..range.start].to_string(),
                )));
            }
            out.push(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::from(href.clone()),
                title: CowStr::from(""),
                id: CowStr::from(""),
            }));
            out.push(Event::Text(CowStr::from(run[range.clone()].to_string())));
            out.push(Event::End(TagEnd::Link));
            from = range.end;
        }
        if from < run.len() {
            out.push(Event::Text(CowStr::from(run[from..].to_string())));
        }
    };
    for event in events {
        match event {
            Event::Text(part) if hidden == 0 && !links.is_empty() => text.push_str(&part),
            other => {
                flush(&mut text, &mut out);
                match &other {
                    Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => hidden += 1,
                    Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                        hidden = hidden.saturating_sub(1)
                    }
                    _ => {}
                }
                out.push(other);
            }
        }
    }
    flush(&mut text, &mut out);
    out
}

/// [`markdown_with_mentions`] on the calling thread.
pub fn markdown_linked_now(
    source: &str,
    field: &str,
    links: &[(String, String)],
) -> DomainResult<String> {
    if source.len() > MAX_MARKDOWN_BYTES {
        return Err(Refusal::FieldTooLong(field.into()).into());
    }
    // The parser itself is linear (20,000 nested quotes parse in about
    // 15 ms); the depth is checked on its events, before any HTML exists.
    let mut events = Vec::new();
    let mut depth = 0usize;
    for event in pulldown_cmark::Parser::new_ext(source, markdown_options()) {
        match &event {
            pulldown_cmark::Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(field));
                }
            }
            pulldown_cmark::Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        events.push(event);
    }
    let events = link_mentions(events.into_iter(), links);
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Raw HTML inside Markdown nests too (`<div><div>…`): refused the same.
    let (balanced, flattened) = balance_html(&html, MAX_NESTING);
    if flattened {
        return Err(too_deep(field));
    }
    Ok(sanitize(&balanced))
}

/// [`remote_html`] on the calling thread.
pub fn remote_html_now(html: &str) -> String {
    let (balanced, _) = balance_html(cut(html, MAX_REMOTE_HTML_BYTES), MAX_NESTING);
    sanitize(&balanced)
}

/// [`html_text`] on the calling thread.
pub fn html_text_now(html: &str) -> String {
    let (balanced, _) = balance_html(cut(html, MAX_REMOTE_HTML_BYTES), MAX_NESTING);
    let cleaned = ammonia::Builder::empty().clean(&balanced).to_string();
    cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest prefix of `text` of at most `max` bytes.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Removes everything unsafe: scripts, event handlers, `javascript:`
/// links, styles, images. Links get `rel="nofollow noopener noreferrer"`.
/// Only ever called on the output of [`balance_html`].
fn sanitize(html: &str) -> String {
    // No images: a remote image in a biography would tell its server who
    // reads the profile.
    ammonia::Builder::default()
        .rm_tags(["img"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(html)
        .to_string()
}

/// Where a tag that starts at `start` (its name ends before `from`) ends:
/// the index of its `>` and whether it is self-closing (`<x/>`), following
/// the HTML tokenizer's attribute states so that a `>` inside a quoted
/// value does not end it. `None` when the input ends inside the tag (the
/// HTML parser drops such a tag too).
fn tag_end(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Quoted(u8),
        Unquoted,
        AfterQuoted,
        SelfClosing,
    }
    let mut state = State::BeforeName;
    let mut index = from;
    while index < bytes.len() {
        let byte = bytes[index];
        let space = matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
        state = match state {
            State::BeforeName | State::AfterName if byte == b'>' => return Some((index, false)),
            State::Name | State::Unquoted | State::AfterQuoted if byte == b'>' => {
                return Some((index, false))
            }
            State::BeforeValue if byte == b'>' => return Some((index, false)),
            State::SelfClosing if byte == b'>' => return Some((index, true)),
            State::BeforeName | State::AfterName | State::AfterQuoted if byte == b'/' => {
                State::SelfClosing
            }
            State::Name if byte == b'/' => State::SelfClosing,
            State::BeforeName if space => State::BeforeName,
            State::BeforeName => State::Name,
            State::Name if space => State::AfterName,
            State::Name if byte == b'=' => State::BeforeValue,
            State::Name => State::Name,
            State::AfterName if space => State::AfterName,
            State::AfterName if byte == b'=' => State::BeforeValue,
            State::AfterName => State::Name,
            State::BeforeValue if space => State::BeforeValue,
            State::BeforeValue if byte == b'"' || byte == b'\'' => State::Quoted(byte),
            State::BeforeValue => State::Unquoted,
            State::Quoted(quote) if byte == quote => State::AfterQuoted,
            State::Quoted(quote) => State::Quoted(quote),
            State::Unquoted if space => State::BeforeName,
            State::Unquoted => State::Unquoted,
            State::AfterQuoted if space => State::BeforeName,
            State::AfterQuoted => State::Name,
            State::SelfClosing if space => State::BeforeName,
            State::SelfClosing => State::Name,
        };
        index += 1;
    }
    None
}

/// Rewrites HTML, in one linear pass, so that the HTML parser cannot be
/// made to work in proportion to the square of its size: every element
/// kept is explicitly closed, in order; a start tag that would open an
/// element deeper than `max_depth` is dropped (its text stays); an end tag
/// that closes nothing open is dropped; comments, doctypes and processing
/// instructions are dropped; a `<` that starts no tag becomes `&lt;`, and a
/// tag containing `<` is dropped, so that every `<` the parser sees is a
/// tag written here. Returns the HTML and whether anything was dropped for
/// depth. The result is not safe to show: it still goes through the
/// sanitiser.
pub fn balance_html(html: &str, max_depth: usize) -> (String, bool) {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 64);
    let mut open: Vec<String> = Vec::new();
    let mut flattened = false;
    let mut text_start = 0;
    let mut index = 0;
    let skip_to = |from: usize, pattern: &[u8]| -> usize {
        bytes[from.min(bytes.len())..]
            .windows(pattern.len())
            .position(|window| window == pattern)
            .map_or(bytes.len(), |at| from + at + pattern.len())
    };
    while index < bytes.len() {
        if bytes[index] != b'<' {
            index += 1;
            continue;
        }
        out.push_str(&html[text_start..index]);
        let next = bytes.get(index + 1).copied();
        let closing = next == Some(b'/');
        let name_start = index + 1 + usize::from(closing);
        let starts_name = bytes
            .get(name_start)
            .is_some_and(|byte| byte.is_ascii_alphabetic());
        if bytes[index..].starts_with(b"<!--") {
            index = skip_to(index + 4, b"-->");
        } else if matches!(next, Some(b'!' | b'?')) || (closing && !starts_name) {
            // Doctype, bogus comment, `</>` or `</ …>`: dropped.
            index = skip_to(index + 1, b">");
        } else if starts_name {
            let mut name_end = name_start;
            while name_end < bytes.len()
                && !matches!(
                    bytes[name_end],
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'/' | b'>'
                )
            {
                name_end += 1;
            }
            let Some((end, self_closing)) = tag_end(bytes, name_end) else {
                index = bytes.len();
                text_start = index;
                break;
            };
            let name = html[name_start..name_end].to_ascii_lowercase();
            let tag = &html[index..=end];
            index = end + 1;
            if tag[1..].contains('<') {
                text_start = index;
                continue;
            }
            if closing {
                if let Some(position) = open.iter().rposition(|open_name| *open_name == name) {
                    for open_name in open.drain(position..).rev() {
                        out.push_str("</");
                        out.push_str(&open_name);
                        out.push('>');
                    }
                }
            } else if VOID_ELEMENTS.contains(&name.as_str()) {
                out.push_str(tag);
            } else if open.len() >= max_depth {
                flattened = true;
            } else if self_closing {
                // `<div/>` opens a div in HTML: closed here explicitly.
                out.push_str(tag);
                out.push_str("</");
                out.push_str(&name);
                out.push('>');
            } else {
                out.push_str(tag);
                open.push(name);
            }
        } else {
            out.push_str("&lt;");
            index += 1;
        }
        text_start = index;
    }
    out.push_str(&html[text_start.min(html.len())..]);
    for name in open.drain(..).rev() {
        out.push_str("</");
        out.push_str(&name);
        out.push('>');
    }
    (out, flattened)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitized_remote_html_never_holds_nul() {
        for html in [
            "a\u{0}b",
            "<p>c\u{0}</p>",
            "<a href=\"x\u{0}\">d</a>",
            "&#0;",
            "<p title=\"\u{0}\">e</p>",
        ] {
            let clean = remote_html_now(html);
            assert!(!clean.contains('\0'), "{html:?} → {clean:?}");
        }
    }

    /// Deepest element nesting of well-formed HTML (as the sanitiser
    /// writes it), counting `<x>` up and `</x>` down.
    fn depth_of(html: &str) -> usize {
        let (mut depth, mut deepest) = (0usize, 0usize);
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            rest = &rest[at + 1..];
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if VOID_ELEMENTS.contains(&name.as_str()) {
                continue;
            }
            if rest.starts_with('/') {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        let html = markdown_now(
            "**gras** <script>alert(1)</script> [x](javascript:alert(1)) \
             <img src=x onerror=alert(1)> <span style=\"color:red\">r</span>",
            "body",
        )
        .unwrap();
        assert!(html.contains("<strong>gras</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(!markdown_now("![x](https://tracker.example/p.png)", "body")
            .unwrap()
            .contains("<img"));
        let nested =
            markdown_now("> citation\n>\n> > réponse\n\n- a\n  - b\n    - c", "body").unwrap();
        assert!(nested.contains("<p>réponse</p>"), "{nested}");
        assert_eq!(depth_of(&nested), 6, "{nested}");
    }

    #[test]
    fn deep_markdown_is_refused_before_it_is_rendered() {
        for source in [
            ">".repeat(20_000),
            "> ".repeat(20_000),
            "1. ".repeat(10_000),
            format!("{}x", "<div>".repeat(20_000)),
            format!("{}x", "<blockquote>".repeat(MAX_NESTING + 1)),
        ] {
            let error = markdown_now(&source, "body").unwrap_err();
            assert_eq!(error.code(), "markdown_too_deep", "{}", &source[..20]);
        }
        assert_eq!(
            markdown_now(&"a".repeat(MAX_MARKDOWN_BYTES + 1), "body")
                .unwrap_err()
                .code(),
            "field_too_long"
        );
        // Just under the limit is fine.
        let quotes = format!("{}x", ">".repeat(MAX_NESTING - 1));
        assert!(markdown_now(&quotes, "body").is_ok());
    }

    #[test]
    fn deep_remote_html_is_flattened_and_keeps_its_text() {
        // 10,000 levels fit within the size cut, so the text must remain.
        let n = 10_000;
        let html = format!(
            "{}fond{}",
            "<blockquote>".repeat(n),
            "</blockquote>".repeat(n)
        );
        let clean = remote_html_now(&html);
        assert!(depth_of(&clean) <= MAX_NESTING, "{}", depth_of(&clean));
        assert!(clean.contains("fond"));
        // Unclosed, self-closed and stray end tags do not get round it.
        for html in [
            "<blockquote>".repeat(n),
            "<div/>".repeat(n),
            "<b></i><blockquote></p>".repeat(n),
        ] {
            let clean = remote_html_now(&html);
            assert!(depth_of(&clean) <= MAX_NESTING + 1, "{}", depth_of(&clean));
        }
        // One unclosed formatting element per paragraph makes the parser
        // reopen every earlier one in each new paragraph.
        let reopened: String = (0..2_000)
            .map(|i| format!("<p><b title={i}></p>"))
            .collect::<String>()
            + "fin";
        let clean = remote_html_now(&reopened);
        assert!(depth_of(&clean) <= MAX_NESTING + 1, "{}", depth_of(&clean));
        assert!(clean.contains("fin"));
        assert!(html_text_now(&format!("{}mot", "<i>".repeat(n))).contains("mot"));
    }

    #[test]
    fn balancing_keeps_ordinary_html_and_hides_no_tag() {
        let mastodon = "<p>Bonjour <span class=\"h-card\"><a href=\"https://a.example/@x\" \
                        class=\"u-url mention\">@<span>x</span></a></span><br>ça va ?</p>\
                        <p>a &lt; b &amp; c</p>";
        let (balanced, flattened) = balance_html(mastodon, MAX_NESTING);
        assert!(!flattened);
        assert_eq!(balanced, mastodon);
        // A `>` inside a quoted value does not end the tag; a `<` that
        // starts no tag is text; comments go.
        let (balanced, _) =
            balance_html("<a title=\"x>y\">l</a> 3 < 4 <!-- <b> --><p>p", MAX_NESTING);
        assert_eq!(balanced, "<a title=\"x>y\">l</a> 3 &lt; 4 <p>p</p>");
        // A tag holding a `<` is dropped, so the parser cannot read tags
        // this pass did not count.
        let (balanced, _) = balance_html("<a b=\"x><div><div>\">t", MAX_NESTING);
        assert!(!balanced.contains("<div"), "{balanced}");
        let clean = remote_html_now("<p onclick=\"x()\">a<script>b()</script></p>");
        assert_eq!(clean, "<p>a</p>");
    }
}
