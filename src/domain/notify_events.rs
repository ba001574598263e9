//! Where the events of issue 12 become notifications: one builder per
//! family (project membership and news, contacts, reports, sign-ups, posts
//! removed or refused), each writing through
//! [`super::notifications::notify`] in the transaction of its event. The
//! rules every kind keeps: only local active accounts are notified, never
//! of their own action, never of what they may not see (project news goes
//! to the project's members only).

use super::{
    notifications::{excerpt, notify, post_link},
    Domain, DomainResult,
};
use crate::domain::store::{
    accounts::{AccountId, AccountRow},
    actors::{ActorId, ActorRow},
    forums::ForumRow,
    notifications::{self, NewNotification, NotificationKind, Recipients},
    posts::PostRow,
    project_content::{self, NewProjectPost, ProjectPostRow},
    projects::{NewLogEntry, ProjectRow},
    Tx,
};

/// The path of a project on this instance.
pub(crate) fn project_link(project: &ProjectRow) -> String {
    if project.actor.is_local() {
        format!("/projects/{}", project.actor.name)
    } else {
        format!("/projects/{}@{}", project.actor.name, project.actor.domain)
    }
}

/// A notification about `project`, caused by `actor`, keyed by `key`.
fn about_project(
    kind: NotificationKind,
    project: &ProjectRow,
    actor: Option<ActorId>,
    key: &str,
) -> NewNotification {
    let mut note = NewNotification::new(kind, format!("{}:{key}", project.actor.id.0));
    note.actor = actor;
    note.project = Some(project.actor.id);
    note.title = project.title.clone();
    note.link = project_link(project);
    note
}

/// The notifications of a membership change applied by the project's host
/// (its log line `log`, announced as the activity `key`): an invitation
/// for the invitee, a join request for the project's deciders, a new
/// member for the members.
pub(crate) async fn notify_membership_change(
    tx: &mut Tx,
    project: &ProjectRow,
    log: &NewLogEntry,
    key: Option<&str>,
) -> DomainResult<()> {
    let key = key.unwrap_or_default();
    match (log.kind.as_str(), log.actor_id, log.subject_id) {
        ("invited", inviter, Some(invitee)) => {
            notify_invitation(tx, project, inviter, invitee, key).await?;
        }
        ("requested", Some(requester), _) => {
            let mut note =
                about_project(NotificationKind::JoinRequest, project, Some(requester), key);
            note.link = "/requests".into();
            notify(tx, Recipients::ProjectDeciders(project.actor.id), note).await?;
        }
        ("joined", Some(member), _) => {
            notify_new_member(tx, project, member, None, key).await?;
        }
        ("accepted", decider, Some(member)) => {
            notify_new_member(tx, project, member, decider, key).await?;
        }
        _ => {}
    }
    Ok(())
}

/// `invitee` (if local) is invited to `project` by `inviter`.
pub(crate) async fn notify_invitation(
    tx: &mut Tx,
    project: &ProjectRow,
    inviter: Option<ActorId>,
    invitee: ActorId,
    key: &str,
) -> DomainResult<()> {
    let mut note = about_project(NotificationKind::Invitation, project, inviter, key);
    note.link = "/requests".into();
    notify(tx, Recipients::Actors(vec![invitee]), note).await?;
    Ok(())
}

/// `member` joined `project` (let in by `decider`, if someone decided):
/// its other local members learn it, but the decider.
pub(crate) async fn notify_new_member(
    tx: &mut Tx,
    project: &ProjectRow,
    member: ActorId,
    decider: Option<ActorId>,
    key: &str,
) -> DomainResult<()> {
    let note = about_project(NotificationKind::NewMember, project, Some(member), key);
    let recipients = match decider {
        Some(decider) => Recipients::ProjectMembersBut(project.actor.id, decider),
        None => Recipients::ProjectMembers(project.actor.id),
    };
    notify(tx, recipients, note).await?;
    Ok(())
}

/// A new event or document in a project (members-only content).
pub(crate) struct ProjectNews<'a> {
    /// `NewEvent` or `NewDocument`.
    pub kind: NotificationKind,
    /// Who added it.
    pub author: ActorId,
    /// Its title or file name.
    pub name: &'a str,
    /// Its ActivityPub id (the same on every instance).
    pub key: &'a str,
    /// The only members it is for (an event for some), if not all.
    pub only: Option<&'a [ActorId]>,
}

