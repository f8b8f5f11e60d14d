//! HTTP tests of two-step authentication through the real router: what a session reaches
//! between password and code, the new session id after the second step, "Onthoud mij" and the
//! mandatory period.

use axum::http::StatusCode;
use chrono::Duration;

use crate::account::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::support::{TestApp, code_now, encode};
use tweestap_domain::{
    accounts::{email::Email, users},
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
    twofactor::{attempts, factor, remembered},
};

tweestap_domain::on_both_backends!(
    between_password_and_code_nothing_else_opens,
    the_second_step_gives_a_new_session_and_can_remember_the_browser,
    the_mandatory_period_allows_only_the_wizard,
    a_recovery_code_login_says_how_many_are_left,
    the_security_log_shows_locks_recovery_codes_and_remembered_devices_sec_21,
    new_recovery_codes_need_the_password_again_and_replace_the_old_sec_13_sec_20,
    remembered_devices_are_listed_and_forgotten_by_their_owner_only_sec_20,
    switching_off_needs_the_password_and_is_refused_when_mandatory_sec_20,
    entering_the_password_again_gives_a_new_session_id_sec_03,
    unsaved_recovery_codes_are_shown_again_only_behind_the_password_sec_13_sec_20,
    a_password_only_session_learns_nothing_and_lives_minutes_sec_30,
    the_must_enrol_stage_keeps_the_name_sec_30,
    three_days_chosen_at_the_code_step_last_three_days_sec_19,
    the_remember_maximum_leaves_the_checkbox_and_refuses_longer_sec_19,
);

/// Enrols Judith with the app through the services; returns her secret and recovery codes. The clock moves on a
/// step, so the next code is a fresh one.
async fn enrol_judith(app: &TestApp) -> Vec<u8> {
    enrol_judith_with_codes(app).await.0
}

async fn enrol_judith_with_codes(app: &TestApp) -> (Vec<u8>, Vec<String>) {
    let email = Email::parse(JUDITH_EMAIL).unwrap();
    let judith = users::find_by_email(&app.ctx, &email)
        .await
        .unwrap()
        .unwrap();
    testing::enrol_app(&app.ctx, &app.clock, &judith).await
}

// SEC-01: after the password, every page and server function except the second step and
// logout answers with a redirect to the code page or a 401, and shows nothing of the user.
async fn between_password_and_code_nothing_else_opens(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    enrol_judith(&app).await;
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");

    let open_pages = ["/inloggen", "/inloggen/code", "/inloggen/herstelcode"];
    for route in server::route_list() {
        let page = route.path().to_owned();
        let response = app.get(&page).await;
        if open_pages.contains(&page.as_str()) {
            assert_eq!(response.status, StatusCode::OK, "{page}");
        } else {
            assert_eq!(response.status, StatusCode::SEE_OTHER, "{page}");
            assert_eq!(response.header("location"), "/inloggen/code", "{page}");
            assert!(!response.body.contains("Judith"), "{page}");
        }
    }
    let open_functions = [
        "/api/open/login",
        "/api/open/logout",
        "/api/tweede-stap/second_step_code",
        "/api/tweede-stap/second_step_recovery",
        "/api/tweede-stap/second_step_info",
        "/api/tweede-stap/passkey_login_options",
        "/api/open/passkey_sign_in_offered",
        "/api/open/passkey_sign_in_options",
        "/api/open/passkey_sign_in",
        "/api/tweede-stap/passkey_login",
        "/api/gedeeld/remember_choices",
        "/api/gedeeld/resend_sms_code",
        "/api/open/page_state",
        "/api/open/choose_language",
    ];
    for (function, _) in server_fn::axum::server_fn_paths() {
        if open_functions.contains(&function) {
            continue;
        }
        let response = app.call(function, "").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{function}");
        assert!(
            response.body.contains("SecondStepRequired"),
            "{function}: {}",
            response.body
        );
    }
}

