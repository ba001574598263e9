//! Actors on the wire: local people and the instance actor as documents,
//! and remote actors fetched, verified and stored.

use super::activity_json;
use crate::{
    app::AppState,
    domain::{
        actors::{
            ActorKindRow, ActorRow, NewActor, ProfileRow, ProfileUpdate, RemoteActorDetails,
            RemoteForum,
        },
        rendering,
        validate::single_line,
        Domain, DomainError,
    },
    error::AppError,
    i18n::{Catalogs, Lang},
    urls,
};
use activitypub_federation::{
    config::Data,
    protocol::verification::verify_domains_match,
    traits::{Actor as FederationActor, Object},
};
use axum::{extract::State, response::Response};
use chrono::{DateTime, Utc};
use preau_federation::{
    Actor, ActorKind, Endpoints, Icon, PropertyValue, PublicKey, Source, TrustLevel, WithContext,
};
use url::Url;

/// Errors of ActivityPub object handling.
#[derive(Debug, thiserror::Error)]
pub enum ApubError {
    /// From the federation library (fetch, parse, signature…).
    #[error(transparent)]
    Federation(#[from] activitypub_federation::error::Error),
    /// From the domain (the database below it).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A remote document is inconsistent (key owner, inbox host…).
    #[error("invalid remote actor: {0}")]
    InvalidActor(String),
    /// A stored URL does not parse.
    #[error("invalid stored URL: {0}")]
    Url(#[from] url::ParseError),
    /// A local actor without an account or profile where one is needed.
    #[error("local actor is incomplete")]
    Incomplete,
    /// Work handed to a blocking thread (sanitising) failed.
    #[error("internal: {0}")]
    Internal(String),
}

/// An actor row with its profile, the database side of [`Actor`].
#[derive(Debug, Clone)]
pub struct DbActor {
    /// The stored actor.
    pub row: ActorRow,
    /// Its profile fields, for people.
    pub profile: Option<ProfileRow>,
    /// The parsed id, kept because [`Object::id`] returns a reference.
    pub id: Url,
    /// A local person's avatar version, when their document is served
    /// (its `icon`); None elsewhere.
    pub avatar_version: Option<String>,
}

impl DbActor {
    /// Wraps a row, parsing its id.
    pub fn new(row: ActorRow, profile: Option<ProfileRow>) -> Result<DbActor, ApubError> {
        let id = Url::parse(&row.ap_id)?;
        Ok(DbActor {
            row,
            profile,
            id,
            avatar_version: None,
        })
    }
}

/// Escapes text for use inside HTML (profile field values).
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The host (with `:port`) of a URL, the `domain` of remote actors.
pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => String::new(),
    }
}

/// The profile fields of a local person as `PropertyValue`s, labelled in
/// the instance's default language.
fn person_attachment(domain: &Domain, profile: &ProfileRow) -> Vec<serde_json::Value> {
    let lang = Lang::from_code(&domain.settings.instance.default_language);
    let catalogs = Catalogs::get();
    let mut attachment = Vec::new();
    let mut field = |key: &str, value: String| {
        if !value.is_empty() {
            let label = catalogs.format(lang, key, &[]);
            if let Ok(json) = serde_json::to_value(PropertyValue::new(label, escape_html(&value))) {
                attachment.push(json);
            }
        }
    };
    field("field-subjects", profile.subjects.join(", "));
    let levels: Vec<String> = profile
        .school_levels
        .iter()
        .map(|code| catalogs.format(lang, &format!("level-{code}"), &[]))
        .collect();
    field("field-levels", levels.join(", "));
    field("field-academy", profile.academy.clone());
    field("field-school", profile.school.clone());
    attachment
}

/// The collections and links of a local actor's document, by kind.
struct ActorLinks {
    url: Url,
    outbox: Option<Url>,
    followers: Option<Url>,
    following: Option<Url>,
    moderators: Option<Url>,
    featured: Option<Url>,
}

fn actor_links(base: &str, actor: &DbActor) -> Result<ActorLinks, ApubError> {
    let name = &actor.row.name;
    let id = &actor.id;
    let is_person = actor.row.kind == ActorKindRow::Person;
    let is_group = actor.row.kind == ActorKindRow::Group;
    let own = |suffix: &str| Url::parse(&format!("{id}/{suffix}"));
    Ok(ActorLinks {
        url: if is_person || is_group {
            id.clone()
        } else {
            Url::parse(&format!("{base}/"))?
        },
        outbox: if is_person {
            Some(Url::parse(&urls::person_outbox(base, name))?)
        } else if is_group {
            Some(own("outbox")?)
        } else {
            None
        },
        followers: if is_person {
            Some(Url::parse(&urls::person_followers(base, name))?)
        } else if is_group {
            Some(own("followers")?)
        } else {
            None
        },
        following: is_person
            .then(|| Url::parse(&urls::person_following(base, name)))
            .transpose()?,
        moderators: is_group.then(|| own("moderators")).transpose()?,
        featured: is_group.then(|| own("featured")).transpose()?,
    })
}

