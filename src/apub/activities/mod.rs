//! Incoming activities, once the inbox (`super::inbox`) has checked the
//! request's signature: one routing table from (activity type, what it is
//! about) to one handler module per activity family.
//!
//! Every handler has a `verify` (reads and fetches only, no writes; it
//! returns a checked value, or `None` when there is nothing to do here)
//! and a `receive` (one domain call, which records the activity's id in
//! the same transaction, so it is applied once). Parsing stays tolerant:
//! an activity this instance does not act on is answered `202` and
//! ignored, not refused as malformed. Every step returns [`InboxError`].
//!
//! To add a family, see "Adding an activity family" in
//! docs/architecture.md.

mod announce;
mod answer;
mod block;
mod contact_removal;
mod conversation;
mod create;
mod delete;
mod direct_message;
mod error;
mod featured;
mod flag;
mod follow;
mod invite;
mod join;
mod leave;
mod like;
mod lock;
mod member_update;
mod objects;
mod person_update;
mod presence;
mod project_change;
mod target;
mod update;

pub use error::InboxError;
pub use objects::{actor_at, host_and_port, is_local};
pub use target::Target;

use super::actors::DbActor;
use crate::{
    app::AppState,
    domain::inbox::{Applied, FollowState, ForumRow, Relay},
};
use activitypub_federation::config::Data;
use preau_federation::activities::{Activity, ActivityKind};
use serde_json::Value;
use url::Url;

/// An activity whose signature verified, as the inbox hands it over.
pub struct Received<'a> {
    /// The activity, parsed tolerantly.
    pub activity: &'a Activity,
    /// The activity as received, relayed unchanged (its proofs and
    /// signatures included) when a local forum announces it.
    pub raw: &'a Value,
    /// Who signed the request (the activity's `actor`).
    pub signer: &'a DbActor,
}

/// A change to forum content: sent directly by its actor, or relayed by
/// the remote forum the post lives in (which vouches for it).
pub struct Content<'a> {
    /// The activity (the inner one, when relayed).
    pub activity: &'a Activity,
    /// Its verified actor.
    pub actor: &'a DbActor,
    /// The activity as received, relayed unchanged by a local forum.
    pub raw: &'a Value,
    /// The remote forum that announced it, if it was relayed.
    pub relaying_forum: Option<&'a ForumRow>,
}

impl Content<'_> {
    /// Who vouches for the change, as the domain needs it.
    fn relay(&self) -> Relay {
        match self.relaying_forum {
            Some(forum) => Relay::Forum(forum.actor.id),
            None => Relay::Direct,
        }
    }

    /// Who delivered the content: the relaying forum, or the actor itself.
    fn sender(&self) -> Result<Url, InboxError> {
        match self.relaying_forum {
            Some(forum) => Url::parse(&forum.actor.ap_id).map_err(|_| InboxError::invalid_object()),
            None => Ok(self.activity.actor.clone()),
        }
    }

    /// The id of the activity's object; 400 `invalid_object` without one.
    fn object(&self) -> Result<String, InboxError> {
        self.activity
            .object_id()
            .map(|id| id.to_string())
            .ok_or_else(InboxError::invalid_object)
    }
}

/// Runs one handler: `verify`, then `receive` with what it checked.
macro_rules! handle {
    ($data:expr, $verify:expr, $receive:path) => {
        match $verify.await? {
            Some(checked) => $receive($data, checked).await,
            None => Ok(Applied::Ignored),
        }
    };
}

