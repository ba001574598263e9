//! The `projects`, `project_members` and `project_log` tables: project
//! spaces (local, and remote ones mirrored from their host), who belongs
//! to them, and what happened in them.

use super::{
    accounts::AccountId,
    actors::{insert_actor, qualified_actor_columns, ActorId, ActorRow, NewActor},
    column, decode_list, encode_list, now_ms, Store, StoreResult, Tx,
};
use preau_federation::TrustLevel;
use sqlx::any::AnyRow;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? } default $default:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The stored (and form) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a stored or submitted name.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            fn read(text: &str) -> Self {
                Self::parse(text).unwrap_or($name::$default)
            }

            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}

text_enum! {
    /// Who may see a project's about page and members.
    Visibility {
        /// Anyone: the about page and members list are public.
        Public = "public",
        /// Members only; others see the title and that it is private.
        Members = "members",
    } default Members
}

text_enum! {
    /// Where a project stands.
    ProjectStatus {
        /// Looking for partners.
        Looking = "looking",
        /// Under way.
        Running = "running",
        /// Over.
        Finished = "finished",
    } default Running
}

text_enum! {
    /// How people come in.
    JoinMode {
        /// Only by invitation.
        Invite = "invite",
        /// Anyone may ask; moderators decide.
        Request = "request",
        /// Anyone may join at once.
        Open = "open",
    } default Invite
}

text_enum! {
    /// A member's role.
    Role {
        /// Runs the project.
        Owner = "owner",
        /// Accepts requests, removes members.
        Moderator = "moderator",
        /// Takes part.
        Member = "member",
    } default Member
}

text_enum! {
    /// Where someone stands with a project.
    MemberState {
        /// Invited, no answer yet.
        Invited = "invited",
        /// Asked to join, waiting for a moderator.
        Requested = "requested",
        /// A member.
        Member = "member",
        /// Declined the invitation.
        Refused = "refused",
        /// Their request was declined.
        Rejected = "rejected",
        /// Left.
        Left = "left",
        /// Removed by a moderator.
        Removed = "removed",
    } default Left
}

impl Role {
    /// The rank: owners above moderators above members.
    pub fn rank(self) -> u8 {
        match self {
            Role::Owner => 2,
            Role::Moderator => 1,
            Role::Member => 0,
        }
    }

    /// One step up, if any.
    pub fn promoted(self) -> Option<Role> {
        match self {
            Role::Member => Some(Role::Moderator),
            Role::Moderator => Some(Role::Owner),
            Role::Owner => None,
        }
    }

    /// One step down, if any.
    pub fn demoted(self) -> Option<Role> {
        match self {
            Role::Owner => Some(Role::Moderator),
            Role::Moderator => Some(Role::Member),
            Role::Member => None,
        }
    }
}

/// A project space: its Group actor and what it is about.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// The Group actor.
    pub actor: ActorRow,
    /// Title.
    pub title: String,
    /// Markdown description (local projects).
    pub description_source: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Subjects.
    pub subjects: Vec<String>,
    /// School levels (codes).
    pub school_levels: Vec<String>,
    /// Languages (BCP 47).
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Commune or place, as typed.
    pub place: String,
    /// Latitude, degrees.
    pub latitude: Option<f64>,
    /// Longitude, degrees.
    pub longitude: Option<f64>,
    /// Who sees the about page.
    pub visibility: Visibility,
    /// Where it stands.
    pub status: ProjectStatus,
    /// How people come in.
    pub join_mode: JoinMode,
    /// Lowest member label accepted.
    pub min_member_level: TrustLevel,
    /// Remote projects: the members collection.
    pub members_url: Option<String>,
    /// Remote projects: the activity collection.
    pub activity_url: Option<String>,
    /// Created (or first seen), unix ms.
    pub created_at: i64,
    /// Last change of its description, unix ms.
    pub updated_at: i64,
    /// Last change of any kind, unix ms; orders lists.
    pub last_activity_at: i64,
}

