//! View models shared by several pages: what a template sees of a trust
//! label, a person, a forum, a post, a project or an event, built from the
//! domain's rows. Each page module declares its own page view (a
//! `#[derive(Serialize)]` struct) out of these; [`BaseView`] is what every
//! page gets besides (language, user, CSRF token, instance).
//!
//! Field names are the template variables: renaming one changes what
//! the templates read. Forums and posts are in [`forum`], projects and
//! events in [`project`].

mod forum;
mod project;

pub use forum::{ForumPostView, ForumView, PostAuthorView};
pub use project::{AgendaEventView, ProjectLinkView, ProjectView};

use crate::{
    app::AppState,
    config::Registrations,
    domain::{
        rows::ActorRow,
        trust::{Evidence, Label, Labeller, Reason},
    },
};
use serde::Serialize;

/// A date as pages show it: `2026-03-01 14:05 UTC` (empty when out of
/// range).
pub fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The `NAME` of this instance's people, `NAME@HOST`'s `HOST` otherwise.
pub(super) fn shown_domain(actor: &ActorRow, labels: &Labeller<'_>) -> String {
    if actor.is_local() {
        labels.local_domain().to_string()
    } else {
        actor.domain.clone()
    }
}

/// An actor's name as shown: the display name, or the name when empty.
pub(super) fn shown_name(actor: &ActorRow) -> String {
    if actor.display_name.is_empty() {
        actor.name.clone()
    } else {
        actor.display_name.clone()
    }
}

/// The link of an actor's profile: the local page, or its ActivityPub id.
pub(super) fn profile_url(actor: &ActorRow) -> String {
    if actor.is_local() {
        format!("/users/{}", actor.name)
    } else {
        actor.ap_id.clone()
    }
}

/// What every page gets: language, the logged-in user, the CSRF token, the
/// request path (for the language switch) and the instance.
#[derive(Serialize)]
pub struct BaseView<'a> {
    /// `fr` or `en`.
    pub lang: &'static str,
    /// The logged-in account.
    pub user: Option<UserView<'a>>,
    /// For the hidden field of every form.
    pub csrf_token: &'a str,
    /// Path and query of the request.
    pub path: &'a str,
    /// This instance.
    pub instance: InstanceView<'a>,
    /// The header's counts, when logged in.
    pub counts: Option<CountsView>,
    /// The confirmation of the action just done, shown atop `<main>`.
    pub flash: Option<&'a str>,
}

/// The counts in the header: unread notifications, requests waiting.
#[derive(Serialize)]
pub struct CountsView {
    /// Unread notifications.
    pub unread: i64,
    /// Requests waiting on "Mes demandes".
    pub pending_requests: i64,
    /// Reports waiting in the moderators' queue; `None` hides its link.
    pub open_reports: Option<i64>,
}

/// The logged-in account in the header.
#[derive(Serialize)]
pub struct UserView<'a> {
    /// Login name.
    pub username: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Whether the admin links show.
    pub is_admin: bool,
}

/// This instance, from its settings.
#[derive(Serialize)]
pub struct InstanceView<'a> {
    /// Name.
    pub name: &'a str,
    /// Domain.
    pub domain: &'a str,
    /// Description.
    pub description: &'a str,
    /// Declared trust level.
    pub trust_level: &'static str,
    /// Organisation behind it.
    pub organisation: &'a str,
    /// `open`, `approval` or `closed`.
    pub registrations: &'static str,
    /// E-mail domains sign-up accepts (empty: any).
    pub allowed_email_domains: &'a [String],
}

impl<'a> BaseView<'a> {
    /// The base view of a page, or of a bare error page (`page` absent).
    pub fn of(
        state: &'a AppState,
        lang: crate::i18n::Lang,
        page: Option<&'a super::session::Page>,
    ) -> BaseView<'a> {
        let instance = &state.domain.settings.instance;
        BaseView {
            lang: lang.code(),
            user: page.and_then(|p| p.user.as_ref()).map(|user| UserView {
                username: &user.username,
                display_name: &user.display_name,
                is_admin: user.is_admin,
            }),
            csrf_token: page.map(|p| p.csrf_token.as_str()).unwrap_or_default(),
            path: page.map(|p| p.path.as_str()).unwrap_or("/"),
            counts: page.and_then(|p| p.counts).map(|counts| CountsView {
                unread: counts.unread,
                pending_requests: counts.pending_requests,
                open_reports: counts.open_reports,
            }),
            flash: page.and_then(|p| p.notice.as_deref()),
            instance: InstanceView {
                name: &instance.name,
                domain: &instance.domain,
                description: &instance.description,
                trust_level: instance.trust_level.as_str(),
                organisation: &instance.organisation,
                registrations: match instance.registrations {
                    Registrations::Open => "open",
                    Registrations::Approval => "approval",
                    Registrations::Closed => "closed",
                },
                allowed_email_domains: &instance.allowed_email_domains,
            },
        }
    }
}

