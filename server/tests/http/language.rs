//! HTTP tests of English beside Dutch: where a page's language comes from (the stored choice,
//! the login page's switch, `Accept-Language`, Dutch), the switch itself, and a security email
//! in the language the user chose.

use axum::{
    body::Body,
    http::{Request, header},
};
use sea_orm::EntityTrait;

use crate::support::{TestApp, TestResponse};
use tweestap_domain::{
    accounts::{email::Email, users},
    db::entity::mail,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
};

tweestap_domain::on_both_backends!(
    the_login_page_speaks_the_browsers_language_until_the_switch_says_otherwise,
    a_stored_choice_beats_the_cookie_and_the_browser,
    a_security_email_goes_out_in_the_users_language_sec_21,
);

async fn page(app: &mut TestApp, path: &str, accept_language: Option<&str>) -> TestResponse {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(languages) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, languages);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

fn is_english(body: &str) -> bool {
    body.contains(r#"<html lang="en""#)
        && body.contains("Log in with your email address and password.")
        && !body.contains("Log in met je e-mailadres en wachtwoord.")
}

fn is_dutch(body: &str) -> bool {
    body.contains(r#"<html lang="nl""#)
        && body.contains("Log in met je e-mailadres en wachtwoord.")
        && !body.contains("Log in with your email address and password.")
}

async fn the_login_page_speaks_the_browsers_language_until_the_switch_says_otherwise(
    backend: Backend,
) {
    let mut app = TestApp::new(backend).await;
    let plain = page(&mut app, "/inloggen", None).await;
    assert!(is_dutch(&plain.body), "{}", plain.body);
    // The switch offers the other language, in its own words.
    assert!(
        plain
            .body
            .contains(r#"name="taal" value="en" lang="en" class="link">English</button>"#),
        "{}",
        plain.body
    );
    // Without the script too, the switch comes back to this page.
    assert!(
        plain
            .body
            .contains(r#"<input type="hidden" name="volgende" value="/inloggen">"#),
        "{}",
        plain.body
    );

    let english = page(
        &mut app,
        "/inloggen",
        Some("de-DE,de;q=0.9,en-GB;q=0.8,nl;q=0.5"),
    )
    .await;
    assert!(is_english(&english.body), "{}", english.body);
    assert!(
        english
            .body
            .contains(r#"value="nl" lang="nl" class="link">Nederlands</button>"#)
    );

    // The switch: a plain form, answered with the cookie (SEC-17's attributes) and the way back.
    let chosen = app
        .call(
            "/api/open/choose_language",
            "taal=en&volgende=%2Finloggen%3Fvolgende%3D%2Fprofiel",
        )
        .await;
    assert_eq!(
        chosen.header("location"),
        "/inloggen?volgende=/profiel",
        "{}",
        chosen.body
    );
    let cookie = chosen
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("taal="))
        .expect("the language cookie");
    assert!(cookie.starts_with("taal=en;"), "{cookie}");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    // The cookie beats the browser's own language.
    let switched = page(&mut app, "/inloggen", Some("nl")).await;
    assert!(is_english(&switched.body), "{}", switched.body);

    // A language not spoken here, or a way back off this site: the input refused as malformed
    // (the page words it: "De invoer is ongeldig of onvolledig."), not a 500, and never a
    // redirect elsewhere.
    let unknown = app
        .call("/api/open/choose_language", "taal=de&volgende=%2F")
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.body, r#"{"InvalidInput":"Malformed"}"#);
    let away = app
        .call(
            "/api/open/choose_language",
            "taal=nl&volgende=https%3A%2F%2Fevil.example",
        )
        .await;
    assert_eq!(away.header("location"), "/", "{}", away.body);
    let back = page(&mut app, "/inloggen", Some("en")).await;
    assert!(is_dutch(&back.body), "{}", back.body);
}

async fn judith(app: &TestApp) -> users::User {
    users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// Judith, enrolled and logged in with both steps; the enrolment's mail taken out of the queue.
async fn judith_logged_in(app: &mut TestApp) -> Vec<u8> {
    let secret = testing::enrol_app(&app.ctx, &app.clock, &judith(app).await)
        .await
        .0;
    mail::Entity::delete_many().exec(&app.ctx.db).await.unwrap();
    app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    app.pass_second_step(&secret).await;
    secret
}

async fn a_stored_choice_beats_the_cookie_and_the_browser(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    assert_eq!(
        judith(&app).await.language,
        None,
        "no choice until she makes one"
    );
    let secret = judith_logged_in(&mut app).await;
    let chosen = app
        .call("/api/open/choose_language", "taal=en&volgende=%2Fprofiel")
        .await;
    assert_eq!(chosen.header("location"), "/profiel", "{}", chosen.body);
    assert_eq!(judith(&app).await.language, Some(tweestap_domain::Lang::En));

    // Another browser, Dutch by its cookie and its language: once past both steps, her pages
    // are English; before that (SEC-30: nothing of the account) they follow the browser.
    let mut other = app.another_browser();
    other.cookies.insert("taal".to_owned(), "nl".to_owned());
    let login = page(&mut other, "/inloggen", Some("nl")).await;
    assert!(is_dutch(&login.body), "{}", login.body);
    other.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    // A code is taken once: the next browser's comes from the next step.
    other.clock.advance(chrono::Duration::seconds(30));
    let second_step = page(&mut other, "/inloggen/code", Some("nl")).await;
    assert!(
        second_step.body.contains(r#"<html lang="nl""#),
        "{}",
        second_step.body
    );
    other.pass_second_step(&secret).await;
    let home = page(&mut other, "/", Some("nl")).await;
    assert!(home.body.contains(r#"<html lang="en""#), "{}", home.body);
    assert!(
        home.body.contains("Welcome, Judith van Haare."),
        "{}",
        home.body
    );
    // The profile shows the choice, marked.
    let profile = page(&mut other, "/profiel", Some("nl")).await;
    assert!(
        profile.body.contains(r#"value="en" checked"#),
        "{}",
        profile.body
    );
}

// SEC-21 in the user's language: the mail about new recovery codes, in English for a user who
// chose English, while the browser that made the change asks for Dutch.
async fn a_security_email_goes_out_in_the_users_language_sec_21(backend: Backend) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let mut app = TestApp::with_settings(backend, |s| s.mail.provider = Some(provider)).await;
    judith_logged_in(&mut app).await;
    app.call("/api/open/choose_language", "taal=en&volgende=%2F")
        .await;
    app.cookies.insert("taal".to_owned(), "nl".to_owned());
    app.call(
        "/api/methode/reauthenticate",
        &format!("password={}", crate::support::encode(JUDITH_PASSWORD)),
    )
    .await;
    let made = app
        .call("/api/ingelogd/regenerate_recovery_codes", "")
        .await;
    assert_eq!(
        made.header("location"),
        "/profiel/herstelcodes",
        "{}",
        made.body
    );

    let mails = mail::Entity::find().all(&app.ctx.db).await.unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(
        mails[0].subject,
        "Your account's security: new recovery codes created"
    );
    let body = &mails[0].body;
    assert!(body.starts_with("Dear Judith van Haare,"), "{body}");
    assert!(body.contains("New recovery codes created"), "{body}");
    assert!(body.contains("Was this not you?"), "{body}");
    assert!(!body.contains("Beste"), "{body}");
}
