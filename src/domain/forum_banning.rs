//! Bans decided by the moderators of a local forum (issue 13): a person
//! (local or remote) or a whole remote instance, with a reason, for a time
//! or for good. A person's ban is federated as Lemmy and Mbin do (`Block`
//! with the forum as `target`, announced by the forum to its followers and
//! sent to the banned person's inbox; `Undo(Block)` when lifted). An
//! instance ban has no common wire shape: it is enforced here, where posts
//! to the forum arrive, and announced as a `Block` whose object is the
//! instance's origin URL (Préau's own shape), because the relaying
//! instances also receive posts without the forum (a reply sent straight
//! to the people it mentions) and enforce it too. A remote person unknown
//! here is looked up by the edge before the ban. A ban stops applying when
//! its end passes (compared with now, no job).

use super::{
    lookups::ActorLookup,
    outbox::{forum as outgoing, new_activity_id, to_json},
    validate, Domain, DomainResult, Refusal,
};
pub use crate::domain::store::forum_bans::BanListing;
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorKindRow, ActorRow},
    forum_bans::{self, ForumBan, InstanceBan},
    forums::ForumRow,
};
use preau_federation::activities::ActivityKind;
use serde_json::Value;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The lengths the ban form offers (see [`ban_end`]).
pub const BAN_LENGTHS: [&str; 5] = ["1d", "1w", "1m", "date", "forever"];

/// The longest reason a moderator may give.
pub const MAX_BAN_REASON: usize = 500;

/// Who a ban names: a person or a whole instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BanTarget {
    /// A person by handle (`name` local, `name@domain`, or a URL).
    Person(String),
    /// A remote instance by domain.
    Instance(String),
}

impl BanTarget {
    /// `who` as typed: an instance when it is a bare domain (no `@`, with
    /// a dot or a port: user names have neither), a person otherwise.
    pub fn parse(who: &str) -> DomainResult<Self> {
        let who = who.trim();
        if who.is_empty() {
            return Err(Refusal::FieldRequired("who".into()).into());
        }
        let bare = who.trim_start_matches(['@', '!']);
        if !bare.contains('@') && (bare.contains('.') || bare.contains(':')) && !bare.contains('/')
        {
            return Ok(BanTarget::Instance(bare.to_lowercase()));
        }
        Ok(BanTarget::Person(who.to_string()))
    }
}

/// When a ban ends, from the form's `length` (`1d`, `1w`, `1m`,
/// `forever`, or `date` with `until` an ISO date): unix ms, or `None` for
/// good.
pub fn ban_end(length: &str, until: &str, now_ms: i64) -> DomainResult<Option<i64>> {
    let days = match length.trim() {
        "" | "forever" => return Ok(None),
        "1d" => 1,
        "1w" => 7,
        "1m" => 30,
        "date" => {
            let date = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d")
                .map_err(|_| Refusal::InvalidDate("until".into()))?;
            let end = date
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis())
                .ok_or_else(|| Refusal::InvalidDate("until".into()))?;
            if end <= now_ms {
                return Err(Refusal::InvalidDate("until".into()).into());
            }
            return Ok(Some(end));
        }
        _ => return Err(Refusal::InvalidChoice("length".into()).into()),
    };
    Ok(Some(now_ms + days * DAY_MS))
}

/// A ban the moderators ask for.
#[derive(Debug, Clone)]
pub struct BanRequest {
    /// Who.
    pub target: BanTarget,
    /// Why (plain text).
    pub reason: String,
    /// Until when (unix ms), `None` for good.
    pub expires_at: Option<i64>,
}

