//! Response types shared by several API resources: the trust label, the
//! error body, the account and the profile. Each is the wire shape of docs/api.md, built from a domain
//! value at the edge, and described in the OpenAPI document
//! (`GET /api/v1/openapi.json`, see [`super::openapi`]).

use crate::domain::{
    accounts::SignupReceipt,
    rows::{AccountRow, AccountStatus, ActorRow, ProfileRow},
    trust::{Evidence, Label, Labeller, Reason},
};
use preau_federation::trust::TrustLevel;
use serde::Serialize;
use utoipa::ToSchema;

/// A trust level, from the lowest to the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Statements bind only their author.
    Informal,
    /// An association's instance.
    Associative,
    /// An academy's node where every account has a verified academic address.
    Institutional,
}

impl From<TrustLevel> for Level {
    fn from(level: TrustLevel) -> Level {
        match level {
            TrustLevel::Informal => Level::Informal,
            TrustLevel::Associative => Level::Associative,
            TrustLevel::Institutional => Level::Institutional,
        }
    }
}

/// What a label's level rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceView {
    /// An author of this instance: its configured level.
    Own,
    /// An attestation signed by an authority this instance trusts.
    Attestation {
        /// The authority's configured name.
        authority: String,
    },
    /// A domain rule of this instance's configuration.
    DomainRule {
        /// The matching pattern, such as `*.ac-rennes.fr`.
        pattern: String,
    },
    /// A decision of this instance's administrators. Which admin made it
    /// is kept for the admin pages: a reader is told the instance vouches,
    /// never an account's name.
    Manual {
        /// Why.
        note: String,
        /// When the decision was made (RFC 3339, seconds).
        decided_at: Option<String>,
    },
    /// Nothing that holds.
    None,
}

impl From<&Evidence> for EvidenceView {
    fn from(evidence: &Evidence) -> EvidenceView {
        match evidence {
            Evidence::Own => EvidenceView::Own,
            Evidence::Attestation { authority, .. } => EvidenceView::Attestation {
                authority: authority.clone(),
            },
            Evidence::DomainRule { pattern } => EvidenceView::DomainRule {
                pattern: pattern.clone(),
            },
            Evidence::Manual { note, at, .. } => EvidenceView::Manual {
                note: note.clone(),
                decided_at: rfc3339_seconds(*at),
            },
            Evidence::None => EvidenceView::None,
        }
    }
}

/// The rule that decided a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonView {
    /// An author of this instance.
    Own,
    /// The evidence named in the label.
    Evidence,
    /// The instance declares less than its evidence would allow.
    Declared,
    /// This instance caps that domain.
    Ceiling,
    /// No evidence holds.
    NoEvidence,
    /// The author's verified e-mail domain is not one the evidence allows.
    PersonDomain,
}

impl From<Reason> for ReasonView {
    fn from(reason: Reason) -> ReasonView {
        match reason {
            Reason::Own => ReasonView::Own,
            Reason::Evidence => ReasonView::Evidence,
            Reason::Declared => ReasonView::Declared,
            Reason::Ceiling => ReasonView::Ceiling,
            Reason::NoEvidence => ReasonView::NoEvidence,
            Reason::PersonDomain => ReasonView::PersonDomain,
        }
    }
}

/// The trust label of an author, a forum, a project or an instance, as this
/// instance verifies it at the time of the request (docs/api.md, "The
/// trust object").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trust {
    /// The effective level: show this one.
    pub level: Level,
    /// The level the origin declares: a claim.
    pub declared: Level,
    /// `false` when no evidence holds or the origin claims more than its
    /// evidence verifies.
    pub verified: bool,
    /// The organisation the label names, if any.
    pub organisation: Option<String>,
    /// The authority that verified it, if any (`null` for this
    /// instance's own rules and its administrators' decisions).
    pub verified_by: Option<String>,
    /// What the level rests on.
    pub evidence: EvidenceView,
    /// The rule that decided.
    pub reason: ReasonView,
    /// When this instance last checked the origin (RFC 3339, seconds).
    pub checked_at: Option<String>,
    /// When the origin lost a higher level it held (RFC 3339).
    pub removed_on: Option<String>,
}

