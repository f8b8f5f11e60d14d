//! Drives the real router in-process with a cookie jar, as a browser would.

#![allow(dead_code)]

use std::collections::HashMap;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use tweestap_domain::{
    Context,
    clock::ManualClock,
    testing::{self, Backend, TestDb},
};

pub const HOST: &str = "127.0.0.1:3000";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

pub struct TestApp {
    pub router: Router,
    pub ctx: Context,
    pub clock: ManualClock,
    pub cookies: HashMap<String, String>,
    /// Sent as `User-Agent` with every request, when set.
    pub user_agent: Option<String>,
    /// The address the requests come from, as the server sees the connection, when set.
    pub peer: Option<std::net::SocketAddr>,
    /// The database lives as long as the first browser; another browser borrows it.
    _db: Option<TestDb>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_settings(backend, |_| {}).await
    }

    /// The app with its settings changed first (SMS, limits).
    pub async fn with_settings(
        backend: Backend,
        configure: impl FnOnce(&mut tweestap_domain::settings::Settings),
    ) -> Self {
        let (ctx, clock, db) = testing::context_with(backend, configure).await;
        testing::add_judith(&ctx).await;
        let router = server::router(ctx.clone(), server::leptos_options_for("target/site"));
        Self {
            router,
            ctx,
            clock,
            cookies: HashMap::new(),
            user_agent: None,
            peer: None,
            _db: Some(db),
        }
    }

    /// Another instance of the server on the same database: its own connection pool, its own
    /// router, the same settings and clock; a browser with an empty cookie jar.
    pub async fn another_instance(&self) -> Self {
        let url = &self
            ._db
            .as_ref()
            .expect("the first browser holds the database")
            .url;
        let db = tweestap_domain::db::connect(url)
            .await
            .expect("a second connection pool");
        let ctx = Context::new(
            db,
            std::sync::Arc::new(self.clock.clone()),
            (*self.ctx.settings).clone(),
        );
        let router = server::router(ctx.clone(), server::leptos_options_for("target/site"));
        Self {
            router,
            ctx,
            clock: self.clock.clone(),
            cookies: HashMap::new(),
            user_agent: None,
            peer: None,
            _db: None,
        }
    }

    /// A second browser on the same app and database, with an empty cookie jar.
    pub fn another_browser(&self) -> Self {
        Self {
            router: self.router.clone(),
            ctx: self.ctx.clone(),
            clock: self.clock.clone(),
            cookies: HashMap::new(),
            user_agent: None,
            peer: None,
            _db: None,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Sends a request with this jar's cookies and keeps what the answer sets.
    pub async fn send(&mut self, mut request: Request<Body>) -> TestResponse {
        if let Some(agent) = &self.user_agent {
            request
                .headers_mut()
                .insert(header::USER_AGENT, agent.parse().unwrap());
        }
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        if !self.cookies.is_empty() && !request.headers().contains_key(header::COOKIE) {
            request
                .headers_mut()
                .insert(header::COOKIE, self.cookie_header().parse().unwrap());
        }
        request
            .headers_mut()
            .entry(header::HOST)
            .or_insert(HOST.parse().unwrap());
        let what = format!("{} {}", request.method(), request.uri());
        // A watchdog, not a measurement: a request that never answers fails its test with its
        // name instead of holding up the whole run.
        let response = match tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.router.clone().oneshot(request),
        )
        .await
        {
            Ok(answer) => answer.expect("the router answers"),
            Err(_) => {
                // What the database was doing, so that a rare hang names its cause.
                let state = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    database_state(&self.ctx),
                )
                .await
                .unwrap_or_else(|_| "the database state could not be read in 10 s".to_owned());
                panic!("{what}: no answer within a minute\n{state}")
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let cookie = cookie.to_str().unwrap();
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(
            Request::get(path)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A server-function call as the hydrated app makes it: form-encoded, from our origin.
    pub async fn call(&mut self, path: &str, form: &str) -> TestResponse {
        self.send(
            Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(Body::from(form.to_owned()))
                .unwrap(),
        )
        .await
    }

    pub async fn log_in(&mut self, email: &str, password: &str) -> TestResponse {
        self.call(
            "/api/open/login",
            &format!("email={}&password={}", encode(email), encode(password)),
        )
        .await
    }

    /// The second step with the authenticator app's code of this moment; it must lead on to
    /// the home page.
    pub async fn pass_second_step(&mut self, secret: &[u8]) {
        let code = code_now(self, secret);
        let passed = self
            .call("/api/tweede-stap/second_step_code", &format!("code={code}"))
            .await;
        assert_eq!(passed.header("location"), "/", "{}", passed.body);
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("tweestap_sessie").cloned()
    }
}

/// The recovery codes a page shows (the wizard's last step, "Herstelcodes opnieuw aanmaken").
pub fn shown_recovery_codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .map(str::to_owned)
        .collect()
}

/// A form field's value, percent-encoded.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The authenticator app's code now, on the app's clock.
pub fn code_now(app: &TestApp, secret: &[u8]) -> String {
    use tweestap_domain::twofactor::totp;
    totp::code_for_step(secret, totp::step_at(app.ctx.now().timestamp()))
}

/// The connection pool and, on PostgreSQL, every session of the test's database with what it
/// waits for, read over a connection of its own: for the watchdog's message.
async fn database_state(ctx: &Context) -> String {
    use sea_orm::sqlx::{self, Connection as _};
    if ctx.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return "SQLite: no session list".to_owned();
    }
    let pool = ctx.db.get_postgres_connection_pool();
    let mut state = format!(
        "pool: {} connections, {} idle\n",
        pool.size(),
        pool.num_idle()
    );
    let options = (*pool.connect_options()).clone();
    match sqlx::PgConnection::connect_with(&options).await {
        Ok(mut connection) => {
            let rows: Result<Vec<(String,)>, _> = sqlx::query_as(
                "SELECT concat_ws(' | ', pid, state, wait_event_type, wait_event, \
                 now() - xact_start, now() - query_start, left(query, 200)) \
                 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .fetch_all(&mut connection)
            .await;
            match rows {
                Ok(rows) => {
                    for (row,) in rows {
                        state.push_str(&row);
                        state.push('\n');
                    }
                }
                Err(err) => state.push_str(&format!("pg_stat_activity: {err}\n")),
            }
        }
        Err(err) => state.push_str(&format!("no connection of its own: {err}\n")),
    }
    state
}

/// The app's secret of `user_id`, opened as the server opens it.
pub fn app_secret(app: &TestApp, user_id: i32, secret_enc: &str) -> Vec<u8> {
    tweestap_domain::crypto::open(
        &app.ctx.settings.secret_key,
        &format!("totp-secret:{user_id}"),
        secret_enc,
    )
    .unwrap()
}

/// The new app's secret while the change waits for its code.
pub async fn pending_secret(app: &TestApp, user_id: i32) -> Vec<u8> {
    use sea_orm::EntityTrait as _;
    let row = tweestap_domain::db::entity::factor_change::Entity::find_by_id(user_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("a change in progress");
    app_secret(app, user_id, &row.secret_enc)
}
