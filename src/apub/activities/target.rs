//! What an activity is about, as the routing table needs to know it: a
//! local teacher (contacts), an answered contact request or membership, a
//! project hosted here or mirrored, or else the forums. The look-ups run
//! in the order the kinds of traffic are told apart: contacts first, then
//! projects (nothing of a project is public), then forums, the hot path.

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    domain::{
        contacts::follow_id_of,
        conversation_relay::ConversationRow,
        inbox::{ActorKindRow, ActorRow, ContactAnswer, MemberRow, ProjectRow},
    },
};
use activitypub_federation::config::Data;
use preau_federation::{
    activities::{Activity, ActivityKind},
    projects::Member,
};
use serde_json::Value;
use url::Url;

/// What an activity is about.
#[derive(Debug)]
pub enum Target {
    /// A local teacher, asked for contact (or no longer).
    LocalPerson(ActorRow),
    /// A local teacher's contact request, answered by the person asked.
    ContactRequest(ContactAnswer),
    /// An invitation or join request (of a project here or elsewhere),
    /// answered.
    Membership(MemberRow, ProjectRow),
    /// A project hosted here.
    LocalProject(ProjectRow),
    /// The mirror of a project hosted elsewhere.
    RemoteProject(ProjectRow),
    /// A project activity with nothing to do here.
    Nothing,
    /// A conversation hosted here.
    LocalConversation(ConversationRow),
    /// The copy of a conversation hosted elsewhere.
    RemoteConversation(ConversationRow),
    /// An invitation of a local teacher into a conversation hosted
    /// elsewhere that this instance does not know yet.
    ConversationInvite(ActorRow, Url),
    /// Forums: a forum's follows, its posts and what happens to them.
    Forum,
}

/// What `received` is about.
pub async fn target_of(
    data: &Data<AppState>,
    received: &Received<'_>,
) -> Result<Target, InboxError> {
    if let Some(target) = contact_target(data, received).await? {
        return Ok(target);
    }
    if let Some(target) = conversation_target(data, received).await? {
        return Ok(target);
    }
    if let Some(target) = project_target(data, received).await? {
        return Ok(target);
    }
    Ok(Target::Forum)
}

/// A contact activity between people: a `Follow` of a local teacher, the
/// answer to a local teacher's request, the `Undo` of a request.
async fn contact_target(
    data: &Data<AppState>,
    r: &Received<'_>,
) -> Result<Option<Target>, InboxError> {
    let domain = &data.domain;
    let activity = r.activity;
    let person = match &activity.kind {
        ActivityKind::Follow => activity.object_id(),
        ActivityKind::Accept | ActivityKind::Reject => {
            if r.signer.row.kind != ActorKindRow::Person {
                return Ok(None);
            }
            let Some(follow_id) = follow_id_of(&activity.object) else {
                return Ok(None);
            };
            let request = domain.contact_request_to(&follow_id, &r.signer.row).await?;
            return Ok(request.map(Target::ContactRequest));
        }
        ActivityKind::Undo => activity
            .inner_activity()
            .filter(|inner| inner.kind == ActivityKind::Follow && inner.actor == activity.actor)
            .and_then(|inner| inner.object_id()),
        _ => None,
    };
    let Some(person) = person else {
        return Ok(None);
    };
    let person = domain.local_person_at(person.as_str()).await?;
    Ok(person.map(Target::LocalPerson))
}

/// A conversation's side: hosted here, mirrored, or an invitation into
/// one not known yet. Conversation activities name the conversation in
/// `to` (an `Invite` and a `Leave` as their object, a `Remove` as its
/// `target`); ids shaped like a conversation's are looked up, nothing
/// else (forum traffic passes without a query).
async fn conversation_target(
    data: &Data<AppState>,
    r: &Received<'_>,
) -> Result<Option<Target>, InboxError> {
    let domain = &data.domain;
    let activity = r.activity;
    if activity.is_public() {
        return Ok(None);
    }
    let mut candidates: Vec<String> = activity.to.iter().chain(&activity.cc).cloned().collect();
    if matches!(activity.kind, ActivityKind::Invite | ActivityKind::Leave) {
        candidates.extend(activity.object_id().map(|o| o.to_string()));
    }
    if activity.kind == ActivityKind::Remove {
        candidates.extend(activity.target_id().map(|o| o.to_string()));
    }
    for candidate in candidates {
        if !domain.is_conversation_id(&candidate) {
            continue;
        }
        if let Some(conversation) = domain.conversation_at(&candidate).await? {
            return Ok(Some(if domain.hosts_conversation(&conversation) {
                Target::LocalConversation(conversation)
            } else {
                Target::RemoteConversation(conversation)
            }));
        }
    }
    Ok(
        super::conversation::unknown_conversation_invite(data, activity)
            .await?
            .map(|(person, conversation)| Target::ConversationInvite(person, conversation)),
    )
}

/// Whether an `Accept`, `Reject` or `Undo` is about a `Follow` (forums
/// and contacts, never projects).
fn is_about_follow(activity: &Activity) -> bool {
    matches!(
        activity.kind,
        ActivityKind::Accept | ActivityKind::Reject | ActivityKind::Undo
    ) && activity
        .embedded_object()
        .and_then(|o| o.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|kind| kind == "Follow")
}

