//! HTTP tests of the account around two-step authentication: "Wachtwoord wijzigen", and the
//! helpdesk's page under Configuratie with its admin-only functions.

use axum::http::StatusCode;
use chrono::Duration;

use crate::support::{TestApp, code_now, encode};
use tweestap_domain::{
    accounts::{email::Email, users},
    db::entity::user::Role,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
    twofactor::{attempts, factor},
};

tweestap_domain::on_both_backends!(
    changing_the_password_needs_the_current_one_and_checks_the_new_sec_22,
    a_password_change_ends_other_sessions_and_forgets_devices_sec_03_sec_19_sec_21,
    professionals_get_403_from_every_helpdesk_function_and_page,
    the_helpdesk_sees_the_rollout_and_finds_a_professional,
    a_helpdesk_reset_needs_the_admins_password_and_a_reason_sec_20_sec_21,
    the_helpdesk_lifts_a_lock_with_a_reason_sec_21,
    an_admin_without_two_step_authentication_cannot_read_reset_or_unlock_sec_31,
    the_helpdesk_sees_how_each_login_was_established_and_may_need_a_passkey_sec_34,
    the_helpdesk_sees_the_rollout_per_day_as_a_chart_and_a_table,
    an_idle_time_of_one_minute_is_one_minuut,
);

const NEW_PASSWORD: &str = "Een-nieuw-wachtwoord-7";
pub(crate) const ADMIN_EMAIL: &str = "beheer@example.nl";
pub(crate) const ADMIN_PASSWORD: &str = "Beheer-van-het-platform-1";

async fn judith(app: &TestApp) -> users::User {
    let email = Email::parse(JUDITH_EMAIL).unwrap();
    users::find_by_email(&app.ctx, &email)
        .await
        .unwrap()
        .unwrap()
}

/// Judith with the app; returns her secret.
async fn enrol_judith(app: &TestApp) -> Vec<u8> {
    let judith = judith(app).await;
    testing::enrol_app(&app.ctx, &app.clock, &judith).await.0
}

fn change_form(current: &str, new: &str, repeat: &str) -> String {
    format!(
        "current={}&new={}&repeat={}",
        encode(current),
        encode(new),
        encode(repeat)
    )
}

/// An admin's browser, logged in without two-step authentication (the optional period).
async fn admin_without_two_step(app: &TestApp) -> TestApp {
    testing::add_user(
        &app.ctx,
        ADMIN_EMAIL,
        "Bram Beheer",
        ADMIN_PASSWORD,
        Role::Admin,
    )
    .await;
    let mut admin = app.another_browser();
    let login = admin.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");
    // Past the introduction: straight to the page asked for.
    admin.call("/api/ingelogd/not_now", "").await;
    admin
}

/// An admin's browser, logged in with both steps: what the helpdesk's actions need.
pub(crate) async fn admin_browser(app: &TestApp) -> TestApp {
    let bram = testing::add_user(
        &app.ctx,
        ADMIN_EMAIL,
        "Bram Beheer",
        ADMIN_PASSWORD,
        Role::Admin,
    )
    .await;
    let (secret, _) = testing::enrol_app(&app.ctx, &app.clock, &bram).await;
    let mut admin = app.another_browser();
    let login = admin.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");
    admin.pass_second_step(&secret).await;
    admin
}

