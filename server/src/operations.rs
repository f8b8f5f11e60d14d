//! What operators and load balancers ask (SEC-28): the health checks, and the metrics in
//! Prometheus' text format, on an address of their own or behind a token. None of it reads a
//! session or shows a user, an address, a code or a secret.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq as _;

use tweestap_domain::{Context, db, mail, metrics};

/// How long a probe or a scrape waits for the database before it answers without it.
const DATABASE_WAIT: Duration = Duration::from_secs(5);

/// How often the recorder moves recorded samples into its histograms, so that memory stays
/// bounded when nobody scrapes.
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(10);

/// Histogram buckets in seconds, from a quick page to a slow hash queue.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The Prometheus exposition format's content type.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The process's recorder: the `metrics` facade has one, so it is installed once, by the
/// first router (tests build many).
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new())
        };
        match builder().install_recorder() {
            Ok(handle) => {
                metrics::describe();
                handle
            }
            Err(err) => {
                // Another recorder was installed first: our scrape shows nothing, the app runs.
                tracing::warn!(error = %err, "the metrics recorder could not be installed");
                builder().build_recorder().handle()
            }
        }
    })
}

/// The bearer token for `/metrics` on the main address. Never printed.
#[derive(Clone)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// Long enough that it cannot be guessed; `Config::validate` says so to the operator.
    pub const MIN_LEN: usize = 32;

    pub fn new(token: String) -> Option<Self> {
        (token.len() >= Self::MIN_LEN && !token.contains(char::is_whitespace))
            .then_some(Self(token))
    }

    /// The `Authorization` header holds this token, compared in constant time.
    fn admits(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(self.0.as_bytes())))
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

#[derive(Clone)]
struct Operations {
    ctx: Context,
    token: Option<MetricsToken>,
}

/// `/health/live`, `/health/ready` and `/metrics` for the main address: outside the session
/// and origin middleware, since a load balancer has no cookies. `/metrics` answers 404 unless
/// a token is configured.
pub fn routes(ctx: Context, token: Option<MetricsToken>) -> Router {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics_behind_token))
        .with_state(Operations { ctx, token })
}

/// The router of `TWEESTAP_METRICS_ADDR`: `/metrics` only, without a token.
pub fn metrics_router(ctx: Context) -> Router {
    recorder();
    Router::new()
        .route("/metrics", get(metrics_open))
        .with_state(ctx)
}

/// Serves `metrics_router` on its own listener until the process ends.
pub async fn serve_metrics(listener: tokio::net::TcpListener, ctx: Context) -> std::io::Result<()> {
    axum::serve(listener, metrics_router(ctx)).await
}

/// Runs the recorder's upkeep every `UPKEEP_INTERVAL`.
pub fn spawn_upkeep() -> tokio::task::JoinHandle<()> {
    tokio::spawn(async {
        let mut interval = tokio::time::interval(UPKEEP_INTERVAL);
        loop {
            interval.tick().await;
            recorder().run_upkeep();
        }
    })
}

/// The process answers.
async fn live() -> &'static str {
    "ok\n"
}

/// The database answers and has every migration: this instance can take requests.
async fn ready(State(ops): State<Operations>) -> Response {
    match tokio::time::timeout(DATABASE_WAIT, db::is_ready(&ops.ctx.db)).await {
        Ok(Ok(true)) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Ok(false)) => {
            tracing::warn!("not ready: the database has migrations to apply");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations pending\n").into_response()
        }
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics_behind_token(State(ops): State<Operations>, headers: HeaderMap) -> Response {
    let Some(token) = &ops.token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !token.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    scrape(&ops.ctx).await
}

async fn metrics_open(State(ctx): State<Context>) -> Response {
    scrape(&ctx).await
}

/// The metrics now, with the mail queue counted from the database.
async fn scrape(ctx: &Context) -> Response {
    match tokio::time::timeout(DATABASE_WAIT, mail::queue_depth(ctx)).await {
        Ok(Ok(unsent)) => metrics::mail_queue_depth(unsent),
        // The gauge keeps its last value; `/health/ready` tells that the database is gone.
        Ok(Err(err)) => tracing::warn!(error = %err, "the mail queue could not be counted"),
        Err(_) => tracing::warn!("the mail queue could not be counted in time"),
    }
    let handle = recorder();
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROMETHEUS_TEXT),
        )],
        handle.render(),
    )
        .into_response()
}

/// Records every request's latency by method, route pattern and status class. The pattern is
/// the router's (`/api/open/login`, a page's path): the raw path would let a scanner make a series
/// per address it tries.
pub async fn record_request(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if req.uri().path().starts_with("/pkg/") => "static".to_owned(),
        None => "other".to_owned(),
    };
    let started = Instant::now();
    let response = next.run(req).await;
    metrics::http_request(
        method,
        route,
        status_class(response.status()),
        started.elapsed(),
    );
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_compared_whole_and_never_printed_sec_28() {
        let token = MetricsToken::new("a".repeat(40)).unwrap();
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            headers
        };
        assert!(token.admits(&with(&format!("Bearer {}", "a".repeat(40)))));
        assert!(!token.admits(&with(&format!("Bearer {}", "a".repeat(39)))));
        assert!(!token.admits(&with(&format!("Bearer {}b", "a".repeat(40)))));
        assert!(!token.admits(&with(&format!("Basic {}", "a".repeat(40)))));
        assert!(!token.admits(&HeaderMap::new()));
        assert_eq!(format!("{token:?}"), "MetricsToken(..)");
        assert!(MetricsToken::new("short".to_owned()).is_none());
        assert!(MetricsToken::new(format!("{} b", "a".repeat(40))).is_none());
    }

    #[test]
    fn labels_are_a_few_fixed_values() {
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(status_class(StatusCode::SEE_OTHER), "3xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }
}
