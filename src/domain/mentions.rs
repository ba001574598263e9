//! Mentions in Markdown written here: `@name@domain` (a person anywhere)
//! and `@name` (a local teacher), as Mastodon writes them.
//!
//! A mention is found in the text of the Markdown, never inside a code
//! span, a code block or a link; an e-mail address (`anne@ecole.fr`) is
//! not one, because its `@` follows a letter. What a mention names is
//! resolved by [`Domain::known_mentions`] against the actors this instance
//! knows (the edge looks unknown ones up by WebFinger first, through
//! [`Domain::mentions_to_look_up`]); one that names nobody known stays
//! plain text. A resolved mention becomes a link in the HTML
//! ([`crate::domain::rendering::markdown_with_mentions`]), a `Mention` tag
//! and a `cc` entry of the object sent, a delivery to the person's inbox,
//! and a `mention` notification when the person is a local teacher.

use super::{
    rows::{ActorId, ActorRow},
    Domain, DomainResult, Refusal,
};
use crate::domain::store::actors::ActorKindRow;
use pulldown_cmark::{Event, Tag, TagEnd};
use std::ops::Range;

/// Most distinct mentions one post may carry (Mastodon refuses more than
/// a few dozen too); more is refused with `too_many_mentions`.
pub const MAX_MENTIONS: usize = 20;

/// A mention as written: the name, and the host unless it is local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    /// The name after the first `@`.
    pub name: String,
    /// The host after the second `@`, lowercased; `None` for `@name`.
    pub domain: Option<String>,
}

impl Handle {
    /// `@name` or `@name@domain`, as written (host lowercased).
    pub fn written(&self) -> String {
        match &self.domain {
            Some(domain) => format!("@{}@{domain}", self.name),
            None => format!("@{}", self.name),
        }
    }

    /// The key two spellings of one mention share.
    fn key(&self) -> String {
        self.written().to_lowercase()
    }
}

/// A mention that names a known actor.
#[derive(Debug, Clone)]
pub struct Mention {
    /// `@name@domain` (always with the host, as the `Mention` tag's `name`).
    pub name: String,
    /// How the author wrote it (the text the link replaces).
    pub written: String,
    /// Who it names.
    pub actor: ActorRow,
}

/// Characters of a name (Mastodon allows letters, digits, `_`, and `.`
/// or `-` inside).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// The longest run of `accept` characters from `from`, without trailing
/// `.` or `-` (sentence punctuation): its end.
fn run_end(text: &str, from: usize, accept: fn(char) -> bool) -> usize {
    let mut end = from;
    for (offset, c) in text[from..].char_indices() {
        if !accept(c) {
            break;
        }
        end = from + offset + c.len_utf8();
    }
    while end > from && text[..end].ends_with(['.', '-']) {
        end -= 1;
    }
    end
}

/// The mentions of a run of plain text: where each is, and what it names.
pub fn scan(text: &str) -> Vec<(Range<usize>, Handle)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find('@') {
        let at = from + offset;
        from = at + 1;
        // `anne@ecole.fr`, `x/@y`, `@@y`: not a mention.
        if let Some(before) = text[..at].chars().next_back() {
            if before.is_alphanumeric() || matches!(before, '_' | '.' | '-' | '+' | '@' | '/') {
                continue;
            }
        }
        let name_start = at + 1;
        let name_end = run_end(text, name_start, is_name_char);
        if name_end == name_start || !text[name_start..].starts_with(|c: char| c != '.' && c != '-')
        {
            continue;
        }
        let name = &text[name_start..name_end];
        let mut end = name_end;
        let mut domain = None;
        if text[name_end..].starts_with('@') {
            let host_start = name_end + 1;
            let mut host_end = run_end(text, host_start, is_host_char);
            if host_end == host_start || text[host_start..].starts_with(['.', '-']) {
                continue;
            }
            // A port (test instances, `localhost:8080`).
            if text[host_end..].starts_with(':') {
                let digits = text[host_end + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(text.len(), |d| host_end + 1 + d);
                if digits > host_end + 1 {
                    host_end = digits;
                }
            }
            domain = Some(text[host_start..host_end].to_lowercase());
            end = host_end;
        }
        // `@bob@x.org@y`, `@bobé`: not a mention.
        if text[end..].starts_with(|c: char| c == '@' || c.is_alphanumeric() || c == '_') {
            from = end;
            continue;
        }
        found.push((
            at..end,
            Handle {
                name: name.to_string(),
                domain,
            },
        ));
        from = end;
    }
    found
}