/// Applies an activity whose signature verified: the routing table, by
/// (activity type, what it is about). Project traffic continues in
/// [`route_project`], forum traffic in [`route_forum`].
pub async fn route(data: &Data<AppState>, received: &Received<'_>) -> Result<Applied, InboxError> {
    use ActivityKind as K;
    use Target as T;
    let r = received;
    // A person's own document is about nobody else: no target to find.
    if person_update::is_person_update(r.activity) {
        return handle!(data, person_update::verify(data, r), person_update::receive);
    }
    // A person's presence is theirs alone: no target to find either.
    if presence::is_presence_update(r.activity) {
        return handle!(data, presence::verify(r), presence::receive);
    }
    // A direct message to local teachers; anything else of that shape
    // (a reply in a forum, a group conversation) goes on below.
    if direct_message::is_direct_message(r.activity) {
        if let Some(checked) = direct_message::verify(data, r).await? {
            return direct_message::receive(data, checked).await;
        }
    }
    if let Some(checked) = direct_message::verify_change(data, r).await? {
        return direct_message::receive_change(data, checked).await;
    }
    match (&r.activity.kind, target::target_of(data, r).await?) {
        (K::Follow, T::LocalPerson(person)) => handle!(
            data,
            follow::verify_contact(r, person),
            follow::receive_contact
        ),
        (K::Undo, T::LocalPerson(person)) => handle!(
            data,
            follow::verify_contact_undo(r, person),
            follow::receive_contact_undo
        ),
        (K::Reject, T::ContactRequest(request)) if request.state == FollowState::Accepted => {
            handle!(
                data,
                contact_removal::verify(r, request),
                contact_removal::receive
            )
        }
        (K::Accept | K::Reject, T::ContactRequest(request)) => handle!(
            data,
            answer::verify_contact(r, request),
            answer::receive_contact
        ),
        (K::Accept | K::Reject, T::Membership(row, project)) => handle!(
            data,
            answer::verify_membership(r, row, project),
            answer::receive_membership
        ),
        (_, T::LocalConversation(c)) => conversation::host_receive(data, r, c).await,
        (_, T::RemoteConversation(c)) => conversation::mirror_receive(data, r, c).await,
        (kind, T::ConversationInvite(person, c)) => {
            let id = r.activity.id.as_str();
            // An announced invitation: the host vouches for the inner one.
            let inner = r.activity.inner_activity();
            let invite = match (kind, &inner) {
                (K::Announce, Some(inner)) => inner,
                _ => r.activity,
            };
            conversation::invite_here(data, invite, &r.signer.row, id, person, c).await
        }
        (_, T::Forum) => route_forum(data, r).await,
        (kind, target) => route_project(data, r, kind, target).await,
    }
}

/// The routing table of projects: hosted here, or mirrored.
async fn route_project(
    data: &Data<AppState>,
    r: &Received<'_>,
    kind: &ActivityKind,
    target: Target,
) -> Result<Applied, InboxError> {
    use ActivityKind as K;
    use Target as T;
    match (kind, target) {
        (K::Invite, T::LocalProject(p)) => {
            handle!(data, invite::verify_host(data, r, p), invite::receive_host)
        }
        (K::Invite, T::RemoteProject(p)) => {
            let verified = invite::verify_mirror(data, r.activity, &r.signer.row, &p, None);
            handle!(data, verified, invite::receive_mirror)
        }
        (K::Join, T::LocalProject(p)) => handle!(data, join::verify_host(r, p), join::receive_host),
        (K::Leave, T::LocalProject(p)) => {
            handle!(data, leave::verify_host(r, p), leave::receive_host)
        }
        (K::Remove, T::LocalProject(p)) => {
            let verified = leave::verify_host_removal(data, r, p);
            handle!(data, verified, leave::receive_host_removal)
        }
        (K::Remove, T::RemoteProject(p)) => {
            let verified = leave::verify_removed_directly(data, r, &p);
            handle!(data, verified, leave::receive_removed_here)
        }
        (K::Update | K::Delete, T::LocalProject(p))
            if project_change::is_content_change(r.activity) =>
        {
            let verified = project_change::verify_host(data, r, p);
            handle!(data, verified, project_change::receive_host)
        }
        (K::Update, T::LocalProject(p)) => {
            handle!(
                data,
                member_update::verify(data, r, p),
                member_update::receive
            )
        }
        (K::Update, T::RemoteProject(p)) => {
            handle!(data, update::verify_project(p), update::receive_project)
        }
        (K::Create, T::LocalProject(p)) => {
            handle!(
                data,
                create::verify_project(data, r, p),
                create::receive_project
            )
        }
        (K::Announce, T::RemoteProject(p)) => {
            handle!(
                data,
                announce::verify_project(r, p),
                announce::receive_project
            )
        }
        // A project activity not for this side (a join request sent to a
        // mirror, a member update of a remote project…).
        _ => Ok(Applied::Ignored),
    }
}

