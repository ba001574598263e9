//! Trust evidence about remote instances: `instances` and `trust_events`.
//! Labels are computed from these rows when shown (`domain::trust`).

use super::{Store, StoreResult};
use preau_federation::TrustLevel;

/// What this instance stored about a remote instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceEvidence {
    /// Host with port, as in actor handles.
    pub host: String,
    /// The level it declares (NodeInfo, instance actor).
    pub declared: Option<TrustLevel>,
    /// The organisation it names.
    pub declared_org: String,
    /// The best attestation that verified when last checked.
    pub attestation: Option<AttestationEvidence>,
    /// Why the last attestation it served was refused (a stable code).
    pub attestation_error: Option<String>,
    /// An admin's entry, if any.
    pub manual: Option<ManualEntry>,
    /// A level it held and lost (attestation refused at a re-check), and
    /// when, unix ms.
    pub lost: Option<(TrustLevel, i64)>,
    /// When its evidence was last checked, unix ms.
    pub checked_at: Option<i64>,
}

/// A verified attestation, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationEvidence {
    /// The level it states.
    pub level: TrustLevel,
    /// The organisation it names.
    pub organisation: String,
    /// E-mail domains of the instance's verified accounts.
    pub email_domains: Vec<String>,
    /// The trusted authority that signed (its configured name).
    pub authority: String,
    /// End of validity, unix ms.
    pub valid_until: i64,
}

/// An admin's decision about an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualEntry {
    /// The level granted.
    pub level: TrustLevel,
    /// Why, in the admin's words.
    pub note: String,
    /// Who decided (username).
    pub by: String,
    /// When, unix ms.
    pub at: i64,
}

/// The outcome of checking an instance's NodeInfo and attestations.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// What it declares.
    pub declared: Option<TrustLevel>,
    /// The organisation it names.
    pub declared_org: String,
    /// The best attestation that verified, with its JSON as served.
    pub attestation: Option<(AttestationEvidence, String)>,
    /// Why the attestations it served were refused (the first code).
    pub attestation_error: Option<String>,
    /// When to check again, unix ms.
    pub next_check_at: i64,
}

/// An instance row, with the fields the admin page shows.
#[derive(Debug, Clone)]
pub struct InstanceRow {
    /// The evidence, as labels use it.
    pub evidence: InstanceEvidence,
    /// Where its NodeInfo is read.
    pub origin: String,
    /// The attestation JSON as served, if one verified.
    pub attestation_json: Option<String>,
    /// When it is checked next.
    pub next_check_at: i64,
    /// When this instance first saw it.
    pub first_seen_at: i64,
}

/// A refused or lost piece of evidence.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrustEvent {
    /// The instance.
    pub host: String,
    /// When, unix ms.
    pub at: i64,
    /// A stable code (`signature_invalid`, `expired`…).
    pub code: String,
    /// Details for the admin.
    pub detail: String,
}

const COLUMNS: &str = "host, origin, declared_level, declared_org, attestation, attested_level, \
     attested_org, attested_domains, attested_by, attested_until, attestation_error, lost_level, \
     lost_at, manual_level, manual_note, manual_by, manual_at, checked_at, next_check_at, first_seen_at";

fn level(text: Option<String>) -> Option<TrustLevel> {
    text.and_then(|t| t.parse().ok())
}

/// An `instances` row as stored, flat; [`InstanceRow`] groups its columns.
#[derive(sqlx::FromRow)]
struct InstanceColumns {
    host: String,
    origin: String,
    declared_level: Option<String>,
    declared_org: String,
    attestation: Option<String>,
    attested_level: Option<String>,
    attested_org: String,
    attested_domains: String,
    attested_by: Option<String>,
    attested_until: Option<i64>,
    attestation_error: Option<String>,
    lost_level: Option<String>,
    lost_at: Option<i64>,
    manual_level: Option<String>,
    manual_note: String,
    manual_by: Option<String>,
    manual_at: Option<i64>,
    checked_at: Option<i64>,
    next_check_at: i64,
    first_seen_at: i64,
}

