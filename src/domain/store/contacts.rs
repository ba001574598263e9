//! Contacts between teachers: `follows` rows whose both ends are people.
//! A request is a pending follow; once accepted, the two are contacts
//! (whoever asked).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    Store, StoreResult,
};

/// A contact request or contact, with the other person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactView {
    /// The other person.
    #[sqlx(flatten)]
    pub person: ActorRow,
    /// When it was asked, unix ms.
    pub since: i64,
}

impl Store {
    async fn contact_rows(&self, sql: &str, person: ActorId) -> StoreResult<Vec<ContactView>> {
        let rows = sqlx::query_as(&format!(
            "SELECT {}, follows.created_at AS since FROM follows {sql} \
             ORDER BY follows.created_at DESC LIMIT 500",
            qualified_actor_columns()
        ))
        .bind(person.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Contact requests waiting for `person`'s answer.
    pub async fn contact_requests_to(&self, person: ActorId) -> StoreResult<Vec<ContactView>> {
        self.contact_rows(
            "JOIN actors ON actors.id = follows.follower_id \
             WHERE follows.followed_id = $1 AND follows.state = 'pending' \
             AND actors.kind = 'person'",
            person,
        )
        .await
    }

    /// Contact requests `person` sent that wait for an answer.
    pub async fn contact_requests_from(&self, person: ActorId) -> StoreResult<Vec<ContactView>> {
        self.contact_rows(
            "JOIN actors ON actors.id = follows.followed_id \
             WHERE follows.follower_id = $1 AND follows.state = 'pending' \
             AND actors.kind = 'person'",
            person,
        )
        .await
    }

    /// `person`'s contacts: accepted requests either way.
    pub async fn contacts_of(&self, person: ActorId) -> StoreResult<Vec<ContactView>> {
        self.contact_rows(
            "JOIN actors ON actors.id = CASE WHEN follows.follower_id = $1 \
               THEN follows.followed_id ELSE follows.follower_id END \
             WHERE (follows.follower_id = $1 OR follows.followed_id = $1) \
             AND follows.state = 'accepted' AND actors.kind = 'person'",
            person,
        )
        .await
    }
}
