//! HTTP tests of SMS codes through the real router, with the outbox as provider: enrolment in
//! the wizard, the code at login, resending, and what a user is told when no SMS can be sent.

use axum::http::StatusCode;
use chrono::Duration;

use crate::support::{TestApp, code_now, encode, pending_secret};
use tweestap_domain::{
    accounts::{email::Email, session, users},
    sms::{PhoneNumber, SmsLimits, SmsProvider},
    testing::{Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
    twofactor::{enrolment, sms_enrolment},
};

tweestap_domain::on_both_backends!(
    the_wizard_enrols_with_sms_only_after_the_code_sec_11,
    a_login_sends_one_code_and_resending_waits_sec_10,
    wrong_and_expired_sms_codes_are_refused_sec_09,
    without_a_provider_sms_is_not_offered,
    a_provider_failure_is_explained_on_the_code_page,
    the_daily_maximum_points_to_recovery_codes_and_the_helpdesk_sec_10,
    with_sms_off_an_sms_user_is_asked_for_another_method_after_login_sec_33,
    with_sms_off_and_mandatory_an_sms_user_is_held_on_the_method_change_sec_33,
);

async fn app_with(backend: Backend, provider: SmsProvider, limits: SmsLimits) -> TestApp {
    TestApp::with_settings(backend, move |settings| {
        settings.sms.provider = Some(provider);
        settings.sms.limits = limits;
        settings.sms.host = "praktijk.example.nl".to_owned();
    })
    .await
}

async fn app_with_outbox(backend: Backend, outbox: &Outbox) -> TestApp {
    app_with(backend, outbox.provider(), SmsLimits::default()).await
}

/// The page's text as the browser shows it, without the renderer's empty comment markers.
async fn page(app: &mut TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.body);
    response.body.replace("<!>", "")
}

/// The opening tag of the "Code opnieuw versturen" button.
fn resend_button(page: &str) -> &str {
    let label = page
        .find("Code opnieuw versturen</button>")
        .expect("the resend button");
    let start = page[..label].rfind("<button").expect("its tag");
    &page[start..label]
}

/// Enrols Judith with SMS through the services, as the wizard does, and ends that session.
async fn enrol_judith(app: &TestApp, outbox: &Outbox) {
    let email = Email::parse(JUDITH_EMAIL).unwrap();
    let judith = users::find_by_email(&app.ctx, &email)
        .await
        .unwrap()
        .unwrap();
    let (_, session_id) = session::start(
        &app.ctx,
        &judith,
        &tweestap_domain::client::ClientInfo::default(),
        session::SessionStage::Complete,
    )
    .await
    .unwrap();
    let number = PhoneNumber::parse("06 12345678").unwrap();
    sms_enrolment::start_enrolment(&app.ctx, &judith, session_id, &number)
        .await
        .unwrap();
    sms_enrolment::confirm_enrolment(&app.ctx, &judith, session_id, &outbox.last_code(), None)
        .await
        .unwrap();
    enrolment::finish_enrolment(&app.ctx, judith.id)
        .await
        .unwrap();
    session::end(&app.ctx, session_id).await.unwrap();
    app.clock.advance(Duration::minutes(2));
}

