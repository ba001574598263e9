//! `/` for a logged-in teacher: what is new in the forums they follow and
//! their projects (new since the previous visit first), their agenda's
//! next 14 days, the requests waiting for them, and colleagues and
//! projects they might like, each with its trust label.

use super::{
    projects::{project_path, refusal},
    session::Page,
    views::{date, PersonView, ProjectView},
};
use crate::{
    app::AppState,
    domain::{
        home::{FeedItem, FeedPlace, Home, UpcomingEvent, SUGGESTIONS_SHOWN},
        rows::AccountRow,
        trust::Labeller,
    },
};
use axum::response::Response;
use serde::Serialize;

/// Invitations and join requests shown on the home (the rest on "Mes
/// demandes").
const REQUESTS_SHOWN: usize = 5;

/// `home_teacher.html`.
#[derive(Serialize)]
struct TeacherHomePage {
    /// The page number of the posts.
    page: i64,
    previous_page: Option<i64>,
    next_page: Option<i64>,
    /// Posts new since the previous visit, in all.
    new_count: i64,
    /// The previous visit's date (empty: none).
    previous_visit: String,
    feed: Vec<FeedItemView>,
    events: Vec<UpcomingEventView>,
    invitations: Vec<InvitationView>,
    to_decide: Vec<JoinRequestView>,
    /// Every request waiting ("Mes demandes"), contacts included.
    pending_requests: i64,
    suggestions: SuggestionsView,
    /// Nothing said about oneself yet: a prompt to complete the profile.
    profile_empty: bool,
}

/// A post of a followed forum or a project.
#[derive(Serialize)]
struct FeedItemView {
    /// `forum` or `project`.
    place: &'static str,
    /// Its place in its thread's page.
    link: String,
    thread_title: String,
    is_thread: bool,
    excerpt: String,
    when: String,
    is_new: bool,
    place_title: String,
    place_link: String,
    author: PersonView,
}

impl FeedItemView {
    fn of(item: &FeedItem, labels: &Labeller<'_>) -> FeedItemView {
        let place_path = match &item.place_domain {
            domain if domain.is_empty() => item.place_name.clone(),
            domain => format!("{}@{domain}", item.place_name),
        };
        let (place, place_link, link) = match item.place {
            FeedPlace::Forum => (
                "forum",
                format!("/forums/{place_path}"),
                format!(
                    "{}#post-{}",
                    crate::urls::thread_page(item.thread_id),
                    item.id
                ),
            ),
            FeedPlace::Project => (
                "project",
                format!("/projects/{place_path}"),
                format!(
                    "/projects/{place_path}/threads/{}#{}-{}",
                    item.thread_id,
                    if item.is_thread { "post" } else { "reply" },
                    item.id
                ),
            ),
        };
        FeedItemView {
            place,
            link,
            thread_title: item.thread_title.clone(),
            is_thread: item.is_thread,
            excerpt: item.excerpt.clone(),
            when: date(item.published_at),
            is_new: item.is_new,
            place_title: item.place_title.clone(),
            place_link,
            author: PersonView::of(&item.author, labels),
        }
    }
}

/// An event of the next days.
#[derive(Serialize)]
struct UpcomingEventView {
    title: String,
    starts: String,
    location: String,
    project_title: String,
    project_link: String,
}

impl UpcomingEventView {
    fn of(upcoming: &UpcomingEvent) -> UpcomingEventView {
        let path = if upcoming.project_domain.is_empty() {
            upcoming.project_name.clone()
        } else {
            format!("{}@{}", upcoming.project_name, upcoming.project_domain)
        };
        UpcomingEventView {
            title: upcoming.event.title.clone(),
            starts: date(upcoming.event.starts_at),
            location: upcoming.event.location.clone(),
            project_title: upcoming.project_title.clone(),
            project_link: format!("/projects/{path}"),
        }
    }
}

/// An invitation to answer.
#[derive(Serialize)]
struct InvitationView {
    project: ProjectView,
    inviter: Option<String>,
}

/// A join request to decide.
#[derive(Serialize)]
struct JoinRequestView {
    person: PersonView,
    project_title: String,
    project_link: String,
}

/// Colleagues and projects to discover.
#[derive(Serialize)]
struct SuggestionsView {
    /// `subject`, `academy`, `level`, or empty (nothing to choose by).
    by: &'static str,
    value: String,
    people: Vec<PersonView>,
    projects: Vec<ProjectView>,
    /// The directory search that lists them all.
    more: String,
}

/// Renders the home of `user`, page `number` of its posts.
pub(super) async fn show(
    state: &AppState,
    page: &Page,
    user: &AccountRow,
    number: i64,
    welcome: bool,
) -> Response {
    let (home, labels) =
        match tokio::try_join!(state.domain.home_for(user, number), state.domain.labeller()) {
            Ok(found) => found,
            Err(error) => return refusal(state, page, error),
        };
    // The header's counts, read once for the page, give the requests'.
    let pending = page.counts.map_or(0, |counts| counts.pending_requests);
    let view = build(state, &home, &labels, pending);
    #[derive(Serialize)]
    struct WithWelcome {
        #[serde(flatten)]
        home: TeacherHomePage,
        /// A first log-in: the profile prompt comes with a welcome.
        welcome: bool,
    }
    state.render(
        page,
        "home_teacher.html",
        &WithWelcome {
            home: view,
            welcome,
        },
    )
}

fn build(
    state: &AppState,
    home: &Home,
    labels: &Labeller<'_>,
    pending_requests: i64,
) -> TeacherHomePage {
    let suggestions = &home.suggestions;
    let by = suggestions.by.unwrap_or("");
    let more = if by.is_empty() {
        "/directory".to_string()
    } else {
        let value: String =
            url::form_urlencoded::byte_serialize(suggestions.value.as_bytes()).collect();
        format!("/directory?{by}={value}")
    };
    TeacherHomePage {
        profile_empty: suggestions.profile_empty,
        page: home.page,
        previous_page: (home.page > 1).then_some(home.page - 1),
        next_page: home.has_more.then_some(home.page + 1),
        new_count: home.new_count,
        previous_visit: if home.previous_visit > 0 {
            date(home.previous_visit)
        } else {
            String::new()
        },
        feed: home
            .feed
            .iter()
            .map(|item| FeedItemView::of(item, labels))
            .collect(),
        events: home.events.iter().map(UpcomingEventView::of).collect(),
        invitations: home
            .requests
            .invitations
            .iter()
            .take(REQUESTS_SHOWN)
            .map(|(project, _, inviter)| InvitationView {
                project: ProjectView::of(state, project, labels),
                inviter: inviter
                    .as_ref()
                    .map(|i| PersonView::of(i, labels).display_name),
            })
            .collect(),
        to_decide: home
            .requests
            .to_decide
            .iter()
            .take(REQUESTS_SHOWN)
            .map(|(project, member)| JoinRequestView {
                person: PersonView::of(&member.actor, labels),
                project_title: project.title.clone(),
                project_link: project_path(project),
            })
            .collect(),
        pending_requests,
        suggestions: SuggestionsView {
            by,
            value: suggestions.value.clone(),
            people: suggestions
                .people
                .iter()
                .take(SUGGESTIONS_SHOWN)
                .map(|actor| PersonView::of(actor, labels))
                .collect(),
            projects: suggestions
                .projects
                .iter()
                .take(SUGGESTIONS_SHOWN)
                .map(|project| ProjectView::of(state, project, labels))
                .collect(),
            more,
        },
    }
}
