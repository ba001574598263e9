//! The directory page, `GET /directory`: a search form over project
//! spaces and teachers (local and known remote) and its results, with
//! their trust labels, and distances in a search by place. The JSON API
//! (`api::directory`) reads the same parameters.

use super::{session::Page, views::LabelView};
use crate::{
    app::AppState,
    domain::{
        directory::{
            DirectoryInput, DirectoryKind, DirectoryResults, DirectorySearch, FoundPerson,
            FoundProject, DEFAULT_RADIUS_KM,
        },
        places::place_suggestions,
        profile::SCHOOL_LEVELS,
        reference_lists::ReferenceLists,
        rows::{ProjectStatus, Visibility},
        trust::Labeller,
    },
    error::AppError,
    web::projects::project_path,
};
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde::{Deserialize, Serialize};

/// The search parameters, as the page's form and the API's query string
/// send them (documented in docs/api.md).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DirectoryParams {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// `all`, `projects` or `people`.
    #[serde(default)]
    pub kind: String,
    /// Subject.
    #[serde(default)]
    pub subject: String,
    /// School level code.
    #[serde(default)]
    pub level: String,
    /// Language code.
    #[serde(default)]
    pub language: String,
    /// Academy.
    #[serde(default)]
    pub academy: String,
    /// Project state.
    #[serde(default)]
    pub status: String,
    /// Commune, code or coordinates.
    #[serde(default)]
    pub place: String,
    /// Radius, km.
    #[serde(default)]
    pub radius: String,
    /// Page, from 1.
    #[serde(default)]
    pub page: String,
}

impl DirectoryParams {
    /// Reads a query string; a malformed one (a parameter given twice…)
    /// is a 400 `invalid_query`, one holding U+0000 a 400 `invalid_text`.
    pub fn parse(raw: Option<&str>) -> Result<DirectoryParams, AppError> {
        let raw = raw.unwrap_or_default();
        crate::extract::check_form_text(raw.as_bytes())
            .map_err(|error| crate::extract::form_text_refusal(error, "invalid_query"))?;
        serde_html_form::from_str(raw).map_err(|error| {
            AppError::new(StatusCode::BAD_REQUEST, "invalid_query").with_detail(error.to_string())
        })
    }

    /// The search the domain checks.
    pub fn input(&self) -> DirectoryInput {
        DirectoryInput {
            words: self.q.clone(),
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            level: self.level.clone(),
            language: self.language.clone(),
            academy: self.academy.clone(),
            status: self.status.clone(),
            place: self.place.clone(),
            radius: self.radius.clone(),
            page: self.page.clone(),
        }
    }

    /// The page's address with these parameters, `page` replaced and
    /// empty ones left out.
    fn url_with(&self, page: Option<usize>, place: Option<&str>) -> String {
        let page = page.map(|page| page.to_string());
        let pairs = [
            ("q", self.q.as_str()),
            ("kind", self.kind.as_str()),
            ("subject", self.subject.as_str()),
            ("level", self.level.as_str()),
            ("language", self.language.as_str()),
            ("academy", self.academy.as_str()),
            ("status", self.status.as_str()),
            ("place", place.unwrap_or(&self.place)),
            ("radius", self.radius.as_str()),
            ("page", page.as_deref().unwrap_or_default()),
        ];
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            if !value.trim().is_empty() {
                query.append_pair(name, value.trim());
            }
        }
        format!("/directory?{}", query.finish())
    }
}

/// `NAME@DOMAIN` of an actor, with this instance's domain for local ones.
fn handle(name: &str, domain: &str, labels: &Labeller<'_>) -> String {
    let domain = if domain.is_empty() {
        labels.local_domain()
    } else {
        domain
    };
    format!("{name}@{domain}")
}

/// `directory.html`: the search form, and its results or its refusal.
#[derive(Serialize)]
struct DirectoryPage<'a> {
    #[serde(flatten)]
    form: FormView<'a>,
    #[serde(flatten)]
    outcome: Outcome,
    /// The "open a profile" form after a refused handle.
    lookup: Option<LookupRefused>,
    /// People the visitor already has something with (no "add to
    /// contacts" for them).
    known: Vec<i64>,
}

/// A handle the "open a profile" form could not open: as typed, and why.
#[derive(Serialize)]
pub(super) struct LookupRefused {
    pub handle: String,
    pub error: String,
    /// The stable code, kept in `data-error-code` for support.
    pub code: &'static str,
}

/// The results of a search, or why it was refused.
#[derive(Serialize)]
#[serde(untagged)]
enum Outcome {
    Results {
        results: ResultsView,
    },
    Refused {
        error: String,
        /// The parameter the message is about.
        error_field: String,
        /// Places a name may mean.
        suggestions: Vec<PlaceSuggestion>,
    },
}

