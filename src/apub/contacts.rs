//! What the inbox does with contact requests between people: a `Follow`
//! of a local teacher waits in their "Mes demandes"; the `Accept` or
//! `Reject` of a local teacher's request, and the `Undo` of a request or
//! contact. Anything else is not a contact activity (`None`).

use super::actors::DbActor;
use crate::{
    app::AppState,
    domain::{contacts::follow_id_of, inbox::Applied, DomainError},
    error::AppError,
    store::actors::ActorKindRow,
};
use activitypub_federation::config::Data;
use axum::response::Response;
use preau_federation::activities::{Activity, ActivityKind};

fn refusal(error: DomainError) -> Response {
    match error {
        DomainError::Refused(refusal) => {
            AppError::new(crate::error::status_of(&refusal), refusal.code()).into_response_json()
        }
        other => AppError::from(other).into_response_json(),
    }
}

fn store_error(error: crate::store::StoreError) -> Response {
    AppError::from(error).into_response_json()
}

/// Handles contact activities; `None` when the activity is not one.
pub async fn dispatch(
    data: &Data<AppState>,
    activity: &Activity,
    signer: &DbActor,
) -> Option<Result<Applied, Response>> {
    let domain = &data.domain;
    let store = &domain.store;
    let id = activity.id.as_str();
    match &activity.kind {
        ActivityKind::Follow => {
            let target = activity.object_id()?;
            let person = match store.actor_by_ap_id(target.as_str()).await {
                Ok(Some(person)) if person.is_local() && person.kind == ActorKindRow::Person => {
                    person
                }
                Ok(_) => return None,
                Err(error) => return Some(Err(store_error(error))),
            };
            Some(
                domain
                    .receive_contact_request(id, &signer.row, &person)
                    .await
                    .map_err(refusal),
            )
        }
        ActivityKind::Accept | ActivityKind::Reject => {
            if signer.row.kind != ActorKindRow::Person {
                return None;
            }
            let follow_id = follow_id_of(&activity.object)?;
            let follow = match store.follow_by_activity(&follow_id).await {
                Ok(Some(follow)) if follow.followed_id == signer.row.id => follow,
                Ok(_) => return None,
                Err(error) => return Some(Err(store_error(error))),
            };
            match store.actor_by_id(follow.follower_id).await {
                Ok(Some(follower)) if follower.is_local() => {}
                Ok(_) => return None,
                Err(error) => return Some(Err(store_error(error))),
            }
            let accept = activity.kind == ActivityKind::Accept;
            Some(
                domain
                    .receive_contact_answer(id, &follow, accept)
                    .await
                    .map_err(refusal),
            )
        }
        ActivityKind::Undo => {
            let inner = activity.inner_activity()?;
            if inner.kind != ActivityKind::Follow || inner.actor != activity.actor {
                return None;
            }
            let target = inner.object_id()?;
            let person = match store.actor_by_ap_id(target.as_str()).await {
                Ok(Some(person)) if person.is_local() && person.kind == ActorKindRow::Person => {
                    person
                }
                Ok(_) => return None,
                Err(error) => return Some(Err(store_error(error))),
            };
            Some(
                domain
                    .receive_contact_undo(id, &signer.row, &person)
                    .await
                    .map_err(refusal),
            )
        }
        _ => None,
    }
}
