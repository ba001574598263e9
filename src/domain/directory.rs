//! The directory of project spaces and teachers (issue 5, "Finding
//! projects and colleagues"): the checks on a search, who may see which
//! result, the order and the pages (places and distances: `places`).
//!
//! The store narrows with its full-text index, the criteria it can test
//! in SQL and a bounding box; here every candidate is checked exactly
//! (words, subject, academy, language, distance), members-only projects
//! stay hidden from non-members, and results are ordered and cut into
//! pages. Teachers have no position: a search by distance (or by project
//! state) lists projects only.

use super::{
    places::{bounding_box, haversine_km, locate},
    profile::SCHOOL_LEVELS,
    reference_lists::academy_words,
    search_words::Synonyms,
    validate, Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorRow},
    directory::{fold, speaks, words, DirectoryQuery, PersonListing, ProjectListing, SearchTerm},
    profiles::ProfileRow,
    projects::{ProjectRow, ProjectStatus},
};
use std::collections::HashSet;

/// Radius of a search by distance when none is given, km.
pub const DEFAULT_RADIUS_KM: f64 = 50.0;
/// The largest radius accepted, km (mainland France is about 1,000 km
/// across).
pub const MAX_RADIUS_KM: f64 = 1000.0;
/// Results per page, for projects and for teachers.
pub const PAGE_SIZE: usize = 20;
/// The last page one can ask for.
pub const MAX_PAGE: usize = 500;
/// Candidates read from the database per kind; beyond, the most recently
/// active are kept and the results say they were cut.
const MAX_CANDIDATES: i64 = 5000;

/// A search as typed in the form or the API query string.
#[derive(Debug, Clone, Default)]
pub struct DirectoryInput {
    /// Words anywhere: title, name, description, subjects, place…
    pub words: String,
    /// `projects`, `people` or `all` (empty: all).
    pub kind: String,
    /// A subject (its words must all be in one of the subjects).
    pub subject: String,
    /// A school level code among [`SCHOOL_LEVELS`].
    pub level: String,
    /// A language code (`fr`, `br`, `fr-CA`).
    pub language: String,
    /// An academy (its words must all be in the academy).
    pub academy: String,
    /// A project state: `looking`, `running`, `finished`.
    pub status: String,
    /// A commune, an INSEE or postal code, or `latitude, longitude`.
    pub place: String,
    /// Radius in km around the place (empty: [`DEFAULT_RADIUS_KM`]).
    pub radius: String,
    /// Page number, from 1 (empty: 1).
    pub page: String,
}

/// What the directory lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryKind {
    /// Projects and teachers.
    All,
    /// Projects only.
    Projects,
    /// Teachers only.
    People,
}

impl DirectoryKind {
    /// The form and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryKind::All => "all",
            DirectoryKind::Projects => "projects",
            DirectoryKind::People => "people",
        }
    }

    /// Every value, in display order.
    pub const ALL: [DirectoryKind; 3] = [
        DirectoryKind::All,
        DirectoryKind::Projects,
        DirectoryKind::People,
    ];
}

/// The centre and radius of a search by distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    /// How to show the place: "Rennes (35)", "48.1, -1.68".
    pub label: String,
    /// Latitude, degrees.
    pub latitude: f64,
    /// Longitude, degrees.
    pub longitude: f64,
    /// Radius, km.
    pub radius_km: f64,
}

/// A checked search.
#[derive(Debug, Clone)]
pub struct DirectorySearch {
    /// What to list.
    pub kind: DirectoryKind,
    /// Folded words that must all be in a result's text.
    pub words: Vec<String>,
    /// Folded words that must all be in one of a result's subjects.
    pub subject: Vec<String>,
    /// Folded words that must all be in a result's academy.
    pub academy: Vec<String>,
    /// School level code.
    pub level: Option<String>,
    /// Language code, lower case.
    pub language: Option<String>,
    /// Project state.
    pub status: Option<ProjectStatus>,
    /// Centre and radius.
    pub near: Option<Near>,
    /// Page, from 1.
    pub page: usize,
}

impl DirectorySearch {
    /// Whether teachers are listed: not when the kind excludes them, nor
    /// when a criterion only projects have (a state, a distance) is given.
    pub fn lists_people(&self) -> bool {
        self.kind != DirectoryKind::Projects && self.status.is_none() && self.near.is_none()
    }

    /// Whether projects are listed.
    pub fn lists_projects(&self) -> bool {
        self.kind != DirectoryKind::People
    }

