//! What a remote forum, project or conversation host refused: when a peer
//! answers a delivery with a final 4xx, and the peer is the host of the
//! forum, project or conversation a local teacher's post or message was
//! written in, it is marked refused with the host's reason; an accepted
//! invitation to a conversation the host refused is undone here. Nothing a
//! teacher wrote may look published, and nobody may look in, while the
//! place it was written for turned it down.

use super::{
    notifications::notify,
    notify_events::{about_own_post, notify_project_post_refused},
    Domain, DomainResult,
};
use crate::domain::store::conversations::{self, ConversationRow, ParticipantState};
use crate::domain::store::delivery::host_of_inbox;
use crate::domain::store::notifications::{
    NewNotification,
    NotificationKind::{ConversationRefused, PostRefused},
    Recipients,
};
use crate::domain::store::{posts, project_content};
use serde_json::Value;

/// Longest reason kept, in characters.
const MAX_REASON: usize = 300;

/// The post id a `Create` carries (embedded or by id).
fn created_object_id(activity: &Value) -> Option<&str> {
    if activity.get("type").and_then(Value::as_str) != Some("Create") {
        return None;
    }
    let object = activity.get("object")?;
    object
        .as_str()
        .or_else(|| object.get("id").and_then(Value::as_str))
}

/// The reason to show: the peer's message, else its code, else the status.
pub fn refusal_reason(status: u16, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|json| {
        let error = json.get("error")?;
        // Préau: {"error": {"code", "message"}}; Lemmy: {"error": "code"}.
        error
            .get("message")
            .and_then(Value::as_str)
            .or_else(|| error.get("code").and_then(Value::as_str))
            .or_else(|| error.as_str())
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| {
        // A short plain-text answer (Mastodon); HTML pages are not shown.
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.starts_with('<') || trimmed.len() > MAX_REASON {
            String::new()
        } else {
            trimmed.to_string()
        }
    });
    let text: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON)
        .collect();
    if text.trim().is_empty() {
        format!("HTTP {status}")
    } else {
        text
    }
}

impl Domain {
    /// A peer (`host`, with port) refused for good an activity this
    /// instance sent (`activity`, as stored). Marks the local post it
    /// created as refused when the peer is its forum's or project's host;
    /// other refusals (a follower's server) change nothing here.
    pub async fn delivery_refused(
        &self,
        activity: &str,
        host: &str,
        status: u16,
        body: &str,
    ) -> DomainResult<()> {
        let Ok(activity) = serde_json::from_str::<Value>(activity) else {
            return Ok(());
        };
        let reason = refusal_reason(status, body);
        if self.conversation_refused(&activity, host, &reason).await? {
            return Ok(());
        }
        let Some(object_id) = created_object_id(&activity) else {
            return Ok(());
        };
        if let Some(post) = self.store.post_by_ap_id(object_id).await? {
            let Some(forum) = self.store.forum(post.forum_id).await? else {
                return Ok(());
            };
            if post.local
                && !forum.actor.is_local()
                && forum.actor.domain.eq_ignore_ascii_case(host)
            {
                let title = self.thread_title_of(&post).await?;
                let key = format!("refused:{}", post.ap_id);
                let (to, note) = about_own_post(PostRefused, &post, &title, None, &reason, &key);
                let mut tx = self.store.begin().await?;
                posts::mark_refused(&mut tx, post.id, &reason, self.clock().now_ms()).await?;
                notify(&mut tx, to, note).await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
            }
            return Ok(());
        }
        if let Some(post) = self.store.project_post_by_ap_id(object_id).await? {
            let Some(project) = self.store.project(post.project_id).await? else {
                return Ok(());
            };
            if post.local
                && !project.actor.is_local()
                && project.actor.domain.eq_ignore_ascii_case(host)
            {
                let mut tx = self.store.begin().await?;
                project_content::mark_post_refused(
                    &mut tx,
                    post.id,
                    &reason,
                    self.clock().now_ms(),
                )
                .await?;
                notify_project_post_refused(&mut tx, &project, &post, &reason).await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
            }
        }
        Ok(())
    }
}

