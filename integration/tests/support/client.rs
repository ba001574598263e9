//! One test client for the scenarios: a teacher (or a stranger) on one
//! instance, calling the JSON API with a Bearer token and the pages with a
//! session cookie and the CSRF token of each form, so a scenario reads as
//! the feature: sign up, log in, create a forum, post, reply, read JSON,
//! submit a form, expect a refusal with its status and code.

use super::TestInstance;
use serde_json::{json, Value};

/// The password every test account uses.
pub const PASSWORD: &str = "une phrase de passe solide";

/// An answer: its status and body (`json` is `Null` when the body is
/// empty or not JSON).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub location: Option<String>,
    /// The `Content-Type` header (empty when there is none).
    pub content_type: String,
    /// Every header of the answer (`Set-Cookie`, `Retry-After`…).
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Answer {
        Answer::read_body(response, false).await
    }

    /// Reads an answer; a body that cannot be read fails the test unless
    /// `lenient` (then it reads as empty).
    async fn read_body(response: reqwest::Response, lenient: bool) -> Answer {
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let location = header(reqwest::header::LOCATION);
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
        let headers = response.headers().clone();
        // Pages and JSON both carry catalog text; scenarios compare it with
        // plain spaces (see `plain_spaces`).
        let text = match response.text().await {
            Ok(text) => super::plain_spaces(&text),
            Err(_) if lenient => String::new(),
            Err(error) => panic!("answer body: {error}"),
        };
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            text,
            location,
            content_type,
            headers,
        }
    }

    /// The stable error code (empty when there is none).
    pub fn code(&self) -> String {
        self.error().1
    }

    /// The status and the error code (empty when there is none).
    pub fn error(&self) -> (u16, String) {
        let code = self.json["error"]["code"].as_str().unwrap_or_default();
        (self.status, code.to_string())
    }

    /// Asserts the status and returns the JSON body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        self.json
    }

    /// Asserts a refusal: its status and its stable error code.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.json["error"]["code"], code, "{}", self.text);
    }
}

/// Someone using one instance: anonymous, or logged in (a Bearer token
/// for the API, a session cookie for the pages once [`Client::log_in_pages`]
/// ran).
pub struct Client<'a> {
    /// The instance relative paths go to (`None`: full URLs only).
    pub instance: Option<&'a TestInstance>,
    http: reqwest::Client,
    token: Option<String>,
    language: Option<&'static str>,
}

