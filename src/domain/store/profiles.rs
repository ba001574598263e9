//! The `profiles` table: a teacher's subjects, levels, languages, academy.

use super::{actors::ActorId, encode_list, Store, StoreResult, StoredList, Tx};

/// A teacher's profile fields as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ProfileRow {
    /// Markdown source of the biography (local people only).
    pub bio_source: String,
    /// Subjects taught.
    #[sqlx(try_from = "StoredList")]
    pub subjects: Vec<String>,
    /// School levels (stable codes such as `college`).
    #[sqlx(try_from = "StoredList")]
    pub school_levels: Vec<String>,
    /// Languages spoken (BCP 47 codes).
    #[sqlx(try_from = "StoredList")]
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// School, optional.
    pub school: String,
    /// Interests.
    #[sqlx(try_from = "StoredList")]
    pub interests: Vec<String>,
}

/// A whole profile update: presentation on the actor, fields on the profile.
#[derive(Debug, Clone)]
pub struct ProfileUpdate {
    /// Display name.
    pub display_name: String,
    /// Biography rendered to sanitised HTML.
    pub bio_html: String,
    /// The fields.
    pub profile: ProfileRow,
}

impl Store {
    /// The profile of an actor; every actor with an account has one.
    pub async fn profile(&self, actor: ActorId) -> StoreResult<Option<ProfileRow>> {
        let row = sqlx::query_as(
            "SELECT bio_source, subjects, school_levels, languages, academy, school, interests \
             FROM profiles WHERE actor_id = $1",
        )
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// Saves a profile and the actor's presentation together, creating the
    /// profile row of a remote actor on first sight.
    pub async fn save_profile(&self, actor: ActorId, update: &ProfileUpdate) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let now = tx.now_ms();
        save_profile_in(&mut tx, actor, update, now).await?;
        super::commit(tx).await
    }
}

/// [`Store::save_profile`] in the caller's transaction (a local teacher's
/// change and its `Update` commit together), dated `now`.
pub async fn save_profile_in(
    tx: &mut Tx,
    actor: ActorId,
    update: &ProfileUpdate,
    now: i64,
) -> StoreResult<()> {
    let profile = &update.profile;
    sqlx::query(
        "UPDATE actors SET display_name = $1, summary_html = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(&update.display_name)
    .bind(&update.bio_html)
    .bind(now)
    .bind(actor.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO profiles (actor_id, bio_source, subjects, school_levels, languages, \
         academy, school, interests, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (actor_id) DO UPDATE SET bio_source = excluded.bio_source, \
         subjects = excluded.subjects, school_levels = excluded.school_levels, \
         languages = excluded.languages, academy = excluded.academy, school = excluded.school, \
         interests = excluded.interests, updated_at = excluded.updated_at",
    )
    .bind(actor.0)
    .bind(&profile.bio_source)
    .bind(encode_list(&profile.subjects))
    .bind(encode_list(&profile.school_levels))
    .bind(encode_list(&profile.languages))
    .bind(&profile.academy)
    .bind(&profile.school)
    .bind(encode_list(&profile.interests))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