impl TryFrom<InstanceColumns> for InstanceRow {
    type Error = super::StoreError;

    fn try_from(row: InstanceColumns) -> StoreResult<InstanceRow> {
        let attestation = match (level(row.attested_level), row.attested_until) {
            (Some(level), Some(valid_until)) => Some(AttestationEvidence {
                level,
                organisation: row.attested_org,
                email_domains: serde_json::from_str(&row.attested_domains)
                    .map_err(|e| super::StoreError::Corrupt(format!("attested_domains: {e}")))?,
                authority: row.attested_by.unwrap_or_default(),
                valid_until,
            }),
            _ => None,
        };
        let manual = level(row.manual_level).map(|level| ManualEntry {
            level,
            note: row.manual_note,
            by: row.manual_by.unwrap_or_default(),
            at: row.manual_at.unwrap_or_default(),
        });
        let lost = match (level(row.lost_level), row.lost_at) {
            (Some(level), Some(at)) => Some((level, at)),
            _ => None,
        };
        Ok(InstanceRow {
            evidence: InstanceEvidence {
                host: row.host,
                declared: level(row.declared_level),
                declared_org: row.declared_org,
                attestation,
                attestation_error: row.attestation_error,
                manual,
                lost,
                checked_at: row.checked_at,
            },
            origin: row.origin,
            attestation_json: row.attestation,
            next_check_at: row.next_check_at,
            first_seen_at: row.first_seen_at,
        })
    }
}

impl Store {
    /// Records a remote instance the first time it is seen, due for a
    /// check at once. Returns whether it was new.
    pub async fn note_instance(&self, host: &str, origin: &str) -> StoreResult<bool> {
        let now = self.now_ms();
        let inserted = sqlx::query(
            "INSERT INTO instances (host, origin, next_check_at, first_seen_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (host) DO NOTHING",
        )
        .bind(host)
        .bind(origin)
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted > 0 {
            super::trust_changed();
        }
        Ok(inserted > 0)
    }

    /// Every known remote instance, by host.
    pub async fn instances(&self) -> StoreResult<Vec<InstanceRow>> {
        sqlx::query_as::<_, InstanceColumns>(&format!(
            "SELECT {COLUMNS} FROM instances ORDER BY host"
        ))
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(InstanceRow::try_from)
        .collect()
    }

    /// One remote instance.
    pub async fn instance(&self, host: &str) -> StoreResult<Option<InstanceRow>> {
        sqlx::query_as::<_, InstanceColumns>(&format!(
            "SELECT {COLUMNS} FROM instances WHERE host = $1"
        ))
        .bind(host)
        .fetch_optional(self.pool())
        .await?
        .map(InstanceRow::try_from)
        .transpose()
    }

    /// Instances whose check is due.
    pub async fn instances_due(&self, limit: i64) -> StoreResult<Vec<InstanceRow>> {
        sqlx::query_as::<_, InstanceColumns>(&format!(
            "SELECT {COLUMNS} FROM instances WHERE next_check_at <= $1 ORDER BY next_check_at LIMIT $2"
        ))
        .bind(self.now_ms())
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(InstanceRow::try_from)
        .collect()
    }

