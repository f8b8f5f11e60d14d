//! HTTP tests of the security emails through the real router, with the mail worker running as
//! the server runs it: a change the user makes ends with a mail in the outbox, and a mail
//! server that does not answer never holds up the user's answer.

use std::time::{Duration as StdDuration, Instant};

use sea_orm::EntityTrait;

use crate::support::{TestApp, code_now, encode};
use tweestap_domain::{
    accounts::{email::Email, users},
    db::entity::mail,
    mail::{MailProvider, Smtp, SmtpSecurity},
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
};

tweestap_domain::on_both_backends!(
    new_recovery_codes_end_with_an_email_to_the_user_sec_21,
    an_unanswering_mail_server_does_not_delay_the_answer_sec_21,
    every_security_event_over_http_queues_an_email_to_the_user_sec_21,
);

/// Enrols Judith with the app through the services and returns her secret; the clock moves on
/// a step so that the next code is a fresh one. The mail that tells her is taken out of the
/// queue: these tests are about what comes after.
async fn enrol_judith(app: &TestApp) -> Vec<u8> {
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let secret = testing::enrol_app(&app.ctx, &app.clock, &judith).await.0;
    let enabled = mail::Entity::delete_many().exec(&app.ctx.db).await.unwrap();
    assert_eq!(enabled.rows_affected, 1, "enrolling is mailed");
    secret
}

