//! A teacher's contacts sorted in categories (seed 004, "Gérer ses
//! contacts"): named categories of their own, the system category "Autres
//! contacts" for everyone not placed (new contacts, and those of a deleted
//! category), each contact's state (accepted, "Invitation en attente",
//! "Invitation refusée"), and removing a contact on both sides.
//!
//! Categories are private: nothing here is federated except the removal
//! itself (`Undo(Follow)` when the remover asked, `Reject(Follow)` of the
//! accepted request when the other asked, as Mastodon removes a follower).

use super::{
    contacts::queue_follow_answer,
    outbox::{self, new_activity_id, queue, to_json},
    validate, Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorKindRow, ActorRow},
    contact_categories::{self as categories, ContactCategoryId, ContactCategoryRow},
    forums::{self, FollowRow, FollowState},
    Tx,
};

/// Longest category name, in characters.
pub const MAX_CATEGORY_NAME: usize = 80;

/// Where a contact of the list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactStanding {
    /// Accepted, whoever asked.
    Accepted,
    /// Asked by the owner, not answered yet ("Invitation en attente").
    Pending,
    /// Asked by the owner and refused ("Invitation refusée").
    Refused,
}

impl ContactStanding {
    /// The stable name used by the API and the catalogs.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStanding::Accepted => "accepted",
            ContactStanding::Pending => "pending",
            ContactStanding::Refused => "refused",
        }
    }
}

/// One person of a teacher's contact list.
#[derive(Debug, Clone)]
pub struct BookEntry {
    /// The other person.
    pub person: ActorRow,
    /// When asked, accepted or refused, unix ms.
    pub since: i64,
    /// Where it stands.
    pub standing: ContactStanding,
    /// Its named category; `None` is "Autres contacts".
    pub category: Option<ContactCategoryId>,
}

/// A category with the number of people in it.
#[derive(Debug, Clone)]
pub struct CategoryCount {
    /// The named category; `None` is "Autres contacts".
    pub category: Option<ContactCategoryRow>,
    /// How many people of the list are in it.
    pub count: usize,
}

/// A teacher's contact list: categories (named ones by name, then "Autres
/// contacts" when it holds someone) and people.
#[derive(Debug, Clone)]
pub struct ContactBook {
    /// The categories and their counts.
    pub categories: Vec<CategoryCount>,
    /// Everyone in the list, each once.
    pub entries: Vec<BookEntry>,
}

impl Domain {
    /// The contact list of the person `me`.
    pub async fn contact_book(&self, me: ActorId) -> DomainResult<ContactBook> {
        let placements = self.store.contact_placements(me).await?;
        let placed = |person: ActorId| {
            placements
                .iter()
                .find(|(placed, _)| *placed == person)
                .map(|(_, category)| *category)
        };
        let mut entries: Vec<BookEntry> = Vec::new();
        let lists = [
            (self.store.contacts_of(me).await?, ContactStanding::Accepted),
            (
                self.store.contact_requests_from(me).await?,
                ContactStanding::Pending,
            ),
            (
                self.store.contact_refusals_of(me).await?,
                ContactStanding::Refused,
            ),
        ];
        for (views, standing) in lists {
            for view in views {
                if entries.iter().any(|e| e.person.id == view.person.id) {
                    continue;
                }
                entries.push(BookEntry {
                    category: placed(view.person.id),
                    person: view.person,
                    since: view.since,
                    standing,
                });
            }
        }
        // By name, case and accents aside ("Élodie" among the E).
        entries.sort_by_cached_key(|e| {
            (
                crate::domain::store::directory::fold(&e.person.display_name),
                e.person.name.clone(),
                e.person.domain.clone(),
            )
        });
        let mut categories: Vec<CategoryCount> = self
            .store
            .contact_categories(me)
            .await?
            .into_iter()
            .map(|row| CategoryCount {
                count: entries
                    .iter()
                    .filter(|e| e.category == Some(row.id))
                    .count(),
                category: Some(row),
            })
            .collect();
        let others = entries.iter().filter(|e| e.category.is_none()).count();
        if others > 0 {
            categories.push(CategoryCount {
                category: None,
                count: others,
            });
        }
        Ok(ContactBook {
            categories,
            entries,
        })
    }

    /// One named category of the teacher's.
    pub async fn contact_category(
        &self,
        account: &AccountRow,
        id: ContactCategoryId,
    ) -> DomainResult<ContactCategoryRow> {
        Ok(self
            .store
            .contact_category(account.actor_id, id)
            .await?
            .ok_or(Refusal::NotFound)?)
    }

    /// A valid category name of `owner`'s not taken by another category.
    async fn free_category_name(
        &self,
        owner: ActorId,
        raw: &str,
        except: Option<ContactCategoryId>,
    ) -> DomainResult<String> {
        let name = validate::name(raw, MAX_CATEGORY_NAME, "name")?;
        if name.is_empty() {
            return Err(Refusal::FieldRequired("name".into()).into());
        }
        match self.store.contact_category_named(owner, &name).await? {
            Some(id) if Some(id) != except => Err(Refusal::NameTaken("name".into()).into()),
            _ => Ok(name),
        }
    }

    /// Creates a named category (empty until contacts are put in it).
    pub async fn create_contact_category(
        &self,
        account: &AccountRow,
        name: &str,
    ) -> DomainResult<ContactCategoryRow> {
        let name = self
            .free_category_name(account.actor_id, name, None)
            .await?;
        let mut tx = self.store.begin().await?;
        let id = categories::insert_contact_category(&mut tx, account.actor_id, &name).await?;
        crate::domain::store::commit(tx).await?;
        self.contact_category(account, id).await
    }

