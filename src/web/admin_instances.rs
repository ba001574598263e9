//! The admin page "Instances": every known remote instance with what it
//! declares, the label this instance gives it and why, its evidence and
//! last check, the ceiling that applies, a manual entry to set or clear,
//! and "check again now"; then the latest refusals.

use super::session::{CsrfForm, Page};
use super::views::LabelView;
use crate::extract::WebPath;
use crate::{app::AppState, domain::trust::Evidence, error::AppError};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::Serialize;

/// `admin_instances.html`: the known instances, the latest refusals, and
/// the manual entry of a refused form.
#[derive(Serialize)]
struct InstancesPage<'a> {
    instances: Vec<InstanceItem<'a>>,
    events: Vec<EventItem<'a>>,
    error: Option<String>,
    typed: Option<TypedView<'a>>,
    authorities: Vec<String>,
}

/// One known instance, with its evidence and label.
#[derive(Serialize)]
struct InstanceItem<'a> {
    host: &'a str,
    declared: Option<&'static str>,
    declared_org: &'a str,
    label: LabelView,
    attestation: Option<AttestationView<'a>>,
    attestation_error: Option<&'a str>,
    checked: Option<String>,
    next_check: Option<String>,
    ceiling: Option<CeilingView<'a>>,
    manual: Option<ManualView<'a>>,
    from_rule: bool,
}

/// A valid attestation of an instance.
#[derive(Serialize)]
struct AttestationView<'a> {
    level: &'static str,
    authority: &'a str,
    until: Option<String>,
}

/// The configured ceiling that applies to a host.
#[derive(Serialize)]
struct CeilingView<'a> {
    pattern: &'a str,
    level: &'static str,
}

/// An admin's manual entry.
#[derive(Serialize)]
struct ManualView<'a> {
    level: &'static str,
    note: &'a str,
    by: &'a str,
    at: Option<String>,
}

/// A refusal met while checking an instance.
#[derive(Serialize)]
struct EventItem<'a> {
    host: &'a str,
    at: Option<String>,
    code: &'a str,
    detail: &'a str,
}

/// What an admin typed in a refused manual entry form.
#[derive(Serialize)]
struct TypedView<'a> {
    host: &'a str,
    level: &'a str,
    note: &'a str,
    field: &'static str,
}

fn refuse_non_admin(state: &AppState, page: &Page) -> Option<Response> {
    super::admin::refuse_non_admin_to(state, page, "%2Fadmin%2Finstances")
}

fn date(ms: Option<i64>) -> Option<String> {
    ms.and_then(crate::dates::iso_utc)
}

async fn instances_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    instances_page_with(state, page, status, error, None).await
}

/// The manual entry an admin typed for one host, shown again in that
/// host's form when it was refused.
struct TypedEntry<'a> {
    host: &'a str,
    form: &'a ManualForm,
    field: &'static str,
}

async fn instances_page_with(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
    typed: Option<TypedEntry<'_>>,
) -> Response {
    let Some(admin) = &page.user else {
        return state.error_page(page, AppError::new(StatusCode::FORBIDDEN, "forbidden"));
    };
    let ((rows, events), labels) = match (
        state.domain.instances_for_admin(admin).await,
        state.domain.labeller().await,
    ) {
        (Ok(found), Ok(labels)) => (found, labels),
        (Err(error), _) | (_, Err(error)) => return state.error_page(page, error),
    };
    let settings = &state.domain.settings.trust;
    let instances = rows
        .iter()
        .map(|row| {
            let host = &row.evidence.host;
            let label = labels.instance(host);
            let ceiling = settings.ceilings.iter().find(|rule| rule.matches(host));
            InstanceItem {
                host,
                declared: row.evidence.declared.map(|l| l.as_str()),
                declared_org: &row.evidence.declared_org,
                label: LabelView::from(&label),
                attestation: row.evidence.attestation.as_ref().map(|a| AttestationView {
                    level: a.level.as_str(),
                    authority: &a.authority,
                    until: date(Some(a.valid_until)),
                }),
                attestation_error: row.evidence.attestation_error.as_deref(),
                checked: date(row.evidence.checked_at),
                next_check: date(Some(row.next_check_at)),
                ceiling: ceiling.map(|c| CeilingView {
                    pattern: &c.pattern,
                    level: c.level.as_str(),
                }),
                manual: row.evidence.manual.as_ref().map(|m| ManualView {
                    level: m.level.as_str(),
                    note: &m.note,
                    by: &m.by,
                    at: date(Some(m.at)),
                }),
                from_rule: matches!(label.evidence, Evidence::DomainRule { .. }),
            }
        })
        .collect();
    let events = events
        .iter()
        .map(|event| EventItem {
            host: &event.host,
            at: date(Some(event.at)),
            code: &event.code,
            detail: &event.detail,
        })
        .collect();
    state.render_status(
        status,
        page,
        "admin_instances.html",
        &InstancesPage {
            instances,
            events,
            error,
            typed: typed.map(|typed| TypedView {
                host: typed.host,
                level: &typed.form.level,
                note: &typed.form.note,
                field: typed.field,
            }),
            authorities: settings
                .authorities
                .iter()
                .map(|a| a.name.clone())
                .collect(),
        },
    )
}

/// `GET /admin/instances`.
pub async fn show_instances(State(state): State<AppState>, page: Page) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    instances_page(&state, &page, StatusCode::OK, None).await
}

/// The "check again now" form carries only its CSRF field.
#[derive(serde::Deserialize)]
pub struct RecheckForm {}

/// `POST /admin/instances/{host}/recheck`: checks at once and shows the
/// outcome.
pub async fn recheck(
    State(state): State<AppState>,
    page: Page,
    WebPath(host): WebPath<String>,
    CsrfForm(_): CsrfForm<RecheckForm>,
) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    let Some(admin) = &page.user else {
        return crate::web::redirect::to("/login");
    };
    let row = match state.domain.instance_for_admin(admin, &host).await {
        Ok(row) => row,
        Err(error) => return state.error_page(&page, error),
    };
    crate::apub::trust::check_and_store(&state, &host, &row.origin).await;
    super::notice::redirect(
        "/admin/instances",
        super::notice::Notice::with("instance-rechecked", host),
    )
}

/// The manual entry form: a level (or `none` to clear) and a note.
#[derive(serde::Deserialize)]
pub struct ManualForm {
    level: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/instances/{host}/manual`: sets or clears an admin's entry
/// (associative or institutional, with a note saying why).
pub async fn set_manual(
    State(state): State<AppState>,
    page: Page,
    WebPath(host): WebPath<String>,
    CsrfForm(form): CsrfForm<ManualForm>,
) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let error = match state
        .domain
        .set_manual_trust(&user, &host, &form.level, &form.note)
        .await
    {
        Ok(()) => {
            return super::notice::redirect(
                "/admin/instances",
                super::notice::Notice::with("instance-decision-saved", host),
            );
        }
        Err(error) => error,
    };
    // A refused field shows the host's form again, filled in; anything
    // else (an unknown host has no form) gets the error page.
    let field = match super::error_field(&error).as_deref() {
        Some("note") => "note",
        Some("level") => "level",
        _ => return state.error_page(&page, error),
    };
    let error = AppError::from(error);
    let message = state.error_message(page.lang, &error);
    let typed = TypedEntry {
        host: &host,
        form: &form,
        field,
    };
    instances_page_with(&state, &page, error.status, Some(message), Some(typed)).await
}
