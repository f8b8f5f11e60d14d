//! Limits on password guessing over HTTP (SEC-25): the wait per account and address, the lock
//! per account with its email and the helpdesk's lifting, the answers for unknown accounts, and
//! two instances of the server counting together in one database.

use axum::http::StatusCode;

use crate::account::{admin_browser, admin_password_again};
use crate::support::{TestApp, TestResponse};
use tweestap_domain::{
    accounts::{email::Email, guessing::Limits, users},
    settings::Settings,
    testing::{Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox},
};

tweestap_domain::on_both_backends!(
    wrong_passwords_make_an_address_wait_and_unknown_accounts_look_the_same_sec_25,
    the_account_lock_holds_for_every_address_is_mailed_and_lifted_by_the_helpdesk_sec_25,
    two_instances_count_together_in_one_database_sec_25,
    spraying_from_one_address_locks_that_address_only_sec_25,
    a_burst_of_right_passwords_lets_the_free_attempts_in_sec_25,
);

const WRONG: &str = "Fout-wachtwoord-1";

fn small(settings: &mut Settings) {
    settings.guessing = Limits {
        free_attempts: 2,
        account_per_hour: 4,
        address_per_hour: 50,
        ..Limits::default()
    };
}

fn at(app: &mut TestApp, address: &str) {
    app.peer = Some(format!("{address}:40000").parse().unwrap());
}

/// The answer without what differs between any two answers (none of it says anything).
fn shape(answer: &TestResponse) -> (StatusCode, String) {
    (answer.status, answer.body.clone())
}

