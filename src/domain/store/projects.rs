//! The `projects` table: project spaces (local, and remote ones mirrored
//! from their host), their row types, and the types of their memberships
//! and log. Memberships are in [`super::project_members`], the log in
//! [`super::project_log`] (their write functions are re-exported here).

use super::{
    accounts::AccountId,
    actors::{insert_actor, qualified_actor_columns, ActorId, ActorRow, NewActor},
    encode_list, Store, StoreResult, StoredLevel, StoredList, Tx,
};
use preau_federation::TrustLevel;

pub use super::project_log::{insert_log, replace_log};
pub use super::project_members::{
    count_owners, inboxes_of, member_inboxes, replace_members, upsert_member,
};

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

            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        // Reads a stored name (`#[sqlx(try_from = "String")]`); an
        // unknown one reads as the default.
        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self::parse(&text).unwrap_or($name::$default)
            }
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

/// A project space: its Group actor and what it is about (decoded from
/// the actor columns and `PROJECT_COLUMNS`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    /// The Group actor.
    #[sqlx(flatten)]
    pub actor: ActorRow,
    /// Title.
    pub title: String,
    /// Markdown description (local projects).
    pub description_source: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Subjects.
    #[sqlx(try_from = "StoredList")]
    pub subjects: Vec<String>,
    /// School levels (codes).
    #[sqlx(try_from = "StoredList")]
    pub school_levels: Vec<String>,
    /// Languages (BCP 47).
    #[sqlx(try_from = "StoredList")]
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
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub status: ProjectStatus,
    /// How people come in.
    #[sqlx(try_from = "String")]
    pub join_mode: JoinMode,
    /// Lowest member label accepted.
    #[sqlx(try_from = "StoredLevel")]
    pub min_member_level: TrustLevel,
    /// Remote projects: the members collection.
    pub members_url: Option<String>,
    /// Remote projects: the activity collection.
    pub activity_url: Option<String>,
    /// Created (or first seen), unix ms.
    #[sqlx(rename = "project_created_at")]
    pub created_at: i64,
    /// Last change of its description, unix ms.
    #[sqlx(rename = "project_updated_at")]
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

/// One membership row (decoded from `MEMBER_COLUMNS` of
/// [`super::project_members`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// The project.
    pub project_id: ActorId,
    /// The person.
    #[sqlx(rename = "member_actor_id")]
    pub actor_id: ActorId,
    /// Their role (meaningful for members).
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Where they stand.
    #[sqlx(try_from = "String")]
    pub state: MemberState,
    /// The `Invite` or `Join` it answers to.
    pub activity_id: Option<String>,
    /// Who invited them.
    pub invited_by: Option<ActorId>,
    /// When the row was created, unix ms.
    #[sqlx(rename = "member_created_at")]
    pub created_at: i64,
    /// Last change, unix ms.
    #[sqlx(rename = "member_updated_at")]
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

pub(super) const PROJECT_COLUMNS: &str = "projects.title, projects.description_source, \
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

/// Inserts a project with its Group actor; returns the actor id.
pub async fn insert_project(
    tx: &mut Tx,
    actor: &NewActor,
    fields: &ProjectFields,
    created_by: Option<AccountId>,
) -> StoreResult<ActorId> {
    let now = tx.now_ms();
    let id = insert_actor(&mut **tx, actor, now).await?;
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
    let now = tx.now_ms();
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

impl Store {
    /// The project whose Group actor is `actor`.
    pub async fn project(&self, actor: ActorId) -> StoreResult<Option<ProjectRow>> {
        Ok(sqlx::query_as(&format!(
            "{} WHERE projects.actor_id = $1",
            project_select()
        ))
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The local project called `name`.
    pub async fn local_project(&self, name: &str) -> StoreResult<Option<ProjectRow>> {
        Ok(sqlx::query_as(&format!(
            "{} WHERE actors.name = $1 AND actors.domain = ''",
            project_select()
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The project with this ActivityPub id.
    pub async fn project_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ProjectRow>> {
        Ok(
            sqlx::query_as(&format!("{} WHERE actors.ap_id = $1", project_select()))
                .bind(ap_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every known project (local and remote), most recently active first.
    pub async fn all_projects(&self, limit: i64) -> StoreResult<Vec<ProjectRow>> {
        Ok(sqlx::query_as(&format!(
            "{} ORDER BY projects.last_activity_at DESC LIMIT $1",
            project_select()
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
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
        let now = self.now_ms();
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
        let now = self.now_ms();
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
}