/// The confirmation step of a destructive action ([`AppState::confirm_page`]):
/// every text already in the page's language.
#[derive(Debug, Serialize)]
pub struct ConfirmView {
    /// Heading and page title ("Supprimer ce fil ?").
    pub title: String,
    /// What will happen, named ("Le fil « … » et ses 12 réponses seront supprimés.").
    pub question: String,
    /// What it means besides, when anything (federated, cannot be undone…).
    pub detail: Option<String>,
    /// The path the form posts to.
    pub action: String,
    /// The hidden fields besides the CSRF token, as (name, value).
    pub fields: Vec<(String, String)>,
    /// The label of the destructive button.
    pub button: String,
    /// Where "Annuler" leads back to.
    pub cancel: String,
}

/// A trust label and its "why?" panel (`trust_badge.html`, `label.html`).
#[derive(Debug, Serialize)]
pub struct LabelView {
    /// The effective level.
    pub level: &'static str,
    /// What the origin declares.
    pub declared: &'static str,
    /// The origin claims more than can be verified.
    pub unverified: bool,
    /// The organisation the evidence names.
    pub organisation: String,
    /// Who verified it.
    pub verified_by: Option<String>,
    /// `own`, `attestation`, `domain_rule`, `manual` or `none`.
    pub evidence: &'static str,
    /// The authority of an attestation.
    pub authority: Option<String>,
    /// The domain rule's pattern.
    pub pattern: Option<String>,
    /// The admin of a manual entry.
    pub by: Option<String>,
    /// The note of a manual entry.
    pub note: Option<String>,
    /// The rule that decided.
    pub reason: Reason,
    /// Last check, `dd/mm/yyyy`.
    pub checked: Option<String>,
    /// A higher level was lost on this date, `dd/mm/yyyy`.
    pub removed_on: Option<String>,
    /// The host the label is about (empty for this instance).
    pub host: String,
}

impl From<&Label> for LabelView {
    fn from(label: &Label) -> LabelView {
        let date = |ms: Option<i64>| {
            ms.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| t.format("%d/%m/%Y").to_string())
        };
        let (evidence, authority, pattern, by, note) = match &label.evidence {
            Evidence::Own => ("own", None, None, None, None),
            Evidence::Attestation { authority } => {
                ("attestation", Some(authority.clone()), None, None, None)
            }
            Evidence::DomainRule { pattern } => {
                ("domain_rule", None, Some(pattern.clone()), None, None)
            }
            Evidence::Manual { by, note } => {
                ("manual", None, None, Some(by.clone()), Some(note.clone()))
            }
            Evidence::None => ("none", None, None, None, None),
        };
        LabelView {
            level: label.level.as_str(),
            declared: label.declared.as_str(),
            unverified: label.unverified_claim(),
            organisation: label.organisation.clone(),
            verified_by: label.verified_by.clone(),
            evidence,
            authority,
            pattern,
            by,
            note,
            reason: label.reason,
            checked: date(label.checked_at),
            removed_on: date(label.removed_on),
            host: label.host.clone(),
        }
    }
}

impl From<Label> for LabelView {
    fn from(label: Label) -> LabelView {
        LabelView::from(&label)
    }
}

/// A person with a link to their profile and their label.
#[derive(Serialize)]
pub struct PersonView {
    /// Actor id (forms name people by it).
    pub id: i64,
    /// Actor name.
    pub name: String,
    /// Display name, or the name.
    pub display_name: String,
    /// The instance's domain (this one's for local people).
    pub domain: String,
    /// Whether the person is of this instance.
    pub local: bool,
    /// Profile link.
    pub url: String,
    /// Their label.
    pub trust: LabelView,
}

impl PersonView {
    /// The view of an actor.
    pub fn of(actor: &ActorRow, labels: &Labeller<'_>) -> PersonView {
        PersonView {
            id: actor.id.0,
            name: actor.name.clone(),
            display_name: shown_name(actor),
            domain: shown_domain(actor, labels),
            local: actor.is_local(),
            url: profile_url(actor),
            trust: labels
                .person(&actor.domain, actor.email_domain.as_deref())
                .into(),
        }
    }
}

