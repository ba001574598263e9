//! Checking remote instances: what they declare and the attestations they
//! serve, read from their NodeInfo (`metadata.trust`), verified here
//! against the authorities this instance trusts, and stored as evidence.
//! Every refusal is logged with its code; nothing a peer claims is stored
//! as a level unless it verified.

use crate::{
    app::AppState,
    domain::{instance_checks::CheckOutcome, trust::AttestationEvidence},
};
use chrono::{TimeZone, Utc};
use preau_federation::{
    attestation::{self, Attestation, PublicMultikey},
    TrustLevel,
};
use serde_json::Value;
use url::Url;

/// Largest NodeInfo document read, in bytes.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// When a check fails to reach the instance, the next try.
const RETRY_UNREACHABLE_MS: i64 = 3_600_000;

/// Why an instance could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The request failed or the answer was not usable JSON.
    #[error("{0}")]
    Unreachable(String),
    /// Its NodeInfo links point to another origin.
    #[error("NodeInfo of {origin} links to another origin: {href}")]
    ForeignNodeInfo {
        /// The instance.
        origin: String,
        /// Where it pointed.
        href: String,
    },
}

impl CheckError {
    /// A stable code for the event log.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Unreachable(_) => "unreachable",
            CheckError::ForeignNodeInfo { .. } => "nodeinfo_foreign",
        }
    }
}

async fn get_json(state: &AppState, url: &Url) -> Result<Value, CheckError> {
    let unreachable = |e: &dyn std::fmt::Display| CheckError::Unreachable(format!("{url}: {e}"));
    let mut response = state
        .http
        .get(url.as_str())
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    if !response.status().is_success() {
        return Err(unreachable(&response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(&e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(unreachable(&"document too large"));
        }
    }
    serde_json::from_slice(&body).map_err(|e| unreachable(&e))
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The NodeInfo document of `origin` and the URL it was served at.
async fn nodeinfo(state: &AppState, origin: &Url) -> Result<(Url, Value), CheckError> {
    let well_known = origin
        .join("/.well-known/nodeinfo")
        .map_err(|e| CheckError::Unreachable(e.to_string()))?;
    let links = get_json(state, &well_known).await?;
    let mut hrefs: Vec<(String, String)> = links
        .get("links")
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|link| {
                    Some((
                        link.get("rel")?.as_str()?.to_string(),
                        link.get("href")?.as_str()?.to_string(),
                    ))
                })
                .filter(|(rel, _)| rel.contains("nodeinfo.diaspora.software/ns/schema/2."))
                .collect()
        })
        .unwrap_or_default();
    // The newest schema first.
    hrefs.sort_by(|a, b| b.0.cmp(&a.0));
    let Some((_, href)) = hrefs.into_iter().next() else {
        return Err(CheckError::Unreachable(format!(
            "{well_known}: no NodeInfo 2.x link"
        )));
    };
    let url = Url::parse(&href).map_err(|e| CheckError::Unreachable(format!("{href}: {e}")))?;
    if !same_origin(&url, origin) {
        return Err(CheckError::ForeignNodeInfo {
            origin: origin.to_string(),
            href,
        });
    }
    let document = get_json(state, &url).await?;
    Ok((url, document))
}

/// The trusted authorities of the configuration, with their names.
fn authorities(state: &AppState) -> Vec<(PublicMultikey, String)> {
    state
        .domain
        .settings
        .trust
        .authorities
        .iter()
        .filter_map(|a| Some((a.key.parse().ok()?, a.name.clone())))
        .collect()
}

