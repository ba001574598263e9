//! What project pages, "Mes demandes" and the agendas see of a project
//! and of its events.

use super::{date, AuthorView, LabelView};
use crate::{
    app::AppState,
    domain::{
        rows::{EventView, ProjectRow},
        trust::Labeller,
    },
    web::projects::{project_handle, project_path},
};
use serde::Serialize;

/// A project's title and page path.
#[derive(Serialize)]
pub struct ProjectLinkView {
    /// Title.
    pub title: String,
    /// Page path.
    pub path: String,
}

impl ProjectLinkView {
    /// The link to a project.
    pub fn of(project: &ProjectRow) -> ProjectLinkView {
        ProjectLinkView {
            title: project.title.clone(),
            path: project_path(project),
        }
    }
}

/// A project in lists, requests and on its page.
#[derive(Serialize)]
pub struct ProjectView {
    /// Actor name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Description, sanitised HTML.
    pub description_html: String,
    /// `NAME@DOMAIN`.
    pub handle: String,
    /// Page path.
    pub path: String,
    /// Whether the project is of this instance.
    pub local: bool,
    /// Its instance's domain (empty here).
    pub domain: String,
    /// Subjects.
    pub subjects: Vec<String>,
    /// School level codes.
    pub levels: Vec<String>,
    /// Language codes.
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Place.
    pub place: String,
    /// Latitude of the place.
    pub latitude: Option<f64>,
    /// Longitude of the place.
    pub longitude: Option<f64>,
    /// `public` or `members`.
    pub visibility: &'static str,
    /// The project's state.
    pub status: &'static str,
    /// How one joins.
    pub join_mode: &'static str,
    /// Lowest label a member may have.
    pub min_member_level: &'static str,
    /// Last activity date.
    pub last_activity: String,
    /// Its instance's label.
    pub trust: LabelView,
}

impl ProjectView {
    /// The view of a project.
    pub fn of(state: &AppState, project: &ProjectRow, labels: &Labeller<'_>) -> ProjectView {
        ProjectView {
            name: project.actor.name.clone(),
            title: project.title.clone(),
            description_html: project.description_html.clone(),
            handle: project_handle(state, project),
            path: project_path(project),
            local: project.actor.is_local(),
            domain: project.actor.domain.clone(),
            subjects: project.subjects.clone(),
            levels: project.school_levels.clone(),
            languages: project.languages.clone(),
            academy: project.academy.clone(),
            country: project.country.clone(),
            place: project.place.clone(),
            latitude: project.latitude,
            longitude: project.longitude,
            visibility: project.visibility.as_str(),
            status: project.status.as_str(),
            join_mode: project.join_mode.as_str(),
            min_member_level: project.min_member_level.as_str(),
            last_activity: date(project.last_activity_at),
            trust: labels.instance(&project.actor.domain).into(),
        }
    }
}

/// An event of a project's agenda or of "Mon agenda".
#[derive(Serialize)]
pub struct AgendaEventView {
    /// Event id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Description, sanitised HTML.
    pub description_html: String,
    /// Start date.
    pub starts: String,
    /// End date.
    pub ends: String,
    /// Location.
    pub location: String,
    /// Video meeting link.
    pub meeting_url: String,
    /// For every member, or for `attendees`.
    pub for_all: bool,
    /// The members it is for.
    pub attendees: Vec<AuthorView>,
    /// Who added it.
    pub author: AuthorView,
    /// Its project, on "Mon agenda".
    pub project: Option<ProjectLinkView>,
    /// The IANA zone it was entered in (empty when unknown): named
    /// beside the times when it is not the reader's.
    pub time_zone: String,
}

impl AgendaEventView {
    /// The view of an event, with its project's link when given.
    pub fn of(
        view: &EventView,
        project: Option<&ProjectRow>,
        labels: &Labeller<'_>,
    ) -> AgendaEventView {
        let event = &view.event;
        AgendaEventView {
            id: event.id,
            title: event.title.clone(),
            description_html: event.description_html.clone(),
            starts: date(event.starts_at),
            ends: date(event.ends_at),
            location: event.location.clone(),
            meeting_url: event.meeting_url.clone(),
            for_all: event.for_all,
            attendees: view
                .attendees
                .iter()
                .map(|a| AuthorView::of(a, labels))
                .collect(),
            author: AuthorView::of(&view.author, labels),
            project: project.map(ProjectLinkView::of),
            time_zone: event.time_zone.clone(),
        }
    }
}