/// The author of project content (threads, documents, events).
#[derive(Serialize)]
pub struct AuthorView {
    /// Actor id.
    pub id: i64,
    /// Actor name.
    pub name: String,
    /// Display name, or the name.
    pub display_name: String,
    /// The instance's domain (this one's for local people).
    pub domain: String,
    /// Profile link.
    pub url: String,
    /// Their label.
    pub trust: LabelView,
}

impl AuthorView {
    /// The view of an actor.
    pub fn of(actor: &ActorRow, labels: &Labeller<'_>) -> AuthorView {
        AuthorView {
            id: actor.id.0,
            name: actor.name.clone(),
            display_name: shown_name(actor),
            domain: shown_domain(actor, labels),
            url: profile_url(actor),
            trust: labels
                .person(&actor.domain, actor.email_domain.as_deref())
                .into(),
        }
    }
}

/// A school level box of a form, checked or not.
#[derive(Serialize)]
pub struct LevelChoice {
    /// Level code.
    pub code: &'static str,
    /// Whether the form has it.
    pub checked: bool,
}

impl LevelChoice {
    /// Every school level, checked when `chosen` has it.
    pub fn all(chosen: &[String]) -> Vec<LevelChoice> {
        crate::domain::profile::SCHOOL_LEVELS
            .iter()
            .map(|code| LevelChoice {
                code,
                checked: chosen.iter().any(|l| l == code),
            })
            .collect()
    }
}

/// A link with its text (the "back" link of a message page).
#[derive(Serialize)]
pub struct LinkView {
    /// Target.
    pub href: String,
    /// Text.
    pub label: String,
}

/// A message page (`message.html`): a heading, paragraphs, maybe a link.
#[derive(Serialize)]
pub struct MessagePage {
    /// Heading.
    pub heading: String,
    /// Paragraphs.
    pub paragraphs: Vec<String>,
    /// A link under them.
    pub link: Option<LinkView>,
    /// The "send a new link" form, for this address.
    pub resend: Option<ResendView>,
}

/// The address a new verification link would go to.
#[derive(Serialize)]
pub struct ResendView {
    /// The address.
    pub email: String,
}

/// The error page (`error.html`).
#[derive(Serialize)]
pub struct ErrorPage<'a> {
    /// The translated message.
    pub message: String,
    /// The stable code.
    pub code: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;
    use preau_federation::TrustLevel;

    fn attr(value: &Value, name: &str) -> String {
        value.get_attr(name).unwrap().to_string()
    }

    #[test]
    fn a_label_shows_its_evidence_and_dates_for_the_why_panel() {
        let label = Label {
            level: TrustLevel::Associative,
            declared: TrustLevel::Institutional,
            organisation: "Profs de SVT".into(),
            evidence: Evidence::Manual {
                by: "admin".into(),
                note: "vu en réunion".into(),
            },
            reason: Reason::NoEvidence,
            verified_by: Some("admin".into()),
            checked_at: Some(1_767_225_600_000),
            removed_on: None,
            host: "svt.example".into(),
        };
        let view = Value::from_serialize(LabelView::from(&label));
        assert_eq!(attr(&view, "level"), "associative");
        assert_eq!(attr(&view, "declared"), "institutional");
        assert!(view.get_attr("unverified").unwrap().is_true());
        assert_eq!(attr(&view, "evidence"), "manual");
        assert_eq!(attr(&view, "by"), "admin");
        assert_eq!(attr(&view, "note"), "vu en réunion");
        assert_eq!(attr(&view, "reason"), "no_evidence");
        assert_eq!(attr(&view, "checked"), "01/01/2026");
        assert!(view.get_attr("removed_on").unwrap().is_none());
        assert!(view.get_attr("authority").unwrap().is_none());
        assert_eq!(attr(&view, "host"), "svt.example");
    }

    #[test]
    fn level_choices_check_the_chosen_levels_only() {
        let choices = LevelChoice::all(&["lycee".to_string()]);
        assert_eq!(choices.len(), crate::domain::profile::SCHOOL_LEVELS.len());
        let checked: Vec<&str> = choices
            .iter()
            .filter(|c| c.checked)
            .map(|c| c.code)
            .collect();
        assert_eq!(checked, ["lycee"]);
    }
}
