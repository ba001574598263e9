//! Project memberships (the `project_members` table): who is invited,
//! asked, member or gone in a project, with what role; the inboxes of a
//! project's remote members; the people an invitation can name.

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    decode,
    projects::{touch_project, MemberRow, MemberView, NewMember, ProjectRow, PROJECT_COLUMNS},
    Store, StoreResult, Tx,
};

const MEMBER_COLUMNS: &str =
    "project_members.project_id, project_members.actor_id AS member_actor_id, \
     project_members.role, project_members.state, project_members.activity_id, \
     project_members.invited_by, project_members.created_at AS member_created_at, \
     project_members.updated_at AS member_updated_at";

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
/// its host serves, as read from `as_of` on: a row written since then (an
/// invitation or an answer received while the members were being read)
/// is newer than that copy and is kept even when the copy lacks it.
pub async fn replace_members(
    tx: &mut Tx,
    project: ActorId,
    members: &[NewMember],
    as_of: i64,
) -> StoreResult<()> {
    // Rows are updated in place rather than deleted and inserted again,
    // so the guard of [`upsert_member`] sees the answers given here.
    let current: Vec<i64> = sqlx::query_scalar(
        "SELECT actor_id FROM project_members WHERE project_id = $1 AND updated_at < $2",
    )
    .bind(project.0)
    .bind(as_of)
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
    /// One membership row.
    pub async fn member(&self, project: ActorId, actor: ActorId) -> StoreResult<Option<MemberRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM project_members WHERE project_id = $1 AND actor_id = $2"
        ))
        .bind(project.0)
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The membership an `Invite` or `Join` created.
    pub async fn member_by_activity(&self, activity_id: &str) -> StoreResult<Option<MemberRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM project_members WHERE activity_id = $1"
        ))
        .bind(activity_id)
        .fetch_optional(self.pool())
        .await?)
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
            let member: MemberRow = decode(row)?;
            let inviter = match member.invited_by {
                Some(id) => self.actor_by_id(id).await?,
                None => None,
            };
            views.push(MemberView {
                actor: decode(row)?,
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
            .map(|row| Ok((decode(row)?, decode(row)?)))
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

    /// When the content a remote project held before this instance's
    /// first member joined was fetched from its host; `None` when it was
    /// not (or not since this instance's last member left).
    pub async fn content_backfilled_at(&self, project: ActorId) -> StoreResult<Option<i64>> {
        let at: Option<Option<i64>> =
            sqlx::query_scalar("SELECT content_backfilled_at FROM projects WHERE actor_id = $1")
                .bind(project.0)
                .fetch_optional(self.pool())
                .await?;
        Ok(at.flatten())
    }

    /// When this instance first heard of one of its current members of
    /// `project` (the invitation or request their membership answers;
    /// the host may count them before this instance records the answer),
    /// `None` without any.
    pub async fn first_local_membership_at(&self, project: ActorId) -> StoreResult<Option<i64>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(pm.created_at) FROM project_members pm \
             JOIN actors a ON a.id = pm.actor_id \
             WHERE pm.project_id = $1 AND pm.state = 'member' AND a.domain = ''",
        )
        .bind(project.0)
        .fetch_one(self.pool())
        .await?;
        Ok(at)
    }

    /// Records (or, with `None`, forgets) when a remote project's earlier
    /// content was fetched.
    pub async fn set_content_backfilled_at(
        &self,
        project: ActorId,
        at: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE projects SET content_backfilled_at = $1 WHERE actor_id = $2")
            .bind(at)
            .bind(project.0)
            .execute(self.pool())
            .await?;
        Ok(())
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

    /// Teachers this instance knows (local and remote people), for the
    /// invitation field's suggestions.
    pub async fn known_people(&self, limit: i64) -> StoreResult<Vec<ActorRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM actors WHERE actors.kind = 'person' \
             ORDER BY actors.domain, actors.display_name, actors.name LIMIT $1",
            qualified_actor_columns()
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
