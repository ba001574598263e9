//! Profile pages: the public profile (HTML, or the `Person` actor for
//! ActivityPub clients at the same URL) and the edit form.

use super::{
    session::{CsrfForm, Page},
    views::{LabelView, LevelChoice},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::{
        profile::{LocalPerson, ProfileInput},
        reference_lists::ReferenceLists,
    },
    error::AppError,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::{Deserialize, Serialize};

/// `profile.html`.
#[derive(Serialize)]
struct ProfilePage<'a> {
    profile: ProfileView<'a>,
    /// The visitor's own profile.
    is_own: bool,
    trust: LabelView,
    /// The visitor's contact state with this person, block and the
    /// presence a contact sees.
    contact: Option<crate::domain::person_blocks::Relation>,
    /// The person's actor id (the block forms name it).
    actor_id: i64,
    /// The avatar's version key, if they have one (`avatar()` in templates).
    avatar_version: Option<String>,
}

/// A local teacher's public profile.
#[derive(Serialize)]
struct ProfileView<'a> {
    username: &'a str,
    display_name: &'a str,
    bio_html: &'a str,
    subjects: &'a [String],
    levels: &'a [String],
    languages: &'a [String],
    academy: &'a str,
    school: &'a str,
    interests: &'a [String],
    actor_id: &'a str,
}

/// `profile_edit.html`.
#[derive(Serialize)]
struct ProfileEditPage<'a> {
    form: &'a ProfileForm,
    levels: Vec<LevelChoice>,
    /// The subjects of the list, checked or not; the academies by region,
    /// with the typed one when it names none of them.
    lists: ListChoices,
    /// A first log-in: the form comes with a welcome.
    welcome: bool,
    error: Option<String>,
    error_field: Option<String>,
    zones: ZoneChoices,
    /// The avatar's version key, if the teacher has one: the picture is
    /// shown, and "Remove the picture" offered, only then.
    avatar_version: Option<String>,
}

/// The time zones of the profile's choice, by name: the French ones
/// first, then by continent.
#[derive(Serialize)]
struct ZoneChoices {
    groups: Vec<crate::time_zone_names::ZoneGroup>,
    /// The instance's default, for the "default" choice.
    default: &'static str,
}

impl ZoneChoices {
    /// The list in the page's language; a stored zone the list does not
    /// offer (a legacy alias) is kept as a choice of its own, so saving
    /// the form does not change it.
    fn of(state: &AppState, page: &Page, current: &str) -> ZoneChoices {
        let mut groups = crate::time_zone_names::zone_groups(page.lang);
        let current = current.trim();
        let offered = groups
            .iter()
            .any(|group| group.zones.iter().any(|option| option.zone == current));
        if !current.is_empty() && !offered {
            if let Some(zone) = crate::dates::parse_zone(current) {
                groups.push(crate::time_zone_names::ZoneGroup {
                    heading: "time-zone-group-other",
                    zones: vec![crate::time_zone_names::ZoneOption {
                        zone: zone.name(),
                        label: crate::time_zone_names::zone_label(zone.name(), page.lang),
                    }],
                });
            }
        }
        ZoneChoices {
            groups,
            default: state.domain.settings.instance.time_zone().name(),
        }
    }
}

/// Whether the client asks for ActivityStreams JSON rather than HTML.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| {
            accept.contains("application/activity+json") || accept.contains("application/ld+json")
        })
}

