//! Presence (seed 004: Disponible, Absent, Ne pas déranger): what a
//! teacher chose from their name in the header, shown as Absent while they
//! are idle (no request and no open event stream for
//! `accounts.presence_idle_minutes`), and seen only by their accepted
//! contacts: on this instance through pages, the API and live streams; on
//! other instances through an `Update` of a `Presence` object sent, when
//! what is shown changes, to the instances of those contacts only (one
//! delivery per instance, addressed to the contacts there, never public).

use super::{
    inbox::Applied,
    outbox::{new_activity_id, presence_update, queue, to_json},
    Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    actors::{ActorId, ActorRow},
    forums::FollowState,
    live::{self, LiveEvent},
    presence::{self, PresenceRow},
    Store, Tx,
};
pub use preau_federation::presence::PresenceStatus;
use std::collections::{BTreeMap, HashMap};

/// Least time between two records of the same teacher's activity: a
/// request or a stream more often than this writes nothing (less when the
/// idle time is short, so that an active teacher never looks idle).
const TOUCH_EVERY_MS: i64 = 60_000;

/// What `row` shows of a person: a local teacher without a row (never
/// seen since presence exists) or idle is away; a remote person without
/// one shows nothing.
fn shown(row: Option<&PresenceRow>, local: bool) -> Option<PresenceStatus> {
    match row {
        Some(row) if local && row.idle => Some(PresenceStatus::Away),
        Some(row) => PresenceStatus::from_name(&row.chosen),
        None if local => Some(PresenceStatus::Away),
        None => None,
    }
}