// SEC-22: every wrong input gets its own Dutch message and changes nothing.
async fn changing_the_password_needs_the_current_one_and_checks_the_new_sec_22(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let page = app.get("/profiel/wachtwoord").await;
    assert_eq!(page.status, StatusCode::OK);
    for label in [
        "Huidig wachtwoord",
        "Nieuw wachtwoord",
        "Herhaal het nieuwe wachtwoord",
    ] {
        assert!(page.body.contains(label), "{label}");
    }
    let settings = app.get("/profiel/instellingen").await.body;
    assert!(settings.contains("href=\"/profiel/wachtwoord\""));

    // The error travels as its name; each has its Dutch text (app/src/error.rs).
    for (form, status, message) in [
        (
            change_form("Fout-wachtwoord-1", NEW_PASSWORD, NEW_PASSWORD),
            401,
            "WrongPassword",
        ),
        (
            change_form(JUDITH_PASSWORD, NEW_PASSWORD, "Een-ander-wachtwoord-8"),
            400,
            "NewPasswordsDiffer",
        ),
        (
            change_form(JUDITH_PASSWORD, "kort", "kort"),
            400,
            "PasswordTooShort",
        ),
        (
            change_form(JUDITH_PASSWORD, JUDITH_PASSWORD, JUDITH_PASSWORD),
            400,
            "PasswordUnchanged",
        ),
        (
            change_form("", NEW_PASSWORD, NEW_PASSWORD),
            400,
            "PasswordMissing",
        ),
        (
            change_form(JUDITH_PASSWORD, &"x".repeat(300), &"x".repeat(300)),
            400,
            "PasswordTooLong",
        ),
        ("current=a".to_owned(), 400, "Malformed"),
    ] {
        let refused = app.call("/api/ingelogd/change_password", &form).await;
        assert_eq!(refused.status.as_u16(), status, "{form}: {}", refused.body);
        assert!(refused.body.contains(message), "{form}: {}", refused.body);
    }
    // Nothing changed: the old password still logs in.
    let mut again = app.another_browser();
    let login = again.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");
}

// SEC-03: a new session id; SEC-19: remembered browsers ask for the code again; the other
// sessions end; SEC-21: logged.
async fn a_password_change_ends_other_sessions_and_forgets_devices_sec_03_sec_19_sec_21(
    backend: Backend,
) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    // A remembered browser on another computer, logged in.
    let mut laptop = app.another_browser();
    laptop.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    laptop
        .call(
            "/api/tweede-stap/second_step_code",
            &format!("code={}&remember=on", code_now(&app, &secret)),
        )
        .await;
    assert!(laptop.cookies.contains_key("tweestap_onthouden"));
    assert_eq!(laptop.get("/profiel").await.status, StatusCode::OK);
    app.clock.advance(Duration::seconds(30));

    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    let before = app.session_cookie().unwrap();
    let changed = app
        .call(
            "/api/ingelogd/change_password",
            &change_form(JUDITH_PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(
        changed.header("location"),
        "/profiel/wachtwoord?gewijzigd=ja",
        "{}",
        changed.body
    );
    let after = app.session_cookie().unwrap();
    assert_ne!(before, after, "a new session id");
    let page = app.get("/profiel/wachtwoord?gewijzigd=ja").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Je wachtwoord is gewijzigd."));

    // The old session id no longer works.
    let mut stolen = app.another_browser();
    stolen
        .cookies
        .insert("tweestap_sessie".to_owned(), before.clone());
    assert_eq!(stolen.get("/profiel").await.status, StatusCode::SEE_OTHER);
    // The laptop is logged out, and its remembered cookie no longer spares the code.
    let laptop_page = laptop.get("/profiel").await;
    assert_eq!(laptop_page.status, StatusCode::SEE_OTHER);
    assert!(laptop_page.header("location").starts_with("/inloggen"));
    assert!(
        laptop
            .log_in(JUDITH_EMAIL, JUDITH_PASSWORD)
            .await
            .body
            .contains("InvalidCredentials"),
        "the old password is refused"
    );
    let login = laptop.log_in(JUDITH_EMAIL, NEW_PASSWORD).await;
    assert_eq!(login.header("location"), "/inloggen/code");

    // The settings' changes are open: the new password was just entered (SEC-20).
    let devices = app.get("/profiel/apparaten").await.body;
    assert!(
        devices.contains("Er zijn geen onthouden apparaten."),
        "{devices}"
    );
    let log = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    assert!(
        log.contains(
            "Wachtwoord gewijzigd (andere sessies beëindigd: 1, onthouden apparaten vergeten: 1)"
        ),
        "{log}"
    );
}

async fn professionals_get_403_from_every_helpdesk_function_and_page(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let mut anonymous = app.another_browser();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call("/api/ingelogd/not_now", "").await;
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={}", encode(JUDITH_PASSWORD)),
    )
    .await;
    let judith_id = judith(&app).await.id;
    let helpdesk_functions: Vec<&str> = server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| path.starts_with("/api/beheer/"))
        .collect();
    assert_eq!(helpdesk_functions.len(), 5, "{helpdesk_functions:?}");
    for function in helpdesk_functions {
        let form = match function {
            "/api/beheer/helpdesk_overview" => String::new(),
            "/api/beheer/helpdesk_search" => "query=judith".to_owned(),
            "/api/beheer/helpdesk_user" => format!("user={judith_id}"),
            _ => format!("user={judith_id}&reason=Ik+ben+het+zelf"),
        };
        let refused = app.call(function, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{function}");
        assert!(refused.body.contains("Forbidden"), "{function}");
        assert!(!refused.body.contains("Judith"), "{function}");
        let anonymous = anonymous.call(function, &form).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{function}");
    }
    for page in [
        "/configuratie/twee-staps",
        "/configuratie/twee-staps?zoek=judith",
        &format!("/configuratie/twee-staps/{judith_id}"),
    ] {
        let response = app.get(page).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{page}");
        assert!(
            response
                .body
                .contains("Je hebt geen toegang tot dit onderdeel."),
            "{page}"
        );
        // Her own address is in the page's data for the header; the helpdesk's view of her is not.
        assert!(
            !response.body.contains("/api/beheer/helpdesk_reset"),
            "{page}"
        );
        assert!(
            !response.body.contains("<th scope=\"col\">E-mailadres"),
            "{page}"
        );
    }
    // The section itself is there, without the admin's tile.
    let section = app.get("/configuratie").await;
    assert_eq!(section.status, StatusCode::OK);
    assert!(!section.body.contains("/configuratie/twee-staps"));
    // Nothing happened to Judith.
    assert_eq!(app.get("/profiel").await.status, StatusCode::OK);
}

