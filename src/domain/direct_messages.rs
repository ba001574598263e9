//! Direct messages with people of other servers (Mastodon, Pleroma,
//! Akkoma, Misskey, Fedify…): a one-to-one conversation hosted here
//! (`conversations.kind = 'direct'`), one per pair of a local teacher and
//! a remote person, shown with the teacher's other conversations. A
//! message to several people (teachers here, people elsewhere) is stored
//! once, in the conversation of its thread (`direct_threads`), shared by
//! the teachers here it is for, whose participants are the people
//! addressed; a teacher never reads a message not addressed to them.
//!
//! Incoming: a message from an accepted contact joins the teacher to the
//! conversation at once; from anyone else it waits in "Demandes de
//! message" (the teacher's participant row is `requested`) until the
//! teacher accepts (`joined`) or ignores it (`ignored`: hidden, and so are
//! later messages of that person, with nothing notified). A person the
//! teacher blocked, or a teacher who may not use messages, receives
//! nothing: the message is accepted by the inbox and dropped, so that the
//! sender learns nothing of either.
//!
//! Outgoing: what the teacher writes in a direct conversation is sent to
//! the inboxes of its people elsewhere in the form they wrote in: a
//! `Note` addressed to the conversation's people only with a `Mention` of
//! each (what Mastodon shows as a direct message),
//! or a `ChatMessage` when the conversation started with one; an edit as
//! `Update`, a deletion as `Delete` of a `Tombstone`. Queued in the
//! transaction of the change, signed by the teacher.

use super::{
    conversations::LineChange,
    inbox::Applied,
    outbox::{json_of, new_activity_id, queue, to_json, url},
    rendering, Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorRow},
    conversations::{self, Attachment, ConversationId, NewLine, ParticipantState},
    direct_messages::{self as direct, DirectRow, NewDirect, RequestRow, WireForm},
    Tx,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    direct_messages::{DirectMessage, DirectMessageKind},
    objects::{Mention, PostKind, Tombstone},
};

/// A direct message received, checked by the inbox: from `sender`, who
/// wrote it, to the local teachers `recipients`.
pub struct ReceivedDirect<'a> {
    /// The `Create`'s id (applied once).
    pub activity_id: &'a str,
    /// Its author, who signed it.
    pub sender: &'a ActorRow,
    /// The message.
    pub message: &'a DirectMessage,
    /// The local teachers it is for.
    pub recipients: &'a [ActorRow],
    /// The people of other servers it is for too, besides its sender.
    pub others: &'a [ActorRow],
}

/// A message request, as "Demandes de message" lists it.
pub type MessageRequest = RequestRow;

impl Domain {
    /// Whether a conversation `context` names a group conversation known
    /// here: such a message belongs to that conversation, not to a direct
    /// one.
    pub async fn is_group_conversation(&self, context: &str) -> DomainResult<bool> {
        Ok(self.store.is_group_conversation(context).await?)
    }

