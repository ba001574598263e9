//! The agenda pages: adding an event to a project (for all members or
//! some), "Mon agenda" (the events of every space a teacher belongs to)
//! and the iCalendar exports of both.

use super::{
    project_content::{as_member, refusal, typed_refusal},
    project_page::{ProjectFormText, ProjectSection},
    session::{CsrfForm, Page},
    views::AgendaEventView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::{
        project_content::EventInput,
        rows::{AccountRow, EventView, ProjectRow},
    },
    error::AppError,
};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

/// `agenda.html`: "Mon agenda".
#[derive(Serialize)]
struct AgendaPage {
    upcoming: Vec<AgendaEventView>,
    past: Vec<AgendaEventView>,
}

/// The event form as submitted.
#[derive(Debug, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    meeting_url: String,
    #[serde(default)]
    attendees: Vec<i64>,
}

/// `POST /projects/{name}/events`.
pub async fn submit_event(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<EventForm>,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let typed = ProjectFormText::Event {
        title: form.title.clone(),
        description: form.description.clone(),
        starts: form.starts.clone(),
        ends: form.ends.clone(),
        location: form.location.clone(),
        meeting_url: form.meeting_url.clone(),
        attendees: form.attendees.clone(),
    };
    let title = form.title.clone();
    let input = EventInput {
        title: form.title,
        description: form.description,
        starts: form.starts,
        ends: form.ends,
        location: form.location,
        meeting_url: form.meeting_url,
        attendees: form.attendees,
        time_zone: Some(page.time_zone.name().to_string()),
    };
    match state
        .domain
        .add_project_event(&user, &project, &input)
        .await
    {
        Ok(_) => crate::web::notice::redirect(
            &ProjectSection::Agenda.path(&project),
            crate::web::notice::Notice::with("event-added", title),
        ),
        Err(error) => typed_refusal(&state, &page, &project, typed, error).await,
    }
}

/// The events a teacher sees, from every project they belong to.
async fn personal_events(
    state: &AppState,
    user: &AccountRow,
) -> Result<Vec<(EventView, ProjectRow)>, AppError> {
    Ok(state.domain.personal_agenda(user).await?)
}

/// `GET /agenda`: every event of every space the teacher belongs to.
pub async fn show_agenda(State(state): State<AppState>, page: Page) -> Response {
    let Some(user) = &page.user else {
        return crate::web::redirect::to("/login?next=%2Fagenda");
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(&state, &page, error),
    };
    let events = match personal_events(&state, user).await {
        Ok(events) => events,
        Err(error) => return refusal(&state, &page, error),
    };
    let now = state.domain.clock().now_ms();
    let (past, upcoming): (Vec<_>, Vec<_>) = events
        .iter()
        .partition(|(view, _)| view.event.ends_at < now);
    let show = |list: Vec<&(EventView, ProjectRow)>| -> Vec<AgendaEventView> {
        list.into_iter()
            .map(|(view, project)| AgendaEventView::of(view, Some(project), &labels))
            .collect()
    };
    state.render(
        &page,
        "agenda.html",
        &AgendaPage {
            upcoming: show(upcoming),
            past: show(past),
        },
    )
}

/// An event's time in iCalendar: local time with `TZID` when the event
/// knows the zone it was entered in, UTC otherwise.
fn ical_time(ms: i64, zone: Option<chrono_tz::Tz>) -> Option<icalendar::CalendarDateTime> {
    match zone {
        Some(zone) => Some(icalendar::CalendarDateTime::WithTimezone {
            date_time: crate::dates::ical_local(ms, zone)?,
            tzid: zone.name().to_string(),
        }),
        None => chrono::DateTime::from_timestamp_millis(ms).map(icalendar::CalendarDateTime::Utc),
    }
}

/// The `VTIMEZONE` of each zone the events use, covering their years,
/// put before the first event (RFC 5545: every `TZID` is defined in the
/// calendar).
fn with_time_zones(calendar: String, zones: &[(chrono_tz::Tz, i32, i32)]) -> String {
    if zones.is_empty() {
        return calendar;
    }
    let definitions: String = zones
        .iter()
        .map(|(zone, first, last)| crate::dates::vtimezone(*zone, *first, *last))
        .collect();
    let at = calendar
        .find("BEGIN:VEVENT\r\n")
        .or_else(|| calendar.find("END:VCALENDAR"))
        .unwrap_or(calendar.len());
    format!("{}{definitions}{}", &calendar[..at], &calendar[at..])
}

fn ical(events: &[(EventView, ProjectRow)], base: &str) -> String {
    use chrono::Datelike;
    use icalendar::{Calendar, Component, EventLike};
    let mut calendar = Calendar::new();
    calendar.name("Préau");
    // Each zone used, with the first and last year of its events.
    let mut zones: Vec<(chrono_tz::Tz, i32, i32)> = Vec::new();
    for (view, project) in events {
        let event = &view.event;
        let zone = crate::dates::parse_zone(&event.time_zone).filter(|z| *z != chrono_tz::UTC);
        let (Some(starts), Some(ends)) = (
            ical_time(event.starts_at, zone),
            ical_time(event.ends_at, zone),
        ) else {
            continue;
        };
        if let Some(zone) = zone {
            let year = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|t| t.year())
                    .unwrap_or(1970)
            };
            let (first, last) = (year(event.starts_at), year(event.ends_at));
            match zones.iter_mut().find(|(z, _, _)| *z == zone) {
                Some(entry) => {
                    entry.1 = entry.1.min(first);
                    entry.2 = entry.2.max(last);
                }
                None => zones.push((zone, first, last)),
            }
        }
        let mut entry = icalendar::Event::new();
        entry
            .uid(&event.ap_id)
            .summary(&event.title)
            .starts(starts)
            .ends(ends)
            .add_property("CATEGORIES", &project.title)
            .url(&format!("{base}{}", ProjectSection::Agenda.path(project)));
        let mut description = crate::domain::rendering::html_text_now(&event.description_html);
        if !event.meeting_url.is_empty() {
            description = format!("{description}\n{}", event.meeting_url)
                .trim()
                .to_string();
        }
        if !description.is_empty() {
            entry.description(&description);
        }
        if !event.location.is_empty() {
            entry.location(&event.location);
        }
        calendar.push(entry.done());
    }
    with_time_zones(calendar.done().to_string(), &zones)
}

fn ics_response(body: String, file: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /agenda.ics`: the personal agenda as iCalendar.
pub async fn export_agenda(State(state): State<AppState>, page: Page) -> Response {
    let Some(user) = &page.user else {
        return crate::web::redirect::to("/login?next=%2Fagenda");
    };
    match personal_events(&state, user).await {
        Ok(events) => ics_response(
            ical(&events, &state.domain.settings.base_url()),
            "agenda.ics",
        ),
        Err(error) => refusal(&state, &page, error),
    }
}

/// `GET /projects/{name}/agenda.ics`: a project's events the teacher
/// sees, as iCalendar.
pub async fn export_project_agenda(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    let (user, project, _) = match as_member(&state, &page, &name).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let events = match personal_events(&state, &user).await {
        Ok(events) => events
            .into_iter()
            .filter(|(view, _)| view.event.project_id == project.actor.id)
            .collect::<Vec<_>>(),
        Err(error) => return refusal(&state, &page, error),
    };
    ics_response(
        ical(&events, &state.domain.settings.base_url()),
        &format!("{}.ics", project.actor.name),
    )
}
