//! HTTP tests of what operators see (SEC-28): the health checks a load balancer asks without
//! cookies, and the metrics, behind a token or on an address of their own, which name no user,
//! address or path with an id in it. The recorder is one per process and tests run in
//! parallel, so counters are compared before and after, never with a fixed value.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};

use crate::support::{TestApp, TestResponse, code_now};
use server::operations::MetricsToken;
use tweestap_domain::{
    accounts::{email::Email, users},
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
};

tweestap_domain::on_both_backends!(
    health_checks_answer_without_cookies_and_set_none_sec_28,
    ready_is_503_when_the_database_is_gone_sec_28,
    metrics_are_404_without_a_token_and_401_with_a_wrong_one_sec_28,
    metrics_name_every_series_and_count_second_steps_sec_28,
    metrics_show_no_email_address_or_path_with_an_id_sec_28,
    the_metrics_address_serves_them_without_a_token_sec_28,
);

const TOKEN: &str = "a-metrics-token-of-at-least-32-characters";

/// The app with `/metrics` behind `TOKEN`.
async fn with_token(backend: Backend) -> TestApp {
    let mut app = TestApp::new(backend).await;
    app.router = server::router_with_metrics(
        app.ctx.clone(),
        server::leptos_options_for("target/site"),
        MetricsToken::new(TOKEN.to_owned()),
    );
    app
}