    /// Stores a direct message for its recipients who may receive it
    /// (messages allowed, sender not blocked): in the one-to-one
    /// conversation of the pair when it is for one teacher only, else once
    /// in the conversation of its thread, shared by the teachers here.
    pub(crate) async fn receive_direct_message(
        &self,
        received: ReceivedDirect<'_>,
    ) -> DomainResult<Applied> {
        let sender = received.sender;
        let mut admitted: Vec<(&ActorRow, bool)> = Vec::new();
        for teacher in received.recipients {
            if !self.receives_messages(&teacher.name).await?
                || self.blocks(teacher.id, sender.id).await?
            {
                continue;
            }
            let contact = self.contact_state(teacher.id, sender.id).await? == "contact";
            admitted.push((teacher, contact));
        }
        if admitted.is_empty() {
            return Ok(Applied::Ignored);
        }
        let message = received.message;
        let html = rendering::remote_html(message.post.content.clone().unwrap_or_default()).await?;
        let several = received.recipients.len() + received.others.len() > 1;
        let names: Vec<&str> = received
            .recipients
            .iter()
            .chain(received.others)
            .map(|person| person.name.as_str())
            .collect();
        let shown = without_leading_mentions(&html, &names);
        let text = rendering::html_text_now(&shown);
        let Some(mut tx) = self.begin_applying(received.activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        if direct::line_exists(&mut tx, message.post.id.as_str()).await? {
            return Ok(Applied::Duplicate);
        }
        let id = if several {
            self.thread_conversation_for(&mut tx, &received, &admitted)
                .await?
        } else {
            let form = match message.post.kind {
                DirectMessageKind::Note => WireForm::Note,
                DirectMessageKind::ChatMessage => WireForm::ChatMessage,
            };
            let (teacher, contact) = admitted[0];
            self.direct_conversation_for(&mut tx, teacher, sender, contact, form)
                .await?
        };
        let line = NewLine {
            conversation: id,
            kind: "message",
            actor: sender.id,
            ap_id: Some(message.post.id.as_str()),
            source: &text,
            html: &shown,
            // Hosted here: its own id is its place.
            place: conversations::LinePlace::Host,
        };
        let line_id = conversations::insert_line(&mut tx, &line).await?;
        let attachments = attachments_of(&message.post.attachment);
        if !attachments.is_empty() {
            conversations::set_attachments(&mut tx, line_id, &attachments).await?;
        }
        super::live::conversation_line_stored(&mut tx, line_id, id.0).await?;
        let echoed = (message.context.as_deref(), message.conversation.as_deref());
        direct::record_received(&mut tx, id, several, message.post.id.as_str(), echoed).await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// The conversation of the thread of a message to several people: the
    /// one kept by its `context` (else Mastodon's `conversation`), or
    /// holding the message it answers, whose teachers here are exactly
    /// the `admitted` ones (a teacher never reads a message not addressed
    /// to them); else a new one. Its participants are the people
    /// addressed: the sender and the others joined, each teacher joined
    /// when the sender is their contact, else asked.
    async fn thread_conversation_for(
        &self,
        tx: &mut Tx,
        received: &ReceivedDirect<'_>,
        admitted: &[(&ActorRow, bool)],
    ) -> DomainResult<ConversationId> {
        let message = received.message;
        let sender = received.sender;
        let thread = message
            .context
            .as_deref()
            .or(message.conversation.as_deref())
            .unwrap_or(message.post.id.as_str());
        let in_reply_to = message.post.in_reply_to.as_ref().map(url::Url::as_str);
        let mut teachers: Vec<ActorId> = admitted.iter().map(|(t, _)| t.id).collect();
        teachers.sort_by_key(|t| t.0);
        let mut found = None;
        for candidate in direct::thread_candidates(tx, thread, in_reply_to).await? {
            if direct::local_people_in(tx, candidate).await? == teachers {
                found = Some(candidate);
                break;
            }
        }
        let id = match found {
            Some(id) => id,
            None => {
                let ap_id = format!(
                    "{}/conversations/{}",
                    self.settings.base_url(),
                    crate::urls::random_token()
                );
                let name = std::iter::once(sender)
                    .chain(admitted.iter().map(|(t, _)| *t))
                    .chain(received.others)
                    .map(shown_name)
                    .collect::<Vec<_>>()
                    .join(", ");
                let id =
                    conversations::insert_conversation(tx, &ap_id, &name, sender.id, None).await?;
                direct::insert_thread(tx, id, thread).await?;
                id
            }
        };
        for person in std::iter::once(sender).chain(received.others) {
            direct::add_participant(tx, id, person.id, "joined", None).await?;
        }
        for (teacher, contact) in admitted {
            let state = if *contact { "joined" } else { "requested" };
            direct::add_participant(tx, id, teacher.id, state, Some(sender.id)).await?;
            direct::change_state(tx, id, teacher.id, &["left", "declined", "removed"], state)
                .await?;
            if *contact {
                direct::change_state(tx, id, teacher.id, &["requested"], "joined").await?;
            }
        }
        Ok(id)
    }

    /// Whether `ap_id` is a message of a direct conversation written by
    /// `author` (an `Update` or `Delete` of it is theirs to send).
    pub async fn is_direct_message_of(&self, ap_id: &str, author: ActorId) -> DomainResult<bool> {
        Ok(self.store.direct_message_author(ap_id).await? == Some(author))
    }

    /// The remote person changed (`html`) or deleted (`None`) a message
    /// they sent to a teacher here: the teacher reads the new text, or
    /// the message as deleted. Applied once per activity id.
    pub(crate) async fn receive_direct_change(
        &self,
        activity_id: &str,
        sender: &ActorRow,
        ap_id: &str,
        html: Option<&str>,
    ) -> DomainResult<Applied> {
        let html = match html {
            Some(html) => Some(rendering::remote_html(html.to_string()).await?),
            None => None,
        };
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        let Some((id, line, author)) = direct::direct_line_at(&mut tx, ap_id).await? else {
            return Ok(Applied::Ignored);
        };
        if author != sender.id {
            return Ok(Applied::Ignored);
        }
        let shown = match html {
            Some(html) => {
                let people = direct::people_but(&mut *tx, id, sender.id).await?;
                let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
                let shown = without_leading_mentions(&html, &names);
                let text = rendering::html_text_now(&shown);
                Some((text, shown))
            }
            None => None,
        };
        let change = match &shown {
            Some((source, html)) => LineChange::Edit { source, html },
            None => LineChange::Delete,
        };
        // The teacher's open page shows the change without a reload.
        super::conversations::change_line(&mut tx, line, id, change).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// The direct conversation of `teacher` and `sender`, created (with
    /// `teacher` joined when `contact`, else asked) when there is none;
    /// a teacher who had left is back (joined or asked again).
    async fn direct_conversation_for(
        &self,
        tx: &mut Tx,
        teacher: &ActorRow,
        sender: &ActorRow,
        contact: bool,
        form: WireForm,
    ) -> DomainResult<ConversationId> {
        let state = if contact { "joined" } else { "requested" };
        if let Some(row) = direct::direct_between(tx, teacher.id, sender.id).await? {
            let id = row.conversation_id;
            direct::change_state(tx, id, teacher.id, &["left", "declined", "removed"], state)
                .await?;
            // A contact accepted since: their waiting request opens.
            if contact {
                direct::change_state(tx, id, teacher.id, &["requested"], "joined").await?;
            }
            return Ok(id);
        }
        let ap_id = format!(
            "{}/conversations/{}",
            self.settings.base_url(),
            crate::urls::random_token()
        );
        let name = shown_name(sender);
        let id = conversations::insert_conversation(tx, &ap_id, &name, sender.id, None).await?;
        let new = NewDirect {
            conversation: id,
            local: teacher.id,
            remote: sender.id,
            wire_form: form,
        };
        if !direct::insert_direct(tx, &new).await? {
            return Err(crate::domain::DomainError::Internal(
                "a direct conversation of this pair was created at the same time".into(),
            ));
        }
        direct::add_participant(tx, id, sender.id, "joined", None).await?;
        direct::add_participant(tx, id, teacher.id, state, Some(sender.id)).await?;
        Ok(id)
    }

    /// The direct conversation `id`, if it is one.
    pub async fn direct_conversation(&self, id: ConversationId) -> DomainResult<Option<DirectRow>> {
        Ok(self.store.direct_conversation(id).await?)
    }

    /// Refuses (409 `direct_conversation`) a change only group
    /// conversations allow (inviting, removing).
    pub(crate) async fn refuse_if_direct(&self, id: ConversationId) -> DomainResult<()> {
        if self
            .store
            .conversation(id)
            .await?
            .is_some_and(|c| c.is_direct())
        {
            return Err(Refusal::DirectConversation.into());
        }
        Ok(())
    }

    /// The caller's message requests: one per person asking, latest first.
    pub async fn message_requests(
        &self,
        account: &AccountRow,
    ) -> DomainResult<Vec<MessageRequest>> {
        self.check_messaging(account)?;
        Ok(self.store.message_requests(account.actor_id).await?)
    }

    /// How many people ask the caller to talk (0 without messages).
    pub async fn message_request_count(&self, account: &AccountRow) -> DomainResult<i64> {
        if !self.may_message(account) {
            return Ok(0);
        }
        Ok(self.store.message_request_count(account.actor_id).await?)
    }

    /// The caller accepts a message request (the conversation becomes an
    /// ordinary one, every message shown) or ignores it (hidden, and so
    /// are that person's later messages). 409 `no_message_request`
    /// unless one is waiting.
    pub async fn answer_message_request(
        &self,
        account: &AccountRow,
        id: ConversationId,
        accept: bool,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let me = account.actor_id;
        let waiting = self
            .store
            .participant(id, me)
            .await?
            .is_some_and(|row| row.state == ParticipantState::Requested);
        if !waiting {
            return Err(Refusal::NoMessageRequest.into());
        }
        let to = if accept { "joined" } else { "ignored" };
        let mut tx = self.store.begin().await?;
        if !direct::change_state(&mut tx, id, me, &["requested"], to).await? {
            return Err(Refusal::NoMessageRequest.into());
        }
        crate::domain::store::commit(tx).await?;
        Ok(())
    }

    /// Sends what `author` did to their message `message_ap_id` of
    /// conversation `id` (`Create`, `Update` with `html`, or `Delete`) to
    /// the other person, when the conversation is a direct one; nothing
    /// for a group conversation. In the transaction of the change.
    pub(crate) async fn send_direct_message(
        &self,
        tx: &mut Tx,
        id: ConversationId,
        author: ActorId,
        message_ap_id: &str,
        change: DirectChange<'_>,
    ) -> DomainResult<()> {
        let people = direct::people_but(&mut **tx, id, author).await?;
        let pair = direct::direct_in(tx, id).await?;
        let thread = match pair {
            Some(_) => None,
            None => direct::thread_in(&mut **tx, id).await?,
        };
        let audience = match (&pair, &thread) {
            (Some(row), _) => Audience::pair(row, &people),
            (None, Some(row)) => Audience::thread(row, &people),
            (None, None) => return Ok(()),
        };
        let Some(author) = crate::domain::store::actors::actor_by_id_in(tx, author).await? else {
            return Ok(());
        };
        let mut inboxes: Vec<String> = Vec::new();
        for person in people.iter().filter(|p| !p.is_local()) {
            if !inboxes.contains(&person.inbox) {
                inboxes.push(person.inbox.clone());
            }
        }
        if inboxes.is_empty() {
            return Ok(());
        }
        let activity_id = new_activity_id(&self.settings.base_url());
        let at = Sent {
            activity_id: &activity_id,
            message_ap_id,
            now: rfc3339(tx.now_ms()),
        };
        let activity = direct_activity(&audience, &author, &at, change)?;
        queue(tx, &activity_id, author.id, &to_json(&activity)?, &inboxes).await?;
        Ok(())
    }
}

impl Domain {
    /// A teacher's answer `line` in the direct conversation
    /// `conversation`, as it was sent (for the signed fetch of its id by
    /// the person's server).
    pub(crate) async fn direct_message_served(
        &self,
        conversation: &crate::domain::store::conversations::ConversationRow,
        line: &crate::domain::store::conversations::LineRow,
    ) -> DomainResult<DirectMessage> {
        let people = self
            .store
            .direct_people_but(conversation.id, line.actor_id)
            .await?;
        let pair = self.store.direct_conversation(conversation.id).await?;
        let thread = self.store.direct_thread(conversation.id).await?;
        let audience = match (&pair, &thread) {
            (Some(row), _) => Audience::pair(row, &people),
            (None, Some(row)) => Audience::thread(row, &people),
            (None, None) => return Err(Refusal::NotFound.into()),
        };
        let author = self.actor_by_id(line.actor_id).await?;
        let ap_id = line.ap_id.as_deref().ok_or(Refusal::NotFound)?;
        let mut message = direct_object(&audience, &author, ap_id, &line.html)?;
        message.post.published = Some(rfc3339(line.created_at));
        message.post.updated = line.edited_at.map(rfc3339);
        Ok(message)
    }
}

/// The ids and time of an activity about a direct message.
pub struct Sent<'a> {
    /// The activity's id.
    pub activity_id: &'a str,
    /// The message's id.
    pub message_ap_id: &'a str,
    /// Now, RFC 3339.
    pub now: String,
}

/// Whom a message of a direct conversation is for, and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    /// The form of the conversation.
    pub form: WireForm,
    /// Everyone it is for (the author left out), in the order they came.
    pub people: &'a [ActorRow],
    /// The thread's `context`, echoed.
    pub context: Option<&'a str>,
    /// The thread's Mastodon `conversation`, echoed.
    pub conversation: Option<&'a str>,
    /// The last message received (`inReplyTo`).
    pub in_reply_to: Option<&'a str>,
}

impl<'a> Audience<'a> {
    /// A one-to-one conversation's.
    pub fn pair(row: &'a DirectRow, people: &'a [ActorRow]) -> Self {
        Audience {
            form: row.wire_form,
            people,
            context: row.remote_context.as_deref(),
            conversation: row.remote_conversation.as_deref(),
            in_reply_to: row.last_received_ap_id.as_deref(),
        }
    }