// SEC-11: the wizard's SMS path: the number, a code to it, and only that code switches SMS on.
async fn the_wizard_enrols_with_sms_only_after_the_code_sec_11(backend: Backend) {
    let outbox = Outbox::new();
    let mut app = app_with_outbox(backend, &outbox).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let confirmed = app
        .call(
            "/api/instellen/wizard_password",
            &format!("password={}", encode(JUDITH_PASSWORD)),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/twee-staps/instellen");
    let method = page(&mut app, "/twee-staps/instellen").await;
    assert!(method.contains("id=\"method-sms\""), "{method}");
    assert!(method.contains("In verband met bijkomende kosten"));

    let chosen = app.call("/api/instellen/wizard_method", "method=sms").await;
    assert_eq!(
        chosen.header("location"),
        "/twee-staps/instellen?stap=telefoon"
    );
    let phone = page(&mut app, "/twee-staps/instellen?stap=telefoon").await;
    assert!(phone.contains("Mobiel telefoonnummer"), "{phone}");

    for (typed, problem) in [("", "PhoneMissing"), ("010 1234567", "PhoneInvalid")] {
        let refused = app
            .call(
                "/api/instellen/wizard_phone",
                &format!("phone={}", encode(typed)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{typed}");
        assert!(refused.body.contains(problem), "{typed}: {}", refused.body);
    }
    assert!(outbox.messages().is_empty());

    let sent = app
        .call(
            "/api/instellen/wizard_phone",
            &format!("phone={}", encode("06-12345678")),
        )
        .await;
    assert_eq!(sent.header("location"), "/twee-staps/instellen");
    assert_eq!(outbox.messages().len(), 1);
    let step = page(&mut app, "/twee-staps/instellen").await;
    assert!(
        step.contains("4. Vul de code in die je per SMS hebt ontvangen"),
        "{step}"
    );
    assert!(step.contains("gestuurd naar <strong>+31 6 ** ** ** 78</strong>"));
    assert!(step.contains("Code opnieuw versturen"));
    assert!(!step.contains("612345678"), "the number is shown masked");

    let wrong = app.call("/api/instellen/wizard_code", "code=000000").await;
    let right = outbox.last_code();
    if right != "000000" {
        assert!(wrong.body.contains("WrongSmsCode"), "{}", wrong.body);
    }
    let status = app.call("/api/ingelogd/two_factor_status", "").await;
    assert!(
        status.body.contains("\"enabled_since\":null"),
        "{}",
        status.body
    );

    let done = app
        .call("/api/instellen/wizard_code", &format!("code={right}"))
        .await;
    assert_eq!(done.header("location"), "/twee-staps/instellen");
    let codes = page(&mut app, "/twee-staps/instellen").await;
    assert!(codes.contains("5. Bewaar je herstelcodes"), "{codes}");
    app.call("/api/instellen/wizard_done", "saved=on").await;
    let status = app.call("/api/ingelogd/two_factor_status", "").await;
    assert!(status.body.contains("+31 6 ** ** ** 78"), "{}", status.body);
    // SEC-21: the security log says so, with the number masked.
    let settings = page(&mut app, "/profiel/instellingen").await;
    assert!(
        settings.contains("Twee-staps-authenticatie ingeschakeld (SMS naar +31 6 ** ** ** 78)"),
        "{settings}"
    );
    assert!(!settings.contains("612345678"));
}

// SEC-10: no SMS without a right password; one code per login; "Code opnieuw versturen" waits
// for the cooldown, shown as a countdown; the new code replaces the old one.
async fn a_login_sends_one_code_and_resending_waits_sec_10(backend: Backend) {
    let outbox = Outbox::new();
    let mut app = app_with_outbox(backend, &outbox).await;
    enrol_judith(&app, &outbox).await;
    let before = outbox.messages().len();

    let anonymous = app.call("/api/gedeeld/resend_sms_code", "").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let wrong = app.log_in(JUDITH_EMAIL, "Niet-het-wachtwoord-1").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        outbox.messages().len(),
        before,
        "no SMS before a right password"
    );

    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    assert_eq!(outbox.messages().len(), before + 1);
    let first = outbox.last_code();
    let code_page = page(&mut app, "/inloggen/code").await;
    assert!(
        code_page.contains("Vul de code in die je per SMS hebt ontvangen"),
        "{code_page}"
    );
    assert!(code_page.contains("gestuurd naar <strong>+31 6 ** ** ** 78</strong>"));
    assert!(
        resend_button(&code_page).contains("disabled"),
        "resend waits"
    );
    assert!(code_page.contains("Je kunt over 60 seconden een nieuwe code laten versturen."));
    assert!(code_page.contains("Telefoon kwijt? Gebruik een herstelcode"));
    // Reloading the page sends nothing.
    page(&mut app, "/inloggen/code").await;
    assert_eq!(outbox.messages().len(), before + 1);

    let early = app.call("/api/gedeeld/resend_sms_code", "").await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(early.body.contains("SmsCooldown"));
    assert_eq!(outbox.messages().len(), before + 1);

    app.clock.advance(Duration::seconds(60));
    let code_page = page(&mut app, "/inloggen/code").await;
    assert!(
        !code_page.contains("seconden een nieuwe code"),
        "{code_page}"
    );
    assert!(!resend_button(&code_page).contains("disabled"));
    let resent = app
        .call("/api/gedeeld/resend_sms_code", "next=%2Fprofiel")
        .await;
    assert_eq!(
        resent.header("location"),
        "/inloggen/code?volgende=/profiel"
    );
    assert_eq!(outbox.messages().len(), before + 2);
    let second = outbox.last_code();
    if first != second {
        let old = app
            .call(
                "/api/tweede-stap/second_step_code",
                &format!("code={first}"),
            )
            .await;
        assert!(old.body.contains("WrongSmsCode"), "{}", old.body);
    }
    let pending = app.session_cookie();
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={second}&next=%2Fprofiel"),
        )
        .await;
    assert_eq!(passed.header("location"), "/profiel", "{}", passed.body);
    assert_ne!(app.session_cookie(), pending);
    assert_eq!(app.get("/profiel").await.status, StatusCode::OK);
    // A complete session cannot make the platform send login codes.
    let after = app.call("/api/gedeeld/resend_sms_code", "").await;
    assert_ne!(after.status, StatusCode::OK);
    assert_eq!(outbox.messages().len(), before + 2);
}

// SEC-09: a wrong code and a code older than five minutes are refused, each with its own
// message; a fresh code after that works.
async fn wrong_and_expired_sms_codes_are_refused_sec_09(backend: Backend) {
    let outbox = Outbox::new();
    let mut app = app_with_outbox(backend, &outbox).await;
    enrol_judith(&app, &outbox).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let code = outbox.last_code();
    let wrong = if code == "999999" { "111111" } else { "999999" };
    let refused = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={wrong}"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("WrongSmsCode"));

    app.clock.advance(Duration::minutes(5));
    let expired = app
        .call("/api/tweede-stap/second_step_code", &format!("code={code}"))
        .await;
    assert!(expired.body.contains("SmsCodeExpired"), "{}", expired.body);

    app.call("/api/gedeeld/resend_sms_code", "").await;
    let fresh = outbox.last_code();
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={fresh}"),
        )
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
}

