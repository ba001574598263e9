//! How a teacher wants to hear of each kind of notification: on the site
//! only, by e-mail at once, in the digest, or not at all; and how often
//! the digest comes.

use super::{Domain, DomainResult, Refusal};
use crate::domain::store::accounts::AccountRow;

/// How notifications of one kind reach a teacher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// On the site only.
    Site,
    /// On the site and by e-mail at once.
    Mail,
    /// On the site and in the next digest.
    Digest,
    /// Not at all: no notification is written.
    Off,
}

impl Delivery {
    /// All of them, in the order pages show them.
    pub const ALL: [Delivery; 4] = [
        Delivery::Mail,
        Delivery::Digest,
        Delivery::Site,
        Delivery::Off,
    ];

    /// The stable name stored and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Site => "site",
            Delivery::Mail => "mail",
            Delivery::Digest => "digest",
            Delivery::Off => "off",
        }
    }

    /// The delivery named `name`.
    pub fn parse(name: &str) -> Option<Delivery> {
        Delivery::ALL
            .into_iter()
            .find(|delivery| delivery.as_str() == name)
    }
}

/// Every notification kind with its default delivery. The one list of
/// kinds for preferences; when `NotificationKind` (an enum) exists, this
/// becomes its `ALL` with a `default_delivery()` method.
///
/// Defaults: what is addressed to the teacher personally or waits for
/// their decision comes by mail at once (a reply, a mention, an
/// invitation, a contact request, a join request, a report to moderate, a
/// sign-up to approve, the answer to one's sign-up, one's post removed or
/// refused); news of one's projects and the answer to a contact request
/// come in the digest.
pub const KINDS: [(&str, Delivery); 18] = [
    ("reply", Delivery::Mail),
    ("mention", Delivery::Mail),
    ("invitation", Delivery::Mail),
    ("contact_request", Delivery::Mail),
    ("contact_accepted", Delivery::Digest),
    ("contact_refused", Delivery::Digest),
    ("join_request", Delivery::Mail),
    ("new_member", Delivery::Digest),
    ("new_event", Delivery::Digest),
    ("new_document", Delivery::Digest),
    ("report", Delivery::Mail),
    ("signup_pending", Delivery::Mail),
    ("signup_approved", Delivery::Mail),
    ("post_removed", Delivery::Mail),
    ("post_refused", Delivery::Mail),
    ("conversation_invitation", Delivery::Mail),
    ("conversation_removed", Delivery::Mail),
    ("conversation_refused", Delivery::Mail),
];

/// The default delivery of `kind` (an unknown kind: on the site only).
pub fn default_delivery(kind: &str) -> Delivery {
    KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map_or(Delivery::Site, |(_, delivery)| *delivery)
}

/// How often the digest comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestFrequency {
    /// Once a day (the default).
    Daily,
    /// Once a week.
    Weekly,
    /// Never: items set to "digest" stay on the site only.
    None,
}

impl DigestFrequency {
    /// All of them.
    pub const ALL: [DigestFrequency; 3] = [
        DigestFrequency::Daily,
        DigestFrequency::Weekly,
        DigestFrequency::None,
    ];

    /// The stable name stored and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestFrequency::Daily => "daily",
            DigestFrequency::Weekly => "weekly",
            DigestFrequency::None => "none",
        }
    }

    /// The frequency named `name`.
    pub fn parse(name: &str) -> Option<DigestFrequency> {
        DigestFrequency::ALL
            .into_iter()
            .find(|frequency| frequency.as_str() == name)
    }
}

/// A teacher's notification settings, every kind included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSettings {
    /// Each kind of [`KINDS`], in that order, with its delivery.
    pub kinds: Vec<(&'static str, Delivery)>,
    /// The digest's frequency.
    pub digest: DigestFrequency,
}

/// A change of settings: the kinds named change, the others stay.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    /// `(kind, delivery)` pairs, by name.
    pub kinds: Vec<(String, String)>,
    /// The digest frequency, by name.
    pub digest: Option<String>,
}

/// Most kinds one change may name (more than there are kinds is a
/// mistake or an attack).
const MAX_CHANGED: usize = 64;

impl Domain {
    /// `account`'s notification settings, defaults filled in.
    pub async fn notification_settings(
        &self,
        account: &AccountRow,
    ) -> DomainResult<NotificationSettings> {
        let (stored, frequency) = self.store.notification_settings(account.id).await?;
        let kinds = KINDS
            .iter()
            .map(|(kind, default)| {
                let chosen = stored
                    .iter()
                    .find(|(name, _)| name == kind)
                    .and_then(|(_, delivery)| Delivery::parse(delivery))
                    .unwrap_or(*default);
                (*kind, chosen)
            })
            .collect();
        Ok(NotificationSettings {
            kinds,
            digest: frequency
                .as_deref()
                .and_then(DigestFrequency::parse)
                .unwrap_or(DigestFrequency::Daily),
        })
    }

    /// Changes `account`'s settings: every kind and delivery named must be
    /// known, or nothing changes. Answers the settings now in force.
    pub async fn set_notification_settings(
        &self,
        account: &AccountRow,
        change: &SettingsChange,
    ) -> DomainResult<NotificationSettings> {
        if change.kinds.len() > MAX_CHANGED {
            return Err(Refusal::TooManyItems("kinds".into()).into());
        }
        let mut kinds: Vec<(&str, &str)> = Vec::with_capacity(change.kinds.len());
        for (kind, delivery) in &change.kinds {
            let Some((known, _)) = KINDS.iter().find(|(name, _)| name == kind) else {
                return Err(Refusal::UnknownNotificationKind(kind.clone()).into());
            };
            let Some(delivery) = Delivery::parse(delivery) else {
                return Err(Refusal::InvalidChoice(kind.clone()).into());
            };
            kinds.push((known, delivery.as_str()));
        }
        let digest = match change.digest.as_deref() {
            None => None,
            Some(name) => Some(
                DigestFrequency::parse(name)
                    .ok_or_else(|| Refusal::InvalidChoice("digest".into()))?
                    .as_str(),
            ),
        };
        self.store
            .set_notification_settings(account.id, &kinds, digest)
            .await?;
        self.notification_settings(account).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_kinds_are_unique() {
        for delivery in Delivery::ALL {
            assert_eq!(Delivery::parse(delivery.as_str()), Some(delivery));
        }
        for frequency in DigestFrequency::ALL {
            assert_eq!(DigestFrequency::parse(frequency.as_str()), Some(frequency));
        }
        let mut names: Vec<&str> = KINDS.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        assert_eq!(default_delivery("reply"), Delivery::Mail);
        assert_eq!(default_delivery("new_event"), Delivery::Digest);
        // One entry for every kind of notification, and no other.
        for kind in crate::domain::notifications::NotificationKind::ALL {
            assert!(
                names.contains(&kind.as_str()),
                "{} has no setting",
                kind.as_str()
            );
        }
        assert_eq!(
            KINDS.len(),
            crate::domain::notifications::NotificationKind::ALL.len()
        );
        assert_eq!(default_delivery("unknown"), Delivery::Site);
        // No kind is off by default: "off" is only ever a stored choice,
        // which `insert_notification` relies on.
        assert!(KINDS.iter().all(|(_, delivery)| *delivery != Delivery::Off));
    }
}