/// What a project is about, as created or edited.
#[derive(Debug, Clone)]
pub struct ProjectFields {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description_source: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Subjects.
    pub subjects: Vec<String>,
    /// School level codes.
    pub school_levels: Vec<String>,
    /// Languages.
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Commune or place.
    pub place: String,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Visibility.
    pub visibility: Visibility,
    /// Status.
    pub status: ProjectStatus,
    /// Join mode.
    pub join_mode: JoinMode,
    /// Lowest member label.
    pub min_member_level: TrustLevel,
    /// Remote: members collection.
    pub members_url: Option<String>,
    /// Remote: activity collection.
    pub activity_url: Option<String>,
}

/// One membership row.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// The project.
    pub project_id: ActorId,
    /// The person.
    pub actor_id: ActorId,
    /// Their role (meaningful for members).
    pub role: Role,
    /// Where they stand.
    pub state: MemberState,
    /// The `Invite` or `Join` it answers to.
    pub activity_id: Option<String>,
    /// Who invited them.
    pub invited_by: Option<ActorId>,
    /// When the row was created, unix ms.
    pub created_at: i64,
    /// Last change, unix ms.
    pub updated_at: i64,
}

impl MemberRow {
    /// Whether they are a current member.
    pub fn is_member(&self) -> bool {
        self.state == MemberState::Member
    }

    /// Whether they may accept requests and remove members.
    pub fn is_moderator(&self) -> bool {
        self.is_member() && self.role.rank() >= Role::Moderator.rank()
    }

    /// Whether they are an owner.
    pub fn is_owner(&self) -> bool {
        self.is_member() && self.role == Role::Owner
    }
}

/// A membership with the person's actor.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// The membership.
    pub member: MemberRow,
    /// The person.
    pub actor: ActorRow,
    /// Who invited them, if known.
    pub inviter: Option<ActorRow>,
}

/// A membership row as written (mirrors of remote projects).
#[derive(Debug, Clone)]
pub struct NewMember {
    /// The person.
    pub actor_id: ActorId,
    /// Role.
    pub role: Role,
    /// State.
    pub state: MemberState,
    /// The `Invite` or `Join`.
    pub activity_id: Option<String>,
    /// Who invited them.
    pub invited_by: Option<ActorId>,
    /// When it last changed, unix ms.
    pub updated_at: i64,
}

/// One line of a project's activity.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// What happened: `created`, `invited`, `joined`, `refused`,
    /// `requested`, `rejected`, `left`, `removed`, `role`.
    pub kind: String,
    /// Who did it.
    pub actor: Option<ActorRow>,
    /// Whom it concerns.
    pub subject: Option<ActorRow>,
    /// More (a new role).
    pub detail: String,
    /// When, unix ms.
    pub at: i64,
}

/// A log line as written.
#[derive(Debug, Clone)]
pub struct NewLogEntry {
    /// What happened.
    pub kind: String,
    /// Who did it.
    pub actor_id: Option<ActorId>,
    /// Whom it concerns.
    pub subject_id: Option<ActorId>,
    /// More.
    pub detail: String,
    /// When, unix ms.
    pub at: i64,
}

const PROJECT_COLUMNS: &str = "projects.title, projects.description_source, \
     projects.description_html, projects.subjects, projects.school_levels, projects.languages, \
     projects.academy, projects.country, projects.place, projects.latitude, projects.longitude, \
     projects.visibility, projects.status, projects.join_mode, projects.min_member_level, \
     projects.members_url, projects.activity_url, projects.created_at AS project_created_at, \
     projects.updated_at AS project_updated_at, projects.last_activity_at";

fn project_select() -> String {
    format!(
        "SELECT {}, {PROJECT_COLUMNS} FROM projects JOIN actors ON actors.id = projects.actor_id",
        qualified_actor_columns()
    )
}