fn wire_kind(kind: ActorKindRow) -> ActorKind {
    match kind {
        ActorKindRow::Person => ActorKind::Person,
        ActorKindRow::Group => ActorKind::Group,
        ActorKindRow::Application => ActorKind::Application,
    }
}

/// The name a local actor shows: its display name, or else its name.
fn shown_name(row: &ActorRow) -> String {
    if row.display_name.is_empty() {
        row.name.clone()
    } else {
        row.display_name.clone()
    }
}

/// What the instance vouches for in a local actor's document.
struct InstanceClaims {
    organisation: Option<String>,
    email_domain: Option<String>,
    attestations: Vec<serde_json::Value>,
}

fn instance_claims(domain: &Domain, row: &ActorRow) -> InstanceClaims {
    let instance = &domain.settings.instance;
    let is_application = row.kind == ActorKindRow::Application;
    let is_person = row.kind == ActorKindRow::Person;
    InstanceClaims {
        organisation: (is_application && !instance.organisation.is_empty())
            .then(|| instance.organisation.clone()),
        // Only an institutional instance vouches for its people's domains.
        email_domain: (is_person && instance.trust_level == TrustLevel::Institutional)
            .then(|| row.email_domain.clone())
            .flatten(),
        attestations: if is_application {
            domain.own_attestations.as_ref().clone()
        } else {
            Vec::new()
        },
    }
}

/// Builds the wire document of a local actor.
pub fn local_actor_document(domain: &Domain, actor: &DbActor) -> Result<Actor, ApubError> {
    let settings = &domain.settings;
    let base = settings.base_url();
    let name = &actor.row.name;
    let id = actor.id.clone();
    let is_person = actor.row.kind == ActorKindRow::Person;
    let is_group = actor.row.kind == ActorKindRow::Group;
    let profile = actor.profile.clone().unwrap_or_default();
    let claims = instance_claims(domain, &actor.row);
    let attachment = if is_person {
        person_attachment(domain, &profile)
    } else {
        Vec::new()
    };
    let links = actor_links(&base, actor)?;
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    Ok(Actor {
        kind: wire_kind(actor.row.kind),
        preferred_username: name.clone(),
        name: Some(shown_name(&actor.row)),
        summary: optional(&actor.row.summary_html),
        source: (is_person && !profile.bio_source.is_empty()).then(|| Source {
            content: profile.bio_source.clone(),
            media_type: "text/markdown".to_string(),
        }),
        url: Some(links.url),
        icon: match (&actor.avatar_version, is_person) {
            (Some(version), true) => Some(Icon {
                kind: "Image".to_string(),
                media_type: Some("image/png".to_string()),
                url: Url::parse(&format!("{base}/avatars/{name}/256.png?v={version}"))?,
            }),
            _ => None,
        },
        inbox: Url::parse(&actor.row.inbox)?,
        outbox: links.outbox,
        followers: links.followers,
        following: links.following,
        endpoints: Some(Endpoints {
            shared_inbox: Some(Url::parse(&urls::shared_inbox(&base))?),
        }),
        public_key: PublicKey {
            id: urls::key_id(id.as_str()),
            owner: id.clone(),
            public_key_pem: actor.row.public_key_pem.clone(),
        },
        published: rfc3339(actor.row.created_at),
        updated: rfc3339(actor.row.updated_at),
        manually_approves_followers: Some(!is_person && !is_group),
        discoverable: Some(is_person || is_group),
        attachment,
        attributed_to: links.moderators,
        featured: links.featured,
        posting_restricted_to_mods: is_group.then_some(false),
        sensitive: is_group.then_some(false),
        subjects: profile.subjects,
        school_levels: profile.school_levels,
        languages: profile.languages,
        academy: optional(&profile.academy),
        school: optional(&profile.school),
        interests: profile.interests,
        trust_level: Some(settings.instance.trust_level),
        organisation: claims.organisation,
        email_domain: claims.email_domain,
        attestations: claims.attestations,
        group_kind: None,
        members: None,
        project_activity: None,
        project_content: None,
        project_status: None,
        visibility: None,
        join_mode: None,
        min_member_level: None,
        min_post_level: None,
        country: None,
        place: None,
        latitude: None,
        longitude: None,
        id,
    })
}