// Without TWEESTAP_SMS_PROVIDER the wizard offers only the app, and SMS cannot be chosen.
async fn without_a_provider_sms_is_not_offered(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/instellen/wizard_password",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
    let method = page(&mut app, "/twee-staps/instellen").await;
    assert!(!method.contains("id=\"method-sms\""), "{method}");
    let chosen = app.call("/api/instellen/wizard_method", "method=sms").await;
    assert!(chosen.body.contains("MethodMissing"), "{}", chosen.body);
    let phone = app
        .call("/api/instellen/wizard_phone", "phone=0612345678")
        .await;
    assert_eq!(phone.status, StatusCode::SERVICE_UNAVAILABLE);
}

// A provider that fails: the login still reaches the code page, which says what happened and
// offers to send again or to use a recovery code.
async fn a_provider_failure_is_explained_on_the_code_page(backend: Backend) {
    let outbox = Outbox::new();
    let mut app = app_with_outbox(backend, &outbox).await;
    enrol_judith(&app, &outbox).await;
    // The same database, now with a provider that cannot deliver.
    let mut broken = (*app.ctx.settings).clone();
    broken.sms.provider = Some(SmsProvider::Outbox(
        std::env::temp_dir().join("tweestap-no-such-folder/outbox.jsonl"),
    ));
    app.ctx.settings = std::sync::Arc::new(broken);
    app.router = server::router(app.ctx.clone(), server::leptos_options_for("target/site"));

    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    let code_page = page(&mut app, "/inloggen/code").await;
    assert!(
        code_page.contains("De SMS met de code kon niet worden verstuurd."),
        "{code_page}"
    );
    assert!(!code_page.contains("gestuurd naar"));
    assert!(
        !resend_button(&code_page).contains("disabled"),
        "a retry need not wait: {}",
        resend_button(&code_page)
    );
    assert!(code_page.contains("Telefoon kwijt? Gebruik een herstelcode"));
    let retry = app.call("/api/gedeeld/resend_sms_code", "").await;
    assert_eq!(retry.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(retry.body.contains("SmsNotSent"));
}

// SEC-10: when the installation's daily maximum is reached, the code page tells the user to
// use a recovery code or the helpdesk.
async fn the_daily_maximum_points_to_recovery_codes_and_the_helpdesk_sec_10(backend: Backend) {
    let outbox = Outbox::new();
    let limits = SmsLimits {
        per_day: 1,
        ..SmsLimits::default()
    };
    let mut app = app_with(backend, outbox.provider(), limits).await;
    enrol_judith(&app, &outbox).await;
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    assert_eq!(outbox.messages().len(), 1, "only the enrolment's message");
    let code_page = page(&mut app, "/inloggen/code").await;
    assert!(
        code_page.contains("Er kunnen op dit moment geen SMS-berichten worden verstuurd. Gebruik een herstelcode of neem contact op met de helpdesk."),
        "{code_page}"
    );
}

/// Judith, enrolled with SMS; then the installation turns SMS off (and `change` may change
/// more), and she logs in again with a code by SMS on a server that has the new settings.
/// Returns the first server (which holds the test database: keep it), the second and the
/// second step's answer.
async fn sms_user_after_sms_is_off(
    backend: Backend,
    outbox: &Outbox,
    next: &str,
    change: impl FnOnce(&mut tweestap_domain::settings::Settings),
) -> (TestApp, TestApp, crate::support::TestResponse) {
    use tweestap_domain::twofactor::methods::SmsPolicy;
    let mut enrolled = app_with_outbox(backend, outbox).await;
    enrol_judith(&enrolled, outbox).await;
    enrolled.ctx.settings = std::sync::Arc::new({
        let mut settings = (*enrolled.ctx.settings).clone();
        settings.methods.sms_policy = SmsPolicy::Off;
        change(&mut settings);
        settings
    });
    let mut app = enrolled.another_instance().await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}{next}", outbox.last_code()),
        )
        .await;
    (enrolled, app, passed)
}