async fn the_helpdesk_sees_the_rollout_and_finds_a_professional(backend: Backend) {
    let app = TestApp::new(backend).await;
    enrol_judith(&app).await;
    let judith_id = judith(&app).await.id;
    let mut admin = admin_browser(&app).await;
    let section = admin.get("/configuratie").await.body;
    assert!(
        section.contains("href=\"/configuratie/twee-staps\""),
        "{section}"
    );

    let page = admin.get("/configuratie/twee-staps").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body.replace("<!>", "");
    assert!(
        body.contains("Vrijwillig vanaf 1 april 2026, verplicht vanaf 1 juli 2026."),
        "{body}"
    );
    assert!(
        body.contains("Nog 58 dagen tot het verplicht is."),
        "{body}"
    );
    assert!(
        body.contains("<dt>Ingeschakeld met de authenticatie-applicatie</dt><dd>1</dd>"),
        "{body}"
    );
    assert!(body.contains("<dt>Professionals</dt><dd>1</dd>"), "{body}");

    let found = admin
        .get("/configuratie/twee-staps?zoek=van+haare")
        .await
        .body
        .replace("<!>", "");
    assert!(
        found.contains(&format!("href=\"/configuratie/twee-staps/{judith_id}\"")),
        "{found}"
    );
    assert!(found.contains("Aan: authenticatie-applicatie"), "{found}");
    let none = admin
        .get("/configuratie/twee-staps?zoek=niemand")
        .await
        .body;
    assert!(none.contains("Geen professionals gevonden."));
    let too_long = admin
        .call(
            "/api/beheer/helpdesk_search",
            &format!("query={}", "a".repeat(101)),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);

    let detail = admin
        .get(&format!("/configuratie/twee-staps/{judith_id}"))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.body.replace("<!>", "");
    assert!(detail.contains("Judith van Haare"));
    assert!(
        detail.contains("Herstelcodes over</dt><dd>10</dd>"),
        "{detail}"
    );
    assert!(
        detail.contains("Aan: authenticatie-applicatie, sinds 4 mei 2026"),
        "{detail}"
    );
    assert!(
        detail.contains("Twee-staps-authenticatie ingeschakeld (authenticatie-applicatie)"),
        "the security log: {detail}"
    );
    for bad in [
        "/configuratie/twee-staps/999999",
        "/configuratie/twee-staps/abc",
    ] {
        let page = admin.get(bad).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            page.body.contains("Deze gebruiker bestaat niet (meer)."),
            "{bad}"
        );
    }
}