/// The row kind of a fetched actor.
fn row_kind(json: &Actor) -> ActorKindRow {
    match json.kind {
        ActorKind::Group => ActorKindRow::Group,
        ActorKind::Application | ActorKind::Service => ActorKindRow::Application,
        ActorKind::Person | ActorKind::Organization => ActorKindRow::Person,
    }
}

/// The display name of a fetched actor, on one line: its `name`, or its
/// user name. Stored as plain text: pages escape it when they show it.
fn remote_display_name(json: &Actor) -> String {
    let display_name = json
        .name
        .clone()
        .filter(|name| !single_line(name).is_empty())
        .unwrap_or_else(|| json.preferred_username.clone());
    single_line(&display_name).chars().take(120).collect()
}

/// The row of a fetched actor.
fn remote_actor_row(
    json: &Actor,
    kind: ActorKindRow,
    display_name: &str,
    summary_html: &str,
) -> NewActor {
    NewActor {
        kind,
        name: json.preferred_username.clone(),
        domain: host_of(&json.id),
        ap_id: json.id.to_string(),
        inbox: json.inbox.to_string(),
        shared_inbox: json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .map(Url::to_string),
        display_name: display_name.to_string(),
        summary_html: summary_html.to_string(),
        public_key_pem: json.public_key.public_key_pem.clone(),
        private_key_pem: None,
        declared_trust: json.trust_level,
    }
}

/// A remote person's profile fields, kept for directories and labels;
/// the biography's source stays on its home server.
fn remote_profile(json: &Actor, display_name: String, summary_html: String) -> ProfileUpdate {
    let clip = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .take(20)
            .map(|item| single_line(item).chars().take(80).collect())
            .collect()
    };
    ProfileUpdate {
        display_name,
        bio_html: summary_html,
        profile: ProfileRow {
            bio_source: String::new(),
            subjects: clip(&json.subjects),
            school_levels: clip(&json.school_levels),
            languages: clip(&json.languages),
            academy: single_line(json.academy.as_deref().unwrap_or_default())
                .chars()
                .take(80)
                .collect(),
            school: single_line(json.school.as_deref().unwrap_or_default())
                .chars()
                .take(120)
                .collect(),
            interests: clip(&json.interests),
        },
    }
}

/// What a fetched actor's document says beyond its row, by kind.
fn remote_details(
    json: &Actor,
    kind: ActorKindRow,
    display_name: String,
    summary_html: String,
) -> RemoteActorDetails {
    match kind {
        ActorKindRow::Person => RemoteActorDetails::Person {
            email_domain: json
                .email_domain
                .as_deref()
                .and_then(|d| preau_federation::attestation::normalise_email_domain(d).ok()),
            profile: remote_profile(json, display_name, summary_html),
        },
        // A remote project space: what it is about and its collections.
        ActorKindRow::Group if super::projects::is_project(json) => RemoteActorDetails::Project(
            super::projects::remote_project_fields(json, &display_name, &summary_html),
        ),
        // A remote forum: its title, description and collections, and who
        // may post there, as the forum says: shown before a teacher here
        // writes (the forum decides; this is only a notice).
        ActorKindRow::Group => RemoteActorDetails::Forum(RemoteForum {
            title: display_name.chars().take(120).collect(),
            summary_html,
            moderators: json.attributed_to.as_ref().map(Url::to_string),
            featured: json.featured.as_ref().map(Url::to_string),
            min_post_level: json.min_post_level.unwrap_or_default(),
        }),
        ActorKindRow::Application => RemoteActorDetails::Other,
    }
}

