//! The notifications page (`/notifications`): a teacher's notifications
//! grouped by day, newest first, a page at a time; each links to its
//! object through `/notifications/{id}/open` (which marks it read), and
//! plain forms mark one or all read, without JavaScript.

use super::{
    projects::{login_redirect, refusal},
    session::{CsrfForm, Page},
    views::{date, PersonView},
};
use crate::{
    app::AppState,
    domain::{
        notifications::{MarkRead, Notification, NOTIFICATIONS_PER_PAGE},
        trust::Labeller,
    },
    error::AppError,
    extract::{WebPath, WebQuery},
};
use axum::{extract::State, response::Response};
use serde::{Deserialize, Serialize};

/// `notifications.html`.
#[derive(Serialize)]
struct NotificationsPage {
    /// Unread in all.
    unread: i64,
    /// This page's notifications by day, newest day first.
    days: Vec<DayView>,
    /// The page number.
    page: i64,
    /// The previous page, if any.
    previous_page: Option<i64>,
    /// The next page, if any.
    next_page: Option<i64>,
}

/// One day of notifications.
#[derive(Serialize)]
struct DayView {
    /// `today`, `yesterday` or `date`.
    label: &'static str,
    /// The day's first moment seen ([`date`]'s form), when `label` is
    /// `date`.
    date: String,
    /// Its notifications, newest first.
    items: Vec<NotificationView>,
}

/// One notification as the page shows it. Its sentence is the catalog
/// message `notification-<kind>` with `$actor`, `$title` and `$detail`.
#[derive(Serialize)]
struct NotificationView {
    id: i64,
    /// `reply`, …: the catalog message is `notification-<kind>`.
    kind: String,
    /// Who caused it (`None` for what no one did, such as an approval).
    actor: Option<PersonView>,
    /// The actor's name for the sentence.
    actor_name: String,
    /// What the object is called (a thread title…).
    title: String,
    /// A reason or an answer, when there is one.
    detail: String,
    /// The start of the object.
    excerpt: String,
    /// `/notifications/{id}/open`: marks it read, then leads to the object.
    open: String,
    /// When.
    when: String,
    /// `HH:MM`.
    time: String,
    /// Whether it is unread.
    unread: bool,
}

impl NotificationView {
    /// The one place that reads a domain notification: adapting to a new
    /// shape of [`Notification`] is a change here.
    fn of(notification: &Notification, labels: &Labeller<'_>) -> NotificationView {
        let [(_, actor_name), (_, title), (_, detail)] = notification.text_args();
        NotificationView {
            id: notification.id,
            kind: notification.kind.as_str().to_string(),
            actor_name,
            actor: notification.actor.as_ref().map(|actor| {
                let mut person = PersonView::of(actor, labels);
                // An applicant has no public page until approved (and none
                // once refused): the admin's list of sign-ups is where they are.
                if notification.kind
                    == crate::domain::notifications::NotificationKind::SignupPending
                {
                    person.url = "/admin".into();
                }
                person
            }),
            title,
            detail,
            excerpt: notification.excerpt.clone(),
            open: format!("/notifications/{}/open", notification.id),
            when: date(notification.created_at),
            time: date(notification.created_at),
            unread: notification.read_at.is_none(),
        }
    }
}

/// Groups notifications (newest first) by day in the reader's zone,
/// relative to `now`.
fn by_day(
    items: Vec<NotificationView>,
    created: &[i64],
    now: i64,
    zone: chrono_tz::Tz,
) -> Vec<DayView> {
    use chrono::Datelike;
    let day_of = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| i64::from(t.with_timezone(&zone).date_naive().num_days_from_ce()))
            .unwrap_or_default()
    };
    let today = day_of(now);
    let mut days: Vec<(i64, DayView)> = Vec::new();
    for (item, at) in items.into_iter().zip(created) {
        let day = day_of(*at);
        if days.last().map(|(d, _)| *d) != Some(day) {
            let label = match today - day {
                0 => "today",
                1 => "yesterday",
                _ => "date",
            };
            let date = date(*at);
            days.push((
                day,
                DayView {
                    label,
                    date,
                    items: Vec::new(),
                },
            ));
        }
        if let Some((_, view)) = days.last_mut() {
            view.items.push(item);
        }
    }
    days.into_iter().map(|(_, view)| view).collect()
}

/// Query of the notifications page.
#[derive(Deserialize)]
pub struct NotificationsQuery {
    page: Option<String>,
}

