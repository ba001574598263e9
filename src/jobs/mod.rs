//! Background work: delivery of outgoing activities ([`delivery`]),
//! idle teachers shown away (presence), and hourly removal of expired
//! sessions, e-mail tokens and old rows of the notification mail queue.

pub mod delivery;

use crate::domain::Domain;
use std::time::Duration;

/// Starts the maintenance loop; abort the handle to stop it.
pub fn spawn_maintenance(domain: Domain) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(3600));
        loop {
            interval.tick().await;
            match domain.purge_expired().await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired sessions and tokens removed"),
                Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
            }
            match domain.purge_mail_queue().await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "old notification mail rows removed"),
                Err(error) => tracing::warn!(%error, "purging the mail queue failed"),
            }
        }
    })
}

/// Sends notification mails (at once, then the digests due) and list
/// mails (mailing-list mode), every 30 seconds.
pub fn spawn_notification_mail(domain: Domain) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(30));
        loop {
            interval.tick().await;
            if let Err(error) = domain.send_notification_mails().await {
                tracing::warn!(%error, "sending notification mails failed");
            }
            if let Err(error) = domain.send_due_digests().await {
                tracing::warn!(%error, "sending digests failed");
            }
            if let Err(error) = domain.send_list_mails().await {
                tracing::warn!(%error, "sending list mails failed");
            }
        }
    })
}

/// Re-checks the trust evidence of remote instances when it is due (every
/// `trust.recheck_hours`, when an attestation expires, an hour after a
/// failed check), a few at a time, once a minute.
pub fn spawn_trust_checks(state: crate::app::AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(60));
        loop {
            interval.tick().await;
            let due = match state.domain.instances_due_for_check(20).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "reading instances due for a trust check failed");
                    continue;
                }
            };
            for instance in due {
                crate::apub::trust::check_and_store(
                    &state,
                    &instance.evidence.host,
                    &instance.origin,
                )
                .await;
            }
        }
    })
}

/// Shows teachers idle longer than `accounts.presence_idle_minutes` as
/// away (their contacts told once, see
/// [`Domain::mark_idle_teachers`]), every 30 seconds: a local read, never
/// a poll of other servers.
pub fn spawn_presence_upkeep(domain: Domain) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(30));
        loop {
            interval.tick().await;
            if let Err(error) = domain.mark_idle_teachers().await {
                tracing::warn!(%error, "marking idle teachers away failed");
            }
        }
    })
}
