//! What forum and thread pages see of a forum and of its posts.

use super::{date, LabelView};
use crate::{
    app::AppState,
    apub::forums::{forum_handle, forum_path},
    domain::{
        rows::{ForumRow, PostView},
        trust::Labeller,
    },
};
use serde::Serialize;

/// A forum in lists and headers.
#[derive(Serialize)]
pub struct ForumView {
    /// Actor name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Description, sanitised HTML.
    pub description_html: String,
    /// `NAME@DOMAIN`.
    pub handle: String,
    /// Page path.
    pub path: String,
    /// Whether the forum is of this instance.
    pub local: bool,
    /// Its instance's domain (empty here).
    pub domain: String,
    /// Last activity date.
    pub last_activity: String,
}

impl ForumView {
    /// The view of a forum.
    pub fn of(state: &AppState, forum: &ForumRow) -> ForumView {
        ForumView {
            name: forum.actor.name.clone(),
            title: forum.title.clone(),
            description_html: forum.description_html.clone(),
            handle: forum_handle(state, forum),
            path: forum_path(forum),
            local: forum.actor.is_local(),
            domain: forum.actor.domain.clone(),
            last_activity: date(forum.last_activity_at),
        }
    }
}

/// A forum post (a thread or a reply) on forum and thread pages.
#[derive(Serialize)]
pub struct ForumPostView {
    /// Post id.
    pub id: i64,
    /// Author's actor id.
    pub author_id: i64,
    /// Markdown source, for the edit form (own visible local posts).
    pub source: String,
    /// ActivityPub id.
    pub ap_id: String,
    /// Title (threads).
    pub title: String,
    /// Sanitised HTML, empty when not visible.
    pub content_html: String,
    /// Deleted by its author.
    pub deleted: bool,
    /// Removed by a moderator.
    pub removed: bool,
    /// Why the moderators removed it; the template shows it to the author
    /// only.
    pub removed_reason: Option<String>,
    /// Refused by its forum: the reason.
    pub refused: Option<String>,
    /// Thread locked.
    pub locked: bool,
    /// Thread pinned.
    pub pinned: bool,
    /// Publication date.
    pub published: String,
    /// Last edit date.
    pub edited: Option<String>,
    /// Parent post id.
    pub in_reply_to: Option<i64>,
    /// Replies (threads).
    pub reply_count: i64,
    /// "Helpful" marks.
    pub like_count: i64,
    /// Its author.
    pub author: PostAuthorView,
    /// Written on this instance.
    pub local: bool,
    /// The author's label.
    pub trust: LabelView,
}

/// The author of a forum post.
#[derive(Serialize)]
pub struct PostAuthorView {
    /// Actor name.
    pub name: String,
    /// Display name, or the name.
    pub display_name: String,
    /// The instance's domain (this one's for local people).
    pub domain: String,
    /// Whether the author is of this instance.
    pub local: bool,
    /// Profile link.
    pub url: String,
}

impl ForumPostView {
    /// The view of a post.
    pub fn of(view: &PostView, labels: &Labeller<'_>) -> ForumPostView {
        let post = &view.post;
        let author = &view.author;
        let visible = post.is_visible();
        let local_author = author.domain.is_empty();
        ForumPostView {
            id: post.id.0,
            author_id: author.id.0,
            source: if visible && post.local {
                post.source.clone()
            } else {
                String::new()
            },
            ap_id: post.ap_id.clone(),
            title: post.title.clone(),
            content_html: if visible {
                super::mention_links::local_mention_links(&post.content_html, labels.local_domain())
            } else {
                String::new()
            },
            deleted: post.deleted_at.is_some(),
            removed: post.removed_at.is_some(),
            removed_reason: post
                .removed_at
                .and(post.removed_reason.clone())
                .filter(|reason| !reason.is_empty()),
            refused: post
                .refused_at
                .map(|_| post.refused_reason.clone().unwrap_or_default()),
            locked: post.locked,
            pinned: post.pinned,
            published: date(post.published_at),
            edited: post.updated_at.map(date),
            in_reply_to: post.in_reply_to_id.map(|p| p.0),
            reply_count: view.reply_count,
            like_count: view.like_count,
            author: PostAuthorView {
                name: author.name.clone(),
                display_name: if author.display_name.is_empty() {
                    author.name.clone()
                } else {
                    author.display_name.clone()
                },
                domain: if local_author {
                    labels.local_domain().to_string()
                } else {
                    author.domain.clone()
                },
                local: local_author,
                url: super::person_page(&author.name, &author.domain, local_author),
            },
            local: post.local,
            trust: labels
                .person(&author.domain, author.email_domain.as_deref())
                .into(),
        }
    }
}