    /// Renames one of the teacher's categories.
    pub async fn rename_contact_category(
        &self,
        account: &AccountRow,
        id: ContactCategoryId,
        name: &str,
    ) -> DomainResult<ContactCategoryRow> {
        let category = self.contact_category(account, id).await?;
        let name = self
            .free_category_name(account.actor_id, name, Some(category.id))
            .await?;
        let mut tx = self.store.begin().await?;
        categories::rename_contact_category(&mut tx, category.id, &name).await?;
        crate::domain::store::commit(tx).await?;
        self.contact_category(account, id).await
    }

    /// Deletes one of the teacher's categories, even with contacts in it:
    /// they move to "Autres contacts".
    pub async fn delete_contact_category(
        &self,
        account: &AccountRow,
        id: ContactCategoryId,
    ) -> DomainResult<ContactCategoryRow> {
        let category = self.contact_category(account, id).await?;
        let mut tx = self.store.begin().await?;
        categories::delete_contact_category(&mut tx, category.id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(category)
    }

    /// Moves a person of the teacher's list to `category` (`None`: "Autres
    /// contacts"). Returns the name of the category this left empty, which
    /// then disappears.
    pub async fn move_contact(
        &self,
        account: &AccountRow,
        person: ActorId,
        category: Option<ContactCategoryId>,
    ) -> DomainResult<Option<String>> {
        let me = account.actor_id;
        if let Some(id) = category {
            self.contact_category(account, id).await?;
        }
        if !self.in_book(me, person).await? {
            return Err(Refusal::NotAContact.into());
        }
        let mut tx = self.store.begin().await?;
        let before = categories::placement(&mut tx, me, person).await?;
        categories::place_contact(&mut tx, me, person, category).await?;
        let emptied = match before {
            Some(before) if Some(before) != category => {
                categories::drop_if_empty(&mut tx, before).await?
            }
            _ => None,
        };
        crate::domain::store::commit(tx).await?;
        Ok(emptied)
    }

    /// Whether `person` is in `me`'s list (contact, request sent, refused).
    /// Only people: a forum followed is no contact.
    async fn in_book(&self, me: ActorId, person: ActorId) -> DomainResult<bool> {
        match self.store.actor_by_id(person).await? {
            Some(actor) if actor.kind == ActorKindRow::Person => {}
            _ => return Ok(false),
        }
        let state = self.contact_state(me, person).await?;
        Ok(matches!(state, "contact" | "requested")
            || self.store.contact_refused(me, person).await?)
    }

    /// Removes `other` from the teacher's contacts, on both sides: the
    /// contact, a request sent, or a refused one. The other instance is
    /// told (`Undo` of the request when the teacher asked, `Reject` of the
    /// accepted request when the other did). Returns the name of the
    /// category this left empty, which then disappears.
    pub async fn remove_contact(
        &self,
        account: &AccountRow,
        other: &ActorRow,
    ) -> DomainResult<Option<String>> {
        let me = self.actor_of(account).await?;
        // A forum or project followed is no contact: never undone here.
        if other.kind != ActorKindRow::Person {
            return Err(Refusal::NotAContact.into());
        }
        let mine = self.store.follow(me.id, other.id).await?;
        let theirs = self
            .store
            .follow(other.id, me.id)
            .await?
            .filter(|f| f.state == FollowState::Accepted);
        let refused = self.store.contact_refused(me.id, other.id).await?;
        if mine.is_none() && theirs.is_none() && !refused {
            return Err(Refusal::NotAContact.into());
        }
        let mut tx = self.store.begin().await?;
        let emptied = self
            .end_contact(&mut tx, &me, other, mine.as_ref(), theirs.as_ref())
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(emptied)
    }

    /// Ends everything between `me` and `other` on both sides, in `tx`:
    /// forgotten here; for a local `other`, on their side too; for a
    /// remote one, their instance is told: `Undo` of `mine` (the request
    /// `me` sent), `Reject` of `theirs` (the request they sent, pending
    /// or accepted). Returns the name of the category of `me`'s this left
    /// empty.
    pub(crate) async fn end_contact(
        &self,
        tx: &mut Tx,
        me: &ActorRow,
        other: &ActorRow,
        mine: Option<&FollowRow>,
        theirs: Option<&FollowRow>,
    ) -> DomainResult<Option<String>> {
        let emptied = forget_contact(tx, me.id, other.id).await?;
        if other.is_local() {
            forget_contact(tx, other.id, me.id).await?;
            return Ok(emptied);
        }
        let base = self.settings.base_url();
        if let Some(follow) = mine {
            let id = new_activity_id(&base);
            let asked = outbox::forum::follow(&follow.activity_id, &me.ap_id, &other.ap_id)?;
            let undo = outbox::forum::undo(&id, &asked)?;
            queue(
                tx,
                &id,
                me.id,
                &to_json(&undo)?,
                std::slice::from_ref(&other.inbox),
            )
            .await?;
        }
        if let Some(follow) = theirs {
            queue_follow_answer(tx, &base, false, &follow.activity_id, other, me).await?;
        }
        Ok(emptied)
    }
}

/// Everything `owner` holds about `other` as a contact, gone: the requests
/// either way, a refusal, the placement; the category this left empty is
/// deleted and its name returned.
pub(crate) async fn forget_contact(
    tx: &mut Tx,
    owner: ActorId,
    other: ActorId,
) -> DomainResult<Option<String>> {
    forums::delete_follow(tx, owner, other).await?;
    forums::delete_follow(tx, other, owner).await?;
    categories::delete_refusal(tx, owner, other).await?;
    let before = categories::placement(tx, owner, other).await?;
    categories::place_contact(tx, owner, other, None).await?;
    Ok(match before {
        Some(before) => categories::drop_if_empty(tx, before).await?,
        None => None,
    })
}