/// Checks one instance and stores the outcome. Refusals are logged.
pub async fn check_and_store(state: &AppState, host: &str, origin: &str) {
    let domain = &state.domain;
    // A blocked or unlisted instance is not contacted at all (one below
    // the minimum level is: its evidence may lift it).
    if let Ok(Some(refusal)) = state.domain.federation_refusal(host).await {
        if refusal != crate::domain::trust::Refusal::LevelTooLow {
            let _ = domain
                .postpone_instance_check(host, RETRY_UNREACHABLE_MS)
                .await;
            return;
        }
    }
    let outcome = match Url::parse(origin) {
        Ok(url) => check(state, host, &url).await,
        Err(error) => Err(CheckError::Unreachable(format!("{origin}: {error}"))),
    };
    let result = match outcome {
        Ok(outcome) => match domain.record_instance_check(host, &outcome).await {
            Ok(Some(lost)) => {
                notify_admins(state, host, lost).await;
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => Err(error),
        },
        Err(error) => {
            tracing::info!(host, %error, "trust: instance not checked");
            match domain
                .log_trust_event(host, error.code(), &error.to_string())
                .await
            {
                Ok(()) => {
                    domain
                        .postpone_instance_check(host, RETRY_UNREACHABLE_MS)
                        .await
                }
                Err(error) => Err(error),
            }
        }
    };
    if let Err(error) = result {
        tracing::warn!(host, %error, "trust: storing a check failed");
    }
}

/// Tells every active admin by mail that `host` lost a verified level:
/// its content now shows "label removed", and forums with a minimum level
/// refuse its new posts.
async fn notify_admins(state: &AppState, host: &str, lost: TrustLevel) {
    tracing::warn!(
        host,
        level = lost.as_str(),
        "trust: an instance lost its verified level"
    );
    let admins = match state.domain.active_admins().await {
        Ok(admins) => admins,
        Err(error) => {
            tracing::warn!(%error, "trust: listing admins to notify failed");
            return;
        }
    };
    let link = format!("{}/admin/instances", state.domain.settings.base_url());
    for admin in admins {
        let message = crate::mail::Message::level_lost(
            crate::i18n::Lang::from_code(&admin.locale),
            &state.domain.settings,
            host,
            lost.as_str(),
            &link,
        );
        if let Err(cause) = state.domain.mailer.send(&admin.email, message).await {
            tracing::warn!(%cause, "trust: admin not notified");
        }
    }
}

/// The best attestation an instance serves that verifies (highest level,
/// then longest valid) with its JSON, or else the code of the first
/// refusal. Each refusal is logged. At most 8 are read.
async fn best_attestation(
    state: &AppState,
    host: &str,
    served: Vec<Value>,
    served_by: &Url,
    now: chrono::DateTime<Utc>,
) -> (Option<(AttestationEvidence, String)>, Option<String>) {
    let trusted = authorities(state);
    let keys: Vec<PublicMultikey> = trusted.iter().map(|(key, _)| *key).collect();
    let mut best: Option<(AttestationEvidence, String)> = None;
    let mut first_error: Option<String> = None;
    for value in served.into_iter().take(8) {
        let json = value.to_string();
        let verified = Attestation::from_value(value)
            .and_then(|a| attestation::verify(&a, &keys, served_by, now));
        match verified {
            Ok(verified) => {
                let authority = trusted
                    .iter()
                    .find(|(key, _)| *key == verified.authority)
                    .map(|(_, name)| name.clone())
                    .unwrap_or_else(|| verified.authority.to_string());
                let evidence = AttestationEvidence {
                    level: verified.trust_level,
                    organisation: verified.organisation,
                    email_domains: verified.email_domains,
                    authority,
                    valid_until: verified.valid_until.timestamp_millis(),
                };
                let better = best.as_ref().is_none_or(|(current, _)| {
                    (evidence.level, evidence.valid_until) > (current.level, current.valid_until)
                });
                if better {
                    best = Some((evidence, json));
                }
            }
            Err(error) => {
                tracing::info!(host, code = error.code(), %error, "trust: attestation refused");
                if let Err(store_error) = state
                    .domain
                    .log_trust_event(host, error.code(), &error.to_string())
                    .await
                {
                    tracing::warn!(%store_error, "trust: logging a refusal failed");
                }
                first_error.get_or_insert_with(|| error.code().to_string());
            }
        }
    }
    (best, first_error)
}

/// Reads an instance's declaration and attestations and verifies them.
async fn check(state: &AppState, host: &str, origin: &Url) -> Result<CheckOutcome, CheckError> {
    let (served_by, document) = nodeinfo(state, origin).await?;
    let trust = document
        .get("metadata")
        .and_then(|m| m.get("trust"))
        .cloned()
        .unwrap_or(Value::Null);
    let declared: Option<TrustLevel> = trust
        .get("declared")
        .and_then(Value::as_str)
        .and_then(|l| l.parse().ok());
    let declared_org = trust
        .get("organisation")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect::<String>();
    let now = state.domain.clock().now();
    let served = trust
        .get("attestations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (best, first_error) = best_attestation(state, host, served, &served_by, now).await;
    let recheck = state.domain.settings.trust.recheck_hours as i64 * 3_600_000;
    let mut next_check_at = now.timestamp_millis() + recheck;
    if let Some((evidence, _)) = &best {
        // Expiry is applied when labels are shown; the re-check then
        // picks up a renewed attestation.
        next_check_at = next_check_at.min(evidence.valid_until + 1_000);
    }
    Ok(CheckOutcome {
        declared,
        declared_org,
        attestation_error: if best.is_some() { None } else { first_error },
        attestation: best,
        next_check_at,
    })
}

/// The attestations this instance serves, read from the configured files
/// at start-up. A file that is unreadable, not an attestation or for
/// another origin stops the start with a message naming it.
pub fn load_own_attestations(settings: &crate::config::Settings) -> Result<Vec<Value>, String> {
    let own = Url::parse(&settings.base_url()).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for path in &settings.trust.attestations {
        let path = if path.is_relative() {
            settings.server.data_dir.join(path)
        } else {
            path.clone()
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("trust.attestations: cannot read {}: {e}", path.display()))?;
        let attestation = Attestation::from_json(&text)
            .map_err(|e| format!("trust.attestations: {}: {e}", path.display()))?;
        let origin = attestation::Origin::parse(&attestation.origin)
            .map_err(|e| format!("trust.attestations: {}: {}", path.display(), e.reason))?;
        if Some(&origin) != attestation::Origin::of(&own).as_ref() {
            return Err(format!(
                "trust.attestations: {} is for {origin}, not this instance ({own})",
                path.display()
            ));
        }
        let value = serde_json::from_str(&text)
            .map_err(|e| format!("trust.attestations: {}: {e}", path.display()))?;
        out.push(value);
    }
    Ok(out)
}

/// When an attestation stops being valid, as a date for messages.
pub fn format_ms(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