/// Parses a `page` parameter: absent is 1; anything but a number is
/// refused with `invalid_page`.
pub(super) fn page_number(page: Option<&str>) -> Result<i64, AppError> {
    match page.map(str::trim) {
        None | Some("") => Ok(1),
        Some(text) => text.parse().map_err(|_| {
            AppError::from(crate::domain::DomainError::Refused(
                crate::domain::Refusal::InvalidPage("page".into()),
            ))
        }),
    }
}

/// `GET /notifications?page=N`.
pub async fn show_notifications(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<NotificationsQuery>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&page.path);
    };
    let number = match page_number(query.page.as_deref()) {
        Ok(number) => number,
        Err(error) => return refusal(&state, &page, error),
    };
    let (found, labels) = match tokio::try_join!(
        state.domain.notifications_for(user, number),
        state.domain.labeller()
    ) {
        Ok(found) => found,
        Err(error) => return refusal(&state, &page, error),
    };
    let created: Vec<i64> = found.items.iter().map(|n| n.created_at).collect();
    let items = found
        .items
        .iter()
        .map(|n| NotificationView::of(n, &labels))
        .collect();
    let full = found.items.len() as i64 == NOTIFICATIONS_PER_PAGE;
    let view = NotificationsPage {
        unread: found.unread,
        days: by_day(
            items,
            &created,
            state.domain.clock().now_ms(),
            page.time_zone,
        ),
        page: number,
        previous_page: (number > 1).then_some(number - 1),
        next_page: full.then_some(number + 1),
    };
    state.render(&page, "notifications.html", &view)
}

/// The "mark as read" forms: one notification (`id`) or all (`all`).
#[derive(Deserialize)]
pub struct MarkReadForm {
    id: Option<i64>,
    all: Option<String>,
    /// The page to go back to.
    page: Option<i64>,
}

/// `POST /notifications/read`: marks one or all read, then back to the
/// page with a confirmation.
pub async fn submit_mark_read(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<MarkReadForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/notifications");
    };
    let (which, done) = match (form.all.is_some(), form.id) {
        (true, _) => (MarkRead::All, "notifications-read-all"),
        (false, Some(id)) => (MarkRead::Ids(vec![id]), "notifications-read-one"),
        (false, None) => (MarkRead::Ids(Vec::new()), "notifications-read-one"),
    };
    if let Err(error) = state.domain.mark_notifications_read(user, &which).await {
        return refusal(&state, &page, error);
    }
    let back = form.page.filter(|p| *p > 1).unwrap_or(1);
    let target = if back > 1 {
        format!("/notifications?page={back}")
    } else {
        "/notifications".to_string()
    };
    crate::web::notice::redirect(&target, crate::web::notice::Notice::new(done))
}

/// `GET /notifications/{id}/open`: marks the notification read and leads
/// to its object.
pub async fn open_notification(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&page.path);
    };
    match state.domain.open_notification(user, id).await {
        Ok(link) => crate::web::redirect::to(&link),
        Err(error) => refusal(&state, &page, error),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const DAY_MS: i64 = 24 * 3600 * 1000;

    fn item(id: i64) -> NotificationView {
        NotificationView {
            id,
            kind: "reply".into(),
            actor: None,
            actor_name: String::new(),
            title: String::new(),
            detail: String::new(),
            excerpt: String::new(),
            open: String::new(),
            when: String::new(),
            time: String::new(),
            unread: true,
        }
    }

    #[test]
    fn notifications_are_grouped_by_day_today_yesterday_then_dates() {
        // 2026-03-10 12:00 UTC.
        let now = 1_773_144_000_000;
        let created = [now - 1000, now - 3_600_000, now - DAY_MS, now - 3 * DAY_MS];
        let days = by_day((1..=4).map(item).collect(), &created, now, chrono_tz::UTC);
        let labels: Vec<_> = days.iter().map(|d| (d.label, d.items.len())).collect();
        assert_eq!(labels, [("today", 2), ("yesterday", 1), ("date", 1)]);
        assert_eq!(days[2].date, "2026-03-07T12:00:00Z");
        // 23:00 UTC on the 9th is yesterday in UTC, but 10:00 on the
        // 10th, today, in Nouméa (UTC+11).
        let evening = [now - 13 * 3_600_000];
        let days = by_day(vec![item(1)], &evening, now, chrono_tz::UTC);
        assert_eq!(days[0].label, "yesterday");
        let days = by_day(vec![item(1)], &evening, now, chrono_tz::Pacific::Noumea);
        assert_eq!(days[0].label, "today");
    }

    #[test]
    fn a_page_number_is_a_number() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        assert_eq!(page_number(Some("x")).unwrap_err().code, "invalid_page");
    }
}
