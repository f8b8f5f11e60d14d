//! HTTP tests of a phone whose clock is off: at the login's code page and at the wizard's code
//! step, a code a few minutes away is refused with the explanation, counted, logged and
//! counted in the metrics; a code further away gets the plain wrong-code answer.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use sea_orm::EntityTrait as _;

use crate::login::form_post;
use crate::support::{ORIGIN, TestApp, app_secret, code_now, encode};
use server::operations::MetricsToken;
use tweestap_domain::{
    accounts::{email::Email, users},
    db::entity::{two_factor, user},
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
    twofactor::totp,
};

tweestap_domain::on_both_backends!(
    the_code_page_says_the_phone_clock_is_off_and_still_refuses_sec_06_sec_14,
    the_wizard_code_step_says_the_phone_clock_is_off_sec_06_sec_08,
);

const TOKEN: &str = "a-metrics-token-of-at-least-32-characters";

/// The app with `/metrics` behind `TOKEN`, and Judith's id.
async fn app_with_metrics(backend: Backend) -> (TestApp, i32) {
    let mut app = TestApp::new(backend).await;
    app.router = server::router_with_metrics(
        app.ctx.clone(),
        server::leptos_options_for("target/site"),
        MetricsToken::new(TOKEN.to_owned()),
    );
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    (app, judith.id)
}