impl<'a> Client<'a> {
    /// Nobody logged in.
    pub fn anonymous(instance: &'a TestInstance) -> Client<'a> {
        Client {
            instance: Some(instance),
            ..Client::stranger()
        }
    }

    /// Nobody logged in, and no cookie jar: the cookies sent are the
    /// `Cookie` headers the caller sets.
    pub fn cookieless(instance: &'a TestInstance) -> Client<'a> {
        Client {
            http: super::api_client(),
            ..Client::anonymous(instance)
        }
    }

    /// Nobody logged in, on no instance in particular: full URLs only.
    pub fn stranger() -> Client<'static> {
        Client {
            instance: None,
            http: super::browser(),
            token: None,
            language: None,
        }
    }

    /// A teacher account `name` (e-mail `name@example.org`, verified),
    /// created by the instance's admin tools, logged in to the API.
    pub async fn teacher(instance: &'a TestInstance, name: &str, admin: bool) -> Client<'a> {
        instance
            .running
            .state
            .domain
            .admin_create_account(preau::domain::accounts::AdminCreateInput {
                username: name.into(),
                email: format!("{name}@example.org"),
                password: PASSWORD.into(),
                is_admin: admin,
            })
            .await
            .expect("account created");
        Client::log_in(instance, name).await
    }

    /// Logs `name` in to the API (`POST /api/v1/sessions`).
    pub async fn log_in(instance: &'a TestInstance, name: &str) -> Client<'a> {
        let mut client = Client::anonymous(instance);
        let session = client
            .post(
                "/api/v1/sessions",
                json!({"login": name, "password": PASSWORD}),
            )
            .await
            .expect(201);
        client.token = Some(session["token"].as_str().expect("session token").into());
        client
    }

    /// Signs up through the API (`POST /api/v1/accounts`), charter
    /// accepted; returns the answer.
    pub async fn sign_up(&self, name: &str, email: &str) -> Answer {
        self.post(
            "/api/v1/accounts",
            json!({"username": name, "email": email, "password": PASSWORD, "accept_charter": true}),
        )
        .await
    }

    /// Logs `name` in to the pages too (the log-in form): the session
    /// cookie is kept for later page requests and form submissions.
    pub async fn log_in_pages(self, name: &str) -> Client<'a> {
        let answer = self
            .submit(
                "/login",
                "/login",
                &[("login", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(answer.status, 303, "log-in of {name}: {}", answer.text);
        self
    }

    /// Sends `Accept-Language: language` with every request.
    pub fn speaking(mut self, language: &'static str) -> Client<'a> {
        self.language = Some(language);
        self
    }

    /// The API token (panics for an anonymous client).
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("a logged-in client")
    }

    /// The underlying HTTP client (cookies kept), for what the client does
    /// not cover.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = match self.instance {
            _ if path.starts_with("http") => path.to_string(),
            Some(instance) => instance.url(path),
            None => panic!("{path}: a relative path needs an instance"),
        };
        let mut request = self.http.request(method, url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(language) = self.language {
            request = request.header("Accept-Language", language);
        }
        request
    }

    /// Sends a request built here (with the token and language set).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        Client::dispatch(request).await
    }

    /// Sends the request `build` makes, again when the connection fails
    /// before an answer: a server that refuses an oversize body answers
    /// before reading it all and closes the connection, and a client still
    /// sending may then see it reset (a race of the sockets, not of the
    /// server). At most 10 attempts; a server that never answers fails
    /// the test. A body that cannot be read reads as empty.
    pub async fn send_retried(&self, build: impl Fn() -> reqwest::RequestBuilder) -> Answer {
        let mut last_error = None;
        for _ in 0..10 {
            match build().send().await {
                Ok(response) => return Answer::read_body(response, true).await,
                Err(error) if error.is_request() || error.is_connect() => last_error = Some(error),
                Err(error) => panic!("{error}"),
            }
        }
        panic!("no answer after 10 attempts: {last_error:?}")
    }

    /// Sends a request built by [`Client::build`] from anywhere: it holds
    /// no borrow, so a spawned task can send it.
    pub async fn dispatch(request: reqwest::RequestBuilder) -> Answer {
        Answer::read(request.send().await.expect("request sent")).await
    }

    /// A request to `path` (or a full URL), to finish and [`Client::send`].
    pub fn build(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.request(method, path)
    }

    /// GET `path` (or a full URL).
    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    /// GET `path` expecting 200 and JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.expect(200)
    }

    /// GET `path` as ActivityPub JSON.
    pub async fn get_activity(&self, path: &str) -> Answer {
        self.send(
            self.request(reqwest::Method::GET, path)
                .header("Accept", "application/activity+json"),
        )
        .await
    }

    /// The text of the page at `path`.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text
    }

    /// The text of the page at `path` in `language` (`Accept-Language`).
    pub async fn page_in(&self, language: &str, path: &str) -> String {
        let request = self
            .request(reqwest::Method::GET, path)
            .header("Accept-Language", language);
        self.send(request).await.text
    }

    /// A JSON call with any method.
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// POST JSON to `path`.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Submits a form of the page `page` (its CSRF token read from it) to
    /// `action`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let token = super::csrf_token(&self.page(page).await);
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.send(self.request(reqwest::Method::POST, action).form(&form))
            .await
    }

    /// POSTs a form to `path` as it is (the caller gives the CSRF token).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.send(self.request(reqwest::Method::POST, path).form(fields))
            .await
    }

    /// Uploads `bytes` as the file `file_name` through the multipart form
    /// of the page `page` (its CSRF token read from it) to `action`; as a
    /// new version of the document version `version_of` when given.
    pub async fn upload(
        &self,
        page: &str,
        action: &str,
        file_name: &str,
        bytes: &[u8],
        version_of: Option<i64>,
    ) -> Answer {
        let token = super::csrf_token(&self.page(page).await);
        let boundary = "preau-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        let mut text_field = |name: &str, value: &str| {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        };
        text_field("csrf_token", &token);
        if let Some(id) = version_of {
            text_field("version_of", &id.to_string());
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .request(reqwest::Method::POST, action)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }

    /// Creates the forum `name` (API), expecting 201.
    pub async fn create_forum(&self, name: &str, title: &str) -> Value {
        self.post("/api/v1/forums", json!({"name": name, "title": title}))
            .await
            .expect(201)
    }

    /// Follows a forum by handle (`!name@domain`), expecting 202.
    pub async fn follow_forum(&self, handle: &str) {
        self.post("/api/v1/forums/follow", json!({"handle": handle}))
            .await
            .expect(202);
    }

    /// Opens a thread in the forum at `forum_path` (`name` or
    /// `name@domain`), expecting 201; returns it.
    pub async fn post_thread(&self, forum_path: &str, title: &str, body: &str) -> Value {
        self.post(
            &format!("/api/v1/forums/{forum_path}/threads"),
            json!({"title": title, "body": body}),
        )
        .await
        .expect(201)
    }

    /// Replies to the thread `thread_id`, expecting 201; returns the reply.
    pub async fn reply(&self, thread_id: i64, body: &str) -> Value {
        self.post(
            &format!("/api/v1/threads/{thread_id}/replies"),
            json!({"body": body}),
        )
        .await
        .expect(201)
    }
}