// SEC-33: TWEESTAP_SMS_POLICY=off. A user whose only method is SMS still logs in with it (no
// one is locked out), and is then sent to "Methode wijzigen", which says why; during the
// optional period with "Niet nu". Choosing SMS anew is refused.
async fn with_sms_off_an_sms_user_is_asked_for_another_method_after_login_sec_33(backend: Backend) {
    let outbox = Outbox::new();
    let (_enrolled, mut app, passed) =
        sms_user_after_sms_is_off(backend, &outbox, "&next=%2Fprofiel", |_| {}).await;
    assert_eq!(
        passed.header("location"),
        "/profiel/methode?volgende=/profiel",
        "{}",
        passed.body
    );
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={JUDITH_PASSWORD}&next=%2Fprofiel%2Fmethode"),
    )
    .await;
    let method = page(&mut app, "/profiel/methode?volgende=/profiel").await;
    assert!(
        method.contains("SMS wordt op dit platform niet meer aangeboden"),
        "{method}"
    );
    assert!(method.contains("Niet nu"), "{method}");
    assert!(
        !method.contains("value=\"sms\""),
        "SMS is not offered anew: {method}"
    );
    let refused = app
        .call("/api/methode/method_change_start", "method=sms")
        .await;
    assert!(refused.body.contains("MethodMissing"), "{}", refused.body);
}

// SEC-33: TWEESTAP_SMS_POLICY=off, and the rollout's mandatory date has passed. The SMS-only
// user still logs in with SMS, and is then held on "Methode wijzigen" (and the passkeys page)
// as the wizard holds a user without two-step authentication: every other page leads there,
// every other function is refused, and "Niet nu" is not offered. Once the app is the method,
// the platform is open again.
async fn with_sms_off_and_mandatory_an_sms_user_is_held_on_the_method_change_sec_33(
    backend: Backend,
) {
    use tweestap_domain::twofactor::policy::Rollout;
    let outbox = Outbox::new();
    let (_enrolled, mut app, passed) =
        sms_user_after_sms_is_off(backend, &outbox, "", |settings| {
            settings.rollout = Rollout {
                optional_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                mandatory_from: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            };
        })
        .await;
    assert_eq!(
        passed.header("location"),
        "/profiel/methode",
        "{}",
        passed.body
    );

    // Held: pages lead to "Methode wijzigen", functions are refused with why.
    for path in ["/", "/profiel/instellingen", "/configuratie", "/inloggen"] {
        let held = app.get(path).await;
        assert_eq!(held.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(held.header("location"), "/profiel/methode", "{path}");
    }
    for function in ["/api/ingelogd/not_now", "/api/ingelogd/session_overview"] {
        let refused = app.call(function, "").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{function}");
        assert!(
            refused.body.contains("MethodChangeRequired"),
            "{function}: {}",
            refused.body
        );
    }
    assert_eq!(app.get("/profiel/passkeys").await.status, StatusCode::OK);
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
    let method = page(&mut app, "/profiel/methode").await;
    assert!(
        method.contains("SMS wordt op dit platform niet meer aangeboden"),
        "{method}"
    );
    assert!(!method.contains("Niet nu"), "mandatory: {method}");

    // To the app: its code confirms it, and the platform is open again.
    let started = app
        .call("/api/methode/method_change_start", "method=app")
        .await;
    assert_eq!(
        started.header("location"),
        "/profiel/methode",
        "{}",
        started.body
    );
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let secret = pending_secret(&app, judith.id).await;
    let done = app
        .call(
            "/api/methode/method_change_code",
            &format!("code={}", code_now(&app, &secret)),
        )
        .await;
    assert_eq!(
        done.header("location"),
        "/profiel/instellingen",
        "{}",
        done.body
    );
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/profiel/instellingen").await.status,
        StatusCode::OK
    );
}