impl Domain {
    /// The forum, when `moderator` may manage its bans (a local forum it
    /// moderates, or any local forum for an admin).
    async fn check_bans_moderator(
        &self,
        moderator: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<ActorRow> {
        if !forum.actor.is_local() {
            return Err(Refusal::ForumIsRemote.into());
        }
        if !self.can_moderate(moderator, forum).await? {
            return Err(Refusal::NotModerator.into());
        }
        self.author_actor(moderator).await
    }

    /// The bans of a local forum in force now, for its moderators.
    pub async fn forum_bans(
        &self,
        moderator: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<Vec<BanListing>> {
        self.check_bans_moderator(moderator, forum).await?;
        Ok(self
            .store
            .forum_ban_list(forum.actor.id, self.clock().now_ms())
            .await?)
    }

    /// The person a ban names, known here (the edge looks a remote one
    /// up first); `missing` when there is none.
    async fn ban_person_of(&self, handle: &str, missing: Refusal) -> DomainResult<ActorRow> {
        match self.find_actor(handle).await {
            Ok(ActorLookup::Known(actor)) if actor.kind == ActorKindRow::Person => Ok(actor),
            Ok(_) | Err(super::DomainError::Refused(Refusal::NotFound)) => Err(missing.into()),
            Err(error) => Err(error),
        }
    }

    /// Whether `person` may not be banned from `forum`: its moderators,
    /// and the admins of this instance.
    async fn is_untouchable(&self, forum: &ForumRow, person: &ActorRow) -> DomainResult<bool> {
        if self.store.is_moderator(forum.actor.id, person.id).await? {
            return Ok(true);
        }
        if person.is_local() {
            if let Some(account) = self.store.account_by_username(&person.name).await? {
                return Ok(account.is_admin);
            }
        }
        Ok(false)
    }

    /// A moderator bans a person or an instance from a local forum.
    pub async fn ban_from_forum(
        &self,
        moderator: &AccountRow,
        forum: &ForumRow,
        request: &BanRequest,
    ) -> DomainResult<()> {
        let actor = self.check_bans_moderator(moderator, forum).await?;
        let reason = validate::text(&request.reason, MAX_BAN_REASON, "reason")?;
        let now = self.clock().now_ms();
        match &request.target {
            BanTarget::Instance(domain) => {
                if self.is_own_host(domain) {
                    return Err(Refusal::CannotBanOwnInstance.into());
                }
                let id = new_activity_id(&self.settings.base_url());
                let object = self.instance_origin(domain);
                let block = ban_block(&id, &actor, forum, object, &reason, request.expires_at)?;
                let activity = to_json(&block)?;
                let ban = InstanceBan {
                    forum_id: forum.actor.id,
                    domain: domain.clone(),
                    reason,
                    expires_at: request.expires_at,
                    banned_by: actor.id,
                    created_at: now,
                };
                let mut tx = self.store.begin().await?;
                forum_bans::upsert_instance_ban(&mut tx, &ban).await?;
                // The relaying instances enforce it too (a post the banned
                // instance sends them directly never passes here).
                self.distribute_to(&mut tx, forum, &actor, &id, &activity, &[])
                    .await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(())
            }
            BanTarget::Person(handle) => {
                let person = self.ban_person_of(handle, Refusal::PersonNotFound).await?;
                if self.is_untouchable(forum, &person).await? {
                    return Err(Refusal::CannotBanModerator.into());
                }
                let id = new_activity_id(&self.settings.base_url());
                let object = Value::String(person.ap_id.clone());
                let block = ban_block(&id, &actor, forum, object, &reason, request.expires_at)?;
                let activity = to_json(&block)?;
                let ban = ForumBan {
                    forum_id: forum.actor.id,
                    actor_id: person.id,
                    reason,
                    expires_at: request.expires_at,
                    created_at: now,
                };
                let mut tx = self.store.begin().await?;
                forum_bans::upsert_ban(&mut tx, &ban, &id).await?;
                forum_bans::set_banned_by(&mut tx, forum.actor.id, person.id, actor.id).await?;
                let direct: Vec<String> = if person.is_local() {
                    Vec::new()
                } else {
                    vec![person.inbox.clone()]
                };
                self.distribute_to(&mut tx, forum, &actor, &id, &activity, &direct)
                    .await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(())
            }
        }
    }

    /// A moderator lifts a ban (`who` as in [`BanTarget::parse`]);
    /// `not_found` when there was none.
    pub async fn lift_forum_ban(
        &self,
        moderator: &AccountRow,
        forum: &ForumRow,
        who: &str,
    ) -> DomainResult<()> {
        let actor = self.check_bans_moderator(moderator, forum).await?;
        match BanTarget::parse(who)? {
            BanTarget::Instance(domain) => {
                let base = self.settings.base_url();
                let block_id = new_activity_id(&base);
                let object = self.instance_origin(&domain);
                let block = ban_block(&block_id, &actor, forum, object, "", None)?;
                let id = new_activity_id(&base);
                let activity = to_json(&outgoing::undo(&id, &block)?)?;
                let mut tx = self.store.begin().await?;
                let lifted =
                    forum_bans::delete_instance_ban(&mut tx, forum.actor.id, &domain).await?;
                if !lifted {
                    return Err(Refusal::NotFound.into());
                }
                self.distribute_to(&mut tx, forum, &actor, &id, &activity, &[])
                    .await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(())
            }
            BanTarget::Person(handle) => {
                let person = self.ban_person_of(&handle, Refusal::NotFound).await?;
                let base = self.settings.base_url();
                let block_id = new_activity_id(&base);
                let object = Value::String(person.ap_id.clone());
                let block = ban_block(&block_id, &actor, forum, object, "", None)?;
                let id = new_activity_id(&base);
                let activity = to_json(&outgoing::undo(&id, &block)?)?;
                let mut tx = self.store.begin().await?;
                if !forum_bans::delete_ban(&mut tx, forum.actor.id, person.id).await? {
                    return Err(Refusal::NotFound.into());
                }
                let direct: Vec<String> = if person.is_local() {
                    Vec::new()
                } else {
                    vec![person.inbox.clone()]
                };
                self.distribute_to(&mut tx, forum, &actor, &id, &activity, &direct)
                    .await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(())
            }
        }
    }

    /// The object of an instance ban's `Block`: the instance's origin URL
    /// (`https://domain/`, with this instance's scheme), which receivers
    /// compare by host and port.
    fn instance_origin(&self, domain: &str) -> Value {
        let scheme = url::Url::parse(&self.settings.base_url())
            .map(|base| base.scheme().to_string())
            .unwrap_or_else(|_| "https".to_string());
        Value::String(format!("{scheme}://{domain}/"))
    }

    /// Whether `author` is banned from `forum` now (in person, or with
    /// its whole instance).
    pub(crate) async fn is_banned_from(
        &self,
        forum: &ForumRow,
        author: &ActorRow,
    ) -> DomainResult<bool> {
        Ok(self
            .store
            .is_banned(
                forum.actor.id,
                author.id,
                &author.domain,
                self.clock().now_ms(),
            )
            .await?)
    }

    /// Refuses what `author` sends to `forum` while banned from it (403
    /// `banned_from_forum`).
    pub(crate) async fn check_actor_not_banned(
        &self,
        forum: &ForumRow,
        author: &ActorRow,
    ) -> DomainResult<()> {
        if self.is_banned_from(forum, author).await? {
            return Err(Refusal::BannedFromForum.into());
        }
        Ok(())
    }
}

/// The `Block` of `banned` (a person's id, or an instance's origin URL)
/// from `forum` by `actor`: public, `target` and `audience` the forum,
/// `summary` the reason, `removeData` false, and `endTime` (Lemmy) and
/// `expires` (Mbin) for a temporary ban.
fn ban_block(
    id: &str,
    actor: &ActorRow,
    forum: &ForumRow,
    banned: Value,
    reason: &str,
    expires_at: Option<i64>,
) -> DomainResult<preau_federation::activities::Activity> {
    let forum_url = super::outbox::url(&forum.actor.ap_id)?;
    let mut block = outgoing::in_forum(
        ActivityKind::Block,
        id,
        &actor.ap_id,
        &forum.actor.ap_id,
        banned,
    )?
    .target(&forum_url)
    .summary(reason.to_string());
    block.remove_data = Some(false);
    if let Some(end) = expires_at.and_then(chrono::DateTime::from_timestamp_millis) {
        let end = end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        block.end_time = Some(end.clone());
        block.expires = Some(end);
    }
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_names_an_instance_and_a_handle_a_person() {
        for (who, instance) in [
            ("bea@peer.example", false),
            ("bea", false),
            ("https://peer.example/users/bea", false),
            ("peer.example", true),
            ("localhost:8080", true),
            ("Peer.Example", true),
        ] {
            let parsed = BanTarget::parse(who).unwrap();
            assert_eq!(matches!(parsed, BanTarget::Instance(_)), instance, "{who}");
        }
        assert!(BanTarget::parse("  ").is_err());
    }

    #[test]
    fn lengths_end_after_their_time_or_never() {
        let now = 1_000_000;
        assert_eq!(ban_end("forever", "", now).unwrap(), None);
        assert_eq!(ban_end("1d", "", now).unwrap(), Some(now + DAY_MS));
        assert_eq!(ban_end("1w", "", now).unwrap(), Some(now + 7 * DAY_MS));
        assert!(ban_end("date", "2099-01-01", now).unwrap().is_some());
        assert!(ban_end("date", "1970-01-01", now).is_err());
        assert!(ban_end("2d", "", now).is_err());
    }
}