impl<'a> ProfileView<'a> {
    fn of(person: &'a LocalPerson) -> ProfileView<'a> {
        ProfileView {
            username: &person.account.username,
            display_name: &person.actor.display_name,
            bio_html: &person.actor.summary_html,
            subjects: &person.profile.subjects,
            levels: &person.profile.school_levels,
            languages: &person.profile.languages,
            academy: &person.profile.academy,
            school: &person.profile.school,
            interests: &person.profile.interests,
            actor_id: &person.actor.ap_id,
        }
    }
}

/// `GET /users/{name}`: the profile page, or the `Person` actor when the
/// client asks for `application/activity+json`.
pub async fn show_profile(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    WebPath(name): WebPath<String>,
) -> Response {
    if wants_activity_json(&headers) {
        return crate::apub::actors::person_document(&state, &name).await;
    }
    match state.domain.public_person(&name).await {
        Ok(Some(person)) => {
            let is_own = page
                .user
                .as_ref()
                .is_some_and(|user| user.id == person.account.id);
            let trust = match state.domain.labeller().await {
                Ok(labels) => {
                    LabelView::from(labels.person("", person.actor.email_domain.as_deref()))
                }
                Err(error) => return state.error_page(&page, error),
            };
            let contact = match &page.user {
                Some(user) if !is_own => {
                    match state
                        .domain
                        .relation_with(user.actor_id, &person.actor)
                        .await
                    {
                        Ok(contact) => Some(contact),
                        Err(error) => return state.error_page(&page, error),
                    }
                }
                _ => None,
            };
            let avatar_version = match state.domain.avatar_version(person.actor.id).await {
                Ok(version) => version,
                Err(error) => return state.error_page(&page, error),
            };
            state.render(
                &page,
                "profile.html",
                &ProfilePage {
                    profile: ProfileView::of(&person),
                    is_own,
                    trust,
                    contact,
                    actor_id: person.actor.id.0,
                    avatar_version,
                },
            )
        }
        Ok(None) => state.error_page(&page, AppError::not_found()),
        Err(error) => state.error_page(&page, error),
    }
}

/// The profile edit form as submitted.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    /// Subjects typed (those not in the list).
    #[serde(default)]
    subjects: String,
    /// Subjects of the list, checked.
    #[serde(default)]
    subject_choices: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    academy: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    interests: String,
    /// An IANA zone, or empty for the instance's default.
    #[serde(default)]
    time_zone: String,
}

/// A subject of the list in the form.
#[derive(Serialize)]
struct SubjectChoice {
    name: String,
    checked: bool,
}

/// A region and its academies, a group of the academy choice.
#[derive(Serialize)]
struct RegionChoice {
    name: String,
    academies: Vec<String>,
}

/// The form's choices from the shipped and configured lists.
#[derive(Serialize)]
struct ListChoices {
    subjects: Vec<SubjectChoice>,
    regions: Vec<RegionChoice>,
    /// The academy as typed or stored, when it names no entry.
    academy_other: Option<String>,
}

impl ListChoices {
    fn of(lists: &ReferenceLists, form: &ProfileForm) -> ListChoices {
        let academy = form.academy.trim();
        ListChoices {
            subjects: lists
                .subjects
                .iter()
                .map(|name| SubjectChoice {
                    checked: form.subject_choices.contains(name),
                    name: name.clone(),
                })
                .collect(),
            regions: lists
                .regions()
                .into_iter()
                .map(|(name, academies)| RegionChoice {
                    name,
                    academies: academies.iter().map(|a| a.name.clone()).collect(),
                })
                .collect(),
            academy_other: (!academy.is_empty()
                && !lists.academies.iter().any(|a| a.name == academy))
            .then(|| academy.to_string()),
        }
    }
}

/// Stored subjects split into those of the list (by their list label)
/// and the others, as typed; the academy by its list label when it names
/// one ("Académie de Rennes" → Rennes).
fn form_lists(
    lists: &ReferenceLists,
    subjects: &[String],
    academy: &str,
) -> (Vec<String>, String, String) {
    let mut listed = Vec::new();
    let mut others = Vec::new();
    for subject in subjects {
        match lists.subject_named(subject) {
            Some(name) => listed.push(name.to_string()),
            None => others.push(subject.clone()),
        }
    }
    let academy = lists
        .academy_named(academy)
        .map_or_else(|| academy.to_string(), |found| found.name.clone());
    (listed, others.join(", "), academy)
}

/// The profile form as first shown, with the welcome of a first log-in.
fn edit_page_welcome(
    state: &AppState,
    page: &Page,
    form: &ProfileForm,
    welcome: bool,
    avatar_version: Option<String>,
) -> Response {
    state.render(
        page,
        "profile_edit.html",
        &ProfileEditPage {
            form,
            levels: LevelChoice::all(&form.levels),
            lists: ListChoices::of(&state.domain.reference_lists(), form),
            welcome,
            error: None,
            error_field: None,
            zones: ZoneChoices::of(state, page, &form.time_zone),
            avatar_version,
        },
    )
}

