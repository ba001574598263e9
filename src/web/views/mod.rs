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
pub mod mention_links;
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

/// A moment as a view carries it: ISO 8601 UTC (`2027-01-12T17:00:00Z`;
/// empty when out of range). Templates write it with the `when` filter,
/// in the page's language and the reader's zone ([`when_filter`]).
pub fn date(ms: i64) -> String {
    crate::dates::iso_utc(ms).unwrap_or_default()
}

/// The language and zone of the page being rendered, read from the
/// template's context (`lang`, `time_zone` of [`BaseView`]).
fn lang_and_zone(state: &minijinja::State) -> (crate::i18n::Lang, chrono_tz::Tz) {
    let lang = state
        .lookup("lang")
        .and_then(|value| value.as_str().map(crate::i18n::Lang::from_code))
        .unwrap_or(crate::i18n::Lang::Fr);
    let zone = state
        .lookup("time_zone")
        .and_then(|value| value.as_str().and_then(crate::dates::parse_zone))
        .unwrap_or(chrono_tz::UTC);
    (lang, zone)
}

/// `{{ moment|when }}`: a moment of a view ([`date`]'s ISO form, or unix
/// ms) written as people write it, in the page's language and the
/// reader's zone, inside `<time datetime="…">`. `when("day")` writes the
/// day alone, `when("hour")` the hour alone, `when("text")` the date and
/// hour without markup (inside an `<option>`). Empty for an empty or
/// unreadable value. A second argument writes it in another zone
/// (`when(none, event.time_zone)`).
pub fn when_filter(
    state: &minijinja::State,
    value: minijinja::Value,
    form: Option<&str>,
    zone: Option<&str>,
) -> minijinja::Value {
    let ms = match value.as_str() {
        Some(text) => crate::dates::parse_iso(text),
        None => i64::try_from(value).ok(),
    };
    let Some(ms) = ms else {
        return minijinja::Value::from("");
    };
    let (lang, reader_zone) = lang_and_zone(state);
    let zone = zone
        .and_then(crate::dates::parse_zone)
        .unwrap_or(reader_zone);
    let text = match form {
        Some("day") => crate::dates::day_only_text(ms, lang, zone),
        Some("hour") => crate::dates::hour_only_text(ms, lang, zone),
        Some("text") => {
            return minijinja::Value::from(
                crate::dates::date_time_text(ms, lang, zone).unwrap_or_default(),
            )
        }
        _ => crate::dates::date_time_text(ms, lang, zone),
    };
    minijinja::Value::from_safe_string(
        text.map(|text| crate::dates::time_element(ms, &text))
            .unwrap_or_default(),
    )
}

/// `{{ zone|zone_place }}`: an IANA zone as people name it, in the
/// page's language (`Paris`, `La Réunion`); `{{ zone|zone_place("after") }}`
/// the form that follows "heure" in French (`de Paris`, `du Caire`).
/// Without a zone, the reader's.
pub fn zone_place_filter(
    state: &minijinja::State,
    zone: Option<&str>,
    form: Option<&str>,
) -> String {
    let (lang, reader_zone) = lang_and_zone(state);
    let zone = zone
        .filter(|zone| !zone.trim().is_empty())
        .unwrap_or(reader_zone.name());
    match form {
        Some("after") => crate::time_zone_names::zone_place_after(zone, lang),
        _ => crate::time_zone_names::zone_place(zone, lang),
    }
}

/// `{{ starts|same_day(ends) }}`: whether two moments of a view (ISO form
/// or unix ms) fall on the same day in the reader's zone, so that an
/// event is written "le mar. 12 janv. 2027, de 18 h à 19 h 30".
pub fn same_day_filter(
    state: &minijinja::State,
    first: minijinja::Value,
    second: minijinja::Value,
) -> bool {
    let moment = |value: &minijinja::Value| match value.as_str() {
        Some(text) => crate::dates::parse_iso(text),
        None => i64::try_from(value.clone()).ok(),
    };
    let (_, zone) = lang_and_zone(state);
    match (moment(&first), moment(&second)) {
        (Some(first), Some(second)) => crate::dates::same_local_day(first, second, zone),
        _ => false,
    }
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

/// The link of an actor's profile: always a page of this instance
/// (`/users/NAME`, or `/@NAME@HOST` for a person of another instance).
pub fn profile_url(actor: &ActorRow) -> String {
    person_page(&actor.name, &actor.domain, actor.is_local())
}

/// The page here of a person: `/users/NAME` for a local one, `/@NAME@HOST`
/// for one of another instance (escaped for the path).
pub fn person_page(name: &str, domain: &str, local: bool) -> String {
    if local {
        format!("/users/{}", path_escape(name))
    } else {
        format!("/@{}@{}", path_escape(name), path_escape(domain))
    }
}

/// Escapes what a path segment may not hold; letters, digits, `-._~` and
/// the `:` of a port stay as they are.
fn path_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            escaped.push(char::from(byte));
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
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
    /// The IANA zone dates are written in (the `when` filter).
    pub time_zone: &'static str,
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
    /// Unread messages and invitations to conversations; `None` hides
    /// the "Messages" link (messaging off, or not for this account).
    pub messages: Option<i64>,
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
    /// The status they chose: `available`, `away` or `busy`.
    pub presence: &'static str,
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
                presence: page.and_then(|p| p.presence).unwrap_or("available"),
            }),
            csrf_token: page.map(|p| p.csrf_token.as_str()).unwrap_or_default(),
            path: page.map(|p| p.path.as_str()).unwrap_or("/"),
            counts: page.and_then(|p| p.counts).map(|counts| CountsView {
                unread: counts.unread,
                pending_requests: counts.pending_requests,
                open_reports: counts.open_reports,
                messages: counts.messages,
            }),
            flash: page.and_then(|p| p.notice.as_deref()),
            time_zone: page
                .map(|p| p.time_zone)
                .unwrap_or_else(|| instance.time_zone())
                .name(),
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