fn rfc3339_seconds(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl From<&Label> for Trust {
    fn from(label: &Label) -> Trust {
        Trust {
            level: label.level.into(),
            declared: label.declared.into(),
            verified: !label.unverified_claim() && label.evidence != Evidence::None
                || label.evidence == Evidence::Own,
            organisation: Some(label.organisation.clone()).filter(|o| !o.is_empty()),
            verified_by: match label.evidence {
                Evidence::Attestation { .. } => label.verified_by.clone(),
                _ => None,
            },
            evidence: (&label.evidence).into(),
            reason: label.reason.into(),
            checked_at: label.checked_at.and_then(rfc3339_seconds),
            removed_on: label.removed_on.and_then(rfc3339_seconds),
        }
    }
}

impl From<Label> for Trust {
    fn from(label: Label) -> Trust {
        Trust::from(&label)
    }
}

/// A time as RFC 3339 with milliseconds, as most API fields carry it.
pub fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

/// A person (a teacher of this instance or of another) as a project's
/// members, invitations, contacts and events show them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Person {
    /// The local actor id: what `POST /projects/{name}/members/{id}` and
    /// event attendees take.
    pub id: i64,
    /// `name@domain`.
    pub handle: String,
    /// The display name.
    pub display_name: String,
    /// The ActivityPub id.
    pub actor_id: String,
    /// Whether the person has an account on this instance.
    pub local: bool,
    /// The person's label, as this instance verifies it.
    pub trust: Trust,
}

impl Person {
    /// The view of `actor`, labelled by `labels`.
    pub fn new(actor: &ActorRow, labels: &Labeller<'_>) -> Person {
        let domain = if actor.is_local() {
            labels.local_domain()
        } else {
            actor.domain.as_str()
        };
        Person {
            id: actor.id.0,
            handle: format!("{}@{}", actor.name, domain),
            display_name: actor.display_name.clone(),
            actor_id: actor.ap_id.clone(),
            local: actor.is_local(),
            trust: labels
                .person(&actor.domain, actor.email_domain.as_deref())
                .into(),
        }
    }
}

/// The private view of an account, for its owner and admins (docs/api.md,
/// "The account object").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    /// The login name, also the local part of the handle.
    pub username: String,
    /// The display name.
    pub display_name: String,
    /// The e-mail address.
    pub email: String,
    /// The domain of the e-mail address.
    pub email_domain: String,
    /// `pending_verification`, `pending_approval`, `active`, `suspended`
    /// or `refused`.
    pub status: String,
    /// Whether the account administers the instance.
    pub is_admin: bool,
    /// The language of the e-mails the account receives (`fr` or `en`).
    pub locale: String,
    /// The ActivityPub id of the account's person.
    pub actor_id: String,
    /// When the account was created (RFC 3339).
    pub created_at: Option<String>,
    /// When the e-mail address was verified (RFC 3339).
    pub email_verified_at: Option<String>,
    /// The latest log-in (RFC 3339).
    pub last_login_at: Option<String>,
    /// Why an admin refused the sign-up (status `refused`).
    pub refusal_reason: Option<String>,
    /// When it was refused (RFC 3339).
    pub refused_at: Option<String>,
}

impl Account {
    /// The view of `account`; `base_url` builds its actor id.
    pub fn new(account: &AccountRow, base_url: &str) -> Account {
        Account {
            username: account.username.clone(),
            display_name: account.display_name.clone(),
            email: account.email.clone(),
            email_domain: account.email_domain.clone(),
            status: account.status.as_str().to_string(),
            is_admin: account.is_admin,
            locale: account.locale.clone(),
            actor_id: crate::urls::person(base_url, &account.username),
            created_at: rfc3339(account.created_at),
            email_verified_at: account.email_verified_at.and_then(rfc3339),
            last_login_at: account.last_login_at.and_then(rfc3339),
            refusal_reason: account.refusal_reason.clone(),
            refused_at: account.refused_at.and_then(rfc3339),
        }
    }