// SEC-03 and SEC-19: the second step replaces the session id; "Onthoud mij" spares the code on
// this browser only, for the configured hours.
async fn the_second_step_gives_a_new_session_and_can_remember_the_browser(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let pending = app.session_cookie().unwrap();
    let code = code_now(&app, &secret);
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}&remember=on&next=%2Fprofiel", encode(&code)),
        )
        .await;
    assert_eq!(passed.header("location"), "/profiel", "{}", passed.body);
    let complete = app.session_cookie().unwrap();
    assert_ne!(pending, complete, "a new session id after the second step");
    assert_eq!(app.get("/profiel").await.status, StatusCode::OK);
    let remembered = passed
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tweestap_onthouden="))
        .expect("the Onthoud mij cookie");
    assert!(remembered.contains("HttpOnly") && remembered.contains("Max-Age=43200"));

    // The pending session's id opens nothing any more.
    app.cookies.insert("tweestap_sessie".into(), pending);
    let old = app.get("/profiel").await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert!(old.header("location").starts_with("/inloggen"));

    // With the remember cookie, the password is enough; after 12 hours it is not.
    app.cookies.remove("tweestap_sessie");
    let again = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(again.header("location"), "/");
    app.clock.advance(Duration::hours(12));
    app.cookies.remove("tweestap_sessie");
    let later = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(later.header("location"), "/inloggen/code");
}

// SEC-04: from the mandatory date, a user without two-step authentication reaches only the
// wizard and logout; "Niet nu" is refused.
async fn the_mandatory_period_allows_only_the_wizard(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.clock.set(testing::in_mandatory_period());
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/twee-staps/instellen");
    for page in [
        "/",
        "/profiel/instellingen",
        "/twee-staps/introductie",
        "/configuratie",
    ] {
        let response = app.get(page).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(
            response.header("location"),
            "/twee-staps/instellen",
            "{page}"
        );
    }
    assert_eq!(
        app.get("/twee-staps/instellen").await.status,
        StatusCode::OK
    );
    for function in [
        "/api/ingelogd/session_overview",
        "/api/ingelogd/not_now",
        "/api/ingelogd/two_factor_status",
    ] {
        let response = app.call(function, "").await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{function}");
        assert!(response.body.contains("EnrolmentRequired"), "{function}");
    }
    // The day before, the same user was free to go on.
    app.clock.advance(-Duration::days(2));
    assert_eq!(app.get("/profiel").await.status, StatusCode::OK);
}

// After a recovery code the user sees how many are left, and is warned at three or fewer.
async fn a_recovery_code_login_says_how_many_are_left(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let (_, codes) = enrol_judith_with_codes(&app).await;
    let mut left = codes.len();
    // Down to the last one, which is "1 herstelcode", not "1 herstelcodes".
    for code in &codes[..9] {
        app.cookies.clear();
        app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
        let used = app
            .call(
                "/api/tweede-stap/second_step_recovery",
                &format!("code={}&next=%2Fprofiel", encode(code)),
            )
            .await;
        assert_eq!(
            used.header("location"),
            "/inloggen/herstelcode-gebruikt?volgende=/profiel",
            "{}",
            used.body
        );
        left -= 1;
        let mut page = app
            .get("/inloggen/herstelcode-gebruikt?volgende=/profiel")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        // The text as the browser shows it, without the renderer's empty comment markers.
        page.body = page.body.replace("<!>", "");
        let expected = if left == 1 {
            "Je hebt nog 1 herstelcode over.".to_owned()
        } else {
            format!("Je hebt nog {left} herstelcodes over.")
        };
        assert!(page.body.contains(&expected), "{left}: {}", page.body);
        assert_eq!(
            page.body
                .contains("Je hebt nog maar weinig herstelcodes over."),
            left <= 3,
            "{left}"
        );
        assert!(page.body.contains("href=\"/profiel\""));
    }
}