fn edit_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: &ProfileForm,
    error: Option<(String, Option<String>)>,
    avatar_version: Option<String>,
) -> Response {
    let (message, field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    state.render_status(
        status,
        page,
        "profile_edit.html",
        &ProfileEditPage {
            form,
            levels: LevelChoice::all(&form.levels),
            lists: ListChoices::of(&state.domain.reference_lists(), form),
            welcome: false,
            error: message,
            error_field: field,
            zones: ZoneChoices::of(state, page, &form.time_zone),
            avatar_version,
        },
    )
}

fn login_redirect(page: &Page) -> Response {
    crate::web::redirect::to(&format!("/login?next={}", urlencode(&page.path)))
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Query of the profile form: `welcome=1` after a first log-in.
#[derive(Deserialize)]
pub struct EditQuery {
    welcome: Option<String>,
}

/// The profile form filled with what is stored.
async fn stored_form(
    state: &AppState,
    user: &crate::domain::rows::AccountRow,
) -> Result<ProfileForm, crate::domain::DomainError> {
    let profile = state.domain.profile_of(user.actor_id).await?;
    let (subject_choices, subjects, academy) = form_lists(
        &state.domain.reference_lists(),
        &profile.subjects,
        &profile.academy,
    );
    Ok(ProfileForm {
        display_name: user.display_name.clone(),
        bio: profile.bio_source,
        subjects,
        subject_choices,
        levels: profile.school_levels,
        languages: profile.languages.join(", "),
        academy,
        school: profile.school,
        interests: profile.interests.join(", "),
        time_zone: user.time_zone.clone(),
    })
}

/// The profile settings page again after a refused picture: the reason
/// at the file field, the profile form as stored.
pub(super) async fn avatar_refused(state: &AppState, page: &Page, error: AppError) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(page);
    };
    let form = match stored_form(state, user).await {
        Ok(form) => form,
        Err(other) => return state.error_page(page, other),
    };
    let avatar_version = state
        .domain
        .avatar_version(user.actor_id)
        .await
        .ok()
        .flatten();
    let message = state.error_message(page.lang, &error);
    edit_page(
        state,
        page,
        error.status,
        &form,
        Some((message, Some("avatar".to_string()))),
        avatar_version,
    )
}

/// `GET /settings/profile` (`?welcome=1`: with a welcome for a first
/// log-in).
pub async fn show_edit(
    State(state): State<AppState>,
    page: Page,
    crate::extract::WebQuery(query): crate::extract::WebQuery<EditQuery>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&page);
    };
    let form = match stored_form(&state, user).await {
        Ok(form) => form,
        Err(error) => return state.error_page(&page, error),
    };
    let welcome = query.welcome.as_deref() == Some("1");
    let avatar_version = match state.domain.avatar_version(user.actor_id).await {
        Ok(version) => version,
        Err(error) => return state.error_page(&page, error),
    };
    edit_page_welcome(&state, &page, &form, welcome, avatar_version)
}

/// `POST /settings/profile`.
pub async fn submit_edit(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&page);
    };
    let input = ProfileInput {
        display_name: form.display_name.clone(),
        bio: form.bio.clone(),
        subjects: form
            .subject_choices
            .iter()
            .map(String::as_str)
            .chain(
                form.subjects
                    .split(',')
                    .map(str::trim)
                    .filter(|typed| !typed.is_empty()),
            )
            .collect::<Vec<_>>()
            .join(", "),
        levels: form.levels.clone(),
        languages: form.languages.clone(),
        academy: form.academy.clone(),
        school: form.school.clone(),
        interests: form.interests.clone(),
    };
    let saved = match state
        .domain
        .set_account_time_zone(user, &form.time_zone)
        .await
    {
        Ok(()) => {
            let documents = crate::apub::person_updates::PersonUpdates;
            state
                .domain
                .update_profile(user.actor_id, &input, &documents)
                .await
        }
        Err(error) => Err(error),
    };
    match saved {
        Ok(()) => super::notice::redirect(
            "/settings/profile",
            super::notice::Notice::new("profile-saved"),
        ),
        Err(error) => {
            let field = super::error_field(&error);
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            let avatar_version = state
                .domain
                .avatar_version(user.actor_id)
                .await
                .ok()
                .flatten();
            edit_page(
                &state,
                &page,
                error.status,
                &form,
                Some((message, field)),
                avatar_version,
            )
        }
    }
}