#[async_trait::async_trait]
impl Object for DbActor {
    type DataType = AppState;
    type Kind = Actor;
    type Error = ApubError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        let ms = self.row.fetched_at.unwrap_or(self.row.updated_at);
        DateTime::<Utc>::from_timestamp_millis(ms)
    }

    async fn read_from_id(
        object_id: Url,
        data: &Data<AppState>,
    ) -> Result<Option<Self>, ApubError> {
        let Some(row) = data.domain.actor_by_url(object_id.as_str()).await? else {
            return Ok(None);
        };
        // The profile is not needed to verify signatures (the hot path of
        // the inbox); callers that show it read it themselves.
        Ok(Some(DbActor::new(row, None)?))
    }

    async fn into_json(self, data: &Data<AppState>) -> Result<Actor, ApubError> {
        local_actor_document(&data.domain, &self)
    }

    async fn verify(
        json: &Actor,
        expected_domain: &Url,
        _data: &Data<AppState>,
    ) -> Result<(), ApubError> {
        verify_domains_match(&json.id, expected_domain)?;
        json.check_consistency()
            .map_err(|error| ApubError::InvalidActor(error.to_string()))?;
        // Fetched documents do not pass the inbox's check: PostgreSQL text
        // cannot hold U+0000.
        let document = serde_json::to_value(json)
            .map_err(|error| ApubError::InvalidActor(error.to_string()))?;
        if crate::extract::json_has_nul(&document) {
            return Err(ApubError::InvalidActor("U+0000 in the document".into()));
        }
        // Shown as `@name@host`: a name that reads as another handle is
        // refused before anything is stored.
        crate::domain::validate::remote_username(&json.preferred_username).map_err(|_| {
            ApubError::InvalidActor(format!(
                "preferredUsername {:?} is not a user name",
                json.preferred_username
            ))
        })?;
        Ok(())
    }

    async fn from_json(json: Actor, data: &Data<AppState>) -> Result<Self, ApubError> {
        let kind = row_kind(&json);
        let summary_html = match json.summary.clone() {
            Some(summary) => rendering::remote_html(summary)
                .await
                .map_err(|error| ApubError::Internal(error.to_string()))?,
            None => String::new(),
        };
        let display_name = remote_display_name(&json);
        let new = remote_actor_row(&json, kind, &display_name, &summary_html);
        let origin = format!("{}://{}", json.id.scheme(), new.domain);
        let (id, new_instance) = data.domain.record_remote_actor(&new, &origin).await?;
        // A new instance: its declaration and attestations are checked in
        // the background.
        if new_instance {
            let state: AppState = (**data).clone();
            let host = new.domain.clone();
            tokio::spawn(async move {
                crate::apub::trust::check_and_store(&state, &host, &origin).await;
            });
        }
        if kind == ActorKindRow::Person {
            super::avatars::refresh_remote_avatar(data, id, json.icon.as_ref()).await;
        }
        let details = remote_details(&json, kind, display_name, summary_html);
        let (row, profile) = data
            .domain
            .record_remote_actor_details(id, &details)
            .await?
            .ok_or(ApubError::Incomplete)?;
        DbActor::new(row, profile)
    }
}

impl FederationActor for DbActor {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        self.row.private_key_pem.clone()
    }

    fn inbox(&self) -> Url {
        Url::parse(&self.row.inbox).unwrap_or_else(|_| self.id.clone())
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.row
            .shared_inbox
            .as_deref()
            .and_then(|inbox| Url::parse(inbox).ok())
    }
}

/// The `Person` document of the local teacher `name`, or a JSON 404.
pub async fn person_document(state: &AppState, name: &str) -> Response {
    let person = match state.domain.public_person(name).await {
        Ok(Some(person)) => person,
        Ok(None) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let avatar_version = match state.domain.avatar_version(person.actor.id).await {
        Ok(version) => version,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let mut actor = match DbActor::new(person.actor, Some(person.profile)) {
        Ok(actor) => actor,
        Err(error) => return AppError::internal(error).into_response_json(),
    };
    actor.avatar_version = avatar_version;
    match local_actor_document(&state.domain, &actor) {
        Ok(document) => activity_json(&WithContext::preau(document)),
        Err(error) => AppError::internal(error).into_response_json(),
    }
}

/// `GET /actor`: the instance actor (FEP-2677), which signs fetches.
pub async fn get_instance_actor(State(state): State<AppState>) -> Response {
    let row = match state.domain.instance_actor().await {
        Ok(Some(row)) => row,
        Ok(None) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let actor = match DbActor::new(row, None) {
        Ok(actor) => actor,
        Err(error) => return AppError::internal(error).into_response_json(),
    };
    match local_actor_document(&state.domain, &actor) {
        Ok(document) => activity_json(&WithContext::preau(document)),
        Err(error) => AppError::internal(error).into_response_json(),
    }
}

/// The instance actor's name; reserved for no one else.
pub use crate::domain::actors::INSTANCE_ACTOR_NAME;

/// Creates the instance actor with its key pair on first start (see
/// [`Domain::ensure_instance_actor`]).
pub async fn ensure_instance_actor(domain: &Domain) -> Result<ActorRow, DomainError> {
    domain.ensure_instance_actor().await
}