// SEC-21: a lock, a recovery-code login and a remembered browser are written to the security
// log, which the user reads under Instellingen; no code appears in it.
async fn the_security_log_shows_locks_recovery_codes_and_remembered_devices_sec_21(
    backend: Backend,
) {
    let mut app = TestApp::new(backend).await;
    let (secret, codes) = enrol_judith_with_codes(&app).await;
    app.user_agent = Some(CHROME_ON_WINDOWS.to_owned());
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    for _ in 0..attempts::MAX_FAILED_ATTEMPTS {
        app.call("/api/tweede-stap/second_step_code", "code=000000")
            .await;
    }
    let locked = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}", code_now(&app, &secret)),
        )
        .await;
    assert!(locked.body.contains("Locked"), "{}", locked.body);
    app.clock
        .advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_recovery",
        &format!("code={}", encode(&codes[0])),
    )
    .await;
    app.cookies.clear();
    app.clock.advance(Duration::seconds(30));
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let code = code_now(&app, &secret);
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={code}&remember=on"),
    )
    .await;
    let settings = app.get("/profiel/instellingen").await;
    assert_eq!(settings.status, StatusCode::OK);
    let body = settings.body.replace("<!>", "");
    assert!(body.contains("Beveiligingslog"), "{body}");
    for line in [
        // The lock names the browser the wrong codes came from.
        "Tweede stap geblokkeerd na te veel onjuiste codes (15 minuten)</td><td>Chrome op Windows",
        "Ingelogd met een herstelcode (nog 9 over)</td><td>Chrome op Windows",
        "Apparaat onthouden ('Onthoud mij')</td><td>Chrome op Windows",
    ] {
        assert!(body.contains(line), "{line}: {body}");
    }
    assert!(!body.contains(&codes[0]), "no recovery code in the log");
    assert!(!body.contains(&code), "no app code in the log");
    // Newest first.
    let remembered = body.find("Apparaat onthouden").unwrap();
    let locked = body.find("Tweede stap geblokkeerd").unwrap();
    assert!(remembered < locked);
}