    /// A thread's (always `Note`s: a `ChatMessage` is for one person).
    pub fn thread(row: &'a direct::ThreadRow, people: &'a [ActorRow]) -> Self {
        Audience {
            form: WireForm::Note,
            people,
            context: row.remote_context.as_deref(),
            conversation: row.remote_conversation.as_deref(),
            in_reply_to: row.last_received_ap_id.as_deref(),
        }
    }

    fn addresses(&self) -> impl Iterator<Item = &'a str> {
        self.people.iter().map(|p| p.ap_id.as_str())
    }
}

/// The activity telling the `audience` what `author` did to a message of
/// a direct conversation: `Create` or `Update` of the message, `Delete`
/// of its `Tombstone`, `to` the people of the conversation only, `cc`
/// empty.
pub fn direct_activity(
    audience: &Audience<'_>,
    author: &ActorRow,
    at: &Sent<'_>,
    change: DirectChange<'_>,
) -> DomainResult<Activity> {
    let (kind, object) = match change {
        DirectChange::Create(html) | DirectChange::Update(html) => {
            let mut message = direct_object(audience, author, at.message_ap_id, html)?;
            let kind = if matches!(change, DirectChange::Create(_)) {
                message.post.published = Some(at.now.clone());
                ActivityKind::Create
            } else {
                message.post.updated = Some(at.now.clone());
                ActivityKind::Update
            };
            (kind, json_of(&message)?)
        }
        DirectChange::Delete => {
            let former = match audience.form {
                WireForm::Note => Some(PostKind::Note),
                WireForm::ChatMessage => None,
            };
            let mut tombstone =
                Tombstone::new(url(at.message_ap_id)?, former, Some(at.now.clone()));
            if audience.form == WireForm::ChatMessage {
                tombstone.former_type = Some("ChatMessage".into());
            }
            (ActivityKind::Delete, json_of(&tombstone)?)
        }
    };
    Ok(
        Activity::new(kind, url(at.activity_id)?, url(&author.ap_id)?, object)
            .to(audience.addresses()),
    )
}

