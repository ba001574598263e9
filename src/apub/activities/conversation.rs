//! Conversations across instances. On the host: a participant's answer
//! to an invitation, a message, a leave, an edit or deletion, an
//! invitation by a participant of another instance. On a participant's
//! instance: an invitation of a local teacher (from the host), and the
//! host's relays (`Announce`), whose messages are read from their origin
//! unless they are the host's own. Each handler checks (reads and
//! fetches) before its one domain call.

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    apub::{
        actors::{host_of, DbActor},
        conversations::{fetch_host_document, read_message},
        project_received::trusted_object_from,
    },
    domain::{
        conversation_relay::{ConversationRow, RelayedChange},
        conversations::LineChange,
        inbox::{ActorRow, Applied},
        provenance::same_origin,
    },
};
use activitypub_federation::config::Data;
use axum::http::StatusCode;
use preau_federation::{
    activities::{Activity, ActivityKind},
    conversations::POSITION_PROPERTY,
};
use serde_json::Value;
use url::Url;

fn not_from_host() -> InboxError {
    InboxError::new(StatusCode::FORBIDDEN, "not_conversation_host")
}

fn conversation_url(conversation: &ConversationRow) -> Result<Url, InboxError> {
    Url::parse(&conversation.ap_id).map_err(|_| InboxError::Internal)
}

/// An `Invite` of a local teacher (`target`) into a conversation hosted
/// elsewhere, sent by an inviter on the host (or relayed by the host):
/// the host's document is read (it must list the invitee as invited),
/// then the invitee's instance decides.
pub async fn invite_here(
    data: &Data<AppState>,
    invite: &Activity,
    signer: &ActorRow,
    received: &str,
    invitee: ActorRow,
    conversation: Url,
) -> Result<Applied, InboxError> {
    let signer_url = Url::parse(&signer.ap_id).map_err(|_| InboxError::invalid_object())?;
    if !same_origin(&signer_url, &conversation) {
        return Err(not_from_host());
    }
    let inviter = objects::actor_at(data, &invite.actor).await?.row;
    let document = fetch_host_document(data, &conversation).await?;
    let listed = document
        .participants
        .iter()
        .any(|p| p.person.id == invitee.id);
    if !listed {
        return Ok(Applied::Ignored);
    }
    Ok(data
        .domain
        .receive_conversation_invite(invite.id.as_str(), &inviter, &invitee, &document, received)
        .await?)
}

/// On the host: what a participant of another instance sends.
pub async fn host_receive(
    data: &Data<AppState>,
    r: &Received<'_>,
    conversation: ConversationRow,
) -> Result<Applied, InboxError> {
    let activity = r.activity;
    let signer = &r.signer.row;
    let domain = &data.domain;
    match activity.kind {
        ActivityKind::Create => {
            let object = activity
                .embedded_object()
                .ok_or_else(InboxError::invalid_object)?;
            let message = read_message(object, r.signer).await?;
            if object.get("context").and_then(Value::as_str) != Some(conversation.ap_id.as_str()) {
                return Err(InboxError::invalid_object());
            }
            Ok(domain
                .host_conversation_message(&conversation, message, r.raw, activity.id.as_str())
                .await?)
        }
        ActivityKind::Accept | ActivityKind::Reject => {
            let invite = activity
                .object_id()
                .ok_or_else(InboxError::invalid_object)?;
            let invited = domain
                .conversation_invitee(&conversation, invite.as_str())
                .await?;
            if invited != Some(signer.id) {
                return Err(InboxError::new(StatusCode::CONFLICT, "nothing_to_answer"));
            }
            let accept = activity.kind == ActivityKind::Accept;
            Ok(domain
                .host_conversation_answer(
                    &conversation,
                    signer,
                    accept,
                    r.raw,
                    activity.id.as_str(),
                )
                .await?)
        }
        ActivityKind::Leave => Ok(domain
            .host_conversation_leave(&conversation, signer, r.raw, activity.id.as_str())
            .await?),
        ActivityKind::Invite => {
            let target = activity
                .target_id()
                .ok_or_else(|| InboxError::new(StatusCode::BAD_REQUEST, "invalid_target"))?;
            let invitee = objects::actor_at(data, &target).await?.row;
            Ok(domain
                .host_conversation_invite(
                    &conversation,
                    signer,
                    &invitee,
                    r.raw,
                    activity.id.as_str(),
                )
                .await?)
        }
        ActivityKind::Update | ActivityKind::Delete => {
            // An edit carries the new text; a deletion only the message's id.
            let edited = if activity.kind == ActivityKind::Update {
                let object = activity
                    .embedded_object()
                    .ok_or_else(InboxError::invalid_object)?;
                Some(read_message(object, r.signer).await?)
            } else {
                None
            };
            let (author, ap_id, change) = match &edited {
                Some(message) => (
                    &message.author,
                    message.ap_id.clone(),
                    LineChange::Edit {
                        source: &message.source,
                        html: &message.html,
                    },
                ),
                None => {
                    let object = activity
                        .object_id()
                        .ok_or_else(InboxError::invalid_object)?;
                    (signer, object.to_string(), LineChange::Delete)
                }
            };
            Ok(domain
                .host_conversation_line_change(
                    &conversation,
                    author,
                    &ap_id,
                    change,
                    r.raw,
                    activity.id.as_str(),
                )
                .await?)
        }
        _ => Ok(Applied::Ignored),
    }
}

