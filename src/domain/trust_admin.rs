//! The admin's side of trust between instances: the known instances with
//! their evidence and the latest refusals, and the manual entry an admin
//! sets or clears for one (associative or institutional, with a note
//! saying why: the note is required).

use super::Refusal;
use super::{
    rows::{AccountRow, InstanceRow, TrustEvent},
    trust::ManualEntry,
    Domain, DomainError, DomainResult,
};
use preau_federation::TrustLevel;

/// How many of the latest refusals the admin page shows.
const SHOWN_EVENTS: i64 = 30;
/// The longest note kept with a manual entry, in characters.
const MAX_NOTE: usize = 500;

fn require_admin(viewer: &AccountRow) -> DomainResult<()> {
    match viewer.is_admin {
        true => Ok(()),
        false => Err(DomainError::from(Refusal::Forbidden)),
    }
}

impl Domain {
    /// Every known instance and the latest trust events, for an admin.
    pub async fn instances_for_admin(
        &self,
        viewer: &AccountRow,
    ) -> DomainResult<(Vec<InstanceRow>, Vec<TrustEvent>)> {
        require_admin(viewer)?;
        let instances = self.store.instances().await?;
        let events = self.store.trust_events(SHOWN_EVENTS).await?;
        Ok((instances, events))
    }

    /// A known instance by host, for an admin; `not_found` when unknown.
    pub async fn instance_for_admin(
        &self,
        viewer: &AccountRow,
        host: &str,
    ) -> DomainResult<InstanceRow> {
        require_admin(viewer)?;
        self.store
            .instance(host)
            .await?
            .ok_or_else(|| DomainError::from(Refusal::NotFound))
    }

    /// Sets an admin's entry for a known instance (`level` is
    /// `associative` or `institutional`, with a note), or clears it
    /// (`level` is `none`). Refusals name their field (`level`, `note`).
    pub async fn set_manual_trust(
        &self,
        admin: &AccountRow,
        host: &str,
        level: &str,
        note: &str,
    ) -> DomainResult<()> {
        self.instance_for_admin(admin, host).await?;
        let entry = match level {
            "none" => None,
            level => match level.parse::<TrustLevel>() {
                Ok(level @ (TrustLevel::Associative | TrustLevel::Institutional)) => {
                    let note: String = note.trim().chars().take(MAX_NOTE).collect();
                    if note.is_empty() {
                        return Err(DomainError::from(Refusal::ManualNoteRequired(
                            "note".into(),
                        )));
                    }
                    Some(ManualEntry {
                        level,
                        note,
                        by: admin.username.clone(),
                        at: self.clock().now_ms(),
                    })
                }
                _ => {
                    return Err(DomainError::from(Refusal::InvalidTrustLevel(
                        "level".into(),
                    )))
                }
            },
        };
        Ok(self.store.set_manual_trust(host, entry.as_ref()).await?)
    }
}
