//! HTTP tests of "Methode wijzigen" through the real router: the password again within 5
//! minutes, only the user's own factor, the security log, and nothing for a session that has
//! not passed its second step.

use axum::http::StatusCode;
use chrono::Duration;
use sea_orm::EntityTrait;

use crate::support::{TestApp, app_secret, code_now, encode, pending_secret};
use tweestap_domain::{
    accounts::{email::Email, users},
    db::entity::{factor_change, security_event, two_factor, user::Role},
    sms::SmsLimits,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
    twofactor::{enrolment, totp},
};

tweestap_domain::on_both_backends!(
    changing_the_method_needs_the_password_within_five_minutes_sec_20,
    a_change_to_sms_is_logged_without_code_or_secret_sec_11_sec_21,
    a_professional_changes_only_their_own_factor_sec_02,
    a_session_before_its_second_step_cannot_reach_the_change_sec_01_sec_04,
);

const BRAM_EMAIL: &str = "bram@example.nl";
const BRAM_PASSWORD: &str = "Een-ander-wachtwoord-1";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Every function of the page that changes something.
const CHANGES: [(&str, &str); 5] = [
    ("/api/methode/method_change_start", "method=app"),
    ("/api/methode/method_change_phone", "phone=0612345678"),
    ("/api/methode/method_change_code", "code=123456"),
    ("/api/methode/method_change_resend", ""),
    ("/api/methode/method_change_cancel", ""),
];

async fn app_with_outbox(backend: Backend, outbox: &Outbox) -> TestApp {
    let provider = outbox.provider();
    TestApp::with_settings(backend, move |settings| {
        settings.sms.provider = Some(provider);
        settings.sms.limits = SmsLimits::default();
        settings.sms.host = "praktijk.example.nl".to_owned();
    })
    .await
}

