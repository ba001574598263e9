//! Collections: outboxes, followers, a forum's moderators and pinned posts
//! (`featured`), a post's `replies`, and FEP-7888 thread contexts.
//!
//! The four ActivityStreams collection types share one shape, so one struct,
//! [`Collection`], reads them all and [`CollectionKind`] says which it is;
//! [`OrderedCollection`] and [`OrderedCollectionPage`] are aliases for
//! readability at call sites. Items stay raw JSON because peers list ids
//! (Lemmy's moderators), embedded objects (Lemmy's featured posts) or
//! embedded activities (outboxes); [`Collection::item_ids`] gives the ids
//! whatever the shape.

use crate::lenient;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The ActivityStreams type of a [`Collection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionKind {
    /// An unordered collection (Lemmy's followers, Mastodon's replies).
    Collection,
    /// An ordered collection, newest first by convention (outboxes,
    /// moderators, featured, thread contexts).
    OrderedCollection,
    /// One page of a `Collection`.
    CollectionPage,
    /// One page of an `OrderedCollection`.
    OrderedCollectionPage,
}

/// A collection or a collection page, as served by Préau and read from peers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// The collection's URL. Embedded pages (Mastodon's `replies.first`)
    /// may have none.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<Url>,
    /// Which of the four collection types this is.
    #[serde(rename = "type")]
    pub kind: CollectionKind,
    /// How many items the whole collection holds, when the server says.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_items: Option<u64>,
    /// The items of an ordered collection or page: ids or embedded objects.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ordered_items: Vec<Value>,
    /// The items of an unordered collection or page.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub items: Vec<Value>,
    /// The first page: a URL or an embedded page.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub first: Option<Value>,
    /// The last page: a URL or an embedded page.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub last: Option<Value>,
    /// Pages: the next page, a URL or an embedded page.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub next: Option<Value>,
    /// Pages: the previous page.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub prev: Option<Value>,
    /// Pages: the collection this page belongs to.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub part_of: Option<Value>,
    /// Who the collection belongs to: Lemmy and NodeBB set it on FEP-7888
    /// thread contexts (the thread's author) and some outboxes.
    #[serde(
        default,
        deserialize_with = "lenient::optional_actor_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
}

/// An ordered collection; the same struct as [`Collection`], named for
/// readability where an ordered one is meant.
pub type OrderedCollection = Collection;

/// A page of an ordered collection; the same struct as [`Collection`].
pub type OrderedCollectionPage = Collection;

impl Collection {
    /// An empty value of `kind`; the constructors below fill it.
    fn empty(kind: CollectionKind, id: Option<Url>) -> Self {
        Collection {
            id,
            kind,
            total_items: None,
            ordered_items: Vec::new(),
            items: Vec::new(),
            first: None,
            last: None,
            next: None,
            prev: None,
            part_of: None,
            attributed_to: None,
        }
    }

    /// An `OrderedCollection` listing ids inline, for small collections
    /// Préau serves whole (a forum's moderators, its pinned threads).
    pub fn of_ids(id: Url, items: impl IntoIterator<Item = Url>) -> Self {
        Collection::of_objects(id, items.into_iter().map(|item| item.to_string().into()))
    }

    /// An `OrderedCollection` embedding its items (posts, activities), so a
    /// reader needs no further fetch (Lemmy's featured and outbox do this).
    pub fn of_objects(id: Url, items: impl IntoIterator<Item = Value>) -> Self {
        let ordered_items: Vec<Value> = items.into_iter().collect();
        Collection {
            total_items: Some(ordered_items.len() as u64),
            ordered_items,
            ..Collection::empty(CollectionKind::OrderedCollection, Some(id))
        }
    }

    /// An `OrderedCollection` whose items are served in pages starting at
    /// `first` (a thread's replies, a forum's outbox).
    pub fn paged(id: Url, total_items: u64, first: &Url) -> Self {
        Collection {
            total_items: Some(total_items),
            first: Some(Value::String(first.to_string())),
            ..Collection::empty(CollectionKind::OrderedCollection, Some(id))
        }
    }

    /// One `OrderedCollectionPage` of `part_of`, with a link to the next
    /// page when there is one.
    pub fn page(
        id: Url,
        part_of: &Url,
        items: impl IntoIterator<Item = Value>,
        next: Option<&Url>,
    ) -> Self {
        Collection {
            ordered_items: items.into_iter().collect(),
            part_of: Some(Value::String(part_of.to_string())),
            next: next.map(|next| Value::String(next.to_string())),
            ..Collection::empty(CollectionKind::OrderedCollectionPage, Some(id))
        }
    }

    /// The items, whichever of `orderedItems` and `items` holds them.
    pub fn all_items(&self) -> impl Iterator<Item = &Value> {
        self.ordered_items.iter().chain(&self.items)
    }

    /// The ids of the items (strings, or embedded objects' `id`), followed
    /// by those of an embedded first page (Mastodon embeds one in
    /// `replies`). Items without a valid id are skipped.
    pub fn item_ids(&self) -> Vec<Url> {
        let embedded_first = self.first_page();
        self.all_items()
            .chain(embedded_first.iter().flat_map(|page| page.all_items()))
            .filter_map(lenient::id_of)
            .collect()
    }

    /// The first page when it is embedded.
    pub fn first_page(&self) -> Option<Collection> {
        let first = self.first.as_ref()?;
        first
            .is_object()
            .then(|| serde_json::from_value(first.clone()).ok())
            .flatten()
    }

    /// The URL of the first page, whether linked or embedded with an id.
    pub fn first_url(&self) -> Option<Url> {
        self.first.as_ref().and_then(lenient::id_of)
    }

    /// The URL of the next page, whether linked or embedded with an id.
    pub fn next_url(&self) -> Option<Url> {
        self.next.as_ref().and_then(lenient::id_of)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn url(text: &str) -> Url {
        text.parse().unwrap()
    }

    #[test]
    fn a_moderators_collection_lists_ids() {
        let mods = OrderedCollection::of_ids(
            url("https://p.example/f/maths/moderators"),
            [url("https://p.example/u/ana")],
        );
        assert_eq!(
            serde_json::to_value(&mods).unwrap(),
            json!({
                "id": "https://p.example/f/maths/moderators",
                "type": "OrderedCollection",
                "totalItems": 1,
                "orderedItems": ["https://p.example/u/ana"],
            })
        );
        assert_eq!(mods.item_ids(), [url("https://p.example/u/ana")]);
    }

    #[test]
    fn pages_link_to_their_collection_and_the_next_page() {
        let page = OrderedCollectionPage::page(
            url("https://p.example/t/1/context?page=1"),
            &url("https://p.example/t/1/context"),
            [json!({ "id": "https://p.example/r/2", "type": "Note" })],
            Some(&url("https://p.example/t/1/context?page=2")),
        );
        let back: Collection =
            serde_json::from_value(serde_json::to_value(&page).unwrap()).unwrap();
        assert_eq!(back.kind, CollectionKind::OrderedCollectionPage);
        assert_eq!(back.item_ids(), [url("https://p.example/r/2")]);
        assert_eq!(
            back.next_url(),
            Some(url("https://p.example/t/1/context?page=2"))
        );
        let whole = Collection::paged(
            url("https://p.example/t/1/context"),
            40,
            &url("https://p.example/t/1/context?page=1"),
        );
        assert_eq!(
            whole.first_url(),
            Some(url("https://p.example/t/1/context?page=1"))
        );
        assert!(whole.first_page().is_none());
    }
}
