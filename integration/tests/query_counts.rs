//! How many database queries a request makes, counted from sqlx's own
//! statement events (target `sqlx::query`) inside the request's span
//! (`tower_http`'s `request`, with its URI). A binary of its own: the
//! counting subscriber is the process's global one, and no other test's
//! requests run beside it.
//!
//! The read of a conversation's new lines by its page's script
//! (`GET /conversations/{id}/lines?after=ID`) makes the same number of
//! queries whatever the number of participants (no query per
//! participant), within a budget. On both engines; with `--nocapture` it
//! prints each statement and its time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use serde_json::json;
use std::sync::{Arc, Mutex, OnceLock};
use support::{client::Client, contacts::make_local_contacts, *};
use tracing::{
    field::{Field, Visit},
    span, Event, Subscriber,
};
use tracing_subscriber::{layer::Context, prelude::*, registry::LookupSpan, Layer};

/// What the page's script sends in `Accept`.
const FRAGMENT: &str = "text/html; fragment=conversation-lines";

/// The most queries the read of new lines may make: the session, the
/// participants, the conversation, the blocked participants, the lines,
/// the read marker and the header's counts (transaction control not
/// counted: see [`is_query`]).
const LINES_READ_BUDGET: usize = 7;

/// Whether a statement is a query rather than transaction control (the
/// `COMMIT` and `SET LOCAL` of a write on PostgreSQL; sqlx does not log
/// its `BEGIN`).
fn is_query(statement: &Statement) -> bool {
    !["BEGIN", "COMMIT", "ROLLBACK", "SET LOCAL"]
        .iter()
        .any(|control| statement.summary.starts_with(control))
}

/// One statement run inside a counted request.
#[derive(Debug, Clone)]
struct Statement {
    summary: String,
    seconds: f64,
}

/// The statements run so far inside requests whose URI starts with the
/// watched prefix.
#[derive(Default)]
struct Watch {
    prefix: Option<String>,
    statements: Vec<Statement>,
}

fn watch() -> &'static Arc<Mutex<Watch>> {
    static WATCH: OnceLock<Arc<Mutex<Watch>>> = OnceLock::new();
    WATCH.get_or_init(|| {
        let watch = Arc::new(Mutex::new(Watch::default()));
        tracing_subscriber::registry()
            .with(Counter(watch.clone()))
            .init();
        watch
    })
}

/// The URI of a `request` span, kept in its extensions.
struct RequestUri(String);

/// Counts sqlx's statement events inside watched requests.
struct Counter(Arc<Mutex<Watch>>);