impl ConfirmView {
    /// The confirmation step `key` of the catalogs, in `lang`:
    /// `confirm-<key>-title`, `confirm-<key>-question`,
    /// `confirm-<key>-button` and, when the catalogs have it,
    /// `confirm-<key>-detail`, each given `$name`. No hidden field besides
    /// the CSRF token; add them with [`ConfirmView::field`].
    pub fn from_catalog(
        lang: crate::i18n::Lang,
        key: &str,
        name: &str,
        action: String,
        cancel: String,
    ) -> ConfirmView {
        let catalogs = crate::i18n::Catalogs::get();
        let text =
            |part: &str| catalogs.format(lang, &format!("confirm-{key}-{part}"), &[("name", name)]);
        let detail_key = format!("confirm-{key}-detail");
        ConfirmView {
            title: text("title"),
            question: text("question"),
            detail: catalogs.has(lang, &detail_key).then(|| text("detail")),
            action,
            fields: Vec::new(),
            button: text("button"),
            cancel,
        }
    }

    /// The view with one more hidden field.
    pub fn field(mut self, name: &str, value: &str) -> ConfirmView {
        self.fields.push((name.to_string(), value.to_string()));
        self
    }
}

/// A trust label and its "why?" panel (`trust_badge.html`, `label.html`).
/// The panel says who claims what, what this instance could check and
/// how, and what the level engages; it never names an account.
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
    /// The organisation the origin names itself (a claim).
    pub declared_org: String,
    /// The authority whose attestation the label rests on, for the label
    /// itself ("vérifié par …").
    pub verified_by: Option<String>,
    /// The label rests on a decision of this instance's administrators
    /// (named as such, never by an account).
    pub verified_by_admins: bool,
    /// `own`, `attestation`, `domain_rule`, `manual` or `none`.
    pub evidence: &'static str,
    /// The level the evidence alone gives.
    pub evidence_level: &'static str,
    /// The authority of an attestation.
    pub authority: String,
    /// The end of an attestation's validity, `dd/mm/yyyy`.
    pub until: String,
    /// The domain rule's pattern.
    pub pattern: String,
    /// The note of a manual entry.
    pub note: String,
    /// The date of a manual entry, `dd/mm/yyyy`.
    pub decided: String,
    /// The rule that decided.
    pub reason: Reason,
    /// Last check ([`date`]'s form; pages show the day).
    pub checked: Option<String>,
    /// A higher level was lost on this date ([`date`]'s form).
    pub removed_on: Option<String>,
    /// The host the label is about (empty for this instance).
    pub host: String,
    /// The name of this instance (whose administrators decide).
    pub here: String,
}

