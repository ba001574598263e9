//! Teacher profiles: validation of the fields; the biography is rendered
//! from Markdown by [`super::rendering`].

use super::{validate, Domain, DomainResult, Refusal};
use crate::domain::store::{
    actors::ActorId,
    profiles::{ProfileRow, ProfileUpdate},
};

/// The school levels a teacher can pick, as stable codes; their labels
/// are in the message catalogs (`level-CODE`).
pub const SCHOOL_LEVELS: [&str; 11] = [
    "maternelle",
    "primaire",
    "college",
    "adapte",
    "lycee",
    "lycee_pro",
    "bts",
    "cpge",
    "superieur",
    "formation_adultes",
    "autre",
];

/// A profile edit as submitted by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    /// Display name.
    pub display_name: String,
    /// Biography in Markdown.
    pub bio: String,
    /// Subjects, comma separated.
    pub subjects: String,
    /// Level codes among [`SCHOOL_LEVELS`].
    pub levels: Vec<String>,
    /// Language codes, comma separated (`fr, en`).
    pub languages: String,
    /// Academy.
    pub academy: String,
    /// School.
    pub school: String,
    /// Interests, comma separated.
    pub interests: String,
}

fn language_code(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split('-').collect();
    !parts.is_empty()
        && parts[0].len() >= 2
        && parts[0].len() <= 3
        && parts.iter().all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

impl ProfileInput {
    /// Checks every field and produces what is stored, except the
    /// biography's HTML, which [`Domain::update_profile`] renders off the
    /// async workers.
    pub fn validate(&self) -> DomainResult<ProfileUpdate> {
        let display_name = validate::name(&self.display_name, 80, "display_name")?;
        if display_name.is_empty() {
            return Err(Refusal::FieldRequired("display_name".into()).into());
        }
        let bio_source = validate::text(&self.bio, 5000, "bio")?;
        let mut school_levels = Vec::new();
        for level in &self.levels {
            let level = level.trim();
            if !SCHOOL_LEVELS.contains(&level) {
                return Err(Refusal::InvalidSchoolLevel("levels".into()).into());
            }
            if !school_levels.iter().any(|seen| seen == level) {
                school_levels.push(level.to_string());
            }
        }
        let languages: Vec<String> = validate::list(&self.languages, 10, 20, "languages")?
            .into_iter()
            .map(|code| code.to_lowercase())
            .collect();
        if let Some(bad) = languages.iter().find(|code| !language_code(code)) {
            return Err(Refusal::InvalidLanguage(format!("languages: {bad}")).into());
        }
        Ok(ProfileUpdate {
            display_name,
            bio_html: String::new(),
            profile: ProfileRow {
                bio_source,
                subjects: validate::list(&self.subjects, 15, 60, "subjects")?,
                school_levels,
                languages,
                academy: validate::name(&self.academy, 80, "academy")?,
                school: validate::name(&self.school, 120, "school")?,
                interests: validate::list(&self.interests, 20, 60, "interests")?,
            },
        })
    }
}

/// A local teacher as shown to others: actor, account and profile.
#[derive(Debug, Clone)]
pub struct LocalPerson {
    /// The Person actor.
    pub actor: crate::domain::store::actors::ActorRow,
    /// The account behind it.
    pub account: crate::domain::store::accounts::AccountRow,
    /// The profile fields.
    pub profile: ProfileRow,
}

impl Domain {
    /// The local teacher called `name`, if their account is active:
    /// profiles of unverified, unapproved or suspended accounts are not
    /// shown to anyone, here or on other servers.
    pub async fn public_person(&self, name: &str) -> DomainResult<Option<LocalPerson>> {
        let name = name.trim().to_lowercase();
        let Some(account) = self.store.account_by_username(&name).await? else {
            return Ok(None);
        };
        if account.status != crate::domain::store::accounts::AccountStatus::Active {
            return Ok(None);
        }
        let Some(actor) = self.store.actor_by_id(account.actor_id).await? else {
            return Ok(None);
        };
        let profile = self.store.profile(actor.id).await?.unwrap_or_default();
        Ok(Some(LocalPerson {
            actor,
            account,
            profile,
        }))
    }

    /// Saves a local person's profile, and queues the `Update` of their
    /// document (built by `documents`) for the instances that know them,
    /// in the same transaction.
    pub async fn update_profile(
        &self,
        actor: ActorId,
        input: &ProfileInput,
        documents: &dyn super::person_updates::PersonDocuments,
    ) -> DomainResult<()> {
        let mut update = input.validate()?;
        update.bio_html =
            super::rendering::markdown(update.profile.bio_source.clone(), "bio").await?;
        let mut person = self.actor_by_id(actor).await?;
        let avatar = self.avatar_version(actor).await?;
        let audience = self.person_audience(&person).await?;
        let mut tx = self.store.begin().await?;
        let now = tx.now_ms();
        crate::domain::store::profiles::save_profile_in(&mut tx, actor, &update, now).await?;
        person.display_name = update.display_name.clone();
        person.summary_html = update.bio_html.clone();
        person.updated_at = now;
        let saved = (&person, &update.profile, avatar.as_deref());
        self.queue_person_update(&mut tx, documents, &audience, saved)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_input_is_validated() {
        let input = ProfileInput {
            display_name: " Camille ".into(),
            bio: "Prof de *maths*".into(),
            subjects: "Mathématiques, Physique-chimie".into(),
            levels: vec!["lycee".into(), "college".into(), "lycee".into()],
            languages: "FR, en".into(),
            academy: "Rennes".into(),
            school: String::new(),
            interests: "robotique".into(),
        };
        let update = input.validate().unwrap();
        assert_eq!(update.display_name, "Camille");
        assert_eq!(update.profile.school_levels, ["lycee", "college"]);
        assert_eq!(update.profile.languages, ["fr", "en"]);
        assert_eq!(update.profile.bio_source, "Prof de *maths*");

        let bad_level = ProfileInput {
            levels: vec!["cp".into()],
            ..input.clone()
        };
        assert_eq!(
            bad_level.validate().unwrap_err().code(),
            "invalid_school_level"
        );
        let bad_language = ProfileInput {
            languages: "français!".into(),
            ..input.clone()
        };
        assert_eq!(
            bad_language.validate().unwrap_err().code(),
            "invalid_language"
        );
        let no_name = ProfileInput {
            display_name: "  ".into(),
            ..input
        };
        assert_eq!(no_name.validate().unwrap_err().code(), "field_required");
    }
}