    /// Whether candidates must be checked one by one (words, subject,
    /// academy, language, distance: what SQL only narrows). Without such
    /// criteria the database counts and pages by itself.
    pub fn needs_checks(&self) -> bool {
        !self.words.is_empty()
            || !self.subject.is_empty()
            || !self.academy.is_empty()
            || self.language.is_some()
            || self.near.is_some()
    }
}

/// A project found, with its distance from the search's place.
#[derive(Debug, Clone)]
pub struct FoundProject {
    /// The project.
    pub project: ProjectRow,
    /// Distance in km, in a search by distance.
    pub distance_km: Option<f64>,
}

/// A teacher found.
#[derive(Debug, Clone)]
pub struct FoundPerson {
    /// Their Person actor.
    pub actor: ActorRow,
    /// Their profile fields (no biography source).
    pub profile: ProfileRow,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct DirectoryResults {
    /// Projects of this page.
    pub projects: Vec<FoundProject>,
    /// Projects found in all.
    pub projects_total: usize,
    /// Teachers of this page.
    pub people: Vec<FoundPerson>,
    /// Teachers found in all.
    pub people_total: usize,
    /// Whether the candidates were cut at the database's limit, so that
    /// some results may be missing: the search should be narrowed.
    pub truncated: bool,
}

impl DirectoryResults {
    /// Whether a page follows this one.
    pub fn has_next_page(&self, page: usize) -> bool {
        page < MAX_PAGE && page * PAGE_SIZE < self.projects_total.max(self.people_total)
    }
}

fn language_code(raw: &str) -> bool {
    let mut parts = raw.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// The folded words of a search box `q` (the directory's, the forums'):
/// at most 200 characters and 12 different words, in order.
pub fn query_words(raw: &str) -> DomainResult<Vec<String>> {
    let text = validate::text(raw, 200, "q")?;
    let mut search_words: Vec<String> = Vec::new();
    for word in words(&text) {
        if !search_words.contains(&word) {
            search_words.push(word);
        }
    }
    if search_words.len() > 12 {
        return Err(Refusal::TooManyItems("q".into()).into());
    }
    Ok(search_words)
}

impl DirectoryInput {
    /// Checks every field.
    pub fn validate(&self) -> DomainResult<DirectorySearch> {
        let search_words = query_words(&self.words)?;
        let kind = match self.kind.trim() {
            "" | "all" => DirectoryKind::All,
            "projects" => DirectoryKind::Projects,
            "people" => DirectoryKind::People,
            _ => return Err(Refusal::InvalidChoice("kind".into()).into()),
        };
        let subject = words(&validate::text(&self.subject, 80, "subject")?);
        let academy = words(&validate::text(&self.academy, 80, "academy")?);
        let level = match self.level.trim() {
            "" => None,
            level if SCHOOL_LEVELS.contains(&level) => Some(level.to_string()),
            _ => return Err(Refusal::InvalidLevel("level".into()).into()),
        };
        let language = match self.language.trim().to_ascii_lowercase() {
            code if code.is_empty() => None,
            code if language_code(&code) => Some(code),
            _ => return Err(Refusal::InvalidLanguage("language".into()).into()),
        };
        let status = match self.status.trim() {
            "" => None,
            status => Some(
                ProjectStatus::parse(status)
                    .ok_or_else(|| Refusal::InvalidChoice("status".into()))?,
            ),
        };
        let radius_km = match self.radius.trim().replace(',', ".") {
            radius if radius.is_empty() => DEFAULT_RADIUS_KM,
            radius => match radius.parse::<f64>() {
                Ok(km) if km.is_finite() && (1.0..=MAX_RADIUS_KM).contains(&km) => km,
                _ => return Err(Refusal::InvalidRadius("radius".into()).into()),
            },
        };
        let page = validate::page_number(Some(&self.page), MAX_PAGE as i64)? as usize;
        let place = validate::text(&self.place, 120, "place")?;
        let near = if place.is_empty() {
            None
        } else {
            let (label, latitude, longitude) = locate(&place)?;
            Some(Near {
                label,
                latitude,
                longitude,
                radius_km,
            })
        };
        if kind == DirectoryKind::People && (near.is_some() || status.is_some()) {
            return Err(
                Refusal::ProjectsOnlyCriterion(String::from(if near.is_some() {
                    "place"
                } else {
                    "status"
                }))
                .into(),
            );
        }
        Ok(DirectorySearch {
            kind,
            words: search_words,
            subject,
            academy,
            level,
            language,
            status,
            near,
            page,
        })
    }
}

/// The terms of a checked search, widened ([`Synonyms::terms`]): its
/// words, subject and academy.
#[derive(Debug, Clone, Default)]
struct SearchTerms {
    words: Vec<SearchTerm>,
    subject: Vec<SearchTerm>,
    academy: Vec<SearchTerm>,
}

/// Whether every term of `wanted` is in `words`.
fn has_all(words: &HashSet<String>, wanted: &[SearchTerm]) -> bool {
    wanted.iter().all(|term| term.matches(words))
}

/// Whether one item of `items` has every term of `wanted`.
fn item_has_all(items: &[String], wanted: &[SearchTerm]) -> bool {
    wanted.is_empty()
        || items
            .iter()
            .any(|item| has_all(&words(item).into_iter().collect(), wanted))
}

/// Whether a project has everything a search asks (the index and SQL
/// only narrowed).
fn project_matches(
    search: &DirectorySearch,
    terms: &SearchTerms,
    listing: &ProjectListing,
) -> bool {
    (terms.words.is_empty() || has_all(&listing.words(), &terms.words))
        && item_has_all(&listing.subjects, &terms.subject)
        && (terms.academy.is_empty()
            || has_all(
                &words(&listing.academy).into_iter().collect(),
                &terms.academy,
            ))
        && search
            .level
            .as_ref()
            .is_none_or(|level| listing.school_levels.contains(level))
        && search
            .language
            .as_ref()
            .is_none_or(|language| speaks(&listing.languages, language))
}

/// Whether a teacher has everything a search asks.
fn person_matches(search: &DirectorySearch, terms: &SearchTerms, person: &PersonListing) -> bool {
    let profile = &person.profile;
    (terms.words.is_empty() || has_all(&person.words(), &terms.words))
        && item_has_all(&profile.subjects, &terms.subject)
        && (terms.academy.is_empty()
            || has_all(
                &words(&profile.academy).into_iter().collect(),
                &terms.academy,
            ))
        && search
            .level
            .as_ref()
            .is_none_or(|level| profile.school_levels.contains(level))
        && search
            .language
            .as_ref()
            .is_none_or(|language| speaks(&profile.languages, language))
}

fn page_of<T>(items: Vec<T>, page: usize) -> Vec<T> {
    items
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect()
}

impl Domain {
    /// Runs a directory search for `reader` (members-only projects are
    /// listed to their members only).
    pub async fn search_directory(
        &self,
        reader: Option<&AccountRow>,
        search: &DirectorySearch,
    ) -> DomainResult<DirectoryResults> {
        // Local academies widen what a region stands for.
        let local;
        let synonyms = if self.settings.lists.academies.is_empty() {
            Synonyms::shipped()
        } else {
            local = Synonyms::new(&self.reference_lists());
            &local
        };
        let terms = SearchTerms {
            words: synonyms.terms(&search.words),
            subject: synonyms.terms(&search.subject),
            academy: synonyms.terms(&academy_words(&search.academy)),
        };
        // The index narrows by every term asked for, subject and academy
        // included; the checks below put each back in its field.
        let mut index_words = terms.words.clone();
        for term in terms.subject.iter().chain(&terms.academy) {
            if !index_words.contains(term) {
                index_words.push(term.clone());
            }
        }
        let query = DirectoryQuery {
            words: index_words,
            status: search.status,
            level: search.level.clone(),
            language: search.language.clone(),
            area: search
                .near
                .as_ref()
                .map(|near| bounding_box((near.latitude, near.longitude), near.radius_km)),
            member: reader.map(|account| account.actor_id),
            limit: MAX_CANDIDATES,
        };
        let mut results = DirectoryResults {
            projects: Vec::new(),
            projects_total: 0,
            people: Vec::new(),
            people_total: 0,
            truncated: false,
        };
        let offset = (search.page - 1) * PAGE_SIZE;
        // Without criteria to check here, the database counts and pages.
        let page_query = DirectoryQuery {
            limit: PAGE_SIZE as i64,
            ..query.clone()
        };
        if search.lists_projects() {
            let mut found: Vec<(ActorId, Option<f64>)> = Vec::new();
            if search.needs_checks() {
                let candidates = self.store.directory_projects(&query, 0).await?;
                results.truncated |= candidates.len() as i64 >= MAX_CANDIDATES;
                let mut matching: Vec<(ActorId, String, Option<f64>)> = Vec::new();
                for listing in candidates {
                    let distance_km = match (&search.near, listing.latitude, listing.longitude) {
                        (Some(near), Some(latitude), Some(longitude)) => Some(haversine_km(
                            (near.latitude, near.longitude),
                            (latitude, longitude),
                        )),
                        _ => None,
                    };
                    if let Some(near) = &search.near {
                        if distance_km.is_none_or(|km| km > near.radius_km) {
                            continue;
                        }
                    }
                    if project_matches(search, &terms, &listing) {
                        matching.push((listing.actor.id, fold(&listing.title), distance_km));
                    }
                }
                if search.near.is_some() {
                    matching.sort_by(|a, b| {
                        a.2.unwrap_or(f64::MAX)
                            .total_cmp(&b.2.unwrap_or(f64::MAX))
                            .then_with(|| a.1.cmp(&b.1))
                    });
                }
                results.projects_total = matching.len();
                found = page_of(matching, search.page)
                    .into_iter()
                    .map(|(id, _, distance_km)| (id, distance_km))
                    .collect();
            } else {
                results.projects_total =
                    usize::try_from(self.store.count_directory_projects(&query).await?)
                        .unwrap_or_default();
                for listing in self
                    .store
                    .directory_projects(&page_query, offset as i64)
                    .await?
                {
                    found.push((listing.actor.id, None));
                }
            }
            for (id, distance_km) in found {
                // Gone since the search read it: left out.
                if let Some(project) = self.store.project(id).await? {
                    results.projects.push(FoundProject {
                        project,
                        distance_km,
                    });
                }
            }
        }
        if search.lists_people() {
            let page: Vec<PersonListing> = if search.needs_checks() {
                let candidates = self.store.directory_people(&query, 0).await?;
                results.truncated |= candidates.len() as i64 >= MAX_CANDIDATES;
                let matching: Vec<PersonListing> = candidates
                    .into_iter()
                    .filter(|person| person_matches(search, &terms, person))
                    .collect();
                results.people_total = matching.len();
                page_of(matching, search.page)
            } else {
                results.people_total =
                    usize::try_from(self.store.count_directory_people(&query).await?)
                        .unwrap_or_default();
                self.store
                    .directory_people(&page_query, offset as i64)
                    .await?
            };
            results.people = page
                .into_iter()
                .map(|person| FoundPerson {
                    actor: person.actor,
                    profile: person.profile,
                })
                .collect();
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DirectoryInput {
        DirectoryInput::default()
    }

    #[test]
    fn searches_are_checked() {
        let search = DirectoryInput {
            words: "Éco-délégués, ÉCO".into(),
            subject: "Sciences de la vie".into(),
            language: "FR".into(),
            place: "Brest".into(),
            radius: "30,5".into(),
            ..input()
        }
        .validate()
        .unwrap();
        assert_eq!(search.words, ["eco", "delegues"]);
        assert_eq!(search.subject, ["sciences", "de", "la", "vie"]);
        assert_eq!(search.language.as_deref(), Some("fr"));
        assert_eq!(search.near.as_ref().unwrap().radius_km, 30.5);
        assert!(search.lists_projects() && !search.lists_people());
        let all = input().validate().unwrap();
        assert_eq!(all.kind, DirectoryKind::All);
        assert!(all.lists_people() && all.near.is_none() && all.page == 1);

        let refused = |input: DirectoryInput| input.validate().unwrap_err().code();
        assert_eq!(
            refused(DirectoryInput {
                kind: "rooms".into(),
                ..input()
            }),
            "invalid_choice"
        );
        assert_eq!(
            refused(DirectoryInput {
                level: "fac".into(),
                ..input()
            }),
            "invalid_level"
        );
        assert_eq!(
            refused(DirectoryInput {
                language: "français".into(),
                ..input()
            }),
            "invalid_language"
        );
        assert_eq!(
            refused(DirectoryInput {
                status: "done".into(),
                ..input()
            }),
            "invalid_choice"
        );
        for radius in ["0", "-5", "abc", "1001", "NaN", "inf"] {
            assert_eq!(
                refused(DirectoryInput {
                    place: "Rennes".into(),
                    radius: radius.into(),
                    ..input()
                }),
                "invalid_radius",
                "{radius}"
            );
        }
        assert_eq!(
            refused(DirectoryInput {
                page: "0".into(),
                ..input()
            }),
            "invalid_page"
        );
        assert_eq!(
            refused(DirectoryInput {
                place: "Saint-Denis".into(),
                ..input()
            }),
            "place_ambiguous"
        );
        assert_eq!(
            refused(DirectoryInput {
                place: "Nulle-Part".into(),
                ..input()
            }),
            "place_unknown"
        );
        assert_eq!(
            refused(DirectoryInput {
                kind: "people".into(),
                place: "Rennes".into(),
                ..input()
            }),
            "projects_only_criterion"
        );
        assert_eq!(
            refused(DirectoryInput {
                words: "a ".repeat(101),
                ..input()
            }),
            "field_too_long"
        );
        assert_eq!(
            refused(DirectoryInput {
                words: "a b c d e f g h i j k l m".into(),
                ..input()
            }),
            "too_many_items"
        );
    }
}