/// Logs Judith in with both steps and her password again, ready for a change of factors.
async fn judith_ready_to_change(app: &mut TestApp) {
    let secret = enrol_judith(app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.pass_second_step(&secret).await;
    app.call(
        "/api/methode/reauthenticate",
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
    judith_ready_to_change(&mut app).await;
    assert!(queued(&app).await.is_empty(), "logging in is not mailed");
    tweestap_domain::mail::spawn_worker(app.ctx.clone());

    let made = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
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
    let first_code = crate::support::shown_recovery_codes(&page)[0].clone();
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
        ca_pem: None,
    });
    let mut app = TestApp::with_settings(backend, |s| {
        s.mail.provider = Some(provider);
        // Sending in the request would hold it for an hour.
        s.mail.timeout = StdDuration::from_secs(3600);
    })
    .await;
    judith_ready_to_change(&mut app).await;
    tweestap_domain::mail::spawn_worker(app.ctx.clone());

    // A watchdog, not a measurement: the answer comes, while the mail server holds on.
    let made = tokio::time::timeout(
        StdDuration::from_secs(120),
        app.call("/api/ingelogd/regenerate_recovery_codes", ""),
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

/// The kinds of the mails queued for `to`, oldest first, each checked to have the subject that
/// names the event and a body without the user's codes.
async fn queued_kinds(app: &TestApp, to: &str, codes: &[String]) -> Vec<String> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let rows = mail::Entity::find()
        .filter(mail::Column::ToAddress.eq(to))
        .order_by_asc(mail::Column::Id)
        .all(&app.ctx.db)
        .await
        .unwrap();
    for row in &rows {
        let event =
            tweestap_domain::audit::log::Event::from_kind(&row.kind).expect("a known event");
        assert_eq!(
            row.subject,
            tweestap_domain::audit::notice::subject(event, tweestap_domain::Lang::Nl)
        );
        for code in codes {
            assert!(!row.body.contains(code.as_str()), "{}", row.body);
        }
    }
    rows.into_iter().map(|row| row.kind).collect()
}

/// The TOTP secret of the user's factor as it is now.
async fn current_secret(app: &TestApp, user_id: i32) -> Vec<u8> {
    let row = tweestap_domain::db::entity::two_factor::Entity::find_by_id(user_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("a factor");
    tweestap_domain::crypto::open(
        &app.ctx.settings.secret_key,
        &format!("totp-secret:{user_id}"),
        &row.secret_enc,
    )
    .unwrap()
}

// SEC-21: each action that changes an account's security, taken over HTTP as a browser takes
// it, queues one Dutch email to the user, naming the event: enabling, a remembered browser,
// new recovery codes, forgetting browsers, a recovery-code login, a lock, lifting it, a method
// change, a password change, a helpdesk reset, and switching off. Never with a code.
async fn every_security_event_over_http_queues_an_email_to_the_user_sec_21(backend: Backend) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let mut app = TestApp::with_settings(backend, |s| s.mail.provider = Some(provider)).await;
    let judith_id = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let password = format!("password={}", encode(JUDITH_PASSWORD));
    let mut expected: Vec<&str> = Vec::new();
    let mut codes: Vec<String> = Vec::new();

    // The wizard, from the introduction after the password.
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");
    app.call("/api/instellen/wizard_password", &password).await;
    app.call("/api/instellen/wizard_method", "method=app").await;
    let secret = current_secret(&app, judith_id).await;
    let enabled = app
        .call(
            "/api/instellen/wizard_code",
            &format!("code={}", code_now(&app, &secret)),
        )
        .await;
    assert_done(&enabled);
    let page = app.get("/twee-staps/instellen").await.body;
    let recovery: Vec<String> = crate::support::shown_recovery_codes(&page);
    assert_eq!(recovery.len(), 10, "{page}");
    codes.extend(recovery.iter().cloned());
    app.call("/api/instellen/wizard_done", "saved=on").await;
    expected.push("two_factor_enabled");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // "Onthoud mij" at the next login.
    app.clock.advance(chrono::Duration::seconds(30));
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let code = code_now(&app, &secret);
    codes.push(code.clone());
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={code}&remember=on"),
    )
    .await;
    expected.push("device_remembered");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // New recovery codes, then forgetting the remembered browser.
    app.call("/api/methode/reauthenticate", &password).await;
    app.call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    let page = app.get("/profiel/herstelcodes").await.body;
    let recovery: Vec<String> = crate::support::shown_recovery_codes(&page);
    assert_eq!(recovery.len(), 10, "{page}");
    codes.extend(recovery.iter().cloned());
    app.call("/api/ingelogd/recovery_codes_done", "saved=on")
        .await;
    expected.push("recovery_codes_regenerated");
    app.call("/api/ingelogd/forget_devices", "").await;
    expected.push("device_forgotten");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // A recovery-code login.
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let used = app
        .call(
            "/api/tweede-stap/second_step_recovery",
            &format!("code={}", encode(&recovery[0])),
        )
        .await;
    assert_done(&used);
    expected.push("recovery_code_used");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // Ten wrong codes lock the second step; the helpdesk lifts the lock.
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    for _ in 0..tweestap_domain::twofactor::attempts::MAX_FAILED_ATTEMPTS {
        app.call("/api/tweede-stap/second_step_code", "code=000000")
            .await;
    }
    expected.push("locked");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);
    let bram = testing::add_user(
        &app.ctx,
        "beheer@example.nl",
        "Bram Beheer",
        "Beheer-van-het-platform-1",
        tweestap_domain::db::entity::user::Role::Admin,
    )
    .await;
    let (admin_secret, _) = testing::enrol_app(&app.ctx, &app.clock, &bram).await;
    let mut admin = app.another_browser();
    admin
        .log_in("beheer@example.nl", "Beheer-van-het-platform-1")
        .await;
    admin.pass_second_step(&admin_secret).await;
    admin
        .call(
            "/api/methode/reauthenticate",
            "password=Beheer-van-het-platform-1",
        )
        .await;
    let lifted = admin
        .call(
            "/api/beheer/helpdesk_lift_lock",
            &format!("user={judith_id}&reason=Identiteit+gecontroleerd"),
        )
        .await;
    assert_done(&lifted);
    expected.push("lock_lifted");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // Too many wrong passwords lock the password step (SEC-25), from four addresses so that
    // none of them has to wait; the helpdesk lifts that lock too.
    let mut guesser = app.another_browser();
    for n in 0..tweestap_domain::accounts::guessing::Limits::default().account_per_hour {
        guesser.peer = Some(format!("203.0.113.{}:40000", n % 4 + 1).parse().unwrap());
        guesser.log_in(JUDITH_EMAIL, "Fout-wachtwoord-1").await;
    }
    expected.push("password_locked");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);
    let lifted = admin
        .call(
            "/api/beheer/helpdesk_lift_lock",
            &format!("user={judith_id}&reason=Identiteit+gecontroleerd"),
        )
        .await;
    assert_done(&lifted);
    expected.push("password_lock_lifted");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // A new app through "Methode wijzigen".
    app.clock.advance(chrono::Duration::seconds(30));
    let code = code_now(&app, &secret);
    codes.push(code.clone());
    let passed = app
        .call("/api/tweede-stap/second_step_code", &format!("code={code}"))
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
    app.call("/api/methode/reauthenticate", &password).await;
    app.call("/api/methode/method_change_start", "method=app")
        .await;
    let change = tweestap_domain::db::entity::factor_change::Entity::find_by_id(judith_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .expect("a change in progress");
    let new_secret = tweestap_domain::crypto::open(
        &app.ctx.settings.secret_key,
        &format!("totp-secret:{judith_id}"),
        &change.secret_enc,
    )
    .unwrap();
    let code = code_now(&app, &new_secret);
    codes.push(code.clone());
    let changed = app
        .call("/api/methode/method_change_code", &format!("code={code}"))
        .await;
    assert_done(&changed);
    expected.push("method_changed");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // A new password.
    let new_password = "Een-nieuw-wachtwoord-7";
    let changed = app
        .call(
            "/api/ingelogd/change_password",
            &format!(
                "current={}&new={}&repeat={}",
                encode(JUDITH_PASSWORD),
                encode(new_password),
                encode(new_password)
            ),
        )
        .await;
    assert_done(&changed);
    expected.push("password_changed");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // The helpdesk resets it; Judith sets it up again and switches it off herself.
    let reset = admin
        .call(
            "/api/beheer/helpdesk_reset",
            &format!("user={judith_id}&reason=Telefoon+kwijt"),
        )
        .await;
    assert_done(&reset);
    expected.push("helpdesk_reset");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);
    testing::enrol_app(&app.ctx, &app.clock, &judith_user(&app).await).await;
    expected.push("two_factor_enabled");
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, new_password).await;
    let secret = current_secret(&app, judith_id).await;
    app.pass_second_step(&secret).await;
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={}", encode(new_password)),
    )
    .await;
    let off = app.call("/api/ingelogd/disable_two_factor", "").await;
    assert_done(&off);
    expected.push("two_factor_disabled");
    assert_eq!(queued_kinds(&app, JUDITH_EMAIL, &codes).await, expected);

    // Every event the log knows was mailed, and each mail's entry is in the user's log.
    let log = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    for kind in &expected {
        let event = tweestap_domain::audit::log::Event::from_kind(kind).unwrap();
        assert!(log.contains(event.text()), "{kind}: {log}");
    }
    let all_kinds: Vec<String> = tweestap_domain::audit::log::Event::ALL
        .iter()
        .map(|event| event.kind())
        .collect();
    let mut all: Vec<&str> = all_kinds.iter().map(String::as_str).collect();
    all.sort();
    let mut seen = expected.clone();
    // The passkey's events have no pages yet (issue 23 is under way); the domain's
    // `every_passkey_event_queues_its_email_sec_21` proves their mail until these do.
    seen.extend([
        "passkey_added",
        "passkey_removed",
        "passkey_counter_went_back",
    ]);
    // A code refused because the phone's clock is off is logged and not mailed
    // (`Event::is_mailed`); `clock_drift.rs` shows it in the log, the domain's clock-drift test
    // that no mail is queued.
    seen.push("clock_drift");
    seen.sort();
    seen.dedup();
    assert_eq!(seen, all, "an event without its HTTP mail test");
}

/// The server function did what was asked, and sent the browser on.
fn assert_done(answer: &crate::support::TestResponse) {
    assert!(
        answer.status.as_u16() < 400 && !answer.header("location").is_empty(),
        "{:?} {}",
        answer.status,
        answer.body
    );
}

async fn judith_user(app: &TestApp) -> users::User {
    users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap()
}