/// A new event or document: the project's local members learn it, or
/// only those it is for; nobody else may see it.
pub(crate) async fn notify_project_news(
    tx: &mut Tx,
    project: &ProjectRow,
    news: ProjectNews<'_>,
) -> DomainResult<()> {
    let mut note = about_project(news.kind, project, Some(news.author), news.key);
    note.detail = Some(news.name.to_string());
    let recipients = match news.only {
        Some(only) => Recipients::MembersAmong(project.actor.id, only.to_vec()),
        None => Recipients::ProjectMembers(project.actor.id),
    };
    notify(tx, recipients, note).await?;
    Ok(())
}

/// The notifications of project post `id` (just stored in `tx` as
/// `post`): the local teachers `mentioned` in it, then, for a reply, the
/// local authors of the post answered and of its thread. Only members of
/// the project are notified, since nobody else may read it; never its
/// author; a teacher both answered and mentioned gets one notification, of
/// kind `mention`.
pub(crate) async fn notify_project_post(
    tx: &mut Tx,
    project: &ProjectRow,
    id: i64,
    post: &NewProjectPost,
    mentioned: &[ActorId],
) -> DomainResult<()> {
    let answered = match (post.in_reply_to_id, post.thread_id) {
        (Some(parent), Some(thread)) => local_authors_but(tx, &[parent, thread], mentioned).await?,
        _ => Vec::new(),
    };
    for (kind, people) in [
        (NotificationKind::Mention, mentioned.to_vec()),
        (NotificationKind::Reply, answered),
    ] {
        if people.is_empty() {
            continue;
        }
        let note = about_project_post(tx, kind, project, id, post).await?;
        notify(tx, Recipients::MembersAmong(project.actor.id, people), note).await?;
    }
    Ok(())
}

/// The local authors of project posts `posts`, but those in `but`.
async fn local_authors_but(
    tx: &mut Tx,
    posts: &[i64],
    but: &[ActorId],
) -> DomainResult<Vec<ActorId>> {
    Ok(notifications::local_project_authors(tx, posts)
        .await?
        .into_iter()
        .filter(|author| !but.contains(author))
        .collect())
}

/// A notification of `kind` about project post `id` (stored as `post`):
/// its thread's title, the project's title, its start and its link.
async fn about_project_post(
    tx: &mut Tx,
    kind: NotificationKind,
    project: &ProjectRow,
    id: i64,
    post: &NewProjectPost,
) -> DomainResult<NewNotification> {
    let thread = post.thread_id.unwrap_or(id);
    let mut note = about_project(
        kind,
        project,
        Some(post.author_id),
        &format!("project_post:{id}"),
    );
    note.title = match post.thread_id {
        None => post.title.clone(),
        Some(thread) => project_content::post_title(tx, thread).await?,
    };
    note.project_post = Some(id);
    note.detail = Some(project.title.clone());
    note.excerpt = excerpt(&post.source, &post.content_html);
    note.link = if thread == id {
        format!("{}/threads/{thread}", project_link(project))
    } else {
        format!("{}/threads/{thread}#reply-{id}", project_link(project))
    };
    Ok(note)
}

/// A contact request, or its answer (`kind`), between `from` and `to`.
pub(crate) async fn notify_contact(
    tx: &mut Tx,
    kind: NotificationKind,
    from: &ActorRow,
    to: ActorId,
    key: &str,
) -> DomainResult<()> {
    let mut note = NewNotification::new(kind, key.to_string());
    note.actor = Some(from.id);
    note.title = if from.display_name.trim().is_empty() {
        from.name.clone()
    } else {
        from.display_name.clone()
    };
    note.link = "/requests".into();
    notify(tx, Recipients::Actors(vec![to]), note).await?;
    Ok(())
}

impl Domain {
    /// Someone proved their address and waits for approval: the admins
    /// learn it. (The status is written just before, outside this
    /// transaction; a crash between the two loses only the notification.)
    pub(crate) async fn notify_signup_pending(&self, account: &AccountRow) -> DomainResult<()> {
        let mut note = NewNotification::new(
            NotificationKind::SignupPending,
            format!("account:{}", account.id.0),
        );
        note.actor = Some(account.actor_id);
        note.subject_account = Some(account.id);
        // The name the applicant gave, as the admins' list shows it.
        note.title = if account.display_name.trim().is_empty() {
            account.username.clone()
        } else {
            account.display_name.clone()
        };
        note.link = "/admin".into();
        self.notify_alone(Recipients::Admins, note).await
    }