/// The search form, filled in, and its choices.
#[derive(Serialize)]
struct FormView<'a> {
    form: &'a DirectoryParams,
    kind: &'a str,
    kinds: Vec<&'static str>,
    levels: Vec<&'static str>,
    statuses: Vec<&'static str>,
    radius: String,
    /// The subjects of the list (`[lists]`), and the one typed when it
    /// is none of them (older links, the API).
    subjects: Vec<String>,
    subject_other: Option<String>,
    /// The academies by region, and the one typed when it is none.
    regions: Vec<RegionView>,
    academy_other: Option<String>,
    /// Whether a filter is set: the folded filters open.
    has_filters: bool,
}

/// A region and its academies, one group of the academy filter.
#[derive(Serialize)]
struct RegionView {
    name: String,
    academies: Vec<String>,
}

impl<'a> FormView<'a> {
    fn of(params: &'a DirectoryParams, lists: &ReferenceLists) -> FormView<'a> {
        let subject = params.subject.trim();
        let subject_other = (!subject.is_empty() && !lists.subjects.iter().any(|s| s == subject))
            .then(|| subject.to_string());
        let academy = params.academy.trim();
        let academy_other = (!academy.is_empty()
            && !lists.academies.iter().any(|a| a.name == academy))
        .then(|| academy.to_string());
        let has_filters = [
            &params.kind,
            &params.subject,
            &params.level,
            &params.language,
            &params.academy,
            &params.status,
            &params.place,
        ]
        .iter()
        .any(|value| !value.trim().is_empty() && value.trim() != "all");
        let kind = match params.kind.trim() {
            "" => DirectoryKind::All.as_str(),
            kind => kind,
        };
        FormView {
            form: params,
            kind,
            kinds: DirectoryKind::ALL.iter().map(|k| k.as_str()).collect(),
            levels: SCHOOL_LEVELS.to_vec(),
            statuses: ProjectStatus::ALL.iter().map(|s| s.as_str()).collect(),
            radius: if params.radius.trim().is_empty() {
                DEFAULT_RADIUS_KM.to_string()
            } else {
                params.radius.clone()
            },
            subjects: lists.subjects.clone(),
            subject_other,
            regions: lists
                .regions()
                .into_iter()
                .map(|(name, academies)| RegionView {
                    name,
                    academies: academies.iter().map(|a| a.name.clone()).collect(),
                })
                .collect(),
            academy_other,
            has_filters,
        }
    }
}

/// A place an ambiguous name may mean, with the search's address for it.
#[derive(Serialize)]
struct PlaceSuggestion {
    url: String,
    place: String,
}

/// The results of a search.
#[derive(Serialize)]
struct ResultsView {
    /// The place searched around, and the radius.
    near: Option<NearView>,
    lists_projects: bool,
    lists_people: bool,
    people_left_out: bool,
    projects: Vec<FoundProjectView>,
    projects_total: usize,
    people: Vec<FoundPersonView>,
    people_total: usize,
    truncated: bool,
    page: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// The place of a search by place.
#[derive(Serialize)]
struct NearView {
    place: String,
    radius: String,
}

/// A project found.
#[derive(Serialize)]
struct FoundProjectView {
    title: String,
    path: String,
    handle: String,
    local: bool,
    status: &'static str,
    members_only: bool,
    subjects: Vec<String>,
    levels: Vec<String>,
    languages: Vec<String>,
    academy: String,
    place: String,
    /// Whole kilometres: the points are those of communes.
    distance: Option<i64>,
    under_one_km: bool,
    trust: LabelView,
}

impl FoundProjectView {
    fn of(found: &FoundProject, labels: &Labeller<'_>) -> FoundProjectView {
        let project = &found.project;
        let actor = &project.actor;
        FoundProjectView {
            title: project.title.clone(),
            path: project_path(project),
            handle: handle(&actor.name, &actor.domain, labels),
            local: actor.is_local(),
            status: project.status.as_str(),
            members_only: project.visibility == Visibility::Members,
            subjects: project.subjects.clone(),
            levels: project.school_levels.clone(),
            languages: project.languages.clone(),
            academy: project.academy.clone(),
            place: project.place.clone(),
            distance: found.distance_km.map(|km| km.round() as i64),
            under_one_km: found.distance_km.is_some_and(|km| km < 0.5),
            trust: labels.instance(&actor.domain).into(),
        }
    }
}

/// A teacher found.
#[derive(Serialize)]
struct FoundPersonView {
    /// Actor id.
    id: i64,
    display_name: String,
    handle: String,
    url: String,
    local: bool,
    subjects: Vec<String>,
    levels: Vec<String>,
    languages: Vec<String>,
    academy: String,
    trust: LabelView,
}

impl FoundPersonView {
    fn of(found: &FoundPerson, labels: &Labeller<'_>) -> FoundPersonView {
        let actor = &found.actor;
        let profile = &found.profile;
        FoundPersonView {
            id: actor.id.0,
            display_name: if actor.display_name.trim().is_empty() {
                actor.name.clone()
            } else {
                actor.display_name.clone()
            },
            handle: handle(&actor.name, &actor.domain, labels),
            url: super::views::profile_url(actor),
            local: actor.is_local(),
            subjects: profile.subjects.clone(),
            levels: profile.school_levels.clone(),
            languages: profile.languages.clone(),
            academy: profile.academy.clone(),
            trust: labels
                .person(&actor.domain, actor.email_domain.as_deref())
                .into(),
        }
    }
}

impl ResultsView {
    fn of(
        params: &DirectoryParams,
        search: &DirectorySearch,
        results: &DirectoryResults,
        labels: &Labeller<'_>,
    ) -> ResultsView {
        ResultsView {
            near: search.near.as_ref().map(|near| NearView {
                place: near.label.clone(),
                radius: format!("{}", near.radius_km),
            }),
            lists_projects: search.lists_projects(),
            lists_people: search.lists_people(),
            people_left_out: search.kind == DirectoryKind::All && !search.lists_people(),
            projects: results
                .projects
                .iter()
                .map(|p| FoundProjectView::of(p, labels))
                .collect(),
            projects_total: results.projects_total,
            people: results
                .people
                .iter()
                .map(|p| FoundPersonView::of(p, labels))
                .collect(),
            people_total: results.people_total,
            truncated: results.truncated,
            page: search.page,
            previous: (search.page > 1).then(|| params.url_with(Some(search.page - 1), None)),
            next: results
                .has_next_page(search.page)
                .then(|| params.url_with(Some(search.page + 1), None)),
        }
    }
}

/// `GET /directory`.
pub async fn show_directory(
    State(state): State<AppState>,
    page: Page,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = match DirectoryParams::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(error) => return state.error_page(&page, error),
    };
    directory_page(&state, &page, &params, None).await
}

/// The directory without a search, the "open a profile" form showing
/// the handle it could not open and why.
pub(super) async fn lookup_refused(
    state: &AppState,
    page: &Page,
    handle: &str,
    error: AppError,
) -> Response {
    let params = match DirectoryParams::parse(None) {
        Ok(params) => params,
        Err(other) => return state.error_page(page, other),
    };
    let lookup = LookupRefused {
        handle: handle.to_string(),
        error: state.error_message(page.lang, &error),
        code: error.code,
    };
    let mut response = directory_page(state, page, &params, Some(lookup)).await;
    if response.status().is_success() {
        *response.status_mut() = error.status;
    }
    response
}

/// The directory page for `params`, searched.
async fn directory_page(
    state: &AppState,
    page: &Page,
    params: &DirectoryParams,
    lookup: Option<LookupRefused>,
) -> Response {
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return state.error_page(page, error),
    };
    let lists = state.domain.reference_lists();
    let known = match &page.user {
        Some(user) => match state.domain.people_known_to(user.actor_id).await {
            Ok(known) => known.into_iter().map(|id| id.0).collect(),
            Err(error) => return state.error_page(page, error),
        },
        None => Vec::new(),
    };
    let outcome = async {
        let search = params.input().validate()?;
        let results = state
            .domain
            .search_directory(page.user.as_ref(), &search)
            .await?;
        Ok::<_, AppError>((search, results))
    }
    .await;
    match outcome {
        Ok((search, results)) => {
            let view = DirectoryPage {
                form: FormView::of(params, &lists),
                outcome: Outcome::Results {
                    results: ResultsView::of(params, &search, &results, &labels),
                },
                lookup,
                known,
            };
            state.render(page, "directory.html", &view)
        }
        Err(error) if error.status.is_server_error() => state.error_page(page, error),
        Err(error) => {
            let suggestions = if error.code == "place_ambiguous" {
                place_suggestions(&params.place)
                    .into_iter()
                    .map(|place| PlaceSuggestion {
                        url: params.url_with(None, Some(&place)),
                        place,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let view = DirectoryPage {
                form: FormView::of(params, &lists),
                outcome: Outcome::Refused {
                    error: state.error_message(page.lang, &error),
                    error_field: error
                        .detail
                        .as_deref()
                        .and_then(|d| d.split(':').next())
                        .unwrap_or_default()
                        .to_string(),
                    suggestions,
                },
                lookup,
                known,
            };
            state.render_status(error.status, page, "directory.html", &view)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_through_the_address() {
        let params = DirectoryParams::parse(Some(
            "q=%C3%A9co+d%C3%A9l%C3%A9gu%C3%A9s&kind=projects&place=Saint-Denis&radius=&page=2",
        ))
        .unwrap();
        assert_eq!(params.q, "éco délégués");
        assert_eq!(params.place, "Saint-Denis");
        let next = params.url_with(Some(3), Some("Saint-Denis 93"));
        assert_eq!(
            next,
            "/directory?q=%C3%A9co+d%C3%A9l%C3%A9gu%C3%A9s&kind=projects&place=Saint-Denis+93&page=3"
        );
        assert_eq!(
            DirectoryParams::parse(Some("q=a&q=b")).unwrap_err().code,
            "invalid_query"
        );
        assert_eq!(DirectoryParams::parse(None).unwrap().q, "");
    }
}