/// What a Markdown event stream holds: the runs of text outside code and
/// links (consecutive text events joined), in order.
fn text_runs(source: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut hidden = 0usize;
    for event in pulldown_cmark::Parser::new_ext(source, super::rendering::markdown_options()) {
        match event {
            Event::Text(text) if hidden == 0 => current.push_str(&text),
            other => {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
                match other {
                    Event::Start(Tag::CodeBlock(_) | Tag::Link { .. }) => hidden += 1,
                    Event::End(TagEnd::CodeBlock | TagEnd::Link) => {
                        hidden = hidden.saturating_sub(1)
                    }
                    _ => {}
                }
            }
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The distinct mentions of a Markdown text, in order of first
/// appearance (spellings differing only in case are one).
pub fn extract(source: &str) -> Vec<Handle> {
    let mut handles: Vec<Handle> = Vec::new();
    for run in text_runs(source) {
        for (_, handle) in scan(&run) {
            if !handles.iter().any(|known| known.key() == handle.key()) {
                handles.push(handle);
            }
        }
    }
    handles
}

impl Domain {
    /// The distinct mentions of `body`, refused beyond [`MAX_MENTIONS`].
    fn mention_handles(&self, body: &str) -> DomainResult<Vec<Handle>> {
        let handles = extract(body);
        if handles.len() > MAX_MENTIONS {
            return Err(Refusal::TooManyMentions("body".into()).into());
        }
        Ok(handles)
    }

    /// The `name@domain` of the mentions of `body` that name nobody this
    /// instance knows: the edge looks each up by WebFinger before posting
    /// (one that fails stays plain text). Refuses more than
    /// [`MAX_MENTIONS`] mentions with `too_many_mentions`.
    pub async fn mentions_to_look_up(&self, body: &str) -> DomainResult<Vec<String>> {
        let mut unknown = Vec::new();
        for handle in self.mention_handles(body)? {
            if let Some(domain) = &handle.domain {
                if !self.is_own_host(domain)
                    && self
                        .store
                        .remote_actor_by_handle(&handle.name, domain)
                        .await?
                        .is_none()
                {
                    unknown.push(format!("{}@{domain}", handle.name));
                }
            }
        }
        Ok(unknown)
    }

    /// The mentions of `body` that name a person this instance knows (a
    /// local teacher or a known remote person), each once; the others
    /// stay plain text.
    pub async fn known_mentions(&self, body: &str) -> DomainResult<Vec<Mention>> {
        let mut mentions: Vec<Mention> = Vec::new();
        for handle in self.mention_handles(body)? {
            let actor = match &handle.domain {
                Some(domain) if !self.is_own_host(domain) => {
                    self.store
                        .remote_actor_by_handle(&handle.name, domain)
                        .await?
                }
                _ => {
                    self.store
                        .local_actor_by_name(&handle.name.to_lowercase())
                        .await?
                }
            };
            let Some(actor) = actor.filter(|actor| actor.kind == ActorKindRow::Person) else {
                continue;
            };
            if mentions.iter().any(|known| known.actor.id == actor.id) {
                continue;
            }
            let domain = if actor.is_local() {
                self.settings.instance.domain.clone()
            } else {
                actor.domain.clone()
            };
            mentions.push(Mention {
                name: format!("@{}@{domain}", actor.name),
                written: handle.written(),
                actor,
            });
        }
        Ok(mentions)
    }
}

/// What [`crate::domain::rendering::markdown_with_mentions`] links: each
/// mention as written, and its actor's URL.
pub fn links(mentions: &[Mention]) -> Vec<(String, String)> {
    mentions
        .iter()
        .map(|mention| (mention.written.clone(), mention.actor.ap_id.clone()))
        .collect()
}

/// Where the remote people mentioned receive the activity: their shared
/// inbox when they have one.
pub fn inboxes(mentions: &[Mention]) -> Vec<String> {
    mentions
        .iter()
        .filter(|mention| !mention.actor.is_local())
        .map(|mention| {
            mention
                .actor
                .shared_inbox
                .clone()
                .unwrap_or_else(|| mention.actor.inbox.clone())
        })
        .collect()
}

/// The local actors among `mentions` (whom a notification may concern).
pub fn local_actors(mentions: &[Mention]) -> Vec<ActorId> {
    mentions
        .iter()
        .filter(|mention| mention.actor.is_local())
        .map(|mention| mention.actor.id)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn written(source: &str) -> Vec<String> {
        extract(source).iter().map(Handle::written).collect()
    }

    #[test]
    fn mentions_are_found_with_or_without_a_host() {
        assert_eq!(
            written("Bonjour @anne et @bob@ecole.example, merci !"),
            ["@anne", "@bob@ecole.example"]
        );
        assert_eq!(
            written("(@carl@localhost:8080) et @dora_b."),
            ["@carl@localhost:8080", "@dora_b"]
        );
        assert_eq!(
            written("Fin de phrase @Eve@Mastodon.Social."),
            ["@Eve@mastodon.social"]
        );
    }

    #[test]
    fn addresses_and_code_are_not_mentions() {
        assert!(written("Écrivez à anne@ecole.fr ou a.b@c.example").is_empty());
        assert!(written("`@anne@ecole.example` et\n\n    @bob code\n").is_empty());
        assert!(written("```\n@carl\n```\n").is_empty());
        assert!(written("[@dora](https://x.example/@dora) https://x.example/@eve").is_empty());
        assert!(written("@ seul, @-x, @@y, @bob@, @bob@.x").is_empty());
    }

    #[test]
    fn duplicates_count_once_in_order() {
        assert_eq!(
            written("@bob@b.example puis @Bob@B.example, @anne et encore @anne"),
            ["@bob@b.example", "@anne"]
        );
    }

    #[test]
    fn emphasis_around_a_mention_keeps_it() {
        assert_eq!(
            written("**@anne** et _@bob@b.example_"),
            ["@anne", "@bob@b.example"]
        );
        // Text split by the parser (an underscore in the name) is joined.
        assert_eq!(written("Merci @anne_marie_l !"), ["@anne_marie_l"]);
    }

    #[test]
    fn scan_gives_where_each_mention_is() {
        let text = "à @anne, @bob@b.example";
        let found = scan(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].0.clone()], "@anne");
        assert_eq!(&text[found[1].0.clone()], "@bob@b.example");
    }
}
