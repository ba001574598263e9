//! The agenda of a project space (`project_events`,
//! `project_event_attendees`) and the personal agenda query.

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    decode,
    projects::touch_project,
    IntBool, Store, StoreResult, Tx,
};

/// An agenda event (decoded from `EVENT_COLUMNS`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Database id.
    #[sqlx(rename = "event_id")]
    pub id: i64,
    /// ActivityPub id.
    #[sqlx(rename = "event_ap_id")]
    pub ap_id: String,
    /// The project.
    pub project_id: ActorId,
    /// Who added it.
    #[sqlx(rename = "event_author_id")]
    pub author_id: ActorId,
    /// Title.
    pub title: String,
    /// Markdown source (local events).
    pub description_source: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// Start, unix ms.
    pub starts_at: i64,
    /// End, unix ms.
    pub ends_at: i64,
    /// Place.
    pub location: String,
    /// Meeting link.
    pub meeting_url: String,
    /// For every member, or only the attendees listed.
    #[sqlx(try_from = "IntBool")]
    pub for_all: bool,
    /// Added, unix ms.
    #[sqlx(rename = "event_created_at")]
    pub created_at: i64,
    /// Deleted, unix ms.
    #[sqlx(rename = "event_deleted_at")]
    pub deleted_at: Option<i64>,
    /// Added here.
    #[sqlx(rename = "event_local", try_from = "IntBool")]
    pub local: bool,
    /// The IANA zone its times were entered in; empty when unknown
    /// (read as UTC).
    #[sqlx(rename = "event_time_zone")]
    pub time_zone: String,
}

/// An event as written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// ActivityPub id.
    pub ap_id: String,
    /// Project.
    pub project_id: ActorId,
    /// Author.
    pub author_id: ActorId,
    /// Title.
    pub title: String,
    /// Markdown source.
    pub description_source: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// Start, unix ms.
    pub starts_at: i64,
    /// End, unix ms.
    pub ends_at: i64,
    /// Place.
    pub location: String,
    /// Meeting link.
    pub meeting_url: String,
    /// For every member.
    pub for_all: bool,
    /// The people it is for when not for all.
    pub attendees: Vec<ActorId>,
    /// Added, unix ms.
    pub created_at: i64,
    /// Added here.
    pub local: bool,
    /// The IANA zone its times were entered in; empty when unknown.
    pub time_zone: String,
}

/// An event with its project's title and path data.
#[derive(Debug, Clone)]
pub struct EventView {
    /// The event.
    pub event: EventRow,
    /// Who added it.
    pub author: ActorRow,
    /// Who it is for, when not for all.
    pub attendees: Vec<ActorRow>,
}

pub(crate) const EVENT_COLUMNS: &str = "e.id AS event_id, e.ap_id AS event_ap_id, e.project_id, \
     e.author_id AS event_author_id, e.title, e.description_source, e.description_html, \
     e.starts_at, e.ends_at, e.location, e.meeting_url, e.for_all, e.created_at AS event_created_at, \
     e.deleted_at AS event_deleted_at, e.local AS event_local, \
     e.time_zone AS event_time_zone";

/// Inserts an event with its attendees; returns its id.
pub async fn insert_event(tx: &mut Tx, event: &NewEvent) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_events (ap_id, project_id, author_id, title, description_source, \
         description_html, starts_at, ends_at, location, meeting_url, for_all, created_at, local, time_zone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&event.ap_id)
    .bind(event.project_id.0)
    .bind(event.author_id.0)
    .bind(&event.title)
    .bind(&event.description_source)
    .bind(&event.description_html)
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.location)
    .bind(&event.meeting_url)
    .bind(event.for_all as i64)
    .bind(event.created_at)
    .bind(event.local as i64)
    .bind(&event.time_zone)
    .fetch_one(&mut **tx)
    .await?;
    for attendee in &event.attendees {
        sqlx::query(
            "INSERT INTO project_event_attendees (event_id, actor_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(attendee.0)
        .execute(&mut **tx)
        .await?;
    }
    touch_project(tx, event.project_id, event.created_at).await?;
    Ok(id)
}

impl Store {
    /// An event by id (deleted ones too).
    pub async fn event(&self, id: i64) -> StoreResult<Option<EventRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM project_events e WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// An event by ActivityPub id.
    pub async fn event_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<EventRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM project_events e WHERE e.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    async fn event_views(&self, sql: &str, id: i64) -> StoreResult<Vec<EventView>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS}, {} FROM project_events e \
             JOIN actors ON actors.id = e.author_id WHERE e.deleted_at IS NULL AND {sql} \
             ORDER BY e.starts_at LIMIT 1000",
            qualified_actor_columns()
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            let event: EventRow = decode(row)?;
            let attendees = if event.for_all {
                Vec::new()
            } else {
                self.event_attendees(event.id).await?
            };
            views.push(EventView {
                event,
                author: decode(row)?,
                attendees,
            });
        }
        Ok(views)
    }

    /// The people an event is for.
    pub async fn event_attendees(&self, event: i64) -> StoreResult<Vec<ActorRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM project_event_attendees a JOIN actors ON actors.id = a.actor_id \
             WHERE a.event_id = $1 ORDER BY actors.display_name",
            qualified_actor_columns()
        ))
        .bind(event)
        .fetch_all(self.pool())
        .await?)
    }

    /// A project's events, earliest first.
    pub async fn project_events(&self, project: ActorId) -> StoreResult<Vec<EventView>> {
        self.event_views("e.project_id = $1", project.0).await
    }

    /// The events of every project a person is a member of that are for
    /// all members or for them: their personal agenda.
    pub async fn agenda_of(&self, person: ActorId) -> StoreResult<Vec<EventView>> {
        self.event_views(
            "e.project_id IN (SELECT project_id FROM project_members \
               WHERE actor_id = $1 AND state = 'member') \
             AND (e.for_all = 1 OR e.author_id = $1 OR EXISTS (SELECT 1 FROM project_event_attendees a \
               WHERE a.event_id = e.id AND a.actor_id = $1))",
            person.0,
        )
        .await
    }
}
