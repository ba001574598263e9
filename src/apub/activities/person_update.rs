//! `Update(Person)`: a person of another instance changed their profile
//! (name, biography, teaching, avatar…) and their server sends the whole
//! document, as Mastodon, Mbin and Préau do. Only the person may update
//! themselves: the object must be the activity's actor (whose key signed
//! the request, checked by the inbox) and pass the same checks as a
//! fetched actor document. A person this instance had never met is
//! fetched and stored by the inbox before any routing, to check the
//! signature, as every signer is; their embedded document then applies
//! the same way. (Were the person unknown, the update would be ignored:
//! nothing here to refresh.)

use super::{InboxError, Received};
use crate::{app::AppState, apub::actors::DbActor, domain::inbox::Applied};
use activitypub_federation::{config::Data, traits::Object};
use axum::http::StatusCode;
use preau_federation::{
    activities::{Activity, ActivityKind},
    Actor, ActorKind,
};
use serde_json::Value;

/// Actor types whose `Update` refreshes a stored person.
const PERSON_TYPES: [&str; 2] = ["Person", "Service"];

/// Whether `activity` is an `Update` of a person's own document (its
/// object embedded, of a person's type).
pub fn is_person_update(activity: &Activity) -> bool {
    activity.kind == ActivityKind::Update
        && activity
            .embedded_object()
            .and_then(|object| object.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|kind| PERSON_TYPES.contains(&kind))
}

/// The embedded document, when it is the activity's actor updating
/// itself: 403 `not_own_actor` when the object is someone else, 400
/// `invalid_object` when it is not a readable actor document.
pub fn own_document(activity: &Activity) -> Result<Actor, InboxError> {
    let document: Actor = activity
        .parse_object()
        .map_err(|_| InboxError::invalid_object())?;
    if document.id != activity.actor {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "not_own_actor"));
    }
    if !matches!(document.kind, ActorKind::Person | ActorKind::Service) {
        return Err(InboxError::invalid_object());
    }
    Ok(document)
}

/// The new document of a person known here (the inbox stored the signer);
/// `None` for someone unknown.
pub async fn verify(data: &Data<AppState>, r: &Received<'_>) -> Result<Option<Actor>, InboxError> {
    let document = own_document(r.activity)?;
    // The inbox verified the signature with the key of the activity's
    // actor; the signer row is that actor.
    if r.signer.row.ap_id != document.id.as_str() {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "not_own_actor"));
    }
    if data
        .domain
        .actor_by_url(document.id.as_str())
        .await?
        .is_none()
    {
        return Ok(None);
    }
    DbActor::verify(&document, &r.activity.actor, data)
        .await
        .map_err(|error| {
            tracing::info!(%error, actor = %r.activity.actor, "inbox: refused person update");
            InboxError::invalid_object()
        })?;
    Ok(Some(document))
}

/// Stores the new document as a fetched one would be (name, biography,
/// teaching, key), and fetches the avatar again when its URL changed
/// (in the background, with the limits of every fetch).
pub async fn receive(data: &Data<AppState>, document: Actor) -> Result<Applied, InboxError> {
    let id = document.id.to_string();
    DbActor::from_json(document, data).await.map_err(|error| {
        tracing::info!(%error, actor = %id, "inbox: person update not stored");
        InboxError::invalid_object()
    })?;
    // The signer kept in memory carries the old row.
    data.inbox_memory.forget_signer(&id);
    Ok(Applied::Applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(text: &str) -> Activity {
        serde_json::from_str(text).unwrap()
    }

    const MASTODON: &str = include_str!(
        "../../../federation/fixtures/mastodon/mobilizon-test-fixtures/mastodon-update.json"
    );
    const MBIN: &str = include_str!(
        "../../../federation/fixtures/mbin/mbin-json-snapshots/UpdateTest__testUpdateUser__1.json"
    );

    #[test]
    fn a_mastodon_profile_update_is_the_person_updating_itself() {
        let update = fixture(MASTODON);
        assert!(is_person_update(&update));
        let document = own_document(&update).unwrap();
        assert_eq!(
            document.id.as_str(),
            "https://framapiaf.org/users/framasoft"
        );
        assert_eq!(document.name.as_deref(), Some("nextsoft"));
        assert_eq!(document.summary.as_deref(), Some("<p>Some bio</p>"));
        assert!(document
            .icon
            .as_ref()
            .is_some_and(|icon| icon.url.as_str().ends_with("d96d39a0abb45b92.jpg")));
        document.check_consistency().unwrap();
    }

    #[test]
    fn an_mbin_user_update_once_its_placeholders_are_real_ids() {
        let mut value: Value = serde_json::from_str(MBIN).unwrap();
        // The snapshot scrubs ids and keys (`SCRUBBED_ID`): as stored it
        // is not an activity at all.
        assert!(serde_json::from_value::<Activity>(value.clone()).is_err());
        value["id"] = "https://kbin.test/u/user#update-1".into();
        value["published"] = "2024-05-01T10:00:00Z".into();
        value["object"]["id"] = "https://kbin.test/u/user".into();
        value["object"]["published"] = "2024-01-01T10:00:00Z".into();
        value["object"]["publicKey"] = serde_json::json!({
            "id": "https://kbin.test/u/user#main-key",
            "owner": "https://kbin.test/u/user",
            "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"
        });
        let update = fixture(&value.to_string());
        assert!(is_person_update(&update));
        let document = own_document(&update).unwrap();
        assert_eq!(document.name.as_deref(), Some("Test User"));
        assert_eq!(document.preferred_username, "user");
        document.check_consistency().unwrap();
    }

    #[test]
    fn someone_else_s_document_is_refused() {
        let mut value: Value = serde_json::from_str(MASTODON).unwrap();
        value["object"]["id"] = "https://framapiaf.org/users/gargron".into();
        value["object"]["publicKey"]["owner"] = "https://framapiaf.org/users/gargron".into();
        let error = own_document(&fixture(&value.to_string())).unwrap_err();
        assert_eq!(error.status(), StatusCode::FORBIDDEN);

        let mut elsewhere: Value = serde_json::from_str(MASTODON).unwrap();
        elsewhere["object"]["id"] = "https://mastodon.example/users/framasoft".into();
        assert!(own_document(&fixture(&elsewhere.to_string())).is_err());
    }

    #[test]
    fn updates_of_posts_and_groups_are_not_person_updates() {
        let mut value: Value = serde_json::from_str(MASTODON).unwrap();
        value["object"]["type"] = "Group".into();
        assert!(!is_person_update(&fixture(&value.to_string())));
        value["object"] = "https://framapiaf.org/users/framasoft".into();
        assert!(!is_person_update(&fixture(&value.to_string())));
        value["object"] =
            serde_json::json!({"id": "https://framapiaf.org/notes/1", "type": "Note"});
        assert!(!is_person_update(&fixture(&value.to_string())));
    }
}