// SEC-20: the admin's password within 5 minutes; SEC-21: the reset is logged with the admin
// and the reason, for the user to see.
async fn a_helpdesk_reset_needs_the_admins_password_and_a_reason_sec_20_sec_21(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    let judith_id = judith(&app).await.id;
    let user_page = format!("/configuratie/twee-staps/{judith_id}");
    let mut admin = admin_browser(&app).await;

    let page = admin.get(&user_page).await.body;
    assert!(page.contains("Vul voor de zekerheid eerst je wachtwoord opnieuw in."));
    assert!(!page.contains("name=\"reason\""));
    let refused = admin
        .call(
            "/api/beheer/helpdesk_reset",
            &format!("user={judith_id}&reason=Telefoon+kwijt"),
        )
        .await;
    assert!(refused.body.contains("PasswordConfirmationNeeded"));
    assert!(factor::is_enabled(&app.ctx, judith_id).await.unwrap());

    admin_password_again(&mut admin, &user_page).await;
    let page = admin.get(&user_page).await.body;
    assert!(page.contains("name=\"reason\""));
    for reason in ["", "+++", &"x".repeat(201)] {
        let refused = admin
            .call(
                "/api/beheer/helpdesk_reset",
                &format!("user={judith_id}&reason={reason}"),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{reason}");
        assert!(refused.body.contains("ReasonMissing"), "{reason}");
    }
    let unknown = admin
        .call(
            "/api/beheer/helpdesk_reset",
            "user=999999&reason=Telefoon+kwijt",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(factor::is_enabled(&app.ctx, judith_id).await.unwrap());

    let reset = admin
        .call(
            "/api/beheer/helpdesk_reset",
            &format!("user={judith_id}&reason=Telefoon+kwijt%2C+gebeld+op+25-11"),
        )
        .await;
    assert_eq!(
        reset.header("location"),
        format!("{user_page}?gedaan=reset"),
        "{}",
        reset.body
    );
    assert!(!factor::is_enabled(&app.ctx, judith_id).await.unwrap());
    let page = admin
        .get(&format!("{user_page}?gedaan=reset"))
        .await
        .body
        .replace("<!>", "");
    assert!(
        page.contains("Twee-staps-authenticatie is gereset."),
        "{page}"
    );
    assert!(
        page.contains(
            "Twee-staps-authenticatie gereset door de helpdesk (door beheer@example.nl: Telefoon kwijt, gebeld op 25-11)"
        ),
        "{page}"
    );
    // Judith's session ended; her next login goes to the introduction, without a code.
    assert_eq!(app.get("/profiel").await.status, StatusCode::SEE_OTHER);
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.header("location"), "/?introductie=ja");

    // Five minutes later the admin's password is asked again.
    admin.clock.advance(Duration::minutes(6));
    let late = admin
        .call(
            "/api/beheer/helpdesk_reset",
            &format!("user={judith_id}&reason=Nog+een+keer"),
        )
        .await;
    assert!(late.body.contains("PasswordConfirmationNeeded"));
}

async fn the_helpdesk_lifts_a_lock_with_a_reason_sec_21(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    let secret = enrol_judith(&app).await;
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
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let judith_id = judith(&app).await.id;
    let user_page = format!("/configuratie/twee-staps/{judith_id}");

    let mut admin = admin_browser(&app).await;
    let found = admin
        .get("/configuratie/twee-staps?zoek=judith")
        .await
        .body
        .replace("<!>", "");
    assert!(found.contains(", geblokkeerd"), "{found}");
    admin_password_again(&mut admin, &user_page).await;
    let page = admin.get(&user_page).await.body.replace("<!>", "");
    assert!(page.contains("Geblokkeerd tot "), "{page}");
    assert!(page.contains("Blokkering opheffen"));
    let no_reason = admin
        .call(
            "/api/beheer/helpdesk_lift_lock",
            &format!("user={judith_id}&reason="),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let lifted = admin
        .call(
            "/api/beheer/helpdesk_lift_lock",
            &format!("user={judith_id}&reason=Identiteit+gecontroleerd"),
        )
        .await;
    assert_eq!(
        lifted.header("location"),
        format!("{user_page}?gedaan=blokkering")
    );
    let page = admin
        .get(&format!("{user_page}?gedaan=blokkering"))
        .await
        .body
        .replace("<!>", "");
    assert!(page.contains("De blokkering is opgeheven."));
    assert!(page.contains("Niet geblokkeerd"), "{page}");

    // Judith's right code works again at once.
    app.pass_second_step(&secret).await;
    let log = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    assert!(
        log.contains(
            "Blokkering van de tweede stap opgeheven door de helpdesk (door beheer@example.nl: Identiteit gecontroleerd)"
        ),
        "{log}"
    );
}

/// The admin's password again on a helpdesk page, which it returns to (SEC-20).
pub(crate) async fn admin_password_again(admin: &mut TestApp, user_page: &str) {
    let confirmed = admin
        .call(
            "/api/methode/reauthenticate",
            &format!(
                "password={}&next={}",
                encode(ADMIN_PASSWORD),
                encode(user_page)
            ),
        )
        .await;
    assert_eq!(confirmed.header("location"), user_page);
}

/// The admin's password again, then every helpdesk page, read and action refused for want of
/// the admin's own second step (SEC-31): nobody's data shown, and the way there explained.
async fn helpdesk_refused(admin: &mut TestApp, judith_id: i32) {
    let user_page = format!("/configuratie/twee-staps/{judith_id}");
    admin_password_again(admin, &user_page).await;
    for page in [
        "/configuratie/twee-staps",
        "/configuratie/twee-staps?zoek=judith",
        user_page.as_str(),
    ] {
        let answer = admin.get(page).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{page}");
        let body = answer.body.replace("<!>", "");
        assert!(
            body.contains("moet je zelf zijn ingelogd met twee-staps-authenticatie"),
            "{page}: {body}"
        );
        assert!(
            body.contains("href=\"/twee-staps/instellen?volgende=/configuratie/twee-staps\""),
            "{page}: the way to the wizard: {body}"
        );
        for data in [JUDITH_EMAIL, "Judith", "name=\"reason\"", "De invoering"] {
            assert!(!body.contains(data), "{page} shows {data}: {body}");
        }
    }
    for (function, form) in [
        ("/api/beheer/helpdesk_overview", String::new()),
        ("/api/beheer/helpdesk_search", "query=judith".to_owned()),
        ("/api/beheer/helpdesk_user", format!("user={judith_id}")),
        (
            "/api/beheer/helpdesk_reset",
            format!("user={judith_id}&reason=Telefoon+kwijt"),
        ),
        (
            "/api/beheer/helpdesk_lift_lock",
            format!("user={judith_id}&reason=Belde+op"),
        ),
    ] {
        let refused = admin.call(function, &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{function}");
        assert!(
            refused.body.contains("OwnTwoFactorRequired"),
            "{function}: {}",
            refused.body
        );
        assert!(!refused.body.contains(JUDITH_EMAIL), "{function}");
    }
}

// SEC-31: an admin password alone must not be enough to read other clinicians' data (email,
// number, security log, addresses), nor to switch off someone else's second step: the
// helpdesk needs a login with the admin's own second step, even with a fresh password;
// switching it on within the session is not enough.
async fn an_admin_without_two_step_authentication_cannot_read_reset_or_unlock_sec_31(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    enrol_judith(&app).await;
    let judith_id = judith(&app).await.id;
    let mut admin = admin_without_two_step(&app).await;
    helpdesk_refused(&mut admin, judith_id).await;

    // Switched on now, in this very session: still refused.
    app.clock.advance(Duration::seconds(1));
    let bram = users::find_by_email(&app.ctx, &Email::parse(ADMIN_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (secret, _) = testing::enrol_app(&app.ctx, &app.clock, &bram).await;
    helpdesk_refused(&mut admin, judith_id).await;
    assert!(factor::is_enabled(&app.ctx, judith_id).await.unwrap());

    // A new login with the code opens the actions.
    let mut admin = app.another_browser();
    admin.log_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.pass_second_step(&secret).await;
    admin
        .call(
            "/api/methode/reauthenticate",
            &format!("password={}", encode(ADMIN_PASSWORD)),
        )
        .await;
    let page = admin
        .get(&format!("/configuratie/twee-staps/{judith_id}"))
        .await
        .body;
    assert!(page.contains("name=\"reason\""), "{page}");
}

// SEC-34: the helpdesk sees how each open login was established; with
// TWEESTAP_ADMIN_REQUIRES_PASSKEY an admin who logged in with a code cannot reset (without it,
// the same reset passes: a_helpdesk_reset_needs_the_admins_password_and_a_reason_sec_20_sec_21).
async fn the_helpdesk_sees_how_each_login_was_established_and_may_need_a_passkey_sec_34(
    backend: Backend,
) {
    let mut app = TestApp::with_settings(backend, |settings| {
        settings.admin_requires_passkey = true;
    })
    .await;
    let secret = enrol_judith(&app).await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.call(
        "/api/tweede-stap/second_step_code",
        &format!("code={}", code_now(&app, &secret)),
    )
    .await;
    let judith_id = judith(&app).await.id;
    let user_page = format!("/configuratie/twee-staps/{judith_id}");
    let mut admin = admin_browser(&app).await;
    let page = admin.get(&user_page).await.body.replace("<!>", "");
    assert!(page.contains("Open sessies"), "{page}");
    assert!(
        page.contains("Wachtwoord en code van de authenticatie-applicatie"),
        "{page}"
    );
    // Judith sees the same of her own login, marked as this one.
    let own = app.call("/api/ingelogd/open_logins", "").await.body;
    assert!(
        own.contains("Wachtwoord en code van de authenticatie-applicatie"),
        "{own}"
    );
    assert!(own.contains("\"this_one\":true"), "{own}");

    admin_password_again(&mut admin, &user_page).await;
    let refused = admin
        .call(
            "/api/beheer/helpdesk_reset",
            &format!("user={judith_id}&reason=Telefoon+kwijt"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("PasskeyLoginRequired"),
        "{}",
        refused.body
    );
    assert!(factor::is_enabled(&app.ctx, judith_id).await.unwrap());
}

/// The rollout over time on the helpdesk's page, rendered by the server: an SVG image with a
/// summary, and a table with every day's numbers, from a history seeded day by day.
async fn the_helpdesk_sees_the_rollout_per_day_as_a_chart_and_a_table(backend: Backend) {
    use chrono::TimeZone;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tweestap_domain::{clock::Clock, helpdesk::history, twofactor::deferral};
    let app = TestApp::new(backend).await;
    let today = app.clock.now();
    // 1 April, the optional date: Judith switches on the app; the hourly count runs.
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap());
    enrol_judith(&app).await;
    history::record_today(&app.ctx).await.unwrap();
    // 2 April: Carla says "Niet nu"; counted. On 3 April no server counts.
    app.clock.advance(Duration::days(1));
    let carla = testing::add_user(
        &app.ctx,
        "carla@example.nl",
        "Carla Cornelissen",
        "Een-goed-wachtwoord-42",
        Role::Professional,
    )
    .await;
    deferral::defer(&app.ctx, carla.id).await.unwrap();
    history::record_today(&app.ctx).await.unwrap();
    // Today, 4 May: Bram switches on the app too (and the admin, who is not counted).
    app.clock.set(today);
    let bram = testing::add_bram(&app.ctx).await;
    testing::enrol_app(&app.ctx, &app.clock, &bram).await;
    let mut admin = admin_browser(&app).await;

    let page = admin.get("/configuratie/twee-staps").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page.body.replace("<!>", "");
    let chart = body
        .split_once("<figure class=\"rollout-figure\"><svg ")
        .and_then(|(_, rest)| rest.split_once("</svg>"))
        .map(|(chart, _)| chart)
        .unwrap_or_else(|| panic!("no chart in {body}"));
    assert!(chart.contains("role=\"img\""), "{chart}");
    assert!(chart.contains("class=\"rollout-chart\">"), "{chart}");
    assert!(
        chart.contains("Vandaag 4 mei 2026: 2 professionals aan, waarvan 2 met de authenticatie-applicatie, 0 met SMS en 0 met alleen passkeys."),
        "{chart}"
    );
    assert!(chart.contains("Vrijwillig vanaf 1 april 2026"), "{chart}");
    assert!(chart.contains("Verplicht vanaf 1 juli 2026"), "{chart}");
    // The app's line: 1 on 1 and 2 April (halfway up a scale to 2), then a gap until today's 2
    // at the top; one bar for 2 April's "Niet nu".
    assert!(
        chart.contains("<polyline points=\"48.0,122.0 55.2,122.0\" class=\"series app\">"),
        "{chart}"
    );
    assert!(
        chart.contains("<circle cx=\"285.9\" cy=\"44.0\" r=\"3\" class=\"series app\">"),
        "{chart}"
    );
    assert_eq!(chart.matches("class=\"deferrals\"").count(), 1, "{chart}");
    // The page's CSP allows no inline styles (SEC-24).
    assert!(!chart.contains("style="), "{chart}");
    for row in [
        "<th scope=\"row\">4 mei 2026</th><td>2</td><td>0</td><td>0</td><td>2</td><td>0</td>",
        "<th scope=\"row\">3 april 2026</th><td colspan=\"4\">niet geteld</td><td>0</td>",
        "<th scope=\"row\">2 april 2026</th><td>1</td><td>0</td><td>0</td><td>1</td><td>1</td>",
        "<th scope=\"row\">1 april 2026</th><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td>",
    ] {
        assert!(body.contains(row), "{row} in {body}");
    }
    assert!(!body.contains("31 maart 2026"), "{body}");
    // One professional chose "Niet nu", once: no "1 professionals".
    assert!(
        body.contains("<dd>1 professional, 1 keer in totaal</dd>"),
        "{body}"
    );

    // And on a professional's page, one wrong code is not "1 onjuiste codes".
    tweestap_domain::db::entity::user::Entity::update_many()
        .col_expr(
            tweestap_domain::db::entity::user::Column::FailedAttempts,
            sea_orm::sea_query::Expr::value(1),
        )
        .filter(tweestap_domain::db::entity::user::Column::Id.eq(bram.id))
        .exec(&app.ctx.db)
        .await
        .unwrap();
    let detail = admin
        .get(&format!("/configuratie/twee-staps/{}", bram.id))
        .await
        .body
        .replace("<!>", "");
    assert!(
        detail.contains("Niet geblokkeerd (1 onjuiste code sinds de laatste goede)."),
        "{detail}"
    );
}

/// The settings page's session tile names the idle time in the singular for one minute.
async fn an_idle_time_of_one_minute_is_one_minuut(backend: Backend) {
    let mut app = TestApp::with_settings(backend, |settings| {
        settings.session_idle = Duration::minutes(1);
    })
    .await;
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    let settings = app
        .get("/profiel/instellingen")
        .await
        .body
        .replace("<!>", "");
    assert!(
        settings.contains("Na 1 minuut zonder activiteit word je automatisch uitgelogd"),
        "{settings}"
    );
}