fn project_from_row(row: &AnyRow) -> StoreResult<ProjectRow> {
    Ok(ProjectRow {
        actor: super::decode::<ActorRow>(row)?,
        title: column(row, "title")?,
        description_source: column(row, "description_source")?,
        description_html: column(row, "description_html")?,
        subjects: decode_list(&column::<String>(row, "subjects")?)?,
        school_levels: decode_list(&column::<String>(row, "school_levels")?)?,
        languages: decode_list(&column::<String>(row, "languages")?)?,
        academy: column(row, "academy")?,
        country: column(row, "country")?,
        place: column(row, "place")?,
        latitude: column(row, "latitude")?,
        longitude: column(row, "longitude")?,
        visibility: Visibility::read(&column::<String>(row, "visibility")?),
        status: ProjectStatus::read(&column::<String>(row, "status")?),
        join_mode: JoinMode::read(&column::<String>(row, "join_mode")?),
        min_member_level: column::<String>(row, "min_member_level")?
            .parse()
            .unwrap_or_default(),
        members_url: column(row, "members_url")?,
        activity_url: column(row, "activity_url")?,
        created_at: column(row, "project_created_at")?,
        updated_at: column(row, "project_updated_at")?,
        last_activity_at: column(row, "last_activity_at")?,
    })
}

const MEMBER_COLUMNS: &str =
    "project_members.project_id, project_members.actor_id AS member_actor_id, \
     project_members.role, project_members.state, project_members.activity_id, \
     project_members.invited_by, project_members.created_at AS member_created_at, \
     project_members.updated_at AS member_updated_at";

fn member_from_row(row: &AnyRow) -> StoreResult<MemberRow> {
    Ok(MemberRow {
        project_id: ActorId(column(row, "project_id")?),
        actor_id: ActorId(column(row, "member_actor_id")?),
        role: Role::read(&column::<String>(row, "role")?),
        state: MemberState::read(&column::<String>(row, "state")?),
        activity_id: column(row, "activity_id")?,
        invited_by: column::<Option<i64>>(row, "invited_by")?.map(ActorId),
        created_at: column(row, "member_created_at")?,
        updated_at: column(row, "member_updated_at")?,
    })
}

/// Inserts a project with its Group actor; returns the actor id.
pub async fn insert_project(
    tx: &mut Tx,
    actor: &NewActor,
    fields: &ProjectFields,
    created_by: Option<AccountId>,
) -> StoreResult<ActorId> {
    let id = insert_actor(&mut **tx, actor).await?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO projects (actor_id, title, created_by, created_at, updated_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $4, $4)",
    )
    .bind(id.0)
    .bind(&fields.title)
    .bind(created_by.map(|a| a.0))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    update_project_fields(tx, id, fields).await?;
    Ok(id)
}