/// Whether `one` and `other` are accepted contacts (whoever asked).
pub(crate) async fn are_contacts(
    store: &Store,
    one: ActorId,
    other: ActorId,
) -> DomainResult<bool> {
    for (from, to) in [(one, other), (other, one)] {
        if store
            .follow(from, to)
            .await?
            .is_some_and(|f| f.state == FollowState::Accepted)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The presence of `person` as `viewer` may see it: `None` unless they are
/// accepted contacts.
pub(crate) async fn shown_to(
    store: &Store,
    viewer: ActorId,
    person: &ActorRow,
) -> DomainResult<Option<PresenceStatus>> {
    if viewer == person.id || !are_contacts(store, viewer, person.id).await? {
        return Ok(None);
    }
    Ok(shown(
        store.presence(person.id).await?.as_ref(),
        person.is_local(),
    ))
}

/// Each of `viewer`'s accepted contacts (once each) with what their
/// presence shows: what a stream replays after a reconnection, so that a
/// page shows the present state of the contacts it shows.
pub(crate) async fn contacts_shown(
    store: &Store,
    viewer: ActorId,
) -> DomainResult<Vec<(ActorRow, PresenceStatus)>> {
    let mut people: Vec<ActorRow> = Vec::new();
    for view in store.contacts_of(viewer).await? {
        if !people.iter().any(|p| p.id == view.person.id) {
            people.push(view.person);
        }
    }
    let ids: Vec<ActorId> = people.iter().map(|p| p.id).collect();
    let rows = store.presences(&ids).await?;
    Ok(people
        .into_iter()
        .filter_map(|person| {
            let row = rows.iter().find(|r| r.actor_id == person.id);
            shown(row, person.is_local()).map(|status| (person, status))
        })
        .collect())
}

/// RFC 3339 with milliseconds, so that two changes in one second keep
/// their order.
fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Domain {
    /// The status `me` chose (what the header shows them), and whether
    /// they are shown away for being idle.
    pub async fn own_presence(&self, me: ActorId) -> DomainResult<PresenceStatus> {
        Ok(self
            .store
            .presence(me)
            .await?
            .and_then(|row| PresenceStatus::from_name(&row.chosen))
            .unwrap_or(PresenceStatus::Available))
    }

    /// The presence of `person` as `viewer` sees it: only an accepted
    /// contact sees it; everyone else gets `None`.
    pub async fn presence_for(
        &self,
        viewer: ActorId,
        person: &ActorRow,
    ) -> DomainResult<Option<PresenceStatus>> {
        shown_to(&self.store, viewer, person).await
    }

    /// The presence of each of `viewer`'s accepted contacts among
    /// `people`.
    pub async fn contact_presences(
        &self,
        viewer: ActorId,
        people: &[ActorRow],
    ) -> DomainResult<HashMap<ActorId, PresenceStatus>> {
        let contacts = self.store.contacts_of(viewer).await?;
        let wanted: Vec<&ActorRow> = people
            .iter()
            .filter(|p| contacts.iter().any(|c| c.person.id == p.id))
            .collect();
        let ids: Vec<ActorId> = wanted.iter().map(|p| p.id).collect();
        let rows = self.store.presences(&ids).await?;
        Ok(wanted
            .into_iter()
            .filter_map(|person| {
                let row = rows.iter().find(|r| r.actor_id == person.id);
                shown(row, person.is_local()).map(|status| (person.id, status))
            })
            .collect())
    }

    /// A local teacher chooses their status. Their contacts see the
    /// change (here at once, elsewhere by one `Update` per instance) if
    /// what they were shown changes.
    pub async fn set_presence(&self, me: ActorId, status: &str) -> DomainResult<PresenceStatus> {
        let status = PresenceStatus::from_name(status.trim())
            .ok_or_else(|| Refusal::InvalidChoice("status: available, away, busy".into()))?;
        let person = self.store.actor_by_id(me).await?.ok_or(Refusal::NotFound)?;
        let audience = self.presence_audience(me).await?;
        let mut tx = self.store.begin().await?;
        let before = presence::choose(&mut tx, me, status.as_str()).await?;
        if shown(before.as_ref(), true) != Some(status) {
            self.announce_presence(&mut tx, &person, status, &audience)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(status)
    }

    /// Records that local teacher `me` is active (a request, an open
    /// stream): at most once a minute each, per process. A teacher shown
    /// away for being idle is shown as they chose again, and their
    /// contacts are told.
    pub async fn note_activity(&self, me: ActorId) -> DomainResult<()> {
        let now = self.clock().now_ms();
        let idle_ms = i64::from(self.settings.accounts.presence_idle_minutes) * 60_000;
        let every = match idle_ms {
            0 => TOUCH_EVERY_MS,
            idle_ms => TOUCH_EVERY_MS.min(idle_ms / 4),
        };
        {
            let mut seen = self
                .presence_seen
                .lock()
                .map_err(|_| super::DomainError::Internal("presence cache poisoned".into()))?;
            if seen.get(&me).is_some_and(|at| now - at < every) {
                return Ok(());
            }
            if seen.len() > 100_000 {
                seen.clear();
            }
            seen.insert(me, now);
        }
        let mut tx = self.store.begin().await?;
        if !presence::touch(&mut tx, me).await? {
            crate::domain::store::commit(tx).await?;
            return Ok(());
        }
        // Back from idle: read who to tell outside the write.
        crate::domain::store::commit(tx).await?;
        let Some(person) = self.store.actor_by_id(me).await? else {
            return Ok(());
        };
        let audience = self.presence_audience(me).await?;
        let mut tx = self.store.begin().await?;
        if let Some(chosen) = presence::end_idle(&mut tx, me).await? {
            let status = PresenceStatus::from_name(&chosen).unwrap_or(PresenceStatus::Available);
            if status != PresenceStatus::Away {
                self.announce_presence(&mut tx, &person, status, &audience)
                    .await?;
            }
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// Local teachers idle for `accounts.presence_idle_minutes` are shown
    /// away from now (their choice kept); their contacts are told once.
    /// Returns how many turned idle. The maintenance job runs it.
    pub async fn mark_idle_teachers(&self) -> DomainResult<usize> {
        let minutes = self.settings.accounts.presence_idle_minutes;
        if minutes == 0 {
            return Ok(0);
        }
        let before = self.clock().now_ms() - i64::from(minutes) * 60_000;
        let mut tx = self.store.begin().await?;
        // A teacher with a page open (a live stream in this process) is
        // active, requests or not; other processes record their own
        // streams the same way, every 30 s, well within the idle time.
        presence::keep_active(&mut tx, &self.store.live().with_open_streams()).await?;
        let idle = presence::mark_idle(&mut tx, before).await?;
        crate::domain::store::commit(tx).await?;
        for (person, chosen) in &idle {
            if chosen == PresenceStatus::Away.as_str() {
                continue;
            }
            let Some(row) = self.store.actor_by_id(*person).await? else {
                continue;
            };
            let audience = self.presence_audience(*person).await?;
            let mut tx = self.store.begin().await?;
            self.announce_presence(&mut tx, &row, PresenceStatus::Away, &audience)
                .await?;
            crate::domain::store::commit(tx).await?;
        }
        self.after_commit();
        Ok(idle.len())
    }

    /// `me`'s accepted contacts on other instances.
    async fn presence_audience(&self, me: ActorId) -> DomainResult<Vec<ActorRow>> {
        Ok(self
            .store
            .contacts_of(me)
            .await?
            .into_iter()
            .map(|view| view.person)
            .filter(|person| !person.is_local())
            .collect())
    }

    /// Tells `person`'s contacts what is shown of them now: a live event
    /// for the streams here (each checks its teacher is a contact), and
    /// one `Update` per instance of `remote` (the remote contacts), to
    /// its shared inbox (or one contact's inbox), addressed to the
    /// contacts there only.
    async fn announce_presence(
        &self,
        tx: &mut Tx,
        person: &ActorRow,
        status: PresenceStatus,
        remote: &[ActorRow],
    ) -> DomainResult<()> {
        live::announce(tx, LiveEvent::Presence { person: person.id }).await?;
        let mut by_instance: BTreeMap<&str, Vec<&ActorRow>> = BTreeMap::new();
        for contact in remote {
            by_instance
                .entry(contact.domain.as_str())
                .or_default()
                .push(contact);
        }
        let updated = rfc3339_ms(tx.now_ms());
        for contacts in by_instance.values() {
            let inbox = contacts
                .iter()
                .find_map(|c| c.shared_inbox.clone())
                .unwrap_or_else(|| contacts[0].inbox.clone());
            let id = new_activity_id(&self.settings.base_url());
            let to: Vec<&str> = contacts.iter().map(|c| c.ap_id.as_str()).collect();
            let update = presence_update(&id, &person.ap_id, status, updated.clone(), &to)?;
            queue(tx, &id, person.id, &to_json(&update)?, &[inbox]).await?;
        }
        Ok(())
    }

    /// A remote person's instance sent their presence (already checked to
    /// be theirs): stored unless older than the one stored, and shown at
    /// once to the local teachers who are their contacts. Ignored for a
    /// person no local teacher has as a contact.
    pub(crate) async fn receive_presence(
        &self,
        activity_id: &str,
        person: &ActorRow,
        status: PresenceStatus,
        updated: &str,
    ) -> DomainResult<Applied> {
        let Ok(updated) = chrono::DateTime::parse_from_rfc3339(updated) else {
            return Ok(Applied::Ignored);
        };
        let known = self
            .store
            .contacts_of(person.id)
            .await?
            .iter()
            .any(|view| view.person.is_local());
        if !known {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        let newer = presence::store_remote(
            &mut tx,
            person.id,
            status.as_str(),
            updated.timestamp_millis(),
        )
        .await?;
        if newer {
            live::announce(&mut tx, LiveEvent::Presence { person: person.id }).await?;
        }
        crate::domain::store::commit(tx).await?;
        Ok(if newer {
            Applied::Applied
        } else {
            Applied::Ignored
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(chosen: &str, idle: bool) -> PresenceRow {
        PresenceRow {
            actor_id: ActorId(1),
            chosen: chosen.into(),
            idle,
        }
    }

    #[test]
    fn idle_or_unseen_local_teachers_show_away_remote_unknown_shows_nothing() {
        assert_eq!(shown(None, true), Some(PresenceStatus::Away));
        assert_eq!(shown(None, false), None);
        assert_eq!(
            shown(Some(&row("busy", true)), true),
            Some(PresenceStatus::Away)
        );
        assert_eq!(
            shown(Some(&row("busy", false)), true),
            Some(PresenceStatus::Busy)
        );
        assert_eq!(
            shown(Some(&row("available", false)), false),
            Some(PresenceStatus::Available)
        );
    }
}
