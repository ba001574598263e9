//! What Préau does with activities other servers send, once the inbox has
//! checked their signature, one module per activity family (the same
//! families as `src/apub/activities/`): follows of local forums and
//! accepted follows of remote forums, posts (threads and replies) in
//! forums, changes to posts (edits, deletions, marks, moderation), reports,
//! the memberships of remote projects seen from here, and the look-ups the
//! inbox routes by.
//!
//! Each function applies one activity in one transaction that also records
//! its id, so the same activity is applied at most once.

mod changes;
mod flags;
mod follows;
mod lookups;
mod memberships;
mod posts;

/// The rows the inbox routes by and hands back to the domain.
pub use crate::domain::store::{
    actors::{ActorKindRow, ActorRow},
    forums::{FollowState, ForumRow},
    projects::{MemberRow, MemberState, ProjectRow, Role},
};
pub use lookups::ContactAnswer;

use super::{rendering, DomainResult};
use preau_federation::objects::Post;

/// What became of a received activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied now.
    Applied,
    /// Already applied earlier: nothing done.
    Duplicate,
    /// Understood but nothing to do here (not for us, already known…).
    Ignored,
}

impl super::Domain {
    /// Opens the transaction that applies a received activity, with the
    /// activity's id recorded in it (the apply-once record commits or rolls
    /// back with the change): `None` when that id was applied before. With
    /// no id (a change this instance makes itself), a plain transaction.
    pub(crate) async fn begin_applying<'a>(
        &self,
        received: impl Into<Option<&'a str>>,
    ) -> DomainResult<Option<crate::domain::store::Tx>> {
        let mut tx = self.store.begin().await?;
        if let Some(id) = received.into() {
            if !crate::domain::store::inbox::record_received(&mut tx, id).await? {
                return Ok(None);
            }
        }
        Ok(Some(tx))
    }
}

/// Who vouches for a received change to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relay {
    /// The signer sent it directly.
    Direct,
    /// A remote forum announced it: the forum vouches for what happens to
    /// its own posts, and only to them.
    Forum(crate::domain::store::actors::ActorId),
}

/// Remote text kept as sent (a post's Markdown source) without U+0000,
/// which PostgreSQL text cannot hold; pushed activities holding it are
/// refused at the inbox, fetched ones are cleaned here.
pub(super) fn without_nul(text: &str) -> String {
    text.replace('\0', "")
}

/// A title for a thread that has none (a Mastodon post mentioning the
/// forum): its first words.
pub(super) async fn title_from(post: &Post) -> DomainResult<String> {
    if let Some(name) = post.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return Ok(crate::domain::validate::single_line(
            &rendering::html_text(name.to_string()).await?,
        )
        .chars()
        .take(crate::domain::forums::MAX_TITLE)
        .collect());
    }
    let text = crate::domain::validate::single_line(
        &rendering::html_text(post.content.clone().unwrap_or_default()).await?,
    );
    let mut title: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        title.push('…');
    }
    if title.is_empty() {
        title = "—".to_string();
    }
    Ok(title)
}