/// `tweestap_clock_drift_total{direction}` as the metrics show it now. The recorder is one per
/// process and tests run in parallel, so callers compare before and after.
async fn drifts_counted(app: &mut TestApp, direction: &str) -> f64 {
    let metrics = app
        .send(
            Request::get("/metrics")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(metrics.status, StatusCode::OK);
    let series = format!("tweestap_clock_drift_total{{direction=\"{direction}\"}} ");
    metrics
        .body
        .lines()
        .find_map(|line| line.strip_prefix(&series)?.parse().ok())
        .unwrap_or_else(|| panic!("{series} missing from:\n{}", metrics.body))
}

async fn failed_attempts(app: &TestApp, user_id: i32) -> i32 {
    user::Entity::find_by_id(user_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap()
        .failed_attempts
}

/// The app's code of the step `offset` steps from the server's now.
fn code_at(app: &TestApp, secret: &[u8], offset: i64) -> String {
    totp::code_for_step(secret, totp::step_at(app.ctx.now().timestamp()) + offset)
}

/// A plain form's post (no script) and the page it is sent back to, with its error.
async fn plain_post_and_page(app: &mut TestApp, path: &str, page: &str, form: &str) -> String {
    let refused = app.send(form_post(path, page, form)).await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let back = refused.header("location").to_owned();
    assert!(back.contains("__err="), "{back}");
    let shown = app.get(back.trim_start_matches(ORIGIN)).await;
    assert_eq!(shown.status, StatusCode::OK);
    shown.body.replace("<!>", "")
}

// SEC-06, SEC-14: at the code page, a code 4 steps (2 minutes) ahead is refused with the
// explanation, over JSON and on the plain form's page; it counts toward the lock, is logged
// and counted by direction; a code 11 steps away is a plain wrong code, and the previous code
// still logs in. A number made up in the address is not shown.
async fn the_code_page_says_the_phone_clock_is_off_and_still_refuses_sec_06_sec_14(
    backend: Backend,
) {
    let (mut app, judith_id) = app_with_metrics(backend).await;
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (secret, _) = testing::enrol_app(&app.ctx, &app.clock, &judith).await;
    let ahead_before = drifts_counted(&mut app, "ahead").await;
    let behind_before = drifts_counted(&mut app, "behind").await;
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");

    let ahead = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}", code_at(&app, &secret, 4)),
        )
        .await;
    assert_eq!(ahead.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ahead.body, r#"{"ClockDrift":{"minutes":2,"ahead":true}}"#,
        "over JSON"
    );
    assert!(app.session_cookie().is_some(), "still waiting for the code");
    assert_eq!(failed_attempts(&app, judith_id).await, 1);
    assert!(drifts_counted(&mut app, "ahead").await >= ahead_before + 1.0);

    // Without the script, the code page shows it where it shows a wrong code.
    let behind = format!("code={}", code_at(&app, &secret, -6));
    let page = plain_post_and_page(
        &mut app,
        "/api/tweede-stap/second_step_code",
        "/inloggen/code",
        &behind,
    )
    .await;
    assert!(
        page.contains("de klok van je telefoon lijkt ongeveer 3 minuten achter te lopen."),
        "{page}"
    );
    assert!(
        page.contains("Zet de tijd op je telefoon op automatisch.")
            && page.contains("Tijdcorrectie voor codes"),
        "{page}"
    );
    assert_eq!(failed_attempts(&app, judith_id).await, 2);
    assert!(drifts_counted(&mut app, "behind").await >= behind_before + 1.0);

    // A number someone else put in the address is not read.
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE,
        br#"{"ClockDrift":{"minutes":200,"ahead":true}}"#,
    );
    let page = app
        .get(&format!(
            "/inloggen/code?__path=%2Fapi%2Ftweede-stap%2Fsecond_step_code&__err={forged}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("200 minuten"));

    // Beyond 10 steps: the plain answer, counted as well.
    for offset in [11, -12] {
        let far = app
            .call(
                "/api/tweede-stap/second_step_code",
                &format!("code={}", code_at(&app, &secret, offset)),
            )
            .await;
        assert_eq!(far.body, r#""WrongCode""#, "{offset} steps");
    }
    assert_eq!(failed_attempts(&app, judith_id).await, 4);

    // One step back is inside the window: in, and the security log tells what happened. (The
    // step the enrolment spent is behind that now.)
    app.clock.advance(chrono::Duration::seconds(30));
    let previous = code_at(&app, &secret, -1);
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={previous}"),
        )
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
    let settings = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    for detail in ["ongeveer 2 minuten voor", "ongeveer 3 minuten achter"] {
        assert!(
            settings.contains(&format!(
                "Code geweigerd: de klok van je telefoon loopt niet gelijk ({detail})"
            )),
            "{detail}: {settings}"
        );
    }
}

// SEC-06, SEC-08: the wizard's code step tells the drift the same way, over JSON and on the
// plain form's page, counts it, and switches nothing on; a code of now does.
async fn the_wizard_code_step_says_the_phone_clock_is_off_sec_06_sec_08(backend: Backend) {
    let (mut app, judith_id) = app_with_metrics(backend).await;
    let behind_before = drifts_counted(&mut app, "behind").await;
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");
    app.call(
        "/api/instellen/wizard_password",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
    app.call("/api/instellen/wizard_method", "method=app").await;
    let row = two_factor::Entity::find_by_id(judith_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("an enrolment in progress");
    let secret = app_secret(&app, judith_id, &row.secret_enc);

    let behind = app
        .call(
            "/api/instellen/wizard_code",
            &format!("code={}", code_at(&app, &secret, -3)),
        )
        .await;
    assert_eq!(behind.status, StatusCode::UNAUTHORIZED);
    assert_eq!(behind.body, r#"{"ClockDrift":{"minutes":2,"ahead":false}}"#);
    assert!(drifts_counted(&mut app, "behind").await >= behind_before + 1.0);

    let ahead = format!("code={}", code_at(&app, &secret, 1));
    let page = plain_post_and_page(
        &mut app,
        "/api/instellen/wizard_code",
        &format!("{}?stap={}", app::routes::WIZARD, app::routes::STEP_CODE),
        &ahead,
    )
    .await;
    assert!(
        page.contains("de klok van je telefoon lijkt ongeveer 1 minuut voor te lopen."),
        "{page}"
    );
    assert!(page.contains("Zet de tijd op je telefoon op automatisch."));

    let far = app
        .call(
            "/api/instellen/wizard_code",
            &format!("code={}", code_at(&app, &secret, -11)),
        )
        .await;
    assert_eq!(far.body, r#""WrongCode""#);
    assert_eq!(failed_attempts(&app, judith_id).await, 3);
    let still = two_factor::Entity::find_by_id(judith_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.enabled_at, None, "nothing switched on");

    let enabled = app
        .call(
            "/api/instellen/wizard_code",
            &format!("code={}", code_now(&app, &secret)),
        )
        .await;
    assert!(
        enabled.status.is_success() || enabled.status.is_redirection(),
        "{}",
        enabled.body
    );
    assert_eq!(failed_attempts(&app, judith_id).await, 0);
}