/// Rewrites what a project is about.
pub async fn update_project_fields(
    tx: &mut Tx,
    project: ActorId,
    fields: &ProjectFields,
) -> StoreResult<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE projects SET title = $1, description_source = $2, description_html = $3, \
         subjects = $4, school_levels = $5, languages = $6, academy = $7, country = $8, \
         place = $9, visibility = $10, status = $11, \
         join_mode = $12, min_member_level = $13, members_url = $14, activity_url = $15, \
         updated_at = $16, last_activity_at = $16 WHERE actor_id = $17",
    )
    .bind(&fields.title)
    .bind(&fields.description_source)
    .bind(&fields.description_html)
    .bind(encode_list(&fields.subjects))
    .bind(encode_list(&fields.school_levels))
    .bind(encode_list(&fields.languages))
    .bind(&fields.academy)
    .bind(&fields.country)
    .bind(&fields.place)
    .bind(fields.visibility.as_str())
    .bind(fields.status.as_str())
    .bind(fields.join_mode.as_str())
    .bind(fields.min_member_level.as_str())
    .bind(fields.members_url.as_deref())
    .bind(fields.activity_url.as_deref())
    .bind(now)
    .bind(project.0)
    .execute(&mut **tx)
    .await?;
    // Coordinates are written apart, never as a NULL-able parameter:
    // PostgreSQL keeps a prepared statement's parameter types, and a NULL
    // bound first through the `Any` driver types the parameter so that the
    // numbers bound later on that connection are refused.
    match (fields.latitude, fields.longitude) {
        (Some(latitude), Some(longitude)) => {
            sqlx::query("UPDATE projects SET latitude = $1, longitude = $2 WHERE actor_id = $3")
                .bind(latitude)
                .bind(longitude)
                .bind(project.0)
                .execute(&mut **tx)
                .await?;
        }
        _ => {
            sqlx::query(
                "UPDATE projects SET latitude = NULL, longitude = NULL WHERE actor_id = $1",
            )
            .bind(project.0)
            .execute(&mut **tx)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE actors SET display_name = $1, summary_html = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(&fields.title)
    .bind(&fields.description_html)
    .bind(now)
    .bind(project.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks that something happened in a project (orders lists).
pub async fn touch_project(tx: &mut Tx, project: ActorId, at: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE projects SET last_activity_at = $1 WHERE actor_id = $2 AND last_activity_at < $1",
    )
    .bind(at)
    .bind(project.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a membership row (insert or replace its role, state, activity).
///
/// An invitation once answered is never reopened by the same invitation
/// (`activity_id`): the `Invite` delivered again, its `Announce` arriving
/// after the direct copy, or a mirror read from a host that has not yet
/// heard the answer leave the answer as it is. A new invitation does
/// reopen it.
pub async fn upsert_member(tx: &mut Tx, project: ActorId, member: &NewMember) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO project_members (project_id, actor_id, role, state, activity_id, invited_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (project_id, actor_id) DO UPDATE SET role = excluded.role, \
         state = excluded.state, activity_id = COALESCE(excluded.activity_id, project_members.activity_id), \
         invited_by = COALESCE(excluded.invited_by, project_members.invited_by), \
         updated_at = excluded.updated_at \
         WHERE NOT (excluded.state = 'invited' AND project_members.state <> 'invited' \
         AND project_members.activity_id = excluded.activity_id)",
    )
    .bind(project.0)
    .bind(member.actor_id.0)
    .bind(member.role.as_str())
    .bind(member.state.as_str())
    .bind(member.activity_id.as_deref())
    .bind(member.invited_by.map(|a| a.0))
    .bind(member.updated_at)
    .execute(&mut **tx)
    .await?;
    touch_project(tx, project, member.updated_at).await
}

/// Replaces the whole membership of a mirrored remote project with what
/// its host serves.
pub async fn replace_members(
    tx: &mut Tx,
    project: ActorId,
    members: &[NewMember],
) -> StoreResult<()> {
    // Rows are updated in place rather than deleted and inserted again,
    // so the guard of [`upsert_member`] sees the answers given here.
    let current: Vec<i64> =
        sqlx::query_scalar("SELECT actor_id FROM project_members WHERE project_id = $1")
            .bind(project.0)
            .fetch_all(&mut **tx)
            .await?;
    let kept: std::collections::HashSet<i64> = members.iter().map(|m| m.actor_id.0).collect();
    for gone in current.into_iter().filter(|id| !kept.contains(id)) {
        sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND actor_id = $2")
            .bind(project.0)
            .bind(gone)
            .execute(&mut **tx)
            .await?;
    }
    for member in members {
        upsert_member(tx, project, member).await?;
    }
    Ok(())
}

/// Adds a line to a project's activity.
pub async fn insert_log(tx: &mut Tx, project: ActorId, entry: &NewLogEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO project_log (project_id, kind, actor_id, subject_id, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(project.0)
    .bind(&entry.kind)
    .bind(entry.actor_id.map(|a| a.0))
    .bind(entry.subject_id.map(|a| a.0))
    .bind(&entry.detail)
    .bind(entry.at)
    .execute(&mut **tx)
    .await?;
    touch_project(tx, project, entry.at).await
}

/// Replaces the activity of a mirrored remote project.
pub async fn replace_log(
    tx: &mut Tx,
    project: ActorId,
    entries: &[NewLogEntry],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM project_log WHERE project_id = $1")
        .bind(project.0)
        .execute(&mut **tx)
        .await?;
    for entry in entries {
        insert_log(tx, project, entry).await?;
    }
    Ok(())
}

/// The inboxes of the remote instances with current members of a project
/// (shared inboxes when offered), for the project's announcements.
pub async fn member_inboxes(tx: &mut Tx, project: ActorId) -> StoreResult<Vec<String>> {
    let inboxes: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(actors.shared_inbox, actors.inbox) FROM project_members \
         JOIN actors ON actors.id = project_members.actor_id \
         WHERE project_members.project_id = $1 AND project_members.state = 'member' \
         AND actors.domain <> ''",
    )
    .bind(project.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(inboxes)
}

/// The inboxes (shared when offered) of some remote actors.
pub async fn inboxes_of(tx: &mut Tx, actors: &[ActorId]) -> StoreResult<Vec<String>> {
    let mut inboxes: Vec<String> = Vec::new();
    for actor in actors {
        let inbox: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE(shared_inbox, inbox) FROM actors WHERE id = $1 AND domain <> ''",
        )
        .bind(actor.0)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(inbox) = inbox.filter(|i| !inboxes.contains(i)) {
            inboxes.push(inbox);
        }
    }
    Ok(inboxes)
}

/// How many owners a project has, inside a transaction.
pub async fn count_owners(tx: &mut Tx, project: ActorId) -> StoreResult<i64> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_members WHERE project_id = $1 AND state = 'member' \
         AND role = 'owner'",
    )
    .bind(project.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(count)
}

impl Store {
    /// The project whose Group actor is `actor`.
    pub async fn project(&self, actor: ActorId) -> StoreResult<Option<ProjectRow>> {
        let row = sqlx::query(&format!(
            "{} WHERE projects.actor_id = $1",
            project_select()
        ))
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(project_from_row).transpose()
    }

    /// The local project called `name`.
    pub async fn local_project(&self, name: &str) -> StoreResult<Option<ProjectRow>> {
        let row = sqlx::query(&format!(
            "{} WHERE actors.name = $1 AND actors.domain = ''",
            project_select()
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(project_from_row).transpose()
    }

    /// The project with this ActivityPub id.
    pub async fn project_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ProjectRow>> {
        let row = sqlx::query(&format!("{} WHERE actors.ap_id = $1", project_select()))
            .bind(ap_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(project_from_row).transpose()
    }

    /// Every known project (local and remote), most recently active first.
    pub async fn all_projects(&self, limit: i64) -> StoreResult<Vec<ProjectRow>> {
        let rows = sqlx::query(&format!(
            "{} ORDER BY projects.last_activity_at DESC LIMIT $1",
            project_select()
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(project_from_row).collect()
    }

    /// Creates a local project with its first owner and first log line.
    pub async fn create_project(
        &self,
        actor: &NewActor,
        fields: &ProjectFields,
        created_by: Option<AccountId>,
        owner: ActorId,
    ) -> StoreResult<ActorId> {
        let mut tx = self.begin().await?;
        let id = insert_project(&mut tx, actor, fields, created_by).await?;
        let now = now_ms();
        upsert_member(
            &mut tx,
            id,
            &NewMember {
                actor_id: owner,
                role: Role::Owner,
                state: MemberState::Member,
                activity_id: None,
                invited_by: None,
                updated_at: now,
            },
        )
        .await?;
        insert_log(
            &mut tx,
            id,
            &NewLogEntry {
                kind: "created".into(),
                actor_id: Some(owner),
                subject_id: None,
                detail: String::new(),
                at: now,
            },
        )
        .await?;
        super::commit(tx).await?;
        Ok(id)
    }

    /// Records or refreshes a remote project from its Group document.
    pub async fn upsert_remote_project(
        &self,
        actor: ActorId,
        fields: &ProjectFields,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO projects (actor_id, title, created_at, updated_at, last_activity_at) \
             VALUES ($1, $2, $3, $3, $3) ON CONFLICT (actor_id) DO NOTHING",
        )
        .bind(actor.0)
        .bind(&fields.title)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        update_project_fields(&mut tx, actor, fields).await?;
        super::commit(tx).await
    }

    /// One membership row.
    pub async fn member(&self, project: ActorId, actor: ActorId) -> StoreResult<Option<MemberRow>> {
        let row = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM project_members WHERE project_id = $1 AND actor_id = $2"
        ))
        .bind(project.0)
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(member_from_row).transpose()
    }

    /// The membership an `Invite` or `Join` created.
    pub async fn member_by_activity(&self, activity_id: &str) -> StoreResult<Option<MemberRow>> {
        let row = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM project_members WHERE activity_id = $1"
        ))
        .bind(activity_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(member_from_row).transpose()
    }

    async fn member_views(&self, sql_where: &str, id: i64) -> StoreResult<Vec<MemberView>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, {MEMBER_COLUMNS} FROM project_members \
             JOIN actors ON actors.id = project_members.actor_id WHERE {sql_where} \
             ORDER BY CASE project_members.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, \
             actors.display_name, actors.name",
            qualified_actor_columns()
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            let member = member_from_row(row)?;
            let inviter = match member.invited_by {
                Some(id) => self.actor_by_id(id).await?,
                None => None,
            };
            views.push(MemberView {
                actor: super::decode::<ActorRow>(row)?,
                member,
                inviter,
            });
        }
        Ok(views)
    }

    /// Everyone with a membership row in a project (members, invitations,
    /// requests, former members).
    pub async fn project_members(&self, project: ActorId) -> StoreResult<Vec<MemberView>> {
        self.member_views("project_members.project_id = $1", project.0)
            .await
    }

    /// The projects a person has a row in, with the row.
    pub async fn memberships_of(
        &self,
        actor: ActorId,
    ) -> StoreResult<Vec<(ProjectRow, MemberRow)>> {
        let rows = sqlx::query(&format!(
            "SELECT {}, {PROJECT_COLUMNS}, {MEMBER_COLUMNS} FROM project_members \
             JOIN projects ON projects.actor_id = project_members.project_id \
             JOIN actors ON actors.id = projects.actor_id \
             WHERE project_members.actor_id = $1 ORDER BY projects.last_activity_at DESC",
            qualified_actor_columns()
        ))
        .bind(actor.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| Ok((project_from_row(row)?, member_from_row(row)?)))
            .collect()
    }

    /// Whether `host` (a remote domain) has a current member in `project`.
    pub async fn host_has_member(&self, project: ActorId, host: &str) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM project_members JOIN actors ON actors.id = project_members.actor_id \
             WHERE project_members.project_id = $1 AND project_members.state = 'member' \
             AND actors.domain = $2 LIMIT 1",
        )
        .bind(project.0)
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Whether `host` has anyone with a row in `project` (invited,
    /// requested, member…): they may read what concerns them.
    pub async fn host_is_involved(&self, project: ActorId, host: &str) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM project_members JOIN actors ON actors.id = project_members.actor_id \
             WHERE project_members.project_id = $1 AND actors.domain = $2 LIMIT 1",
        )
        .bind(project.0)
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// A project's activity, newest first.
    pub async fn project_log(&self, project: ActorId, limit: i64) -> StoreResult<Vec<LogEntry>> {
        let rows = sqlx::query(
            "SELECT kind, actor_id, subject_id, detail, at FROM project_log \
             WHERE project_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(project.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let actor = match column::<Option<i64>>(row, "actor_id")? {
                Some(id) => self.actor_by_id(ActorId(id)).await?,
                None => None,
            };
            let subject = match column::<Option<i64>>(row, "subject_id")? {
                Some(id) => self.actor_by_id(ActorId(id)).await?,
                None => None,
            };
            entries.push(LogEntry {
                kind: column(row, "kind")?,
                actor,
                subject,
                detail: column(row, "detail")?,
                at: column(row, "at")?,
            });
        }
        Ok(entries)
    }

    /// Teachers this instance knows (local and remote people), for the
    /// invitation field's suggestions.
    pub async fn known_people(&self, limit: i64) -> StoreResult<Vec<ActorRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM actors WHERE actors.kind = 'person' \
             ORDER BY actors.domain, actors.display_name, actors.name LIMIT $1",
            qualified_actor_columns()
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(super::decode::<ActorRow>).collect()
    }
}