/// What happened to a message of a direct conversation, to send.
#[derive(Debug, Clone, Copy)]
pub enum DirectChange<'a> {
    /// Written (its HTML).
    Create(&'a str),
    /// Edited (its new HTML).
    Update(&'a str),
    /// Deleted.
    Delete,
}

/// The wire object of a message of `author` to the `audience`: a `Note`
/// as Mastodon shows a direct message (to the people only, `cc` empty, a
/// `Mention` tag of each and their mention links first in the text,
/// `inReplyTo` the last message received, the thread's
/// `context`/`conversation` echoed), or a `ChatMessage` (to the person,
/// the text alone).
pub fn direct_object(
    audience: &Audience<'_>,
    author: &ActorRow,
    ap_id: &str,
    html: &str,
) -> DomainResult<DirectMessage> {
    let kind = match audience.form {
        WireForm::Note => DirectMessageKind::Note,
        WireForm::ChatMessage => DirectMessageKind::ChatMessage,
    };
    let mut message = DirectMessage::new(kind, url(ap_id)?, url(&author.ap_id)?);
    message.post.to = audience.addresses().map(str::to_string).collect();
    message.post.media_type = None;
    match audience.form {
        WireForm::Note => {
            let mut content = html.to_string();
            for person in audience.people.iter().rev() {
                content = with_mention_link(&content, &person.ap_id, &person.name);
            }
            for person in audience.people {
                message.add_mention(&Mention::new(url(&person.ap_id)?, handle_of(person)));
            }
            message.post.content = Some(content);
            message.post.in_reply_to = audience.in_reply_to.and_then(|id| url(id).ok());
            message.context = audience.context.map(str::to_string);
            message.conversation = audience.conversation.map(str::to_string);
        }
        WireForm::ChatMessage => {
            message.post.content = Some(html.to_string());
        }
    }
    Ok(message)
}

/// `@user@host` as a `Mention` names a person (a teacher here too).
fn handle_of(person: &ActorRow) -> String {
    let domain = match url::Url::parse(&person.ap_id) {
        Ok(id) if person.is_local() => match id.port() {
            Some(port) => format!("{}:{port}", id.host_str().unwrap_or_default()),
            None => id.host_str().unwrap_or_default().to_string(),
        },
        _ => person.domain.clone(),
    };
    format!("@{}@{}", person.name, domain)
}

/// `html` opened by the link Mastodon writes for a mention (an `h-card`),
/// inside its first paragraph.
fn with_mention_link(html: &str, href: &str, name: &str) -> String {
    let href = href.replace('"', "&quot;");
    let name = name.replace('<', "&lt;").replace('>', "&gt;");
    let link = format!(
        "<span class=\"h-card\"><a href=\"{href}\" class=\"u-url mention\">@<span>{name}</span></a></span>"
    );
    match html.strip_prefix("<p>") {
        Some(rest) => format!("<p>{link} {rest}"),
        None => format!("<p>{link}</p>{html}"),
    }
}

/// `html` without the mention of `name` it opens with (Mastodon starts a
/// direct message with the link to the person it is for): what the
/// teacher reads does not begin with their own name.
pub fn without_leading_mention(html: &str, name: &str) -> String {
    let (opening, body) = match html.strip_prefix("<p>") {
        Some(rest) => ("<p>", rest),
        None => ("", html),
    };
    let end = if body.starts_with("<span") {
        body.find("</a></span>").map(|at| at + "</a></span>".len())
    } else if body.starts_with("<a ") {
        body.find("</a>").map(|at| at + "</a>".len())
    } else {
        None
    };
    let Some(end) = end else {
        return html.to_string();
    };
    let text = rendering::html_text_now(&body[..end]);
    let mention = text.trim().trim_start_matches('@');
    let named = mention.eq_ignore_ascii_case(name)
        || mention
            .split_once('@')
            .is_some_and(|(user, _)| user.eq_ignore_ascii_case(name));
    if !named {
        return html.to_string();
    }
    let rest = body[end..].trim_start_matches([' ', '\u{a0}']);
    let rest = rest.strip_prefix("&nbsp;").unwrap_or(rest).trim_start();
    format!("{opening}{rest}")
}

/// The most attachments of a message kept (Mastodon allows four).
pub const MAX_ATTACHMENTS: usize = 8;

/// The attachments of a received message, as they may be shown: each
/// object (`Document`, `Image`, … or a `Link`) with an http(s) `url` (a
/// string, a `Link`'s `href`, or the first usable of a list), its
/// `mediaType` when it looks like one, and its `name` (a description,
/// 200 characters at most), else the URL's file name, else its host.
/// Any other URL (`javascript:`, `data:`, relative…) is dropped.
pub fn attachments_of(values: &[serde_json::Value]) -> Vec<Attachment> {
    use serde_json::Value;
    fn link(value: &Value) -> Option<url::Url> {
        match value {
            Value::String(text) => url::Url::parse(text.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some()),
            Value::Object(object) => object.get("href").and_then(link),
            Value::Array(many) => many.iter().find_map(link),
            _ => None,
        }
    }
    let text = |value: Option<&Value>, most: usize| {
        value
            .and_then(Value::as_str)
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(most).collect::<String>())
    };
    values
        .iter()
        .filter_map(|value| {
            let object = value.as_object()?;
            let address = object.get("url").or(object.get("href")).and_then(link)?;
            let media_type = text(object.get("mediaType"), 100)
                .filter(|t| t.contains('/') && !t.contains(char::is_whitespace));
            let file = address
                .path_segments()
                .and_then(|mut segments| segments.next_back())
                .filter(|last| !last.is_empty())
                .map(|last| {
                    crate::urls::percent_decode(last)
                        .chars()
                        .take(200)
                        .collect::<String>()
                });
            let name = text(object.get("name"), 200)
                .or(file)
                .unwrap_or_else(|| address.host_str().unwrap_or_default().to_string());
            Some(Attachment {
                url: address.to_string(),
                media_type,
                name,
            })
        })
        .take(MAX_ATTACHMENTS)
        .collect()
}