    /// The sign-up of `account` was approved: they learn it.
    pub(crate) async fn notify_signup_approved(&self, account: AccountId) -> DomainResult<()> {
        let mut note = NewNotification::new(
            NotificationKind::SignupApproved,
            format!("account:{}", account.0),
        );
        note.subject_account = Some(account);
        note.link = "/".into();
        self.notify_alone(Recipients::Account(account), note).await
    }

    /// Writes one notification in a transaction of its own.
    async fn notify_alone(
        &self,
        recipients: Recipients,
        note: NewNotification,
    ) -> DomainResult<()> {
        let mut tx = self.store.begin().await?;
        notify(&mut tx, recipients, note).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }
}

/// A notification to the author of forum post `post` (removed by a
/// moderator, refused by its remote forum): `kind`, caused by `actor`,
/// with `detail` as the reason, keyed by `key`. `thread_title` is the
/// title of its thread.
pub(crate) fn about_own_post(
    kind: NotificationKind,
    post: &PostRow,
    thread_title: &str,
    actor: Option<ActorId>,
    detail: &str,
    key: &str,
) -> (Recipients, NewNotification) {
    let thread = post.thread_id.unwrap_or(post.id);
    let mut note = NewNotification::new(kind, key.to_string());
    note.actor = actor;
    note.post = Some(post.id);
    note.thread = Some(thread);
    note.forum = Some(post.forum_id);
    note.title = thread_title.to_string();
    note.excerpt = excerpt(&post.source, &post.content_html);
    note.detail = (!detail.trim().is_empty()).then(|| detail.to_string());
    note.link = post_link(thread, post.id);
    (Recipients::Actors(vec![post.author_id]), note)
}

/// A report about a post in `forum` by `reporter`: the forum's local
/// moderators learn it (forum posts are public: they may read it).
pub(crate) async fn notify_report(
    tx: &mut Tx,
    forum: &ForumRow,
    reporter: ActorId,
    post: &PostRow,
    reason: &str,
    key: &str,
) -> DomainResult<()> {
    let mut note = NewNotification::new(NotificationKind::Report, key.to_string());
    note.actor = Some(reporter);
    note.post = Some(post.id);
    note.thread = Some(post.thread_id.unwrap_or(post.id));
    note.forum = Some(forum.actor.id);
    note.title = forum.title.clone();
    note.excerpt = excerpt(&post.source, &post.content_html);
    note.detail = Some(reason.to_string());
    note.link = if forum.actor.is_local() {
        format!("/forums/{}/reports", forum.actor.name)
    } else {
        post_link(post.thread_id.unwrap_or(post.id), post.id)
    };
    notify(tx, Recipients::ForumModerators(forum.actor.id), note).await?;
    Ok(())
}

impl Domain {
    /// The title of the thread of `post` (its own for a thread).
    pub(crate) async fn thread_title_of(&self, post: &PostRow) -> DomainResult<String> {
        Ok(match post.thread_id {
            Some(thread) => self
                .store
                .post(thread)
                .await?
                .map(|thread| thread.title)
                .unwrap_or_default(),
            None => post.title.clone(),
        })
    }
}

/// A local teacher's post in a remote project was refused by its host.
pub(crate) async fn notify_project_post_refused(
    tx: &mut Tx,
    project: &ProjectRow,
    post: &ProjectPostRow,
    reason: &str,
) -> DomainResult<()> {
    let key = format!("refused:{}", post.ap_id);
    let mut note = about_project(NotificationKind::PostRefused, project, None, &key);
    note.project_post = Some(post.id);
    note.excerpt = excerpt(&post.source, &post.content_html);
    note.detail = Some(reason.to_string());
    note.link = format!(
        "{}/threads/{}",
        project_link(project),
        post.thread_id.unwrap_or(post.id)
    );
    notify(tx, Recipients::Actors(vec![post.author_id]), note).await?;
    Ok(())
}
