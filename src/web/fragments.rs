//! Rendered parts of pages kept in memory. The replies of a thread page
//! as visitors who are not logged in see them are the same for all of
//! them: rendering 50 replies (Fluent messages, trust labels) is most of
//! a thread page's time, so the rendered list is kept per thread, page
//! and language, and used again while the views it was rendered from are
//! unchanged, byte for byte: no write can be missed, whatever changed
//! (a reply, an edit, a removal, a like, a trust label).

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
    views: Vec<u8>,
    html: Arc<str>,
}

impl ReplyFragments {
    /// The list rendered from `views`: the kept one when it was rendered
    /// from the same views, otherwise what `render` returns (kept).
    /// `None` when `render` fails.
    pub fn get_or_render(
        &self,
        (thread, page, lang): (i64, i64, Lang),
        views: &impl Serialize,
        render: impl FnOnce() -> Option<String>,
    ) -> Option<Arc<str>> {
        let serialised = serde_json::to_vec(views).ok()?;
        let key = (thread, page, lang.code());
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(fragment) = entries.get(&key) {
                if fragment.views == serialised {
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
        let first = fragments.get_or_render(key, &["a"], || render("A"));
        assert_eq!(first.as_deref(), Some("A"));
        let again = fragments.get_or_render(key, &["a"], || render("unused"));
        assert_eq!(again.as_deref(), Some("A"));
        assert_eq!(renders.get(), 1, "same views: kept");
        let changed = fragments.get_or_render(key, &["a", "b"], || render("AB"));
        assert_eq!(changed.as_deref(), Some("AB"));
        let english = fragments.get_or_render((1, 1, Lang::En), &["a", "b"], || render("en"));
        assert_eq!(english.as_deref(), Some("en"), "one list per language");
        assert_eq!(renders.get(), 3);
    }
}
