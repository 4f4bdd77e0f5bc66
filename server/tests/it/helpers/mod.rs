//! Test harness: a real app on 127.0.0.1:0 with a fresh in-memory SurrealDB (the
//! real schema), and a small HTTP client that keeps its own session cookie.

pub mod process;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::Value;
use server::settings::Settings;
use server::Application;

pub struct TestApp {
    pub base: String,
    pub state: app::state::AppState,
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::for_tests();
    settings.demo = true;
    // uploads are parsed in the real child process, as the server does
    settings.import_exe = Some(env!("CARGO_BIN_EXE_bpc").into());
    configure(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp { base, state }
}

/// A second app server on the database of `first` (as several servers share one
/// SurrealDB): its own hub, sockets and HTTP port.
pub async fn spawn_second(first: &TestApp) -> TestApp {
    let mut settings = Settings::for_tests();
    settings.demo = true;
    let app = Application::build_on(settings, Some((*first.state.db).clone()))
        .await
        .expect("second app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp { base, state }
}

/// The demo company, as `--demo` loads it.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub const PASSWORD: &str = server::demo::DEMO_PASSWORD;

pub struct Client {
    pub base: String,
    http: reqwest::Client,
    cookie: Option<String>,
    pub last_set_cookie: Vec<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The `AppError` kind, e.g. `forbidden`, or `None` on success.
    pub fn error_kind(&self) -> Option<&str> {
        if self.status.is_success() {
            None
        } else {
            self.body.get("kind").and_then(Value::as_str)
        }
    }
    pub fn error_code(&self) -> Option<&str> {
        self.body.get("code").and_then(Value::as_str)
    }
    pub fn error_field(&self) -> Option<&str> {
        self.body.get("field").and_then(Value::as_str)
    }
}

impl TestApp {
    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookie: None,
            last_set_cookie: Vec::new(),
        }
    }

    pub async fn signed_in(&self, login: &str) -> Client {
        let mut c = self.client();
        let r = c
            .call("login", &[("login", login), ("password", PASSWORD)])
            .await;
        assert!(
            r.status.is_success(),
            "login {login}: {} {}",
            r.status,
            r.body
        );
        c
    }

    /// The id of a user by login, read straight from the database.
    pub async fn user_id(&self, login: &str) -> String {
        let mut resp = self
            .state
            .db
            .query("SELECT VALUE record::id(id) FROM user WHERE login = $l")
            .bind(("l", login.to_string()))
            .await
            .expect("query");
        let ids: Vec<String> = resp.take(0).expect("ids");
        ids.into_iter().next().expect("user exists")
    }
}

impl Client {
    /// Calls a server function (`/api/<endpoint>`) with a url-encoded body.
    pub async fn call(&mut self, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        let resp = req.send().await.expect("request");
        self.last_set_cookie = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for c in &self.last_set_cookie {
            if let Some(rest) = c.strip_prefix("bpc_session=") {
                let value = rest.split(';').next().unwrap_or_default();
                self.cookie = (!value.is_empty()).then(|| format!("bpc_session={value}"));
            }
        }
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    /// Sends any bytes to a path with any method and content type (or none): what
    /// a hostile client can do. `None` when the connection broke without an answer.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: Option<&[u8]>,
        body: Vec<u8>,
    ) -> Option<Reply> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("accept", "application/json")
            .body(body);
        if let Some(ct) = content_type {
            let value = reqwest::header::HeaderValue::from_bytes(ct).ok()?;
            req = req.header(reqwest::header::CONTENT_TYPE, value);
        }
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        let resp = req.send().await.ok()?;
        let status = resp.status();
        let text = resp.text().await.ok()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Some(Reply { status, body })
    }

    /// The session cookie, for a websocket handshake.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.clone()
    }

    /// Posts a multipart form (text fields and files) to a server function.
    pub async fn multipart(&mut self, endpoint: &str, form: reqwest::multipart::Form) -> Reply {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .multipart(form);
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let mut req = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html");
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (status, resp.text().await.unwrap_or_default())
    }

    /// A GET whose answer is a file.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header(COOKIE, c.clone());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        (
            status,
            resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
        )
    }
}

impl TestApp {
    /// The number of rows in every table but the session store and the failed
    /// sign-ins (a refused login is counted there on purpose): what a refused
    /// request must leave as it was.
    pub async fn row_counts(&self) -> std::collections::BTreeMap<String, i64> {
        let mut info = self
            .state
            .db
            .query("RETURN object::keys((INFO FOR DB).tables)")
            .await
            .expect("info");
        let tables: Vec<String> = info.take(0).expect("table names");
        let tables = tables
            .into_iter()
            .filter(|t| t != "session" && t != "login_attempt");
        // one round trip: a count statement per table
        let tables: Vec<String> = tables.collect();
        let sql: String = tables
            .iter()
            .map(|t| format!("RETURN count(SELECT id FROM `{t}`);"))
            .collect();
        let mut r = self.state.db.query(sql).await.expect("counts");
        let mut counts = std::collections::BTreeMap::new();
        for (i, t) in tables.into_iter().enumerate() {
            let n: Option<i64> = r.take(i).unwrap_or_else(|e| panic!("count of {t}: {e}"));
            counts.insert(t, n.unwrap_or(0));
        }
        assert!(
            counts.get("user").is_some_and(|n| *n > 0),
            "row counts read nothing: {counts:?}"
        );
        counts
    }

    /// A user as the services see them, by login.
    pub async fn user(&self, login: &str) -> app::auth::model::CurrentUser {
        let id = self.user_id(login).await;
        app::auth::repo::find_user(&self.state.db, &id)
            .await
            .expect("query")
            .expect("user")
            .0
    }

    /// Registers a customer with every checklist item ticked (locked to `who`).
    pub async fn locked_customer(
        &self,
        who: &app::auth::model::CurrentUser,
        input: app::customers::model::CustomerInput,
    ) -> String {
        let ticked = app::funnel::repo::list_qual_items(&self.state.db)
            .await
            .expect("items")
            .into_iter()
            .map(|i| i.id)
            .collect();
        match app::customers::service::register(&self.state, who, input, ticked, true)
            .await
            .expect("register")
        {
            app::customers::model::RegisterOutcome::Created { id, .. } => id,
            other => panic!("not created: {other:?}"),
        }
    }
}

/// A `count()` the query returns (0 when it returns nothing).
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut r = app.state.db.query(sql).await.expect("query");
    let n: Option<i64> = r.take(0).expect("count");
    n.unwrap_or(0)
}

/// The funnel's stage ids, in order.
pub async fn stages(app: &TestApp) -> Vec<String> {
    app::funnel::repo::list_stages(&app.state.db, false)
        .await
        .expect("stages")
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// An RFC 3339 time, e.g. `2026-11-30T02:00:00Z`.
pub fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}