/// How a person is named in a conversation's name: their display name,
/// else their handle.
fn shown_name(person: &ActorRow) -> String {
    if person.display_name.trim().is_empty() {
        match person.is_local() {
            true => format!("@{}", person.name),
            false => format!("@{}@{}", person.name, person.domain),
        }
    } else {
        person.display_name.clone()
    }
}

/// `html` without the mentions of any of `names` it opens with (Mastodon
/// starts a direct message with the links to the people it is for).
pub fn without_leading_mentions(html: &str, names: &[&str]) -> String {
    let mut shown = html.to_string();
    loop {
        let before = shown.len();
        for name in names {
            shown = without_leading_mention(&shown, name);
        }
        if shown.len() == before {
            return shown;
        }
    }
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::domain::store::actors::ActorKindRow;
    use serde_json::Value;

    const FEDERATION_MD: &str = include_str!("../../docs/FEDERATION.md");

    /// The JSON example after `<!-- sent: NAME -->` in docs/FEDERATION.md.
    fn example(name: &str) -> Value {
        let marker = format!("<!-- sent: {name} -->");
        let start = FEDERATION_MD.find(&marker).expect("marker") + marker.len();
        let rest = &FEDERATION_MD[start..];
        let open = rest.find("```json").expect("JSON block") + "```json".len();
        let close = rest[open..].find("```").expect("end of block");
        serde_json::from_str(&rest[open..open + close]).expect("JSON")
    }

    fn person(id: i64, name: &str, origin: &str) -> ActorRow {
        let local = origin.ends_with("37199");
        ActorRow {
            id: ActorId(id),
            kind: ActorKindRow::Person,
            name: name.into(),
            domain: if local {
                String::new()
            } else {
                origin.trim_start_matches("http://").into()
            },
            ap_id: format!("{origin}/users/{name}"),
            inbox: format!("{origin}/users/{name}/inbox"),
            shared_inbox: None,
            display_name: String::new(),
            summary_html: String::new(),
            public_key_pem: String::new(),
            private_key_pem: None,
            declared_trust: None,
            created_at: 0,
            updated_at: 0,
            fetched_at: None,
            email_domain: None,
        }
    }

    /// What Préau sends, as documented: the examples were captured from
    /// the scenario `direct_messages`; the builder must still give them.
    #[test]
    fn what_is_sent_matches_the_documented_examples() {
        let ana = person(1, "ana", "http://localhost:37199");
        for (name, who, form, message, html, context) in [
            (
                "direct-note",
                "bob",
                WireForm::Note,
                "b3a8233eecfb570b13685be1",
                "<p>Avec plaisir, <em>Bob</em></p>\n",
                Some("tag:localhost,2026-12-04:objectId=11:objectType=Conversation"),
            ),
            (
                "direct-chat-message",
                "frank",
                WireForm::ChatMessage,
                "822a04e53a23c0a2ecbbf240",
                "<p>Bonjour Frank</p>\n",
                None,
            ),
        ] {
            let other = person(2, who, "http://localhost:33677");
            let row = DirectRow {
                conversation_id: ConversationId(1),
                local_actor_id: ana.id,
                remote_actor_id: other.id,
                wire_form: form,
                remote_context: None,
                remote_conversation: context.map(str::to_string),
                last_received_ap_id: (form == WireForm::Note)
                    .then(|| "http://localhost:33677/users/bob/statuses/11".to_string()),
            };
            let documented = example(name);
            let at = Sent {
                activity_id: documented["id"].as_str().unwrap(),
                message_ap_id: &format!("http://localhost:37199/conversation-messages/{message}"),
                now: "2026-12-04T20:21:25Z".into(),
            };
            let people = [other];
            let audience = Audience::pair(&row, &people);
            let built = direct_activity(&audience, &ana, &at, DirectChange::Create(html)).unwrap();
            let mut json = to_json(&built).unwrap();
            let mut documented = documented.clone();
            json.as_object_mut().unwrap().remove("@context");
            documented.as_object_mut().unwrap().remove("@context");
            assert_eq!(json, documented, "{name}");
        }
    }

    /// A reply in a thread of several people, as documented: to every
    /// other participant, a `Mention` and a leading link of each.
    #[test]
    fn a_reply_to_several_people_matches_the_documented_example() {
        let at_preau = |id: i64, name: &str| ActorRow {
            domain: String::new(),
            ap_id: format!("https://preau.example/users/{name}"),
            ..person(id, name, "https://preau.example")
        };
        let elsewhere = |id: i64, name: &str, origin: &str| ActorRow {
            domain: origin.trim_start_matches("https://").into(),
            ..person(id, name, origin)
        };
        let ana = at_preau(1, "ana");
        let people = [
            at_preau(2, "bea"),
            elsewhere(3, "bob", "https://mastodon.example"),
            elsewhere(4, "carl", "https://other.example"),
        ];
        let row = direct::ThreadRow {
            conversation_id: ConversationId(1),
            thread: "tag:mastodon.example,2026-12-05:objectId=100:objectType=Conversation".into(),
            remote_context: None,
            remote_conversation: Some(
                "tag:mastodon.example,2026-12-05:objectId=100:objectType=Conversation".into(),
            ),
            last_received_ap_id: Some("https://mastodon.example/users/bob/statuses/100".into()),
        };
        let documented = example("direct-group-note");
        let object = &documented["object"];
        let at = Sent {
            activity_id: documented["id"].as_str().unwrap(),
            message_ap_id: object["id"].as_str().unwrap(),
            now: object["published"].as_str().unwrap().into(),
        };
        let audience = Audience::thread(&row, &people);
        let built = direct_activity(
            &audience,
            &ana,
            &at,
            DirectChange::Create("<p>Merci Bob</p>\n"),
        )
        .unwrap();
        let mut json = to_json(&built).unwrap();
        json.as_object_mut().unwrap().remove("@context");
        assert_eq!(json, documented);
    }

    #[test]
    fn attachments_keep_http_links_only() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../federation/fixtures/mastodon/mobilizon-test-fixtures/mastodon-status-2.json"
        ))
        .unwrap();
        let kept = attachments_of(fixture["attachment"].as_array().unwrap());
        assert_eq!(
            kept,
            [Attachment {
                url: "https://framapiaf.s3.framasoft.org/framapiaf/media_attachments/files/003/337/144/original/39d457fd9e0f0171.jpg".into(),
                media_type: Some("image/jpeg".into()),
                name: "39d457fd9e0f0171.jpg".into(),
            }]
        );
        let values: Vec<Value> = serde_json::from_value(serde_json::json!([
            {"type": "Document", "url": "javascript:alert(1)", "name": "x"},
            {"type": "Image", "url": "data:image/png;base64,AAAA", "name": "y"},
            {"type": "Document", "url": "/relative.pdf"},
            {"type": "Document", "mediaType": "application/pdf", "name": "  Séquence\n 5e ",
             "url": [{"type": "Link", "href": "ftp://x.example/a"}, {"type": "Link", "href": "https://m.example/s%C3%A9quence.pdf"}]},
            {"type": "Image", "mediaType": "not a type", "url": "http://m.example/files/plan%20de%20classe.png"},
            "https://m.example/bare-string-is-no-object"
        ]))
        .unwrap();
        let kept = attachments_of(&values);
        assert_eq!(
            kept,
            [
                Attachment {
                    url: "https://m.example/s%C3%A9quence.pdf".into(),
                    media_type: Some("application/pdf".into()),
                    name: "Séquence 5e".into(),
                },
                Attachment {
                    url: "http://m.example/files/plan%20de%20classe.png".into(),
                    media_type: None,
                    name: "plan de classe.png".into(),
                },
            ]
        );
    }

    #[test]
    fn the_leading_mention_of_the_teacher_is_taken_out() {
        let mastodon = "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://p.example/users/ana\" class=\"u-url mention\" rel=\"nofollow noopener noreferrer\">@<span>ana</span></a></span> Bonjour !</p>";
        assert_eq!(without_leading_mention(mastodon, "ana"), "<p>Bonjour !</p>");
        let with_host = "<p><span class=\"h-card\"><a href=\"https://p.example/users/ana\">@<span>ana@p.example</span></a></span> Salut</p>";
        assert_eq!(without_leading_mention(with_host, "ana"), "<p>Salut</p>");
        let plain = "<p><a href=\"https://p.example/users/ana\" class=\"mention\">@ana</a> hi</p>";
        assert_eq!(without_leading_mention(plain, "ana"), "<p>hi</p>");
        // Someone else's mention, or text first: unchanged.
        let other = "<p><span class=\"h-card\"><a href=\"x\">@<span>bob</span></a></span> hi</p>";
        assert_eq!(without_leading_mention(other, "ana"), other);
        assert_eq!(
            without_leading_mention("<p>Hi @ana</p>", "ana"),
            "<p>Hi @ana</p>"
        );
    }

    #[test]
    fn replies_open_with_the_mention_link() {
        let html = with_mention_link("<p>Merci</p>", "https://m.example/users/bob", "bob");
        assert_eq!(
            html,
            "<p><span class=\"h-card\"><a href=\"https://m.example/users/bob\" class=\"u-url mention\">@<span>bob</span></a></span> Merci</p>"
        );
        let bare = with_mention_link("<ul><li>x</li></ul>", "https://m.example/u/b", "b");
        assert!(bare.starts_with("<p><span class=\"h-card\">"), "{bare}");
        assert!(bare.ends_with("<ul><li>x</li></ul>"), "{bare}");
    }
}