/// A GET as a load balancer or Prometheus sends it: no cookies, maybe a bearer token.
async fn probe(app: &mut TestApp, path: &str, bearer: Option<&str>) -> TestResponse {
    let mut request = Request::get(path);
    if let Some(token) = bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn scrape(app: &mut TestApp) -> String {
    let response = probe(app, "/metrics", Some(TOKEN)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert!(response.header("content-type").starts_with("text/plain"));
    response.body
}

/// The value of the one series of `name` with all these labels.
fn value(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = metrics
        .lines()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(key, value)| line.contains(&format!("{key}=\"{value}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?} in:\n{metrics}");
    found[0]
}

// A load balancer has no cookies: live and ready answer it, pass no session or Origin check,
// and start no session.
async fn health_checks_answer_without_cookies_and_set_none_sec_28(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    for path in ["/health/live", "/health/ready"] {
        let response = probe(&mut app, path, None).await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
        assert!(response.set_cookies().is_empty(), "{path}");
        assert!(response.body.len() < 32, "{path}: {}", response.body);
        assert_eq!(response.header("cache-control"), "no-store", "{path}");
    }
    // With a cookie that opens no session, nothing is removed or set either.
    let response = app
        .send(
            Request::get("/health/ready")
                .header(header::COOKIE, "tweestap_sessie=verlopen")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.set_cookies().is_empty());
    // A HEAD and a POST from elsewhere are no page of the app either.
    let response = app
        .send(
            Request::post("/health/live")
                .header(header::ORIGIN, "https://elders.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn ready_is_503_when_the_database_is_gone_sec_28(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    assert_eq!(
        probe(&mut app, "/health/ready", None).await.status,
        StatusCode::OK
    );
    // Closing a clone closes the pool every clone shares.
    app.ctx.db.clone().close().await.unwrap();
    let response = probe(&mut app, "/health/ready", None).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.body, "database unavailable\n");
    // The process itself still answers.
    let live = probe(&mut app, "/health/live", None).await;
    assert_eq!(live.status, StatusCode::OK);
}

async fn metrics_are_404_without_a_token_and_401_with_a_wrong_one_sec_28(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    for bearer in [None, Some(TOKEN)] {
        let response = probe(&mut app, "/metrics", bearer).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{bearer:?}");
        assert!(!response.body.contains("tweestap_"), "{}", response.body);
    }

    let mut app = with_token(backend).await;
    let wrong = format!("{TOKEN}x");
    for bearer in [
        None,
        Some(""),
        Some(&TOKEN[..TOKEN.len() - 1]),
        Some(&wrong),
    ] {
        let response = probe(&mut app, "/metrics", bearer).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{bearer:?}");
        assert_eq!(response.header("www-authenticate"), "Bearer");
        assert!(!response.body.contains("tweestap_"), "{}", response.body);
        assert!(response.set_cookies().is_empty());
    }
    // Basic authentication with the token as password is not the token.
    let response = app
        .send(
            Request::get("/metrics")
                .header(header::AUTHORIZATION, format!("Basic {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    let right = probe(&mut app, "/metrics", Some(TOKEN)).await;
    assert_eq!(right.status, StatusCode::OK);
    assert!(right.body.contains("tweestap_"));
    assert!(right.set_cookies().is_empty());
}

// Every required series is there, and a password plus a wrong app code move the counters.
async fn metrics_name_every_series_and_count_second_steps_sec_28(backend: Backend) {
    let mut app = with_token(backend).await;
    let email = Email::parse(JUDITH_EMAIL).unwrap();
    let judith = users::find_by_email(&app.ctx, &email)
        .await
        .unwrap()
        .unwrap();
    let (secret, _) = testing::enrol_app(&app.ctx, &app.clock, &judith).await;
    probe(&mut app, "/health/live", None).await;
    let before = scrape(&mut app).await;
    for name in [
        "tweestap_http_request_duration_seconds_bucket",
        "tweestap_argon2_queue_wait_seconds_bucket",
        "tweestap_second_steps_total",
        "tweestap_locks_total",
        "tweestap_sms_total",
        "tweestap_mail_queue_depth",
        "tweestap_mail_failures_total",
    ] {
        assert!(before.contains(name), "{name} missing from:\n{before}");
    }
    for method in ["app", "sms", "recovery"] {
        for outcome in ["success", "rejected", "expired", "locked"] {
            value(
                &before,
                "tweestap_second_steps_total",
                &[("method", method), ("outcome", outcome)],
            );
        }
    }
    for outcome in ["sent", "failed", "refused"] {
        value(&before, "tweestap_sms_total", &[("outcome", outcome)]);
    }
    for kind in ["second_step", "password_account", "password_address"] {
        value(&before, "tweestap_locks_total", &[("kind", kind)]);
    }
    for direction in ["ahead", "behind"] {
        value(
            &before,
            "tweestap_clock_drift_total",
            &[("direction", direction)],
        );
    }
    for outcome in ["success", "wrong", "wait", "locked"] {
        value(
            &before,
            "tweestap_password_logins_total",
            &[("outcome", outcome)],
        );
        value(
            &before,
            "tweestap_password_confirmations_total",
            &[("outcome", outcome)],
        );
    }
    // Set by each scrape from its app's database; tests share the gauge, so only its presence.
    assert!(value(&before, "tweestap_mail_queue_depth", &[]) >= 0.0);

    let wrong_password = app.log_in(JUDITH_EMAIL, "Fout-wachtwoord-1").await;
    assert_eq!(wrong_password.status, axum::http::StatusCode::UNAUTHORIZED);
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    let wrong = if code_now(&app, &secret) == "111111" {
        "222222"
    } else {
        "111111"
    };
    let refused = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={wrong}"),
        )
        .await;
    assert!(refused.body.contains("WrongCode"), "{}", refused.body);
    app.pass_second_step(&secret).await;

    let after = scrape(&mut app).await;
    for outcome in ["rejected", "success"] {
        let series = [("method", "app"), ("outcome", outcome)];
        assert!(
            value(&after, "tweestap_second_steps_total", &series)
                >= value(&before, "tweestap_second_steps_total", &series) + 1.0,
            "{outcome}"
        );
    }
    for outcome in ["wrong", "success"] {
        let series = [("outcome", outcome)];
        assert!(
            value(&after, "tweestap_password_logins_total", &series)
                >= value(&before, "tweestap_password_logins_total", &series) + 1.0,
            "password {outcome}"
        );
    }
    assert!(
        value(&after, "tweestap_argon2_queue_wait_seconds_count", &[])
            >= value(&before, "tweestap_argon2_queue_wait_seconds_count", &[]) + 1.0,
        "the password was hashed"
    );
    // Requests by the router's pattern, with the status class.
    let login_requests = |text: &str| {
        text.lines()
            .filter(|line| {
                line.starts_with("tweestap_http_request_duration_seconds_count{")
                    && line.contains("route=\"/api/open/login\"")
                    && line.contains("method=\"POST\"")
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    assert!(
        login_requests(&after) >= login_requests(&before) + 1.0,
        "{after}"
    );
    assert!(
        after.contains("route=\"/health/live\"") && after.contains("status=\"2xx\""),
        "{after}"
    );
}

// What a scanner or a user sends never becomes a label: no email address, no client address,
// no path with an id.
async fn metrics_show_no_email_address_or_path_with_an_id_sec_28(backend: Backend) {
    let mut app = with_token(backend).await;
    app.peer = Some("203.0.113.77:50123".parse().unwrap());
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.log_in("scanner-98765@example.org", "Welkom-bij-het-platform-1")
        .await;
    app.cookies.clear();
    for path in [
        "/configuratie/twee-staps/4242424",
        "/wp-admin/98765/setup.php",
        "/pkg/98765.wasm",
        "/98765",
        "/api/98765",
    ] {
        app.get(path).await;
    }
    let text = scrape(&mut app).await;
    for secret in [
        "@",
        JUDITH_EMAIL,
        "203.0.113.77",
        "127.0.0.1",
        "98765",
        "4242424",
        "wp-admin",
    ] {
        assert!(!text.contains(secret), "{secret} in:\n{text}");
    }
    for line in text.lines().filter(|line| line.contains("route=\"")) {
        let route = line
            .split("route=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(
            ["other", "static"].contains(&route) || route.starts_with('/'),
            "{route}"
        );
        assert!(
            !route
                .split('/')
                .any(|segment| !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())),
            "{route}"
        );
    }
    assert!(
        text.contains("route=\"/configuratie/twee-staps/{gebruiker}\"")
            || text.contains("route=\"/configuratie/twee-staps/:gebruiker\""),
        "the pattern, not the id:\n{text}"
    );
}

// TWEESTAP_METRICS_ADDR: a listener of its own, which serves `/metrics` without a token and
// nothing else.
async fn the_metrics_address_serves_them_without_a_token_sec_28(backend: Backend) {
    let app = TestApp::new(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(server::operations::serve_metrics(listener, app.ctx.clone()));
    let metrics = raw_get(addr, "/metrics").await;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(metrics.contains("tweestap_second_steps_total"), "{metrics}");
    assert!(metrics.contains("tweestap_mail_queue_depth"), "{metrics}");
    for path in ["/", "/inloggen", "/health/ready"] {
        let other = raw_get(addr, path).await;
        assert!(other.starts_with("HTTP/1.1 404"), "{path}: {other}");
    }
    server.abort();
}

/// One HTTP/1.1 GET over a fresh connection, answered in full.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("an answer within 30 seconds")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}