// SEC-20: a new set of recovery codes needs the password entered within the last 5 minutes;
// SEC-13: the new set replaces the old one entirely and is shown once, until "Gedaan".
async fn new_recovery_codes_need_the_password_again_and_replace_the_old_sec_13_sec_20(
    backend: Backend,
) {
    let mut app = TestApp::new(backend).await;
    let (secret, old_codes) = enrol_judith_with_codes(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    let settings = app.get("/profiel/instellingen").await;
    assert!(settings.body.contains("href=\"/profiel/herstelcodes\""));

    let refused = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("PasswordConfirmationNeeded"));
    let page = app.get("/profiel/herstelcodes").await;
    assert!(
        page.body
            .contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in.")
    );
    let wrong = app
        .call(
            "/api/methode/reauthenticate",
            "password=Niet-het-wachtwoord-1",
        )
        .await;
    assert!(wrong.body.contains("WrongPassword"));
    let confirmed = app
        .call(
            "/api/methode/reauthenticate",
            &format!("password={}", encode(JUDITH_PASSWORD)),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/profiel/herstelcodes");
    let page = app
        .get("/profiel/herstelcodes")
        .await
        .body
        .replace("<!>", "");
    assert!(page.contains("Je hebt nog 10 herstelcodes over."), "{page}");

    let made = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert_eq!(
        made.header("location"),
        "/profiel/herstelcodes",
        "{}",
        made.body
    );
    let page = app.get("/profiel/herstelcodes").await.body;
    let new_codes: Vec<String> = crate::support::shown_recovery_codes(&page);
    assert_eq!(new_codes.len(), 10, "{page}");
    assert!(new_codes.iter().all(|code| !old_codes.contains(code)));
    app.call("/api/ingelogd/recovery_codes_done", "saved=on")
        .await;
    let page = app.get("/profiel/herstelcodes").await.body;
    assert!(!page.contains(&new_codes[0]), "shown once");

    // Six minutes later the password is asked again.
    app.clock.advance(Duration::minutes(6));
    let again = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert!(again.body.contains("PasswordConfirmationNeeded"));

    // At the next login the old set is refused and the new one works.
    app.cookies.clear();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let old = app
        .call(
            "/api/tweede-stap/second_step_recovery",
            &format!("code={}", encode(&old_codes[1])),
        )
        .await;
    assert!(old.body.contains("WrongRecoveryCode"), "{}", old.body);
    let new = app
        .call(
            "/api/tweede-stap/second_step_recovery",
            &format!("code={}", encode(&new_codes[1])),
        )
        .await;
    assert!(
        new.header("location")
            .starts_with("/inloggen/herstelcode-gebruikt")
    );
    let log = app.get("/profiel/instellingen").await.body;
    assert!(log.contains("Nieuwe herstelcodes aangemaakt"));
}

const FIREFOX_ON_MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

// The devices list names each remembered browser; forgetting needs the password within 5
// minutes (SEC-20), and a user can forget only their own browsers.
async fn remembered_devices_are_listed_and_forgotten_by_their_owner_only_sec_20(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    app.user_agent = Some(CHROME_ON_WINDOWS.to_owned());
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}&remember=on", code_now(&app, &secret)),
    )
    .await;
    let remembered = app.cookies.get("tweestap_onthouden").cloned().unwrap();
    let page = app.get("/profiel/apparaten").await.body.replace("<!>", "");
    assert!(page.contains("Chrome op Windows (deze browser)"), "{page}");
    assert!(page.contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in."));
    assert!(!page.contains("Alle apparaten vergeten"));
    let refused = app.call("/api/ingelogd/forget_devices", "").await;
    assert!(refused.body.contains("PasswordConfirmationNeeded"));

    // Another user cannot forget Judith's browser, whatever id they send.
    let mut bram = app.another_browser();
    testing::add_user(
        &app.ctx,
        "bram@example.nl",
        "Bram",
        "Een-ander-wachtwoord-1",
        tweestap_domain::db::entity::user::Role::Professional,
    )
    .await;
    bram.log_in("bram@example.nl", "Een-ander-wachtwoord-1")
        .await;
    let bram_confirmed = bram
        .call(
            "/api/methode/reauthenticate",
            "password=Een-ander-wachtwoord-1&next=%2Fprofiel%2Fapparaten",
        )
        .await;
    assert_eq!(bram_confirmed.header("location"), "/profiel/apparaten");
    for id in 0..5 {
        let answer = bram
            .call("/api/ingelogd/forget_devices", &format!("device={id}"))
            .await;
        assert_eq!(
            answer.header("location"),
            "/profiel/apparaten",
            "{}",
            answer.body
        );
    }
    let answer = bram.call("/api/ingelogd/forget_devices", "").await;
    assert_eq!(
        answer.header("location"),
        "/profiel/apparaten",
        "{}",
        answer.body
    );
    let page = app.get("/profiel/apparaten").await.body;
    assert!(page.contains("Chrome op Windows"), "still remembered");

    // A second browser, Firefox on a Mac, is remembered too.
    let mut firefox = app.another_browser();
    firefox.user_agent = Some(FIREFOX_ON_MAC.to_owned());
    firefox.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.clock.advance(Duration::seconds(30));
    firefox
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}&remember=on", code_now(&app, &secret)),
        )
        .await;
    let firefox_remembered = firefox.cookies.get("tweestap_onthouden").cloned().unwrap();

    let confirmed = app
        .call(
            "/api/methode/reauthenticate",
            &format!(
                "password={}&next=%2Fprofiel%2Fapparaten",
                encode(JUDITH_PASSWORD)
            ),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/profiel/apparaten");
    let page = app.get("/profiel/apparaten").await.body;
    assert!(page.contains("Alle apparaten vergeten"));
    assert!(page.contains("Firefox op Mac"), "{page}");

    // "Vergeten" for the Firefox browser only.
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let devices = remembered::remembered_devices(&app.ctx, judith.id)
        .await
        .unwrap();
    let firefox_row = devices
        .iter()
        .find(|row| row.user_agent.as_deref() == Some(FIREFOX_ON_MAC))
        .expect("the Firefox browser is remembered");
    let one = app
        .call(
            "/api/ingelogd/forget_devices",
            &format!("device={}", firefox_row.id),
        )
        .await;
    assert_eq!(one.header("location"), "/profiel/apparaten", "{}", one.body);
    let page = app.get("/profiel/apparaten").await.body.replace("<!>", "");
    assert!(!page.contains("Firefox op Mac"), "{page}");
    assert!(page.contains("Chrome op Windows (deze browser)"), "{page}");
    firefox.cookies.clear();
    firefox
        .cookies
        .insert("tweestap_onthouden".into(), firefox_remembered);
    let firefox_again = firefox.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(firefox_again.header("location"), "/inloggen/code");

    let forgotten = app.call("/api/ingelogd/forget_devices", "").await;
    assert_eq!(forgotten.header("location"), "/profiel/apparaten");
    let page = app.get("/profiel/apparaten").await.body;
    assert!(page.contains("Er zijn geen onthouden apparaten."), "{page}");
    let log = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    assert!(
        log.contains("Onthouden apparaat vergeten (één apparaat)"),
        "{log}"
    );
    assert!(
        log.contains("Onthouden apparaat vergeten (alle apparaten (1))"),
        "{log}"
    );

    // The browser's cookie no longer spares the code.
    app.cookies.clear();
    app.cookies.insert("tweestap_onthouden".into(), remembered);
    let again = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(again.header("location"), "/inloggen/code");
}