/// The routing table of forums: follows, relays, and content sent
/// directly.
async fn route_forum(data: &Data<AppState>, r: &Received<'_>) -> Result<Applied, InboxError> {
    use ActivityKind as K;
    match &r.activity.kind {
        K::Follow => handle!(data, follow::verify_forum(data, r), follow::receive_forum),
        K::Accept => handle!(
            data,
            answer::verify_forum_follow(data, r),
            answer::receive_forum_follow
        ),
        K::Announce => handle!(
            data,
            announce::verify_forum(data, r),
            announce::receive_forum
        ),
        _ => {
            let content = Content {
                activity: r.activity,
                actor: r.signer,
                raw: r.raw,
                relaying_forum: None,
            };
            route_content(data, &content).await
        }
    }
}

/// Applies a change to forum content: the routing table of posts.
pub async fn route_content(data: &Data<AppState>, c: &Content<'_>) -> Result<Applied, InboxError> {
    use ActivityKind as K;
    if matches!(c.activity.kind, K::Create | K::Update)
        && c.activity
            .object_id()
            .is_some_and(|object| objects::is_local(data, &object))
    {
        // Our own post relayed back by a remote forum: already stored.
        return Ok(Applied::Ignored);
    }
    match &c.activity.kind {
        K::Create => handle!(data, create::verify_post(data, c), create::receive_post),
        K::Update => handle!(data, update::verify_post(data, c), update::receive_post),
        K::Delete => handle!(data, delete::verify(data, c), delete::receive),
        K::Like => handle!(data, like::verify(c), like::receive),
        K::Lock => handle!(data, lock::verify(c), lock::receive),
        K::Add | K::Remove => handle!(data, featured::verify(c), featured::receive),
        K::Undo => route_undo(data, c).await,
        K::Block => handle!(data, block::verify(data, c), block::receive),
        K::Flag => handle!(data, flag::verify(c), flag::receive),
        // Dislikes and anything else: understood, nothing to do.
        _ => Ok(Applied::Ignored),
    }
}

/// Applies an `Undo` of forum content: routed by the undone activity.
async fn route_undo(data: &Data<AppState>, c: &Content<'_>) -> Result<Applied, InboxError> {
    use ActivityKind as K;
    let Some(inner) = c.activity.inner_activity() else {
        return Ok(Applied::Ignored);
    };
    if inner.actor != c.activity.actor {
        return Err(InboxError::new(
            axum::http::StatusCode::FORBIDDEN,
            "actor_mismatch",
        ));
    }
    let Some(object) = inner.object_id().map(|o| o.to_string()) else {
        return Ok(Applied::Ignored);
    };
    match inner.kind {
        K::Like => handle!(data, like::verify_undo(c, &inner, object), like::receive),
        K::Lock => handle!(data, lock::verify_undo(c, object), lock::receive),
        K::Delete => handle!(data, delete::verify_undo(c, object), delete::receive_undo),
        K::Block => handle!(
            data,
            block::verify_undo(data, c, &inner),
            block::receive_undo
        ),
        K::Follow => handle!(
            data,
            follow::verify_forum_undo(data, c, object),
            follow::receive_forum_undo
        ),
        _ => Ok(Applied::Ignored),
    }
}
