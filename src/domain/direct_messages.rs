//! Direct messages with people of other servers (Mastodon, Pleroma,
//! Akkoma, Misskey, Fedify…): a one-to-one conversation hosted here
//! (`conversations.kind = 'direct'`), one per pair of a local teacher and
//! a remote person, shown with the teacher's other conversations.
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
//! the person's inbox in the form they wrote in: a `Note` addressed to
//! them only with a `Mention` (what Mastodon shows as a direct message),
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
    conversations::{self, ConversationId, NewLine, ParticipantState},
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

    /// Stores a direct message for each of its recipients who may receive
    /// it (messages allowed, sender not blocked).
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
        let Some(mut tx) = self.begin_applying(received.activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        if direct::line_exists(&mut tx, message.post.id.as_str()).await? {
            return Ok(Applied::Duplicate);
        }
        let form = match message.post.kind {
            DirectMessageKind::Note => WireForm::Note,
            DirectMessageKind::ChatMessage => WireForm::ChatMessage,
        };
        for (index, (teacher, contact)) in admitted.into_iter().enumerate() {
            let shown = without_leading_mention(&html, &teacher.name);
            let text = rendering::html_text_now(&shown);
            let id = self
                .direct_conversation_for(&mut tx, teacher, sender, contact, form)
                .await?;
            // A message id is stored once; the same message to a second
            // teacher here is told apart by a fragment.
            let ap_id = match index {
                0 => message.post.id.to_string(),
                _ => format!("{}#to-{}", message.post.id, teacher.name),
            };
            let line = NewLine {
                conversation: id,
                kind: "message",
                actor: sender.id,
                ap_id: Some(&ap_id),
                source: &text,
                html: &shown,
                // Hosted here: its own id is its place.
                place: conversations::LinePlace::Host,
            };
            let line_id = conversations::insert_line(&mut tx, &line).await?;
            super::live::conversation_line_stored(&mut tx, line_id, id.0).await?;
            direct::record_received(
                &mut tx,
                id,
                message.post.id.as_str(),
                message.context.as_deref(),
                message.conversation.as_deref(),
            )
            .await?;
        }
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
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
                let teacher = direct::direct_in(&mut tx, id)
                    .await?
                    .map(|row| row.local_actor_id);
                let name = match teacher {
                    Some(teacher) => self
                        .store
                        .actor_by_id(teacher)
                        .await?
                        .map(|t| t.name)
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let shown = without_leading_mention(&html, &name);
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
        let name = if sender.display_name.trim().is_empty() {
            format!("@{}@{}", sender.name, sender.domain)
        } else {
            sender.display_name.clone()
        };
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
        if self.store.direct_conversation(id).await?.is_some() {
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
        let Some(row) = direct::direct_in(tx, id).await? else {
            return Ok(());
        };
        let (Some(author), Some(person)) = (
            self.store.actor_by_id(author).await?,
            self.store.actor_by_id(row.remote_actor_id).await?,
        ) else {
            return Ok(());
        };
        let activity_id = new_activity_id(&self.settings.base_url());
        let at = Sent {
            activity_id: &activity_id,
            message_ap_id,
            now: rfc3339(tx.now_ms()),
        };
        let activity = direct_activity(&row, &author, &person, &at, change)?;
        queue(
            tx,
            &activity_id,
            author.id,
            &to_json(&activity)?,
            std::slice::from_ref(&person.inbox),
        )
        .await?;
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
        let row = self
            .store
            .direct_conversation(conversation.id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let author = self.actor_by_id(line.actor_id).await?;
        let person = self.actor_by_id(row.remote_actor_id).await?;
        let ap_id = line.ap_id.as_deref().ok_or(Refusal::NotFound)?;
        let mut message = direct_object(&row, &author, &person, ap_id, &line.html)?;
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

/// The activity telling `person` what `author` did to a message of the
/// direct conversation `row`: `Create` or `Update` of the message,
/// `Delete` of its `Tombstone`, `to` the person only, `cc` empty.
pub fn direct_activity(
    row: &DirectRow,
    author: &ActorRow,
    person: &ActorRow,
    at: &Sent<'_>,
    change: DirectChange<'_>,
) -> DomainResult<Activity> {
    let (kind, object) = match change {
        DirectChange::Create(html) | DirectChange::Update(html) => {
            let mut message = direct_object(row, author, person, at.message_ap_id, html)?;
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
            let former = match row.wire_form {
                WireForm::Note => Some(PostKind::Note),
                WireForm::ChatMessage => None,
            };
            let mut tombstone =
                Tombstone::new(url(at.message_ap_id)?, former, Some(at.now.clone()));
            if row.wire_form == WireForm::ChatMessage {
                tombstone.former_type = Some("ChatMessage".into());
            }
            (ActivityKind::Delete, json_of(&tombstone)?)
        }
    };
    Ok(
        Activity::new(kind, url(at.activity_id)?, url(&author.ap_id)?, object)
            .to([person.ap_id.as_str()]),
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

/// The wire object of a message of `author` to `person`: a `Note` as
/// Mastodon shows a direct message (to the person only, `cc` empty, a
/// `Mention` tag and the mention link first in the text, `inReplyTo` their
/// last message, their `context`/`conversation` echoed), or a
/// `ChatMessage` (to the person, the text alone).
pub fn direct_object(
    row: &DirectRow,
    author: &ActorRow,
    person: &ActorRow,
    ap_id: &str,
    html: &str,
) -> DomainResult<DirectMessage> {
    let kind = match row.wire_form {
        WireForm::Note => DirectMessageKind::Note,
        WireForm::ChatMessage => DirectMessageKind::ChatMessage,
    };
    let mut message = DirectMessage::new(kind, url(ap_id)?, url(&author.ap_id)?);
    message.post.to = vec![person.ap_id.clone()];
    message.post.media_type = None;
    match row.wire_form {
        WireForm::Note => {
            let handle = format!("@{}@{}", person.name, person.domain);
            message.add_mention(&Mention::new(url(&person.ap_id)?, handle));
            message.post.content = Some(with_mention_link(html, &person.ap_id, &person.name));
            message.post.in_reply_to = row
                .last_received_ap_id
                .as_deref()
                .and_then(|id| url(id).ok());
            message.context = row.remote_context.clone();
            message.conversation = row.remote_conversation.clone();
        }
        WireForm::ChatMessage => {
            message.post.content = Some(html.to_string());
        }
    }
    Ok(message)
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
            let built =
                direct_activity(&row, &ana, &other, &at, DirectChange::Create(html)).unwrap();
            let mut json = to_json(&built).unwrap();
            let mut documented = documented.clone();
            json.as_object_mut().unwrap().remove("@context");
            documented.as_object_mut().unwrap().remove("@context");
            assert_eq!(json, documented, "{name}");
        }
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
