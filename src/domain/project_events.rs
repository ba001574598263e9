//! The agenda of a project space: events as asked for in the form, their
//! times, a member adding one (for all members or a sub-group), and who
//! may see it.

use super::notify_events::{notify_project_news, ProjectNews};
use super::{
    outbox::{self, new_activity_id, project as project_objects, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::notifications::NotificationKind;
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorId, ActorRow},
        project_content::{self, EventRow, NewEvent},
        projects::{MemberRow, ProjectRow},
    },
    urls,
};

/// An event as asked for in the form.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Start, `YYYY-MM-DDTHH:MM` (in `time_zone`) or RFC 3339.
    pub starts: String,
    /// End, same formats.
    pub ends: String,
    /// Place.
    pub location: String,
    /// Meeting link (http or https).
    pub meeting_url: String,
    /// The members it is for (actor ids); empty for every member.
    pub attendees: Vec<i64>,
    /// The IANA zone a form's local times are read in (the web form
    /// sends the author's); `None` reads them as UTC, as the API always
    /// did. The event keeps this zone, or its author's when `None`.
    pub time_zone: Option<String>,
}

/// Parses a date-time from a form (`YYYY-MM-DDTHH:MM`, read in `zone`)
/// or RFC 3339, to unix ms.
pub fn parse_time(raw: &str, field: &str, zone: chrono_tz::Tz) -> DomainResult<i64> {
    if let Some(ms) = crate::dates::parse_iso(raw) {
        return Ok(ms);
    }
    crate::dates::parse_local(raw, zone).ok_or_else(|| Refusal::InvalidDate(field.into()).into())
}

impl Domain {
    /// A member adds an event to the project's agenda, for every member
    /// or for some of them.
    pub async fn add_project_event(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        input: &EventInput,
    ) -> DomainResult<EventRow> {
        let author = self.require_writer(account, project).await?;
        let title = validate::name(&input.title, 200, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        let description = validate::text(&input.description, 5000, "description")?;
        let (read_in, time_zone) = match input.time_zone.as_deref().map(str::trim) {
            Some(name) => {
                let zone = crate::dates::parse_zone(name)
                    .ok_or_else(|| Refusal::UnknownTimeZone("time_zone".into()))?;
                (zone, zone)
            }
            None => (chrono_tz::UTC, self.time_zone_of(account)),
        };
        let starts_at = parse_time(&input.starts, "starts", read_in)?;
        let ends_at = if input.ends.trim().is_empty() {
            starts_at + 3_600_000
        } else {
            parse_time(&input.ends, "ends", read_in)?
        };
        if ends_at < starts_at {
            return Err(Refusal::EndsBeforeStart("ends".into()).into());
        }
        let location = validate::name(&input.location, 200, "location")?;
        let meeting_url = validate::text(&input.meeting_url, 500, "meeting_url")?;
        if !meeting_url.is_empty()
            && !url::Url::parse(&meeting_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(Refusal::InvalidUrl("meeting_url".into()).into());
        }
        let mut attendees: Vec<ActorRow> = Vec::new();
        for id in &input.attendees {
            let row = self
                .store
                .member(project.actor.id, ActorId(*id))
                .await?
                .filter(MemberRow::is_member)
                .ok_or_else(|| Refusal::AttendeeNotMember("attendees".into()))?;
            if let Some(actor) = self.store.actor_by_id(row.actor_id).await? {
                if !attendees.iter().any(|a| a.id == actor.id) {
                    attendees.push(actor);
                }
            }
        }
        let base = self.settings.base_url();
        let new = NewEvent {
            ap_id: urls::project_object(&base, &urls::random_token()),
            project_id: project.actor.id,
            author_id: author.id,
            title,
            description_html: rendering::markdown(description.clone(), "description").await?,
            description_source: description,
            starts_at,
            ends_at,
            location,
            meeting_url,
            for_all: attendees.is_empty(),
            attendees: attendees.iter().map(|a| a.id).collect(),
            created_at: self.clock().now_ms(),
            local: true,
            time_zone: time_zone.name().to_string(),
        };
        let mut tx = self.store.begin().await?;
        let id = project_content::insert_event(&mut tx, &new).await?;
        let news = ProjectNews {
            kind: NotificationKind::NewEvent,
            author: author.id,
            name: &new.title,
            key: &new.ap_id,
            only: (!new.for_all).then_some(new.attendees.as_slice()),
        };
        notify_project_news(&mut tx, project, news).await?;
        let row = EventRow {
            id,
            ap_id: new.ap_id.clone(),
            project_id: new.project_id,
            author_id: new.author_id,
            title: new.title.clone(),
            description_source: new.description_source.clone(),
            description_html: new.description_html.clone(),
            starts_at,
            ends_at,
            location: new.location.clone(),
            meeting_url: new.meeting_url.clone(),
            for_all: new.for_all,
            created_at: new.created_at,
            deleted_at: None,
            local: true,
            time_zone: new.time_zone.clone(),
        };
        let attendee_ids: Vec<String> = attendees.iter().map(|a| a.ap_id.clone()).collect();
        let object =
            project_objects::event_object(&row, &author.ap_id, &project.actor.ap_id, &attendee_ids)
                .ok_or_else(|| DomainError::Internal("invalid event URL".into()))?;
        let object = outbox::json_of(&object)?;
        let activity_id = new_activity_id(&base);
        let activity = to_json(&project_objects::create(
            &activity_id,
            &author.ap_id,
            &project.actor.ap_id,
            object,
        )?)?;
        let for_some: Vec<ActorId> = attendees.iter().map(|a| a.id).collect();
        self.distribute_in_project(
            &mut tx,
            project,
            &author,
            &activity_id,
            &activity,
            (!for_some.is_empty()).then_some(for_some.as_slice()),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(row)
    }

    /// Whether a local account may see an event: a member, and the event
    /// is for all, theirs, or lists them.
    pub async fn may_see_event(
        &self,
        account: &AccountRow,
        event: &EventRow,
    ) -> DomainResult<bool> {
        let Some(row) = self
            .store
            .member(event.project_id, account.actor_id)
            .await?
        else {
            return Ok(false);
        };
        if !row.is_member() {
            return Ok(false);
        }
        if event.for_all || event.author_id == account.actor_id {
            return Ok(true);
        }
        Ok(self
            .store
            .event_attendees(event.id)
            .await?
            .iter()
            .any(|a| a.id == account.actor_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn form_times_are_read_in_the_given_zone() {
        assert_eq!(
            parse_time("2026-12-10T14:00", "starts", chrono_tz::UTC).unwrap(),
            ms("2026-12-10T14:00:00Z")
        );
        assert_eq!(
            parse_time("2027-01-12T18:00", "starts", chrono_tz::Europe::Paris).unwrap(),
            ms("2027-01-12T17:00:00Z")
        );
        assert_eq!(
            parse_time("2027-01-12T18:00", "starts", chrono_tz::America::Martinique).unwrap(),
            ms("2027-01-12T22:00:00Z")
        );
        // An explicit offset wins over the zone.
        assert_eq!(
            parse_time(
                "2026-12-10T14:00:00+01:00",
                "starts",
                chrono_tz::Europe::Paris
            )
            .unwrap(),
            ms("2026-12-10T13:00:00Z")
        );
        assert_eq!(
            parse_time("demain", "starts", chrono_tz::UTC)
                .unwrap_err()
                .code(),
            "invalid_date"
        );
    }
}
