//! What Préau sends about project spaces, built with the wire crate's
//! types: the members-only objects (posts as `Page`/`Note`, document
//! versions as `Document`, agenda `Event`s), all addressed to the project's
//! members collection (events for some members: to those people), never
//! to the public; and the membership activities (`Join`, `Leave`,
//! `Invite`, their `Accept`/`Reject`, `Remove`, `Update` of a role or of
//! the project, the project's `Announce`).

use super::url;
use crate::{
    domain::store::project_content::{EventRow, ProjectPostRow, VersionRow},
    domain::DomainResult,
    urls,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    actor::Source,
    objects::{Post, PostKind},
    projects::{Place, ProjectEvent, SharedDocument},
};
use serde_json::Value;
use url::Url;

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The wire object of a project post.
pub fn post_object(
    post: &ProjectPostRow,
    author: &str,
    project: &str,
    in_reply_to: Option<&str>,
) -> Option<Post> {
    let kind = if post.thread_id.is_none() {
        PostKind::Page
    } else {
        PostKind::Note
    };
    let mut object = Post::new(
        kind,
        Url::parse(&post.ap_id).ok()?,
        Url::parse(author).ok()?,
    );
    object.name = (kind == PostKind::Page).then(|| post.title.clone());
    object.content = Some(post.content_html.clone());
    object.media_type = Some("text/html".to_string());
    object.source = (!post.source.is_empty()).then(|| Source {
        content: post.source.clone(),
        media_type: "text/markdown".to_string(),
    });
    object.audience = Some(Url::parse(project).ok()?);
    object.to = vec![urls::project_members_of(project)];
    object.cc = Vec::new();
    object.in_reply_to = in_reply_to.and_then(|id| Url::parse(id).ok());
    object.published = Some(rfc3339(post.published_at));
    Some(object)
}

/// The wire object of a document version.
pub fn document_object(
    version: &VersionRow,
    name: &str,
    first_version: Option<&str>,
    author: &str,
    project: &str,
) -> Option<SharedDocument> {
    Some(SharedDocument {
        kind: "Document".to_string(),
        id: Url::parse(&version.ap_id).ok()?,
        attributed_to: Url::parse(author).ok()?,
        name: name.to_string(),
        media_type: version.media_type.clone(),
        url: Url::parse(&version.content_url).ok()?,
        audience: Url::parse(project).ok()?,
        size: version.size,
        digest: version.sha256.clone(),
        version_of: first_version.and_then(|id| Url::parse(id).ok()),
        version: version.version,
        to: vec![urls::project_members_of(project)],
        published: Some(rfc3339(version.created_at)),
        updated: None,
    })
}

/// The wire object of an event; `attendees` are the people it is for
/// when it is not for every member.
pub fn event_object(
    event: &EventRow,
    author: &str,
    project: &str,
    attendees: &[String],
) -> Option<ProjectEvent> {
    Some(ProjectEvent {
        kind: "Event".to_string(),
        id: Url::parse(&event.ap_id).ok()?,
        attributed_to: Url::parse(author).ok()?,
        name: event.title.clone(),
        content: (!event.description_html.is_empty()).then(|| event.description_html.clone()),
        start_time: rfc3339(event.starts_at),
        end_time: rfc3339(event.ends_at),
        timezone: (!event.time_zone.is_empty()).then(|| event.time_zone.clone()),
        location: (!event.location.is_empty()).then(|| Place {
            kind: "Place".to_string(),
            name: event.location.clone(),
        }),
        url: (!event.meeting_url.is_empty())
            .then(|| Url::parse(&event.meeting_url).ok())
            .flatten(),
        audience: Url::parse(project).ok()?,
        to: if event.for_all {
            vec![urls::project_members_of(project)]
        } else {
            attendees.to_vec()
        },
        published: Some(rfc3339(event.created_at)),
        updated: None,
    })
}

/// A `Create` of a members-only object by its author: to the object's
/// own recipients (the members, or the people an event is for), the
/// project in `cc` and `audience`.
pub fn create(id: &str, actor: &str, project: &str, object: Value) -> DomainResult<Activity> {
    let to: Vec<String> = match object.get("to").and_then(Value::as_array) {
        Some(to) => to
            .iter()
            .filter_map(|address| address.as_str().map(str::to_string))
            .collect(),
        None => vec![urls::project_members_of(project)],
    };
    Ok(Activity::in_project(
        ActivityKind::Create,
        url(id)?,
        url(actor)?,
        object,
        to,
        &url(project)?,
    ))
}

/// The project's `Announce` of an activity it accepted, relayed unchanged
/// to its members.
pub fn announce(id: &str, project: &str, inner: &Value) -> DomainResult<Activity> {
    Ok(Activity::announce_to_members(
        url(id)?,
        &url(project)?,
        &url(&urls::project_members_of(project))?,
        inner.clone(),
    ))
}

/// `Update` of the project itself (its description changed), sent by the
/// project to its members.
pub fn update_project(id: &str, project: &str) -> DomainResult<Activity> {
    Ok(Activity::new(
        ActivityKind::Update,
        url(id)?,
        url(project)?,
        Value::String(project.to_string()),
    )
    .to([urls::project_members_of(project)]))
}

/// `Update` of a member's role (`object`: the `Member`), by an owner, to
/// the project.
pub fn update_member(
    id: &str,
    owner: &str,
    project: &str,
    member: Value,
) -> DomainResult<Activity> {
    Ok(Activity::new(ActivityKind::Update, url(id)?, url(owner)?, member).to([project]))
}

/// `Join` (or `Leave`) of a project by a person.
pub fn membership(
    kind: ActivityKind,
    id: &str,
    person: &str,
    project: &str,
) -> DomainResult<Activity> {
    Ok(Activity::membership(
        kind,
        url(id)?,
        url(person)?,
        &url(project)?,
    ))
}

/// `Invite` of `invitee` into a project by a member.
pub fn invite(id: &str, inviter: &str, project: &str, invitee: &str) -> DomainResult<Activity> {
    Ok(Activity::invite(
        url(id)?,
        url(inviter)?,
        &url(project)?,
        &url(invitee)?,
    ))
}

/// `Remove` of a member from a project by a moderator: the person as
/// `object`, the project as `target` and `origin`, to the members.
pub fn remove_member(
    id: &str,
    moderator: &str,
    project: &str,
    member: &str,
) -> DomainResult<Activity> {
    let project_url = url(project)?;
    Ok(Activity::new(
        ActivityKind::Remove,
        url(id)?,
        url(moderator)?,
        Value::String(member.to_string()),
    )
    .target(&project_url)
    .origin(&project_url)
    .to([urls::project_members_of(project)]))
}
