//! Bans by remote forums (Lemmy's `Block` with the forum as `target`, and
//! its `Undo`): recorded when the forum or its server says so. A local
//! teacher's ban is shown to them with the reason and end date, and
//! enforced here so their post is refused at once instead of looking
//! published while the forum refuses it; another person's ban, and a
//! whole instance's (Préau's own shape: the `Block`'s object is the
//! instance's origin URL), are enforced here on what reaches this
//! instance without passing through the forum (a reply sent straight to
//! the people it mentions).

use super::{inbox::Relay, Domain, DomainResult, Refusal};
use crate::domain::inbox::Applied;
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorKindRow, ActorRow},
    forum_bans::{self, ForumBan, InstanceBan},
    forums::ForumRow,
};

/// Who a received ban names.
#[derive(Debug, Clone)]
pub enum Banned {
    /// A person known here.
    Person(Box<ActorRow>),
    /// A whole instance, by domain (host, and port if any; lower case).
    Instance(String),
}

/// The domain an instance ban's object names: an origin URL (`https://host/`,
/// no path, query or fragment).
fn instance_of_origin(object: &str) -> Option<String> {
    let url = url::Url::parse(object).ok()?;
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return None;
    }
    let host = url.host_str()?.to_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

impl Domain {
    /// Whether `signer` may speak for `forum` about its bans: the forum
    /// itself, an actor of its server, or anyone it relays.
    fn speaks_for_forum(forum: &ForumRow, signer: &ActorRow, relay: Relay) -> bool {
        relay == Relay::Forum(forum.actor.id)
            || signer.id == forum.actor.id
            || signer.domain.eq_ignore_ascii_case(&forum.actor.domain)
    }

    /// Whether a ban (or its undo) concerns this instance: a remote forum
    /// (local teachers see their ban; other people's bans are enforced
    /// when this instance relays the forum); refused when `signer` may not
    /// speak for it.
    fn ban_concerns_us(forum: &ForumRow, signer: &ActorRow, relay: Relay) -> DomainResult<bool> {
        if forum.actor.is_local() {
            return Ok(false);
        }
        if !Self::speaks_for_forum(forum, signer, relay) {
            return Err(Refusal::NotModerator.into());
        }
        Ok(true)
    }

    /// A remote forum bans a person or a whole instance, with the
    /// moderators' reason and an optional end (unix ms). A ban of this
    /// instance itself is ignored: the forum refuses its posts anyway.
    #[allow(clippy::too_many_arguments)]
    pub async fn receive_ban(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        forum: &ForumRow,
        banned: &Banned,
        reason: &str,
        expires_at: Option<i64>,
        relay: Relay,
    ) -> DomainResult<Applied> {
        if !Self::ban_concerns_us(forum, signer, relay)? {
            return Ok(Applied::Ignored);
        }
        if matches!(banned, Banned::Instance(domain) if self.is_own_host(domain)) {
            return Ok(Applied::Ignored);
        }
        let reason: String = reason
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect();
        let now = self.clock().now_ms();
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        match banned {
            Banned::Person(person) => {
                let ban = ForumBan {
                    forum_id: forum.actor.id,
                    actor_id: person.id,
                    reason,
                    expires_at,
                    created_at: now,
                };
                forum_bans::upsert_ban(&mut tx, &ban, activity_id).await?;
            }
            Banned::Instance(domain) => {
                let ban = InstanceBan {
                    forum_id: forum.actor.id,
                    domain: domain.clone(),
                    reason,
                    expires_at,
                    banned_by: signer.id,
                    created_at: now,
                };
                forum_bans::upsert_instance_ban(&mut tx, &ban).await?;
            }
        }
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// A remote forum lifts its ban of a person or an instance
    /// (`Undo(Block)`).
    pub async fn receive_unban(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        forum: &ForumRow,
        banned: &Banned,
        relay: Relay,
    ) -> DomainResult<Applied> {
        if !Self::ban_concerns_us(forum, signer, relay)? {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        match banned {
            Banned::Person(person) => {
                forum_bans::delete_ban(&mut tx, forum.actor.id, person.id).await?;
            }
            Banned::Instance(domain) => {
                forum_bans::delete_instance_ban(&mut tx, forum.actor.id, domain).await?;
            }
        }
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// The remote forum (`target`) and the person or instance (`object`)
    /// a ban names; `None` when either is not one this instance knows (a
    /// user block, a ban elsewhere).
    pub async fn ban_parties(
        &self,
        target: &str,
        object: &str,
    ) -> DomainResult<Option<(ForumRow, Banned)>> {
        let Some(forum) = self.store.forum_by_ap_id(target).await? else {
            return Ok(None);
        };
        if let Some(actor) = self.store.actor_by_ap_id(object).await? {
            return Ok((actor.kind == ActorKindRow::Person)
                .then_some((forum, Banned::Person(Box::new(actor)))));
        }
        Ok(instance_of_origin(object).map(|domain| (forum, Banned::Instance(domain))))
    }

    /// The ban in force of `account` by `forum` (local or remote), to show
    /// on its pages.
    pub async fn ban_of(
        &self,
        forum: &ForumRow,
        account: &AccountRow,
    ) -> DomainResult<Option<ForumBan>> {
        Ok(self
            .store
            .active_ban(forum.actor.id, account.actor_id, self.clock().now_ms())
            .await?)
    }

    /// Refuses a post or a vote by a teacher banned from the forum, local
    /// or remote (403 `banned_from_forum`).
    pub(crate) async fn check_not_banned(
        &self,
        forum: &ForumRow,
        account: &AccountRow,
    ) -> DomainResult<()> {
        let now = self.clock().now_ms();
        if self
            .store
            .is_banned(forum.actor.id, account.actor_id, "", now)
            .await?
        {
            return Err(Refusal::BannedFromForum.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_url_names_an_instance_and_anything_else_does_not() {
        assert_eq!(
            instance_of_origin("https://Spam.Example/").as_deref(),
            Some("spam.example")
        );
        assert_eq!(
            instance_of_origin("http://127.0.0.1:4000/").as_deref(),
            Some("127.0.0.1:4000")
        );
        for object in [
            "https://spam.example/users/x",
            "https://spam.example/?q=1",
            "https://spam.example/#x",
            "spam.example",
        ] {
            assert_eq!(instance_of_origin(object), None, "{object}");
        }
    }
}