#[derive(Default)]
struct Fields {
    uri: Option<String>,
    summary: Option<String>,
    seconds: Option<f64>,
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.seconds = Some(value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_text(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_text(field, format!("{value:?}"));
    }
}

impl Fields {
    fn record_text(&mut self, field: &Field, text: String) {
        match field.name() {
            "uri" => self.uri = Some(text),
            "db.statement" if self.summary.is_none() => self.summary = Some(text),
            "summary" => self.summary = Some(text),
            _ => {}
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Counter {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let (Some(uri), Some(span)) = (fields.uri, ctx.span(id)) {
            span.extensions_mut().insert(RequestUri(uri));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        let uri = scope
            .into_iter()
            .find_map(|span| span.extensions().get::<RequestUri>().map(|u| u.0.clone()));
        let Some(uri) = uri else { return };
        let mut watch = self.0.lock().unwrap();
        if watch
            .prefix
            .as_deref()
            .is_some_and(|prefix| uri.starts_with(prefix))
        {
            let mut fields = Fields::default();
            event.record(&mut fields);
            watch.statements.push(Statement {
                summary: fields.summary.unwrap_or_default(),
                seconds: fields.seconds.unwrap_or_default(),
            });
        }
    }
}

/// The statements of one `GET path` by `client` (with the fragment
/// `Accept`), which must answer 200.
async fn statements_of(client: &Client<'_>, path: &str) -> Vec<Statement> {
    {
        let mut watch = watch().lock().unwrap();
        watch.prefix = Some(path.to_string());
        watch.statements.clear();
    }
    let answer = client
        .send(
            client
                .build(reqwest::Method::GET, path)
                .header("Accept", FRAGMENT),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let mut watch = watch().lock().unwrap();
    watch.prefix = None;
    std::mem::take(&mut watch.statements)
}

/// The statements of reading the lines of `id` after `after`, the
/// fewest of two identical reads: a request may also record the
/// teacher's activity (at most once a minute), which is not the read's.
async fn lines_read(client: &Client<'_>, id: i64, after: i64, label: &str) -> Vec<Statement> {
    let path = format!("/conversations/{id}/lines?after={after}");
    let first = statements_of(client, &path).await;
    let second = statements_of(client, &path).await;
    for (read, statements) in [("first", &first), ("second", &second)] {
        let total: f64 = statements.iter().map(|s| s.seconds).sum();
        eprintln!(
            "{label}, {read} read: {} statements, {:.3} ms in all",
            statements.len(),
            total * 1000.0
        );
        for statement in statements.iter() {
            eprintln!(
                "  {:>8.3} ms  {}",
                statement.seconds * 1000.0,
                statement.summary
            );
        }
    }
    if second.len() < first.len() {
        second
    } else {
        first
    }
}

/// `teacher`, invited, joins conversation `id`.
async fn join(teacher: &Client<'_>, id: i64) {
    teacher
        .post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
        .await
        .expect(200);
}

/// `author` sends `body` to conversation `id` through the API; its line id.
async fn send(author: &Client<'_>, id: i64, body: &str) -> i64 {
    let sent = author
        .post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({ "body": body }),
        )
        .await
        .expect(201);
    sent["id"].as_i64().unwrap_or_else(|| panic!("{sent}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_new_lines_makes_no_query_per_participant() {
    watch();
    for engine in engines() {
        let instance = start_fast(engine, None, |_| {}).await;
        let names = ["anna", "bea", "carl", "dora", "emil", "fanny"];
        let mut teachers = Vec::new();
        for name in names {
            let teacher = Client::teacher(&instance, name, false)
                .await
                .log_in_pages(name)
                .await;
            teachers.push(teacher);
        }
        let anna = &teachers[0];
        for (other, name) in teachers.iter().zip(names).skip(1) {
            make_local_contacts(anna, other, name).await;
        }
        let created = anna
            .post(
                "/api/v1/conversations",
                json!({"name": "Conseil de classe", "participants": ["bea"]}),
            )
            .await
            .expect(201);
        let id = created["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{created}"));
        join(&teachers[1], id).await;

        // Two participants.
        let line = send(&teachers[1], id, "Bonjour").await;
        let few = lines_read(anna, id, line - 1, &format!("{engine:?}, 2 participants")).await;

        // Six participants.
        for name in &names[2..] {
            anna.post(
                &format!("/api/v1/conversations/{id}/invite"),
                json!({ "handle": name }),
            )
            .await
            .expect(200);
        }
        for teacher in &teachers[2..] {
            join(teacher, id).await;
        }
        let line = send(&teachers[1], id, "Tout le monde est là").await;
        let many = lines_read(anna, id, line - 1, &format!("{engine:?}, 6 participants")).await;

        let few: Vec<Statement> = few.into_iter().filter(is_query).collect();
        let many: Vec<Statement> = many.into_iter().filter(is_query).collect();
        assert_eq!(
            few.len(),
            many.len(),
            "{engine:?}: a query per participant\n2: {few:#?}\n6: {many:#?}"
        );
        assert!(
            many.len() <= LINES_READ_BUDGET,
            "{engine:?}: {} queries, budget {LINES_READ_BUDGET}: {many:#?}",
            many.len()
        );
        instance.stop().await;
    }
}
