//! Writing a received edit: which stored item a received object changes,
//! and the conditional write that lets the newest edit win.

use super::Item;
use crate::domain::{
    project_content::ReceivedObject,
    store::{
        project_changes::{self, EventChange, PostChange},
        Tx,
    },
    DomainResult, Refusal,
};

/// The ActivityPub id of a received object.
pub(super) fn object_ap_id(object: &ReceivedObject) -> &str {
    match object {
        ReceivedObject::Post { post, .. } => &post.ap_id,
        ReceivedObject::Document { version, .. } => &version.ap_id,
        ReceivedObject::Event { event, .. } => &event.ap_id,
    }
}

/// Writes a received edit unless a newer one is stored; whether it did.
pub(super) async fn apply_update(
    tx: &mut Tx,
    item: &Item,
    object: ReceivedObject,
    at: i64,
) -> DomainResult<bool> {
    Ok(match (item, object) {
        (Item::Post(row), ReceivedObject::Post { post, .. }) => {
            let title = if row.thread_id.is_none() {
                post.title.as_str()
            } else {
                ""
            };
            let change = PostChange {
                title,
                source: "",
                content_html: &post.content_html,
                at,
            };
            project_changes::change_post(tx, row.id, &change).await?
        }
        (Item::Event(row), ReceivedObject::Event { event, .. }) => {
            let change = EventChange {
                title: &event.title,
                description_source: "",
                description_html: &event.description_html,
                starts_at: event.starts_at,
                ends_at: event.ends_at,
                location: &event.location,
                meeting_url: &event.meeting_url,
                at,
            };
            project_changes::change_event(tx, row.id, &change).await?
        }
        _ => return Err(Refusal::NotFound.into()),
    })
}