// SEC-20: switching two-step authentication off needs the password within 5 minutes, is
// refused in the mandatory period, removes the factors and is logged; the next login asks no
// code.
async fn switching_off_needs_the_password_and_is_refused_when_mandatory_sec_20(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    let settings = app.get("/profiel/instellingen").await.body;
    assert!(settings.contains("href=\"/profiel/uitschakelen\""));
    let refused = app.call("/api/ingelogd/disable_two_factor", "").await;
    assert!(refused.body.contains("PasswordConfirmationNeeded"));
    let page = app.get("/profiel/uitschakelen").await.body;
    assert!(page.contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in."));
    let confirmed = app
        .call(
            "/api/methode/reauthenticate",
            &format!(
                "password={}&next=%2Fprofiel%2Fuitschakelen",
                encode(JUDITH_PASSWORD)
            ),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/profiel/uitschakelen");

    let off = app.call("/api/ingelogd/disable_two_factor", "").await;
    assert_eq!(
        off.header("location"),
        "/profiel/instellingen",
        "{}",
        off.body
    );
    let settings = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    assert!(settings.contains("Twee-staps-authenticatie is uitgeschakeld."));
    assert!(
        settings.contains("Twee-staps-authenticatie uitgeschakeld</td>"),
        "{settings}"
    );
    app.cookies.clear();
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");

    // In the mandatory period it stays on, and the tile does not offer it.
    let mut app = TestApp::with_settings(backend, |settings| {
        settings.rollout = tweestap_domain::twofactor::policy::Rollout {
            optional_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            mandatory_from: chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        };
    })
    .await;
    let secret = enrol_judith(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
    let mandatory = app.call("/api/ingelogd/disable_two_factor", "").await;
    assert_eq!(
        mandatory.status,
        StatusCode::FORBIDDEN,
        "{}",
        mandatory.body
    );
    assert!(mandatory.body.contains("TwoFactorMandatory"));
    let settings = app.get("/profiel/instellingen").await.body;
    assert!(settings.contains("Twee-staps-authenticatie is ingeschakeld."));
    assert!(!settings.contains("href=\"/profiel/uitschakelen\""));
    let page = app.get("/profiel/uitschakelen").await.body;
    assert!(page.contains("is verplicht en kan niet worden uitgeschakeld"));
}

/// Judith past both steps in this browser, with the app.
async fn judith_logged_in(app: &mut TestApp, secret: &[u8]) {
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.pass_second_step(secret).await;
}

// SEC-03: entering the password again is a privilege change: the session gets a new id, and
// the old one no longer opens anything.
async fn entering_the_password_again_gives_a_new_session_id_sec_03(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    judith_logged_in(&mut app, &secret).await;
    let before = app.session_cookie().unwrap();

    let confirmed = app
        .call(
            "/api/methode/reauthenticate",
            &format!("password={}", encode(JUDITH_PASSWORD)),
        )
        .await;
    assert_eq!(confirmed.header("location"), "/profiel/herstelcodes");
    let after = app.session_cookie().unwrap();
    assert_ne!(before, after, "a new session id");
    let page = app
        .get("/profiel/herstelcodes")
        .await
        .body
        .replace("<!>", "");
    assert!(page.contains("Je hebt nog 10 herstelcodes over."), "{page}");

    let mut old = app.another_browser();
    old.cookies.insert("tweestap_sessie".into(), before);
    let refused = old.get("/profiel/herstelcodes").await;
    assert!(
        refused.header("location").starts_with("/inloggen"),
        "{:?} {}",
        refused.status,
        refused.body
    );
    let refused = old
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // A wrong password changes nothing.
    let wrong = app
        .call(
            "/api/methode/reauthenticate",
            "password=Niet-het-wachtwoord-1",
        )
        .await;
    assert!(wrong.body.contains("WrongPassword"));
    assert_eq!(app.session_cookie().unwrap(), after);
}

// SEC-13, SEC-20: new recovery codes that were never confirmed with "Gedaan" are shown again
// only behind the password and only to the session that made them, never to a session found
// open later, even with the password, and not at all once they are 15 minutes old.
async fn unsaved_recovery_codes_are_shown_again_only_behind_the_password_sec_13_sec_20(
    backend: Backend,
) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    judith_logged_in(&mut app, &secret).await;
    let password_again = format!("password={}", encode(JUDITH_PASSWORD));
    app.call("/api/methode/reauthenticate", &password_again)
        .await;
    let made = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert_eq!(made.header("location"), "/profiel/herstelcodes");
    let page = app.get("/profiel/herstelcodes").await.body;
    let first_code = crate::support::shown_recovery_codes(&page)[0].clone();

    // The tab is closed without "Gedaan". Another session of Judith's, past both steps but
    // without the password again, sees neither the codes nor the wizard's last step: the
    // wizard says that two-step authentication is on.
    let mut other = app.another_browser();
    app.clock.advance(Duration::seconds(30));
    judith_logged_in(&mut other, &secret).await;
    for (path, prompt) in [
        (
            "/profiel/herstelcodes",
            "Vul voor de zekerheid eerst je wachtwoord opnieuw in.",
        ),
        (
            "/twee-staps/instellen",
            "Twee-staps-authenticatie is ingeschakeld voor jouw account.",
        ),
    ] {
        let page = other.get(path).await.body;
        assert!(!page.contains(&first_code), "{path}: {page}");
        assert!(page.contains(prompt), "{path}: {page}");
    }
    // With the password, the other session still does not see them: they belong to the
    // session that made them. It is offered a new set instead.
    other
        .call("/api/methode/reauthenticate", &password_again)
        .await;
    for path in ["/profiel/herstelcodes", "/twee-staps/instellen"] {
        let page = other.get(path).await.body;
        assert!(!page.contains(&first_code), "{path}: {page}");
    }
    let offer = other
        .get("/profiel/herstelcodes")
        .await
        .body
        .replace("<!>", "");
    assert!(
        offer.contains("Je hebt nog 10 herstelcodes over."),
        "{offer}"
    );
    // The session that made them sees them again behind its password.
    app.call("/api/methode/reauthenticate", &password_again)
        .await;
    let page = app.get("/profiel/herstelcodes").await.body;
    assert!(page.contains(&first_code), "{page}");

    // A quarter of an hour after they were made they are dropped, and exist only as hashes:
    // the password brings the offer of a new set, not these codes.
    app.clock.advance(Duration::minutes(15));
    app.call("/api/methode/reauthenticate", &password_again)
        .await;
    let page = app
        .get("/profiel/herstelcodes")
        .await
        .body
        .replace("<!>", "");
    assert!(!page.contains(&first_code), "{page}");
    assert!(page.contains("Je hebt nog 10 herstelcodes over."), "{page}");
    let wizard = app.get("/twee-staps/instellen").await.body;
    assert!(!wizard.contains(&first_code));
    let judith = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let factor = factor::factor(&app.ctx, judith.id).await.unwrap().unwrap();
    assert_eq!(factor.pending_codes_enc, None, "no longer stored");
}

// SEC-30: between the password and the second step, the session learns nothing about the
// account (not whose it is, not that it is an admin), cannot stay longer with "Ingelogd
// blijven", and is gone after its few minutes, which the login page then says. Passed in time,
// the session lives the usual hours.
async fn a_password_only_session_learns_nothing_and_lives_minutes_sec_30(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let bram = testing::add_user(
        &app.ctx,
        ADMIN_EMAIL,
        "Bram Beheer",
        ADMIN_PASSWORD,
        tweestap_domain::db::entity::user::Role::Admin,
    )
    .await;
    let (secret, _) = testing::enrol_app(&app.ctx, &app.clock, &bram).await;
    let login = app.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    let leaks = [
        "Bram",
        "beheer@example.nl",
        "is_admin",
        "Hoofdmenu",
        "Beheerder",
    ];
    for path in ["/inloggen/code", "/inloggen/herstelcode"] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        for leak in leaks {
            assert!(
                !page.body.contains(leak),
                "{path} shows {leak}: {}",
                page.body
            );
        }
        assert!(page.body.contains("Uitloggen"), "{path}: a way out");
        assert!(page.body.contains("PRO Praktijksteun"), "{path}");
    }
    let state = app
        .call("/api/open/page_state", "path=%2Finloggen%2Fcode")
        .await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.body);
    for leak in leaks {
        assert!(!state.body.contains(leak), "page_state: {}", state.body);
    }
    let answer: serde_json::Value = serde_json::from_str(&state.body).unwrap();
    assert_eq!(answer["shell"]["user"], serde_json::Value::Null);
    assert_eq!(answer["shell"]["second_step_seconds"], 600);
    // "Ingelogd blijven" does not stretch it.
    let stay = app.call("/api/instellen/stay_logged_in", "").await;
    assert_eq!(stay.status, StatusCode::UNAUTHORIZED, "{}", stay.body);

    // Ten minutes, activity or not: then the session is gone and the login page says why.
    app.clock.advance(Duration::minutes(9));
    assert_eq!(app.get("/inloggen/code").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(1));
    let gone = app.get("/inloggen/code").await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(
        gone.header("location"),
        "/inloggen?melding=tweede-stap-verlopen"
    );
    assert!(app.session_cookie().is_none(), "the cookie is removed");
    let page = app.get(gone.header("location")).await.body;
    assert!(
        page.contains("Je was te lang bezig met de tweede stap; log opnieuw in."),
        "{page}"
    );
    let code = code_now(&app, &secret);
    assert_eq!(
        app.call("/api/tweede-stap/second_step_code", &format!("code={code}"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The app's script hears it as an error, and so does a plain form.
    app.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.clock.advance(Duration::minutes(10));
    let code = code_now(&app, &secret);
    let late = app
        .call("/api/tweede-stap/second_step_code", &format!("code={code}"))
        .await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert!(late.body.contains("SecondStepExpired"), "{}", late.body);
    app.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.clock.advance(Duration::minutes(10));
    let plain = app
        .send(crate::login::form_post(
            "/api/tweede-stap/second_step_code",
            "/inloggen/code",
            &format!("code={}", code_now(&app, &secret)),
        ))
        .await;
    assert_eq!(
        plain.header("location"),
        "/inloggen?melding=tweede-stap-verlopen"
    );

    // In time, the complete session lives the usual hours after the login, not ten minutes.
    app.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.clock.advance(Duration::minutes(9));
    app.pass_second_step(&secret).await;
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(app.get("/profiel").await.status, StatusCode::OK);
    }
    let state = app.call("/api/open/page_state", "path=%2Fprofiel").await;
    let answer: serde_json::Value = serde_json::from_str(&state.body).unwrap();
    assert_eq!(answer["shell"]["user"]["name"], "Bram Beheer");
    assert_eq!(
        answer["shell"]["second_step_seconds"],
        serde_json::Value::Null
    );
}

// SEC-30: the must-enrol stage has passed every factor the user has: it keeps the name.
async fn the_must_enrol_stage_keeps_the_name_sec_30(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.clock.set(testing::in_mandatory_period());
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/twee-staps/instellen");
    let page = app.get("/twee-staps/instellen").await.body;
    assert!(page.contains("Judith van Haare"), "{page}");
}

/// The "Onthoud mij" cookie the answer set, if any.
fn remember_cookie(answer: &crate::support::TestResponse) -> Option<String> {
    answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tweestap_onthouden="))
}

// SEC-19: the choice the manual's introduction promises, "1 dag, 3 dagen of een week" beside
// the login chapter's 12 hours: the introduction names them, the code page offers them, and
// "3 dagen" remembers the browser for three days, which the devices list shows as its end.
async fn three_days_chosen_at_the_code_step_last_three_days_sec_19(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    // Before she has it: the introduction says what is offered.
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let intro = app
        .get("/twee-staps/introductie")
        .await
        .body
        .replace("<!>", "");
    assert!(
        intro.contains("instellen dat je 12 uur, 1 dag, 3 dagen of een week onthouden wilt worden op dat apparaat."),
        "{intro}"
    );

    let secret = enrol_judith(&app).await;
    let mut app = app.another_browser();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let page = app.get("/inloggen/code").await.body.replace("<!>", "");
    assert!(
        page.contains(r#"<label for="remember-hours">Hoe lang</label>"#),
        "{page}"
    );
    // Without the script the select must post: the server never renders it disabled.
    let select = page
        .split("<select")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the select");
    assert!(
        select.contains(r#"name="remember_hours""#) && !select.contains("disabled"),
        "{select}"
    );
    for (hours, words) in [
        (12, "12 uur"),
        (24, "1 dag"),
        (72, "3 dagen"),
        (168, "een week"),
    ] {
        assert!(
            page.contains(&format!(r#"value="{hours}""#)),
            "{hours}: {page}"
        );
        assert!(
            page.contains(&format!(">{words}</option>")),
            "{words}: {page}"
        );
    }

    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!(
                "code={}&remember=on&remember_hours=72",
                code_now(&app, &secret)
            ),
        )
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
    let cookie = remember_cookie(&passed).expect("the Onthoud mij cookie");
    assert!(cookie.contains("Max-Age=259200"), "{cookie}");
    let ends = tweestap_domain::time::format_dutch(app.ctx.now() + Duration::hours(72));
    let devices = app.get("/profiel/apparaten").await.body.replace("<!>", "");
    assert!(devices.contains("Verloopt op"), "{devices}");
    assert!(
        devices.contains(&format!("<td>{ends}</td>")),
        "{ends}: {devices}"
    );

    // Spared the code for three days, not a second longer.
    app.clock
        .advance(Duration::hours(72) - Duration::seconds(1));
    app.cookies.remove("tweestap_sessie");
    let within = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(within.header("location"), "/");
    app.clock.advance(Duration::seconds(1));
    app.cookies.remove("tweestap_sessie");
    let after = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(after.header("location"), "/inloggen/code");
}

// SEC-19: TWEESTAP_REMEMBER_MAX_HOURS=12 (shared workstations) leaves "Onthoud mij" as it was,
// 12 hours and no choice, in the introduction and on the code page; a longer length sent anyway
// is refused in Dutch (for the script and for a plain form), and spends no code.
async fn the_remember_maximum_leaves_the_checkbox_and_refuses_longer_sec_19(backend: Backend) {
    let mut app = TestApp::with_settings(backend, |settings| {
        settings.remember_max = Duration::hours(12);
    })
    .await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let intro = app
        .get("/twee-staps/introductie")
        .await
        .body
        .replace("<!>", "");
    assert!(
        intro.contains(
            "dan wordt er op dat apparaat 12 uur lang niet om een authenticatie-code gevraagd."
        ),
        "{intro}"
    );
    assert!(!intro.contains("een week"), "{intro}");

    let secret = enrol_judith(&app).await;
    let mut app = app.another_browser();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let page = app.get("/inloggen/code").await.body.replace("<!>", "");
    assert!(
        page.contains("Onthoud mij (op dit apparaat 12 uur geen code vragen)"),
        "{page}"
    );
    assert!(!page.contains("remember_hours"), "no choice: {page}");
    assert!(!page.contains("1 dag"), "{page}");

    let code = code_now(&app, &secret);
    for forged in ["24", "168", "12345678901234567890", "een week"] {
        let refused = app
            .call(
                "/api/tweede-stap/second_step_code",
                &format!("code={code}&remember=on&remember_hours={}", encode(forged)),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{forged}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("RememberLength"),
            "{forged}: {}",
            refused.body
        );
        assert!(remember_cookie(&refused).is_none(), "{forged}");
    }
    // A plain form comes back to the code page with the message in Dutch.
    let plain = app
        .send(crate::login::form_post(
            "/api/tweede-stap/second_step_code",
            "/inloggen/code",
            &format!("code={code}&remember=on&remember_hours=168"),
        ))
        .await;
    assert!(plain.status.is_redirection(), "{}", plain.status);
    let back = plain
        .header("location")
        .trim_start_matches(crate::support::ORIGIN)
        .to_owned();
    let page = app.get(&back).await.body;
    assert!(
        page.contains("Zo lang kan dit apparaat hier niet onthouden worden."),
        "{back}: {page}"
    );

    // The refusals spent nothing: the same code passes, remembered for the 12 hours.
    let passed = app
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={code}&remember=on"),
        )
        .await;
    assert_eq!(passed.header("location"), "/", "{}", passed.body);
    let cookie = remember_cookie(&passed).expect("the Onthoud mij cookie");
    assert!(cookie.contains("Max-Age=43200"), "{cookie}");
}