    /// The account a sign-up asked for, in the same shape: the same whether
    /// the address was new or already had an account.
    pub fn from_receipt(receipt: &SignupReceipt, base_url: &str) -> Account {
        Account {
            username: receipt.username.clone(),
            display_name: receipt.display_name.clone(),
            email: receipt.email.clone(),
            email_domain: receipt.email_domain.clone(),
            status: AccountStatus::PendingVerification.as_str().to_string(),
            is_admin: false,
            locale: receipt.locale.clone(),
            actor_id: crate::urls::person(base_url, &receipt.username),
            created_at: rfc3339(receipt.created_at),
            email_verified_at: None,
            last_login_at: None,
            refusal_reason: None,
            refused_at: None,
        }
    }
}

/// An answer holding one account.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountResponse {
    /// The account.
    pub account: Account,
}

/// The public view of a teacher, local or remote (docs/api.md, "The
/// profile object").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Profile {
    /// `name@domain`.
    pub handle: String,
    /// The name on the teacher's instance.
    pub username: String,
    /// The teacher's instance.
    pub domain: String,
    /// Whether the teacher has an account on this instance.
    pub local: bool,
    /// The ActivityPub id.
    pub actor_id: String,
    /// The display name, plain text.
    pub display_name: String,
    /// The biography, sanitised HTML.
    pub bio_html: String,
    /// Subjects taught.
    pub subjects: Vec<String>,
    /// School level codes.
    pub school_levels: Vec<String>,
    /// Language tags.
    pub languages: Vec<String>,
    /// The academy.
    pub academy: String,
    /// The school, when given.
    pub school: String,
    /// Interests.
    pub interests: Vec<String>,
    /// The person's label, as this instance verifies it now.
    pub trust: Trust,
}

impl Profile {
    /// The view of `actor` and its `profile`, labelled by `labels`.
    pub fn new(actor: &ActorRow, profile: &ProfileRow, labels: &Labeller<'_>) -> Profile {
        let domain = if actor.domain.is_empty() {
            labels.local_domain()
        } else {
            actor.domain.as_str()
        };
        Profile {
            handle: format!("{}@{}", actor.name, domain),
            username: actor.name.clone(),
            domain: domain.to_string(),
            local: actor.domain.is_empty(),
            actor_id: actor.ap_id.clone(),
            display_name: actor.display_name.clone(),
            bio_html: actor.summary_html.clone(),
            subjects: profile.subjects.clone(),
            school_levels: profile.school_levels.clone(),
            languages: profile.languages.clone(),
            academy: profile.academy.clone(),
            school: profile.school.clone(),
            interests: profile.interests.clone(),
            trust: labels
                .person(&actor.domain, actor.email_domain.as_deref())
                .into(),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// An error: program against `code` and `detail`, never `message`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The stable snake_case code (the list ends docs/api.md).
    pub code: String,
    /// The English message, for people.
    pub message: String,
    /// The field or parameter at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trust::own_label;

    /// The typed trust object of a local author is the one docs/api.md
    /// shows ("The trust object").
    #[test]
    fn trust_matches_the_documented_shape() {
        let label = own_label(TrustLevel::Associative, "Les profs de SVT");
        let typed = serde_json::to_value(Trust::from(&label)).unwrap();
        assert_eq!(
            typed,
            serde_json::json!({
                "level": "associative",
                "declared": "associative",
                "verified": true,
                "organisation": "Les profs de SVT",
                "verified_by": null,
                "evidence": {"kind": "own"},
                "reason": "own",
                "checked_at": null,
                "removed_on": null,
            })
        );
    }
}