async fn user_id(app: &TestApp, email: &str) -> i32 {
    users::find_by_email(&app.ctx, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Enrols a user with the app through the services; returns the secret. The clock moves on a
/// step, so the next code is a fresh one.
async fn enrol(app: &TestApp, email: &str) -> Vec<u8> {
    let user = users::find_by_email(&app.ctx, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    let row = enrolment::start_app_enrolment(&app.ctx, &user)
        .await
        .unwrap();
    let secret = app_secret(app, user.id, &row.secret_enc);
    enrolment::confirm_app_enrolment(&app.ctx, &user, &code_now(app, &secret), None)
        .await
        .unwrap();
    enrolment::finish_enrolment(&app.ctx, user.id)
        .await
        .unwrap();
    app.clock.advance(Duration::seconds(30));
    secret
}

/// Password and app code: a complete login.
async fn log_in_with_app(app: &mut TestApp, email: &str, password: &str, secret: &[u8]) {
    app.cookies.clear();
    app.log_in(email, password).await;
    app.pass_second_step(secret).await;
    app.clock.advance(Duration::seconds(30));
}

async fn password_again(app: &mut TestApp, password: &str) {
    let confirmed = app
        .call(
            "/api/methode/reauthenticate",
            &format!("password={}&next=%2Fprofiel%2Fmethode", encode(password)),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/profiel/methode");
}

/// The page's text as the browser shows it, without the renderer's empty comment markers.
async fn page(app: &mut TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body.replace("<!>", "")
}

// SEC-20: every change on the page needs the password entered within the last 5 minutes; the
// page asks for it first, and again when it has gone stale in the middle of a change. A new app
// replaces the old one (SEC-08: its key is shown only during the change).
async fn changing_the_method_needs_the_password_within_five_minutes_sec_20(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let judith = user_id(&app, JUDITH_EMAIL).await;
    let old = enrol(&app, JUDITH_EMAIL).await;
    log_in_with_app(&mut app, JUDITH_EMAIL, JUDITH_PASSWORD, &old).await;
    let settings = page(&mut app, "/profiel/instellingen").await;
    assert!(settings.contains("href=\"/profiel/methode\">Methode wijzigen</a>"));

    for (function, form) in CHANGES {
        let refused = app.call(function, form).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{function}");
        assert!(
            refused.body.contains("PasswordConfirmationNeeded"),
            "{function}: {}",
            refused.body
        );
    }
    let asked = page(&mut app, "/profiel/methode").await;
    assert!(asked.contains("<h1>Methode wijzigen</h1>"), "{asked}");
    assert!(asked.contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in."));
    let wrong = app
        .call(
            "/api/methode/reauthenticate",
            "password=Niet-het-wachtwoord-1&next=%2Fprofiel%2Fmethode",
        )
        .await;
    assert!(wrong.body.contains("WrongPassword"));
    password_again(&mut app, JUDITH_PASSWORD).await;

    let choice = page(&mut app, "/profiel/methode").await;
    assert!(
        choice.contains("Je huidige methode: code van authenticatie-applicatie."),
        "{choice}"
    );
    assert!(
        !choice.contains("id=\"method-sms\""),
        "no SMS without a provider"
    );
    let started = app
        .call("/api/methode/method_change_start", "method=app")
        .await;
    assert_eq!(started.header("location"), "/profiel/methode");
    let new = pending_secret(&app, judith).await;
    let scan = page(&mut app, "/profiel/methode").await;
    assert!(scan.contains("Scan deze QR-code"), "{scan}");
    assert!(scan.contains(&totp::secret_for_people(&new)));
    assert_eq!(
        app.get("/profiel/methode").await.header("cache-control"),
        "no-store"
    );

    // Six minutes later, the code is refused until the password is entered again; the change
    // waits meanwhile.
    app.clock.advance(Duration::minutes(6));
    let stale = app
        .call(
            "/api/methode/method_change_code",
            &format!("code={}", code_now(&app, &new)),
        )
        .await;
    assert!(stale.body.contains("PasswordConfirmationNeeded"));
    let asked = page(&mut app, "/profiel/methode?stap=code").await;
    assert!(asked.contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in."));
    assert!(!asked.contains(&totp::secret_for_people(&new)));
    password_again(&mut app, JUDITH_PASSWORD).await;
    let code_step = page(&mut app, "/profiel/methode?stap=code").await;
    assert!(
        code_step.contains("Vul de code in van de authenticatie-applicatie"),
        "{code_step}"
    );
    let done = app
        .call(
            "/api/methode/method_change_code",
            &format!("code={}", code_now(&app, &new)),
        )
        .await;
    assert_eq!(
        done.header("location"),
        "/profiel/instellingen",
        "{}",
        done.body
    );
    let settings = page(&mut app, "/profiel/instellingen").await;
    assert!(settings.contains("Authenticatie-methode gewijzigd (van app naar nieuwe app)"));

    // The old app no longer logs in; the new one does.
    app.clock.advance(Duration::seconds(30));
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    if code_now(&app, &old) != code_now(&app, &new) {
        let refused = app
            .call(
                "/api/tweede-stap/second_step_code",
                &format!("code={}", code_now(&app, &old)),
            )
            .await;
        assert!(refused.body.contains("WrongCode"), "{}", refused.body);
    }
    log_in_with_app(&mut app, JUDITH_EMAIL, JUDITH_PASSWORD, &new).await;
}

// SEC-11 and SEC-21: from the app to SMS through the pages: the number, a code to it, and only
// that code makes SMS the method. The security log says so with the number masked, and no
// entry holds the code, the number or the secret.
async fn a_change_to_sms_is_logged_without_code_or_secret_sec_11_sec_21(backend: Backend) {
    let outbox = Outbox::new();
    let mut app = app_with_outbox(backend, &outbox).await;
    let judith = user_id(&app, JUDITH_EMAIL).await;
    let secret = enrol(&app, JUDITH_EMAIL).await;
    app.user_agent = Some(FIREFOX.to_owned());
    log_in_with_app(&mut app, JUDITH_EMAIL, JUDITH_PASSWORD, &secret).await;
    password_again(&mut app, JUDITH_PASSWORD).await;

    let choice = page(&mut app, "/profiel/methode").await;
    assert!(choice.contains("id=\"method-sms\""), "{choice}");
    assert!(choice.contains("In verband met bijkomende kosten"));
    let chosen = app
        .call("/api/methode/method_change_start", "method=sms")
        .await;
    assert_eq!(chosen.header("location"), "/profiel/methode?stap=telefoon");
    let phone = page(&mut app, "/profiel/methode?stap=telefoon").await;
    assert!(phone.contains("Mobiel telefoonnummer"), "{phone}");
    let refused = app
        .call("/api/methode/method_change_phone", "phone=010%201234567")
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("PhoneInvalid"));
    assert!(outbox.messages().is_empty());

    let sent = app
        .call("/api/methode/method_change_phone", "phone=06-12345678")
        .await;
    assert_eq!(sent.header("location"), "/profiel/methode");
    assert_eq!(outbox.messages().len(), 1);
    let step = page(&mut app, "/profiel/methode").await;
    assert!(
        step.contains("Vul de code in die je per SMS hebt ontvangen"),
        "{step}"
    );
    assert!(step.contains("gestuurd naar <strong>+31 6 ** ** ** 78</strong>"));
    assert!(step.contains("action=\"/api/methode/method_change_resend\""));
    // Resending waits for the cooldown (SEC-10).
    let early = app.call("/api/methode/method_change_resend", "").await;
    assert!(early.body.contains("SmsCooldown"), "{}", early.body);

    let code = outbox.last_code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .call("/api/methode/method_change_code", &format!("code={wrong}"))
        .await;
    assert!(refused.body.contains("WrongSmsCode"), "{}", refused.body);
    let status = app.call("/api/ingelogd/two_factor_status", "").await;
    assert!(status.body.contains("\"sms_number\":null"), "still the app");

    let done = app
        .call("/api/methode/method_change_code", &format!("code={code}"))
        .await;
    assert_eq!(
        done.header("location"),
        "/profiel/instellingen",
        "{}",
        done.body
    );
    let settings = page(&mut app, "/profiel/instellingen").await;
    assert!(settings.contains("Methode: SMS met code naar +31 6 ** ** ** 78"));
    assert!(
        settings.contains("Authenticatie-methode gewijzigd (van app naar SMS (+31 6 ** ** ** 78))"),
        "{settings}"
    );
    assert!(settings.contains("Je hebt nog 10 herstelcodes over."));
    let events = security_event::Entity::find()
        .all(&app.ctx.db)
        .await
        .unwrap();
    let changed: Vec<_> = events
        .iter()
        .filter(|event| {
            event.kind == tweestap_domain::audit::log::Event::MethodChanged
                && event.user_id == judith
        })
        .collect();
    assert_eq!(changed.len(), 1);
    // Time and browser (the in-process router has no peer address to record).
    assert_eq!(changed[0].created_at, app.ctx.now());
    assert_eq!(changed[0].user_agent.as_deref(), Some(FIREFOX));
    let key = totp::secret_for_people(&secret).replace(' ', "");
    for event in &events {
        let text = format!("{event:?}");
        for secret in [code.as_str(), "612345678", key.as_str()] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    // The next login sends its code to the new number.
    app.clock.advance(Duration::minutes(2));
    app.cookies.clear();
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    assert_eq!(outbox.messages().len(), 2);
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}", outbox.last_code()),
        )
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
}

// SEC-02: no request names a user; each session changes its own factor only, and one user's
// codes do not confirm another's change.
async fn a_professional_changes_only_their_own_factor_sec_02(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    testing::add_user(
        &app.ctx,
        BRAM_EMAIL,
        "Bram",
        BRAM_PASSWORD,
        Role::Professional,
    )
    .await;
    let judith = user_id(&app, JUDITH_EMAIL).await;
    let bram_id = user_id(&app, BRAM_EMAIL).await;
    let judith_secret = enrol(&app, JUDITH_EMAIL).await;
    let bram_secret = enrol(&app, BRAM_EMAIL).await;
    log_in_with_app(&mut app, JUDITH_EMAIL, JUDITH_PASSWORD, &judith_secret).await;
    password_again(&mut app, JUDITH_PASSWORD).await;
    app.call("/api/methode/method_change_start", "method=app")
        .await;
    let judith_new = pending_secret(&app, judith).await;
    let judith_factor = two_factor::Entity::find_by_id(judith)
        .one(&app.ctx.db)
        .await
        .unwrap();

    let mut bram = app.another_browser();
    log_in_with_app(&mut bram, BRAM_EMAIL, BRAM_PASSWORD, &bram_secret).await;
    password_again(&mut bram, BRAM_PASSWORD).await;
    // A user id in the form is not a parameter of these functions.
    let extra = bram
        .call(
            "/api/methode/method_change_start",
            &format!("method=app&user_id={judith}"),
        )
        .await;
    assert_ne!(extra.status, StatusCode::INTERNAL_SERVER_ERROR);
    // Judith's new app's code does not confirm anything of Bram's, nor Judith's change.
    if code_now(&bram, &judith_new) != code_now(&bram, &bram_secret) {
        let refused = bram
            .call(
                "/api/methode/method_change_code",
                &format!("code={}", code_now(&bram, &judith_new)),
            )
            .await;
        assert!(
            refused.status == StatusCode::UNAUTHORIZED || refused.status == StatusCode::FORBIDDEN,
            "{}",
            refused.body
        );
    }
    bram.call("/api/methode/method_change_cancel", "").await;
    assert_eq!(
        two_factor::Entity::find_by_id(judith)
            .one(&app.ctx.db)
            .await
            .unwrap(),
        judith_factor,
        "Judith's factor is untouched"
    );
    assert_eq!(
        pending_secret(&app, judith).await,
        judith_new,
        "Judith's change is untouched"
    );
    assert!(
        factor_change::Entity::find_by_id(bram_id)
            .one(&app.ctx.db)
            .await
            .unwrap()
            .is_none()
    );

    // Judith finishes her own change.
    let done = app
        .call(
            "/api/methode/method_change_code",
            &format!("code={}", code_now(&app, &judith_new)),
        )
        .await;
    assert_eq!(
        done.header("location"),
        "/profiel/instellingen",
        "{}",
        done.body
    );
    let bram_factor = two_factor::Entity::find_by_id(bram_id)
        .one(&app.ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app_secret(&app, bram_id, &bram_factor.secret_enc),
        bram_secret
    );
}

// SEC-01 and SEC-04: between password and code, and for a user who must still enrol, the page
// and its functions answer with the second step or the wizard, and change nothing.
async fn a_session_before_its_second_step_cannot_reach_the_change_sec_01_sec_04(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let judith = user_id(&app, JUDITH_EMAIL).await;
    enrol(&app, JUDITH_EMAIL).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    // Even with the password entered again through the wizard's form, which is refused here.
    let wizard = app
        .call(
            "/api/instellen/wizard_password",
            &format!("password={}", encode(JUDITH_PASSWORD)),
        )
        .await;
    assert_eq!(wizard.status, StatusCode::UNAUTHORIZED);
    let page = app.get("/profiel/methode").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.header("location"), "/inloggen/code");
    for (function, form) in CHANGES
        .into_iter()
        .chain([("/api/methode/method_change_state", "")])
    {
        let refused = app.call(function, form).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{function}");
        assert!(refused.body.contains("SecondStepRequired"), "{function}");
    }
    assert!(
        factor_change::Entity::find_by_id(judith)
            .one(&app.ctx.db)
            .await
            .unwrap()
            .is_none()
    );

    // In the mandatory period, a user without two-step authentication reaches only the wizard.
    let mut bram = app.another_browser();
    testing::add_user(
        &app.ctx,
        BRAM_EMAIL,
        "Bram",
        BRAM_PASSWORD,
        Role::Professional,
    )
    .await;
    app.clock.set(testing::in_mandatory_period());
    bram.log_in(BRAM_EMAIL, BRAM_PASSWORD).await;
    assert_eq!(
        bram.get("/profiel/methode").await.header("location"),
        "/twee-staps/instellen"
    );
    for (function, form) in CHANGES {
        let refused = bram.call(function, form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{function}");
        assert!(refused.body.contains("EnrolmentRequired"), "{function}");
    }
}