    /// Stores the result of a check. A verified level that no longer
    /// verifies is kept as lost (with the time), so content can say its
    /// label was removed; refusals are logged as events.
    pub async fn record_check(
        &self,
        host: &str,
        outcome: &CheckOutcome,
    ) -> StoreResult<Option<TrustLevel>> {
        let now = self.now_ms();
        let previous = self.instance(host).await?;
        let mut tx = self.begin().await?;
        // A level verified before and not any more: lost when it expired
        // (if it did) or now, and kept so content can say so.
        let previous = previous
            .as_ref()
            .and_then(|p| p.evidence.attestation.as_ref())
            .map(|a| (a.level, a.valid_until.min(now)));
        let new_level = outcome.attestation.as_ref().map(|(a, _)| a.level);
        let lost = match (previous, new_level) {
            (Some((was, at)), None) => Some((was, at)),
            (Some((was, at)), Some(is)) if is < was => Some((was, at)),
            _ => None,
        };
        let (attested, json) = match &outcome.attestation {
            Some((a, json)) => (Some(a), Some(json.as_str())),
            None => (None, None),
        };
        sqlx::query(
            "UPDATE instances SET declared_level = $1, declared_org = $2, attestation = $3, \
             attested_level = $4, attested_org = $5, attested_domains = $6, attested_by = $7, \
             attested_until = $8, attestation_error = $9, checked_at = $10, next_check_at = $11 \
             WHERE host = $12",
        )
        .bind(outcome.declared.map(|l| l.as_str()))
        .bind(&outcome.declared_org)
        .bind(json)
        .bind(attested.map(|a| a.level.as_str()))
        .bind(attested.map(|a| a.organisation.clone()).unwrap_or_default())
        .bind(
            serde_json::to_string(
                &attested
                    .map(|a| a.email_domains.clone())
                    .unwrap_or_default(),
            )
            .unwrap_or_else(|_| "[]".to_string()),
        )
        .bind(attested.map(|a| a.authority.clone()))
        .bind(attested.map(|a| a.valid_until))
        .bind(outcome.attestation_error.as_deref())
        .bind(now)
        .bind(outcome.next_check_at)
        .bind(host)
        .execute(&mut *tx)
        .await?;
        if let Some((was, at)) = lost {
            sqlx::query("UPDATE instances SET lost_level = $1, lost_at = $2 WHERE host = $3")
                .bind(was.as_str())
                .bind(at)
                .bind(host)
                .execute(&mut *tx)
                .await?;
        }
        if let Some((was, _)) = lost {
            insert_event(
                &mut tx,
                host,
                now,
                "level_lost",
                &format!("{} no longer verified", was.as_str()),
            )
            .await?;
        }
        super::commit(tx).await?;
        super::trust_changed();
        Ok(lost.map(|(was, _)| was))
    }

    /// Sets or clears (`None`) an admin's entry for an instance.
    pub async fn set_manual_trust(
        &self,
        host: &str,
        entry: Option<&ManualEntry>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE instances SET manual_level = $1, manual_note = $2, manual_by = $3, manual_at = $4 \
             WHERE host = $5",
        )
        .bind(entry.map(|e| e.level.as_str()))
        .bind(entry.map(|e| e.note.clone()).unwrap_or_default())
        .bind(entry.map(|e| e.by.clone()))
        .bind(entry.map(|e| e.at))
        .bind(host)
        .execute(self.pool())
        .await?;
        super::trust_changed();
        super::content_changed();
        Ok(())
    }

    /// Sets when an instance is checked next (after a failed check).
    pub async fn postpone_instance_check(&self, host: &str, at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE instances SET next_check_at = $1 WHERE host = $2")
            .bind(at)
            .bind(host)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Logs a refused or lost piece of evidence.
    pub async fn log_trust_event(&self, host: &str, code: &str, detail: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_event(&mut tx, host, self.now_ms(), code, detail).await?;
        super::commit(tx).await
    }

    /// The latest events, newest first.
    pub async fn trust_events(&self, limit: i64) -> StoreResult<Vec<TrustEvent>> {
        let events = sqlx::query_as(
            "SELECT host, at, code, detail FROM trust_events ORDER BY at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(events)
    }
}

async fn insert_event(
    tx: &mut super::Tx,
    host: &str,
    at: i64,
    code: &str,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO trust_events (host, at, code, detail) VALUES ($1, $2, $3, $4)")
        .bind(host)
        .bind(at)
        .bind(code)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
