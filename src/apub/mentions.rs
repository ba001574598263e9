//! Mentions of people this instance does not know yet: looked up by
//! WebFinger (and their actor stored) before the post that names them is
//! written, so the domain can resolve every mention from what it knows.

use crate::{app::AppState, apub::actors::DbActor};
use activitypub_federation::{config::Data, fetch::webfinger::webfinger_resolve_actor};

/// Looks up the unknown `name@domain` mentions of `body` on their
/// instances. A name that cannot be resolved stays plain text, so
/// failures are only logged; too many mentions is refused later, by the
/// domain, when the post is written.
pub async fn look_up(data: &Data<AppState>, body: &str) {
    let Ok(unknown) = data.domain.mentions_to_look_up(body).await else {
        return;
    };
    for handle in unknown {
        if let Err(error) = webfinger_resolve_actor::<AppState, DbActor>(&handle, data).await {
            tracing::info!(%error, handle, "mention: lookup failed, left as text");
        }
    }
}
