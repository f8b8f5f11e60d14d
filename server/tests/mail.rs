//! HTTP tests of the security emails through the real router, with the mail worker running as
//! the server runs it: a change the user makes ends with a mail in the outbox, and a mail
//! server that does not answer never holds up the user's answer.

mod support;

use std::time::{Duration as StdDuration, Instant};

use sea_orm::EntityTrait;

use app::{
    auth::{email::Email, users},
    db::entity::mail,
    mail::{MailProvider, Smtp, SmtpSecurity},
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
};
use support::{TestApp, code_now, encode};

app::on_both_backends!(
    new_recovery_codes_end_with_an_email_to_the_user_sec_21,
    an_unanswering_mail_server_does_not_delay_the_answer_sec_21,
);

/// Enrols Judith with the app through the services (which log nothing) and returns her
/// secret; the clock moves on a step so that the next code is a fresh one.
async fn enrol_judith(app: &TestApp) -> Vec<u8> {
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    testing::enrol_app(&app.ctx, &app.clock, &judith).await.0
}

/// Logs Judith in with both steps and her password again, ready for a change of factors.
async fn judith_ready_to_change(app: &mut TestApp) {
    let secret = enrol_judith(app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let code = code_now(app, &secret);
    let passed = app
        .call("/api/second_step_code", &format!("code={code}"))
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
    app.call(
        "/api/reauthenticate",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
}

async fn queued(app: &TestApp) -> Vec<mail::Model> {
    mail::Entity::find().all(&app.ctx.db).await.unwrap()
}

// SEC-21: regenerating recovery codes is logged and told to the user by email, sent in the
// background by the worker.
async fn new_recovery_codes_end_with_an_email_to_the_user_sec_21(backend: Backend) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let mut app = TestApp::with_settings(backend, |s| s.mail.provider = Some(provider)).await;
    app.user_agent = Some("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15".to_owned());
    app::mail::spawn_worker(app.ctx.clone());
    judith_ready_to_change(&mut app).await;
    assert!(queued(&app).await.is_empty(), "logging in is not mailed");

    let made = app.call("/api/regenerate_recovery_codes", "").await;
    assert_eq!(
        made.header("location"),
        "/profiel/herstelcodes",
        "{}",
        made.body
    );

    let deadline = Instant::now() + StdDuration::from_secs(10);
    // A whole line, not one being written.
    let arrived = || std::fs::read_to_string(&outbox.path).is_ok_and(|text| text.ends_with('\n'));
    while !arrived() && Instant::now() < deadline {
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let mails = outbox.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to, subject, body) = &mails[0];
    assert_eq!(to, JUDITH_EMAIL);
    assert_eq!(
        subject,
        "Beveiliging van je account: nieuwe herstelcodes aangemaakt"
    );
    assert!(body.starts_with("Beste Judith van Haare,"), "{body}");
    assert!(body.contains("Nieuwe herstelcodes aangemaakt"), "{body}");
    assert!(body.contains("Browser: Safari op Mac"), "{body}");
    assert!(body.contains("Was jij dit niet?"), "{body}");
    // The new codes are on the page, never in the mail.
    let page = app.get("/profiel/herstelcodes").await.body;
    let first_code = page
        .split("<li><code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    assert!(!body.contains(&first_code), "{body}");
    let rows = queued(&app).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent_at.is_some());
}

// A mail server that accepts the connection and never answers: the user's answer comes at
// once, and the mail waits in the queue for the worker's retries.
async fn an_unanswering_mail_server_does_not_delay_the_answer_sec_21(backend: Backend) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let provider = MailProvider::Smtp(Smtp {
        host: addr.ip().to_string(),
        port: addr.port(),
        security: SmtpSecurity::Plain,
        credentials: None,
        from: "PRO Praktijksteun <noreply@praktijk.example.nl>"
            .parse()
            .unwrap(),
    });
    let mut app = TestApp::with_settings(backend, |s| {
        s.mail.provider = Some(provider);
        // Sending in the request would hold it for an hour.
        s.mail.timeout = StdDuration::from_secs(3600);
    })
    .await;
    app::mail::spawn_worker(app.ctx.clone());
    judith_ready_to_change(&mut app).await;

    // A watchdog, not a measurement: the answer comes, while the mail server holds on.
    let made = tokio::time::timeout(
        StdDuration::from_secs(120),
        app.call("/api/regenerate_recovery_codes", ""),
    )
    .await
    .expect("the answer does not wait for the mail server");
    assert_eq!(
        made.header("location"),
        "/profiel/herstelcodes",
        "{}",
        made.body
    );

    let rows = queued(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].to_address, JUDITH_EMAIL);
    assert_eq!(rows[0].sent_at, None);
    assert_eq!(rows[0].failed_at, None);
    let log = app.get("/profiel/instellingen").await.body;
    assert!(
        log.contains("Nieuwe herstelcodes aangemaakt"),
        "logged as well"
    );
}