/// On a participant's instance: the host relays a change. Only the host
/// speaks for a conversation (the signer on its id's origin); a relayed
/// message is read from its origin unless it is the host's own.
pub async fn mirror_receive(
    data: &Data<AppState>,
    r: &Received<'_>,
    conversation: ConversationRow,
) -> Result<Applied, InboxError> {
    let conversation_id = conversation_url(&conversation)?;
    let signer_url = Url::parse(&r.signer.row.ap_id).map_err(|_| InboxError::invalid_object())?;
    if !same_origin(&signer_url, &conversation_id) {
        return Err(not_from_host());
    }
    match r.activity.kind {
        ActivityKind::Announce => {}
        ActivityKind::Invite => {
            // An inviter on the host invites a teacher of here who is
            // already in this instance's copy.
            return match invitee_here(data, r.activity).await? {
                Some(invitee) => {
                    invite_here(
                        data,
                        r.activity,
                        &r.signer.row,
                        r.activity.id.as_str(),
                        invitee,
                        conversation_id,
                    )
                    .await
                }
                None => Ok(Applied::Ignored),
            };
        }
        _ => return Ok(Applied::Ignored),
    }
    let Some(inner) = r.activity.inner_activity() else {
        return Err(InboxError::invalid_object());
    };
    let announce = r.activity.id.as_str();
    let position = r.raw.get(POSITION_PROPERTY).and_then(Value::as_i64);
    let domain = &data.domain;
    let person =
        |url: Url| async move { Ok::<_, InboxError>(objects::actor_at(data, &url).await?.row) };
    let (change, refresh) = match inner.kind {
        ActivityKind::Create | ActivityKind::Update => {
            let object_id = inner.object_id().ok_or_else(InboxError::invalid_object)?;
            let message = if objects::is_local(data, &object_id) {
                // Written here: only its place in the host's order is new.
                let Some(line) = domain.conversation_line_at(object_id.as_str()).await? else {
                    return Ok(Applied::Ignored);
                };
                if inner.kind == ActivityKind::Update {
                    return Ok(Applied::Ignored);
                }
                crate::domain::conversation_relay::ReceivedMessage {
                    ap_id: object_id.to_string(),
                    author: domain.actor_by_id(line.actor_id).await?,
                    source: line.source,
                    html: line.html,
                }
            } else {
                let (object, _, _) = trusted_object_from(data, &inner, &conversation_id).await?;
                let author: DbActor = objects::actor_at(data, &inner.actor).await?;
                read_message(&object, &author).await?
            };
            if inner.kind == ActivityKind::Create {
                (RelayedChange::Message(message, position), false)
            } else {
                (RelayedChange::Edited(message), false)
            }
        }
        ActivityKind::Delete => {
            let object_id = inner.object_id().ok_or_else(InboxError::invalid_object)?;
            let by = person(inner.actor.clone()).await?;
            (
                RelayedChange::Deleted {
                    ap_id: object_id.to_string(),
                    by,
                },
                false,
            )
        }
        ActivityKind::Accept => (
            RelayedChange::Joined(person(inner.actor.clone()).await?, position),
            true,
        ),
        ActivityKind::Reject => (
            RelayedChange::Declined(person(inner.actor.clone()).await?),
            true,
        ),
        ActivityKind::Leave => (
            RelayedChange::Left(person(inner.actor.clone()).await?, position),
            true,
        ),
        ActivityKind::Remove => {
            let removed = inner.object_id().ok_or_else(InboxError::invalid_object)?;
            (
                RelayedChange::Removed {
                    person: Box::new(person(removed).await?),
                    by: Box::new(person(inner.actor.clone()).await?),
                    position,
                },
                true,
            )
        }
        ActivityKind::Invite => {
            // The host vouches for an invitation by a participant of
            // another instance: a teacher of here is invited.
            if let Some(invitee) = invitee_here(data, &inner).await? {
                if domain
                    .conversation_participant_state(&conversation, invitee.id)
                    .await?
                    .is_none_or(|state| {
                        state != crate::domain::conversation_relay::ParticipantState::Invited
                    })
                {
                    return invite_here(
                        data,
                        &inner,
                        &r.signer.row,
                        announce,
                        invitee,
                        conversation_id,
                    )
                    .await;
                }
            }
            (RelayedChange::Invited, true)
        }
        _ => return Ok(Applied::Ignored),
    };
    // Who is in, as the host says now. Once a leave, a removal or a
    // refusal leaves this instance without a participant, the host no
    // longer serves the document: the change itself is enough then.
    let document = match (&change, refresh) {
        (_, false) => None,
        (
            RelayedChange::Left(..) | RelayedChange::Removed { .. } | RelayedChange::Declined(_),
            true,
        ) => fetch_host_document(data, &conversation_id).await.ok(),
        (_, true) => Some(fetch_host_document(data, &conversation_id).await?),
    };
    Ok(domain
        .mirror_receive_change(&conversation, announce, change, document.as_ref())
        .await?)
}

