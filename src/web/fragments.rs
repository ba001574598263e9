//! Rendered parts of pages kept in memory. The replies of a thread page
//! as visitors who are not logged in see them are the same for all of
//! them: rendering 50 replies (Fluent messages, trust labels) is most of
//! a thread page's time, so the rendered list is kept per thread, page
//! and language, and used again while the views it was rendered from are
//! unchanged, byte for byte: no write can be missed, whatever changed
//! (a reply, an edit, a removal, a like, a trust label).
//!
//! Before the views are even made, a list is also used again for the same
//! page value of the domain (its `generation`): while the domain serves
//! one value no write was recorded that it misses, so neither were the
//! views. The trust labels in it were then computed at most the page
//! cache's age earlier (they change with time only at attestations'
//! expiry).

use crate::i18n::Lang;
use serde::Serialize;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// At most this many lists are kept; when full, all go.
const CAPACITY: usize = 256;

/// Rendered reply lists, keyed by thread id, page number and language.
#[derive(Default)]
pub struct ReplyFragments {
    entries: Mutex<HashMap<(i64, i64, &'static str), Fragment>>,
}

/// One rendered list and the views it was rendered from, serialised.
struct Fragment {
    /// The domain's page value the views were made from.
    generation: u64,
    views: Vec<u8>,
    html: Arc<str>,
}

impl ReplyFragments {
    /// The list rendered from the views of page value `generation`, if
    /// one was kept.
    pub fn get(&self, (thread, page, lang): (i64, i64, Lang), generation: u64) -> Option<Arc<str>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&(thread, page, lang.code()))
            .filter(|fragment| fragment.generation == generation)
            .map(|fragment| fragment.html.clone())
    }

    /// The list rendered from `views`, made from page value `generation`: the kept one when it was rendered
    /// from the same views, otherwise what `render` returns (kept).
    /// `None` when `render` fails.
    pub fn get_or_render(
        &self,
        (thread, page, lang): (i64, i64, Lang),
        generation: u64,
        views: &impl Serialize,
        render: impl FnOnce() -> Option<String>,
    ) -> Option<Arc<str>> {
        let serialised = serde_json::to_vec(views).ok()?;
        let key = (thread, page, lang.code());
        {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(fragment) = entries.get_mut(&key) {
                if fragment.views == serialised {
                    // A new value showing the same (a reply on a later page).
                    fragment.generation = generation;
                    return Some(fragment.html.clone());
                }
            }
        }
        let html: Arc<str> = render()?.into();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(
            key,
            Fragment {
                generation,
                views: serialised,
                html: html.clone(),
            },
        );
        Some(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_rendered_again_when_its_views_change() {
        let fragments = ReplyFragments::default();
        let renders = std::cell::Cell::new(0);
        let render = |text: &str| {
            renders.set(renders.get() + 1);
            Some(text.to_string())
        };
        let key = (1, 1, Lang::Fr);
        let first = fragments.get_or_render(key, 1, &["a"], || render("A"));
        assert_eq!(first.as_deref(), Some("A"));
        let again = fragments.get_or_render(key, 2, &["a"], || render("unused"));
        assert_eq!(again.as_deref(), Some("A"));
        assert_eq!(renders.get(), 1, "same views: kept");
        let changed = fragments.get_or_render(key, 3, &["a", "b"], || render("AB"));
        assert_eq!(changed.as_deref(), Some("AB"));
        let english = fragments.get_or_render((1, 1, Lang::En), 3, &["a", "b"], || render("en"));
        assert_eq!(english.as_deref(), Some("en"), "one list per language");
        assert_eq!(renders.get(), 3);
    }

    #[test]
    fn a_list_is_found_by_the_page_value_it_was_made_from() {
        let fragments = ReplyFragments::default();
        let key = (1, 1, Lang::Fr);
        assert!(fragments.get(key, 1).is_none());
        fragments.get_or_render(key, 1, &["a"], || Some("A".into()));
        assert_eq!(fragments.get(key, 1).as_deref(), Some("A"));
        assert!(
            fragments.get(key, 2).is_none(),
            "another value: views compared"
        );
        // A new value showing the same list takes the list over.
        fragments.get_or_render(key, 2, &["a"], || None);
        assert_eq!(fragments.get(key, 2).as_deref(), Some("A"));
        assert!(fragments.get((1, 2, Lang::Fr), 2).is_none(), "per page");
    }
}