impl From<&Label> for LabelView {
    fn from(label: &Label) -> LabelView {
        let date = |ms: Option<i64>| ms.and_then(crate::dates::iso_utc);
        let mut view = LabelView {
            level: label.level.as_str(),
            declared: label.declared.as_str(),
            unverified: label.unverified_claim(),
            organisation: label.organisation.clone(),
            declared_org: label.declared_org.clone(),
            verified_by: None,
            verified_by_admins: false,
            evidence: "none",
            evidence_level: label.evidence_level.as_str(),
            authority: String::new(),
            until: String::new(),
            pattern: String::new(),
            note: String::new(),
            decided: String::new(),
            reason: label.reason,
            checked: date(label.checked_at),
            removed_on: date(label.removed_on),
            host: label.host.clone(),
            here: label.here.clone(),
        };
        let verified = label.verified_by.is_some();
        match &label.evidence {
            Evidence::Own => view.evidence = "own",
            Evidence::Attestation {
                authority,
                valid_until,
            } => {
                view.evidence = "attestation";
                view.authority = authority.clone();
                view.until = date(Some(*valid_until)).unwrap_or_default();
                view.verified_by = verified.then(|| authority.clone());
            }
            Evidence::DomainRule { pattern } => {
                view.evidence = "domain_rule";
                view.pattern = pattern.clone();
            }
            Evidence::Manual { note, at, .. } => {
                view.evidence = "manual";
                view.note = note.clone();
                view.decided = date(Some(*at)).unwrap_or_default();
                view.verified_by_admins = verified;
            }
            Evidence::None => {}
        }
        view
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
    /// The stable code: in a `data-error-code` attribute for support, not
    /// shown as text.
    pub code: &'a str,
    /// The HTTP status, which picks the advice on where to go next.
    pub status: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;
    use preau_federation::TrustLevel;

    fn attr(value: &Value, name: &str) -> String {
        value.get_attr(name).unwrap().to_string()
    }

    fn label(level: TrustLevel, declared: TrustLevel, evidence: Evidence, reason: Reason) -> Label {
        Label {
            level,
            declared,
            organisation: String::new(),
            declared_org: "Profs de SVT".into(),
            verified_by: None,
            evidence,
            evidence_level: level,
            reason,
            checked_at: Some(1_767_225_600_000),
            removed_on: None,
            host: "svt.example".into(),
            here: "Préau de test".into(),
        }
    }

    const ACCOUNT: &str = "mdupont_admin";

    fn manual(note: &str) -> Evidence {
        Evidence::Manual {
            by: ACCOUNT.into(),
            note: note.into(),
            at: 1_767_312_000_000,
        }
    }

    fn attestation() -> Evidence {
        Evidence::Attestation {
            authority: "Ministère (test)".into(),
            valid_until: 1_798_761_600_000,
        }
    }

    #[test]
    fn a_label_shows_its_evidence_and_dates_for_the_why_panel() {
        let mut label = label(
            TrustLevel::Associative,
            TrustLevel::Institutional,
            manual("vu en réunion"),
            Reason::NoEvidence,
        );
        label.organisation = "Profs de SVT".into();
        label.verified_by = Some(ACCOUNT.into());
        let view = Value::from_serialize(LabelView::from(&label));
        assert_eq!(attr(&view, "level"), "associative");
        assert_eq!(attr(&view, "declared"), "institutional");
        assert!(view.get_attr("unverified").unwrap().is_true());
        assert_eq!(attr(&view, "evidence"), "manual");
        assert!(
            view.get_attr("by").unwrap().is_undefined(),
            "no account name"
        );
        assert!(view.get_attr("verified_by").unwrap().is_none());
        assert!(view.get_attr("verified_by_admins").unwrap().is_true());
        assert_eq!(attr(&view, "note"), "vu en réunion");
        assert_eq!(attr(&view, "decided"), "2026-01-02T00:00:00Z");
        assert_eq!(attr(&view, "reason"), "no_evidence");
        assert_eq!(attr(&view, "checked"), "2026-01-01T00:00:00Z");
        assert!(view.get_attr("removed_on").unwrap().is_none());
        assert_eq!(attr(&view, "authority"), "");
        assert_eq!(attr(&view, "host"), "svt.example");
        assert_eq!(attr(&view, "here"), "Préau de test");
    }

    /// The label and its "pourquoi ?" panel as a page shows them, tags
    /// removed: (label, claim, check, meaning).
    fn render(label: &Label, lang: &str) -> [String; 4] {
        let env = crate::web::build_templates().unwrap();
        let html = env
            .get_template("label.html")
            .unwrap()
            .render(minijinja::context! { lang => lang, label => LabelView::from(label) })
            .unwrap()
            .replace("&#x2f;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let part = |class: &str| {
            let start = html
                .find(&format!("class=\"{class}\""))
                .unwrap_or_else(|| panic!("{class} missing from {html}"));
            let text = &html[start..];
            let text = &text[text.find('>').unwrap() + 1..];
            plain(&text[..text.find("</p>").unwrap_or(text.len())])
        };
        [
            plain(&html[..html.find("<details").unwrap()]),
            part("trust-why-claim"),
            part("trust-why-check"),
            part("trust-why-means"),
        ]
    }

    /// Text without its tags, white space collapsed.
    fn plain(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_evidence_and_reason_has_a_plain_panel_naming_no_account() {
        use TrustLevel::*;
        let mut removed = label(Informal, Institutional, Evidence::None, Reason::NoEvidence);
        removed.removed_on = Some(1_767_398_400_000);
        let mut attested = label(Associative, Associative, attestation(), Reason::Evidence);
        attested.verified_by = Some("Ministère (test)".into());
        let mut decided = label(
            Associative,
            Associative,
            manual("convention signée"),
            Reason::Evidence,
        );
        decided.verified_by = Some(ACCOUNT.into());
        let mut declared_manual = label(Informal, Informal, manual("salon"), Reason::Declared);
        declared_manual.evidence_level = Associative;
        let mut own = label(Institutional, Institutional, Evidence::Own, Reason::Own);
        own.host = String::new();
        let mut own_person = own.clone();
        own_person.level = Informal;
        own_person.reason = Reason::PersonDomain;
        // (case, label, words its "check" paragraph must hold in French)
        let cases: Vec<(&str, Label, &[&str])> = vec![
            ("own", own, &["configuration"]),
            (
                "own, person domain",
                own_person,
                &["adresse électronique vérifiée"],
            ),
            (
                "attestation",
                attested,
                &[
                    "Ministère (test)",
                    "ven. 1er janv. 2027",
                    "jeu. 1er janv. 2026",
                    "Préau de test",
                ],
            ),
            (
                "domain rule",
                label(
                    Institutional,
                    Institutional,
                    Evidence::DomainRule {
                        pattern: "*.ac-rennes.fr".into(),
                    },
                    Reason::Evidence,
                ),
                &["administrateurs de Préau de test", "*.ac-rennes.fr"],
            ),
            (
                "manual entry",
                decided,
                &[
                    "administrateurs de Préau de test",
                    "ven. 2 janv. 2026",
                    "convention signée",
                ],
            ),
            (
                "manual entry without a note",
                label(Associative, Associative, manual(""), Reason::Evidence),
                &["administrateurs de Préau de test", "ven. 2 janv. 2026"],
            ),
            (
                "informal manual entry",
                label(Informal, Informal, Evidence::None, Reason::Evidence),
                &["rien de plus à vérifier"],
            ),
            (
                "declared",
                label(Associative, Associative, attestation(), Reason::Declared),
                &["Ministère (test)", "jamais plus que ce qu’elle déclare"],
            ),
            (
                "ceiling",
                label(Associative, Institutional, attestation(), Reason::Ceiling),
                &["Ministère (test)", "limitent à ce niveau", "svt.example"],
            ),
            (
                "ceiling to informal",
                label(Informal, Institutional, Evidence::None, Reason::Ceiling),
                &["limitent à ce niveau"],
            ),
            (
                "unverified claim",
                label(Informal, Institutional, Evidence::None, Reason::NoEvidence),
                &["n’a pas pu le vérifier"],
            ),
            (
                "nothing claimed",
                label(Informal, Informal, Evidence::None, Reason::NoEvidence),
                &["rien de plus à vérifier"],
            ),
            (
                "person domain",
                label(Informal, Institutional, attestation(), Reason::PersonDomain),
                &["Ministère (test)", "adresse électronique vérifiée"],
            ),
            (
                "removed",
                removed,
                &["n’a pas pu le vérifier", "retiré le sam. 3 janv. 2026"],
            ),
        ];
        for (case, label, words) in cases {
            for lang in ["fr", "en"] {
                let [pill, claim, check, means] = render(&label, lang);
                let all = format!("{pill} | {claim} | {check} | {means}");
                for part in [&claim, &check, &means] {
                    assert!(
                        !part.is_empty(),
                        "{case} ({lang}): an empty paragraph: {all}"
                    );
                }
                for bad in [
                    ACCOUNT,
                    "ci-dessous",
                    "below",
                    "trust-",
                    "{",
                    "none",
                    "None",
                ] {
                    assert!(!all.contains(bad), "{case} ({lang}): {bad:?} in {all}");
                }
                if lang == "fr" {
                    for word in words {
                        assert!(
                            check.contains(word),
                            "{case}: {word:?} missing from {check:?}"
                        );
                    }
                }
            }
            let [pill, claim, ..] = render(&label, "fr");
            if label.evidence == Evidence::Own {
                assert_eq!(claim, "Publié ici, sur Préau de test.", "{case}");
            } else {
                assert!(
                    claim.contains("svt.example se présente comme"),
                    "{case}: {claim}"
                );
                assert!(claim.contains("« Profs de SVT »"), "{case}: {claim}");
            }
            if matches!(label.evidence, Evidence::Manual { .. }) && label.verified_by.is_some() {
                assert!(
                    pill.ends_with("· vérifié par les administrateurs de Préau de test"),
                    "{case}: {pill}"
                );
            }
        }
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