impl Domain {
    /// Whether `host` (with port) hosts `conversation`, a conversation
    /// of another instance.
    fn hosted_by(&self, conversation: &ConversationRow, host: &str) -> bool {
        !self.hosts_conversation(conversation)
            && host_of_inbox(&conversation.ap_id).eq_ignore_ascii_case(host)
    }

    /// What a conversation's host refused: a local teacher's message (or
    /// its edit) is marked refused with the reason and its author told;
    /// their accepted invitation is undone here (they are not in) and
    /// they are told why. Whether `activity` was about a conversation.
    async fn conversation_refused(
        &self,
        activity: &Value,
        host: &str,
        reason: &str,
    ) -> DomainResult<bool> {
        let text = |value: Option<&Value>, key: &str| {
            value
                .and_then(|v| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let object = activity.get("object");
        match activity.get("type").and_then(Value::as_str) {
            Some("Create" | "Update") => {
                let Some(id) = text(object, "id") else {
                    return Ok(false);
                };
                let Some(line) = self.store.line_by_ap_id(&id).await? else {
                    return Ok(false);
                };
                let Some(conversation) = self.store.conversation(line.conversation_id).await?
                else {
                    return Ok(true);
                };
                if !self.hosted_by(&conversation, host) {
                    return Ok(true);
                }
                let mut note = NewNotification::new(PostRefused, format!("refused:{id}"));
                note.title = conversation.name.clone();
                note.detail = Some(reason.to_string());
                note.link = format!("/conversations/{}", conversation.id.0);
                let mut tx = self.store.begin().await?;
                conversations::mark_line_refused(&mut tx, line.id, reason).await?;
                notify(&mut tx, Recipients::Actors(vec![line.actor_id]), note).await?;
                super::live::conversation_line_changed(&mut tx, line.id, conversation.id.0).await?;
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(true)
            }
            Some("Accept") if text(object, "type").as_deref() == Some("Invite") => {
                let (Some(conversation), Some(actor)) =
                    (text(object, "object"), text(Some(activity), "actor"))
                else {
                    return Ok(false);
                };
                let Some(conversation) = self.store.conversation_by_ap_id(&conversation).await?
                else {
                    return Ok(false);
                };
                let Some(person) = self
                    .store
                    .actor_by_ap_id(&actor)
                    .await?
                    .filter(|a| a.is_local())
                else {
                    return Ok(true);
                };
                if !self.hosted_by(&conversation, host) {
                    return Ok(true);
                }
                let mut tx = self.store.begin().await?;
                let change = (ParticipantState::Joined, ParticipantState::Declined);
                if conversations::end_participation(
                    &mut tx,
                    conversation.id,
                    person.id,
                    change,
                    None,
                )
                .await?
                {
                    let key = format!("refused:{}", text(object, "id").unwrap_or_default());
                    let mut note = NewNotification::new(ConversationRefused, key);
                    note.actor = Some(conversation.creator_id);
                    note.title = conversation.name.clone();
                    note.detail = Some(reason.to_string());
                    note.link = "/conversations".into();
                    notify(&mut tx, Recipients::Actors(vec![person.id]), note).await?;
                    self.forget_unattended_lines(&mut tx, &conversation).await?;
                }
                crate::domain::store::commit(tx).await?;
                self.after_commit();
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_the_peers_answer() {
        assert_eq!(
            refusal_reason(
                403,
                r#"{"error":{"code":"forum_level_too_low","message":"Ce forum n'accepte que les enseignants institutionnels."}}"#
            ),
            "Ce forum n'accepte que les enseignants institutionnels."
        );
        assert_eq!(
            refusal_reason(400, r#"{"error":"person_is_banned"}"#),
            "person_is_banned"
        );
        assert_eq!(refusal_reason(403, "<html>nope</html>"), "HTTP 403");
        assert_eq!(refusal_reason(422, ""), "HTTP 422");
    }
}