async fn wrong_passwords_make_an_address_wait_and_unknown_accounts_look_the_same_sec_25(
    backend: Backend,
) {
    let mut app = TestApp::with_settings(backend, small).await;
    at(&mut app, "192.0.2.10");
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..3 {
        known.push(shape(&app.log_in(JUDITH_EMAIL, WRONG).await));
        unknown.push(shape(&app.log_in("niemand@example.nl", WRONG).await));
    }
    assert_eq!(known, unknown, "an unknown account is answered alike");
    assert_eq!(known[0].0, StatusCode::UNAUTHORIZED);
    assert_eq!(known[2].0, StatusCode::TOO_MANY_REQUESTS);
    assert!(known[2].1.contains("PasswordWait"), "{}", known[2].1);
    // Even the right password waits here, and gets no session.
    let waits = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(waits.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(app.session_cookie().is_none());
    // From another address it works.
    let mut elsewhere = app.another_browser();
    at(&mut elsewhere, "198.51.100.20");
    let login = elsewhere.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    // A plain form (no script) gets the login page back with the message in Dutch.
    let plain = app
        .send(crate::login::form_post(
            "/api/open/login",
            "/inloggen",
            &format!(
                "email={}&password={WRONG}",
                crate::support::encode(JUDITH_EMAIL)
            ),
        ))
        .await;
    let location = plain
        .header("location")
        .trim_start_matches(crate::support::ORIGIN)
        .to_owned();
    let page = app.get(&location).await.body;
    assert!(
        page.contains("Te veel onjuiste wachtwoorden achter elkaar."),
        "{location}: {page}"
    );
}

async fn the_account_lock_holds_for_every_address_is_mailed_and_lifted_by_the_helpdesk_sec_25(
    backend: Backend,
) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let mut app = TestApp::with_settings(backend, move |settings| {
        small(settings);
        settings.mail.provider = Some(provider);
    })
    .await;
    for n in 1..=4 {
        at(&mut app, &format!("203.0.113.{n}"));
        let wrong = app.log_in(JUDITH_EMAIL, WRONG).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    at(&mut app, "198.51.100.30");
    let locked = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("AccountLocked"), "{}", locked.body);
    assert!(app.session_cookie().is_none());
    app.log_in(JUDITH_EMAIL, WRONG).await;

    // Told once, by email.
    tweestap_domain::mail::deliver_due(&app.ctx).await.unwrap();
    let mails: Vec<_> = outbox
        .mails()
        .into_iter()
        .filter(|(to, subject, _)| to == JUDITH_EMAIL && subject.contains("onjuiste wachtwoorden"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0]
            .1
            .contains("inloggen geblokkeerd na te veel onjuiste wachtwoorden"),
        "{}",
        mails[0].1
    );
    assert!(mails[0].2.contains("203.0.113.4"), "{}", mails[0].2);

    // The helpdesk sees it and lifts it.
    let judith_id = users::find_by_email(&app.ctx, &Email::parse(JUDITH_EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
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
    assert!(page.contains("na te veel onjuiste wachtwoorden."), "{page}");
    let lifted = admin
        .call(
            "/api/beheer/helpdesk_lift_lock",
            &format!("user={judith_id}&reason=Belde+zelf+op"),
        )
        .await;
    assert_eq!(
        lifted.header("location"),
        format!("{user_page}?gedaan=blokkering")
    );
    let login = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let log = tweestap_domain::audit::log::recent(&app.ctx, judith_id, 10)
        .await
        .unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.kind()).collect();
    assert_eq!(
        kinds[..2],
        ["password_lock_lifted", "password_locked"],
        "{kinds:?}"
    );
}

async fn two_instances_count_together_in_one_database_sec_25(backend: Backend) {
    let mut first = TestApp::with_settings(backend, small).await;
    let mut second = first.another_instance().await;
    at(&mut first, "192.0.2.50");
    at(&mut second, "192.0.2.50");
    assert_eq!(
        first.log_in(JUDITH_EMAIL, WRONG).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        second.log_in(JUDITH_EMAIL, WRONG).await.status,
        StatusCode::UNAUTHORIZED
    );
    let waits = first.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(waits.status, StatusCode::TOO_MANY_REQUESTS);
    // The account's ceiling, reached over both instances from two more addresses.
    at(&mut first, "192.0.2.51");
    at(&mut second, "192.0.2.52");
    first.log_in(JUDITH_EMAIL, WRONG).await;
    second.log_in(JUDITH_EMAIL, WRONG).await;
    at(&mut first, "192.0.2.53");
    let locked = first.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert!(locked.body.contains("AccountLocked"), "{}", locked.body);
}

async fn spraying_from_one_address_locks_that_address_only_sec_25(backend: Backend) {
    let mut app = TestApp::with_settings(backend, |settings| {
        small(settings);
        settings.guessing.address_per_hour = 6;
    })
    .await;
    at(&mut app, "192.0.2.66");
    for n in 1..=6 {
        let wrong = app.log_in(&format!("gebruiker{n}@example.nl"), WRONG).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("AddressLocked"), "{}", locked.body);
    assert!(app.session_cookie().is_none());
    let mut elsewhere = app.another_browser();
    at(&mut elsewhere, "198.51.100.66");
    let login = elsewhere.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
}

/// Eight logins at once with the right password, from one address, half of them through a
/// second server on the same database: a clinician's double click, or tabs restored together.
/// At least the free attempts are checked, and each of those is let in; the rest wait, as
/// parallel guesses would.
async fn a_burst_of_right_passwords_lets_the_free_attempts_in_sec_25(backend: Backend) {
    let first = TestApp::new(backend).await;
    let second = first.another_instance().await;
    let logins: Vec<_> = (0..8)
        .map(|n| {
            let mut browser = if n % 2 == 0 {
                first.another_browser()
            } else {
                second.another_browser()
            };
            at(&mut browser, "192.0.2.80");
            tokio::spawn(async move {
                let answer = browser.log_in(JUDITH_EMAIL, JUDITH_PASSWORD).await;
                (answer.status, answer.body)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for login in logins {
        answers.push(login.await.expect("the login task"));
    }
    let passed = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    eprintln!("{backend:?}: {passed} of 8 right passwords at once were let in");
    let free = Limits::default().free_attempts as usize;
    assert!(passed >= free, "{passed} of 8 let in: {answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK
                || (*status == StatusCode::TOO_MANY_REQUESTS && body.contains("PasswordWait")),
            "{status}: {body}"
        );
    }
}