/// The local teacher an `Invite` names as its `target`, if any.
async fn invitee_here(
    data: &Data<AppState>,
    invite: &Activity,
) -> Result<Option<ActorRow>, InboxError> {
    let Some(target) = invite.target_id() else {
        return Ok(None);
    };
    if host_of(&target) != data.domain.settings.instance.domain {
        return Ok(None);
    }
    Ok(data.domain.local_person_at(target.as_str()).await?)
}

/// An `Invite` of a local teacher into a conversation this instance does
/// not know yet, sent or announced by the host: (the teacher, the
/// conversation's id).
pub async fn unknown_conversation_invite(
    data: &Data<AppState>,
    activity: &Activity,
) -> Result<Option<(ActorRow, Url)>, InboxError> {
    // Sent by an inviter of the host, or announced by the host for an
    // inviter of another instance (the first teacher of here in it).
    let announced;
    let invite = match activity.kind {
        ActivityKind::Invite => activity,
        ActivityKind::Announce => match activity.inner_activity() {
            Some(inner) if inner.kind == ActivityKind::Invite => {
                announced = inner;
                &announced
            }
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let Some(object) = invite.object_id() else {
        return Ok(None);
    };
    if !data.domain.is_conversation_id(object.as_str()) || objects::is_local(data, &object) {
        return Ok(None);
    }
    Ok(invitee_here(data, invite).await?.map(|p| (p, object)))
}