/// A project's side: hosted here, or mirrored. `None` when the activity
/// is not about a known project (the forums' then).
async fn project_target(
    data: &Data<AppState>,
    r: &Received<'_>,
) -> Result<Option<Target>, InboxError> {
    let domain = &data.domain;
    let activity = r.activity;
    // Nothing of a project is public, and a forum's follow is not a
    // membership: forum traffic leaves at once, without a query.
    if activity.is_public() || is_about_follow(activity) {
        return Ok(None);
    }
    let project = match &activity.kind {
        ActivityKind::Invite | ActivityKind::Join | ActivityKind::Leave => {
            let Some(url) = activity.object_id() else {
                return Ok(None);
            };
            objects::project_at(data, &url).await?
        }
        ActivityKind::Accept | ActivityKind::Reject => {
            let Some(object) = activity.object_id() else {
                return Ok(None);
            };
            let answered = domain.answered_membership(object.as_str()).await?;
            return Ok(answered.map(|(row, project)| Target::Membership(row, project)));
        }
        ActivityKind::Remove => match removal_group(activity) {
            Some(group) => domain.project_at(group.as_str()).await?,
            None => return Ok(None),
        },
        ActivityKind::Update => return update_target(data, r).await,
        ActivityKind::Delete => return change_target(data, activity).await,
        ActivityKind::Create => match super::super::project_content::audience_of(activity) {
            Some(audience) => domain.project_at(audience.as_str()).await?,
            None => return Ok(None),
        },
        ActivityKind::Announce => domain.project_at(&r.signer.row.ap_id).await?,
        _ => return Ok(None),
    };
    Ok(project.map(project_side))
}

fn project_side(project: ProjectRow) -> Target {
    if project.actor.is_local() {
        Target::LocalProject(project)
    } else {
        Target::RemoteProject(project)
    }
}

/// The group a `Remove` takes someone out of: its `target`, or its
/// `origin` (id or embedded).
fn removal_group(activity: &Activity) -> Option<Url> {
    activity.target_id().or_else(|| {
        activity.origin.as_ref().and_then(|o| {
            o.as_str().and_then(|s| Url::parse(s).ok()).or_else(|| {
                o.get("id")
                    .and_then(Value::as_str)
                    .and_then(|s| Url::parse(s).ok())
            })
        })
    })
}

/// An `Update`: a remote project changed its own description, or a
/// member's role changed in a project hosted here.
async fn update_target(
    data: &Data<AppState>,
    r: &Received<'_>,
) -> Result<Option<Target>, InboxError> {
    let domain = &data.domain;
    let activity = r.activity;
    if activity
        .object_id()
        .is_some_and(|o| o.as_str() == r.signer.row.ap_id)
    {
        return Ok(match domain.project_at(&r.signer.row.ap_id).await? {
            Some(project) if !project.actor.is_local() => Some(Target::RemoteProject(project)),
            _ => None,
        });
    }
    if super::project_change::is_content_change(activity) {
        return change_target(data, activity).await;
    }
    let Some(object) = activity.embedded_object() else {
        return Ok(None);
    };
    if object.get("type").and_then(Value::as_str) != Some("Member") {
        return Ok(None);
    }
    let member: Member =
        serde_json::from_value(object.clone()).map_err(|_| InboxError::invalid_object())?;
    Ok(match domain.project_at(member.object.as_str()).await? {
        Some(project) if project.actor.is_local() => Some(Target::LocalProject(project)),
        Some(_) => Some(Target::Nothing),
        None => None,
    })
}

/// An `Update` or `Delete` of a members-only object: its project when
/// hosted here (a mirror takes changes only from the host's `Announce`).
async fn change_target(
    data: &Data<AppState>,
    activity: &Activity,
) -> Result<Option<Target>, InboxError> {
    let Some(audience) = super::super::project_content::audience_of(activity) else {
        return Ok(None);
    };
    Ok(match data.domain.project_at(audience.as_str()).await? {
        Some(project) if project.actor.is_local() => Some(Target::LocalProject(project)),
        Some(_) => Some(Target::Nothing),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(value: Value) -> Activity {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn answers_and_undos_of_a_follow_are_never_project_traffic() {
        for kind in ["Accept", "Reject", "Undo"] {
            let answer = activity(json!({
                "id": "https://a.example/activities/1",
                "type": kind,
                "actor": "https://a.example/u/ana",
                "object": {
                    "id": "https://b.example/activities/2",
                    "type": "Follow",
                    "actor": "https://b.example/u/bob",
                    "object": "https://a.example/u/ana"
                }
            }));
            assert!(is_about_follow(&answer), "{kind}");
        }
        let join_answer = activity(json!({
            "id": "https://a.example/activities/3",
            "type": "Accept",
            "actor": "https://a.example/projects/p",
            "object": "https://b.example/activities/join"
        }));
        assert!(!is_about_follow(&join_answer));
        let follow = activity(json!({
            "id": "https://a.example/activities/4",
            "type": "Follow",
            "actor": "https://a.example/u/ana",
            "object": {"id": "https://b.example/f", "type": "Follow"}
        }));
        assert!(!is_about_follow(&follow));
    }

    #[test]
    fn a_removal_names_its_group_by_target_or_origin() {
        let base = json!({
            "id": "https://a.example/activities/1",
            "type": "Remove",
            "actor": "https://a.example/u/ana",
            "object": "https://b.example/u/bob"
        });
        let mut by_target = base.clone();
        by_target["target"] = json!("https://a.example/projects/p");
        let mut by_origin = base.clone();
        by_origin["origin"] = json!("https://a.example/projects/p");
        let mut by_embedded_origin = base.clone();
        by_embedded_origin["origin"] = json!({"id": "https://a.example/projects/p"});
        for value in [by_target, by_origin, by_embedded_origin] {
            let group = removal_group(&activity(value)).map(|u| u.to_string());
            assert_eq!(group.as_deref(), Some("https://a.example/projects/p"));
        }
        assert_eq!(removal_group(&activity(base)), None);
    }
}
