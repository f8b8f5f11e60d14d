//! The limits on password guessing (SEC-25), on SQLite and on PostgreSQL.

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::*;
use crate::{
    accounts::{login::log_in, reauth, session},
    audit::log,
    db::entity::mail,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
};

crate::on_both_backends!(
    after_the_free_attempts_each_attempt_waits_twice_as_long_sec_25,
    unknown_accounts_are_counted_and_answered_like_known_ones_sec_25,
    the_account_ceiling_locks_every_address_tells_the_owner_once_and_the_helpdesk_lifts_it_sec_25,
    a_remembered_browser_is_not_held_by_the_account_lock_sec_25,
    spraying_from_one_address_locks_that_address_sec_25,
    the_password_asked_again_counts_with_the_login_sec_25,
    parallel_guesses_cannot_pass_the_free_attempts_sec_25,
);

#[test]
fn the_wait_doubles_after_the_free_attempts_up_to_the_maximum() {
    let limits = Limits::default();
    let waits: Vec<i64> = (0..12)
        .map(|n| limits.wait_after(n).num_seconds())
        .collect();
    assert_eq!(waits, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]);
    assert_eq!(limits.wait_after(u64::MAX).num_seconds(), 900);
}

/// Small limits, so that the tests need few argon2 checks: 2 free attempts, a lock after 5
/// wrong passwords for an account and after 8 from an address.
fn small(settings: &mut crate::settings::Settings) {
    settings.guessing = Limits {
        free_attempts: 2,
        account_per_hour: 5,
        address_per_hour: 8,
        ..Limits::default()
    };
}

fn from(address: &str) -> ClientInfo {
    ClientInfo {
        ip_address: Some(address.to_owned()),
        user_agent: Some("Firefox".to_owned()),
    }
}

async fn attempt(ctx: &Context, email: &str, password: &str, address: &str) -> Result<(), Error> {
    log_in(ctx, None, email, password.to_owned(), &from(address), None)
        .await
        .map(|_| ())
}

const WRONG: &str = "Fout-wachtwoord-1";

async fn after_the_free_attempts_each_attempt_waits_twice_as_long_sec_25(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(backend, small).await;
    testing::add_judith(&ctx).await;
    let here = "192.0.2.10";
    for _ in 0..2 {
        assert_eq!(
            attempt(&ctx, JUDITH_EMAIL, WRONG, here).await,
            Err(Error::InvalidCredentials)
        );
    }
    // The third attempt waits 30 seconds, even with the right password, which is not checked.
    let waited = attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, here).await;
    assert!(
        matches!(waited, Err(Error::PasswordWait { until }) if until == ctx.now() + Duration::seconds(30)),
        "{waited:?}"
    );
    // The right password from another address works meanwhile.
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.7")
        .await
        .expect("another address is not held");
    clock.advance(Duration::seconds(30));
    assert_eq!(
        attempt(&ctx, JUDITH_EMAIL, WRONG, here).await,
        Err(Error::InvalidCredentials)
    );
    // After the third wrong password, the wait is 60 seconds.
    clock.advance(Duration::seconds(59));
    assert!(matches!(
        attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, here).await,
        Err(Error::PasswordWait { .. })
    ));
    clock.advance(Duration::seconds(1));
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, here)
        .await
        .expect("the right password after the wait");
    // The right password ended the count for this address.
    for _ in 0..2 {
        assert_eq!(
            attempt(&ctx, JUDITH_EMAIL, WRONG, here).await,
            Err(Error::InvalidCredentials)
        );
    }
}

async fn unknown_accounts_are_counted_and_answered_like_known_ones_sec_25(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(backend, small).await;
    testing::add_judith(&ctx).await;
    let mut answers = Vec::new();
    for email in [JUDITH_EMAIL, "niemand@example.nl"] {
        let mut seen = Vec::new();
        for step in 0..7 {
            if step == 4 {
                clock.advance(Duration::seconds(30));
            }
            let outcome = match attempt(&ctx, email, WRONG, "192.0.2.20").await {
                Err(Error::PasswordWait { until }) => {
                    format!("wait {} s", (until - ctx.now()).num_seconds())
                }
                other => format!("{other:?}"),
            };
            seen.push(outcome);
        }
        clock.advance(Duration::hours(2));
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "a known and an unknown account alike"
    );
    assert_eq!(answers[0][2], "wait 30 s", "{:?}", answers[0]);
}

async fn the_account_ceiling_locks_every_address_tells_the_owner_once_and_the_helpdesk_lifts_it_sec_25(
    backend: Backend,
) {
    let outbox = testing::Outbox::new();
    let (ctx, clock, _db) = testing::context_with(backend, |settings| {
        small(settings);
        settings.mail.provider = Some(outbox.mail_provider());
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    // Five addresses, one wrong password each: no address waits, the account reaches its
    // ceiling of five.
    for n in 1..=5 {
        assert_eq!(
            attempt(&ctx, JUDITH_EMAIL, WRONG, &format!("203.0.113.{n}")).await,
            Err(Error::InvalidCredentials)
        );
    }
    clock.advance(Duration::minutes(1));
    let locked = attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.99").await;
    assert!(
        matches!(
            locked,
            Err(Error::PasswordLocked {
                scope: LockScope::Account,
                ..
            })
        ),
        "even the right password from a fresh address: {locked:?}"
    );
    for n in 6..=8 {
        attempt(&ctx, JUDITH_EMAIL, WRONG, &format!("203.0.113.{n}"))
            .await
            .unwrap_err();
    }
    // Told once: one log entry and one mail, with where the last attempt came from.
    let entries = log::recent(&ctx, judith.id, 20).await.unwrap();
    let locks: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == log::Event::PasswordLocked)
        .collect();
    assert_eq!(locks.len(), 1, "{entries:?}");
    assert_eq!(locks[0].ip_address.as_deref(), Some("203.0.113.5"));
    let mails = mail::Entity::find()
        .filter(mail::Column::Kind.eq(log::Event::PasswordLocked.kind()))
        .count(&ctx.db)
        .await
        .unwrap();
    assert_eq!(mails, 1);
    let state = crate::helpdesk::user_state(&ctx, judith.id).await.unwrap();
    assert_eq!(
        state.password_locked_until,
        Some(ctx.now() - Duration::minutes(1) + Duration::minutes(30))
    );

    assert!(
        crate::helpdesk::lift_lock(&ctx, judith.id, "beheer@example.nl", "belde zelf", None)
            .await
            .unwrap()
    );
    let entries = log::recent(&ctx, judith.id, 20).await.unwrap();
    assert_eq!(entries[0].kind, log::Event::PasswordLockLifted);
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.99")
        .await
        .expect("the lock is lifted");
    let state = crate::helpdesk::user_state(&ctx, judith.id).await.unwrap();
    assert_eq!(state.password_locked_until, None);

    // Locked again; once the lock's half hour is over, the wrong passwords of the hour still
    // refuse her, the helpdesk sees that, and lifting it lets her in.
    for n in 1..=5 {
        attempt(&ctx, JUDITH_EMAIL, WRONG, &format!("203.0.113.{n}"))
            .await
            .unwrap_err();
    }
    clock.advance(Duration::minutes(31));
    assert!(matches!(
        attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.99").await,
        Err(Error::PasswordLocked { .. })
    ));
    let state = crate::helpdesk::user_state(&ctx, judith.id).await.unwrap();
    assert_eq!(
        state.password_locked_until,
        Some(ctx.now() - Duration::minutes(31) + Duration::hours(1))
    );
    assert!(
        crate::helpdesk::lift_lock(&ctx, judith.id, "beheer@example.nl", "belde weer", None)
            .await
            .unwrap()
    );
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.99")
        .await
        .expect("lifted after the lock ran out too");
}

async fn a_remembered_browser_is_not_held_by_the_account_lock_sec_25(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(backend, small).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_app(&ctx, &clock, &judith).await;
    let token = crate::twofactor::remembered::remember_browser(
        &ctx,
        judith.id,
        testing::default_remember_length(&ctx),
        &from("10.0.0.1"),
    )
    .await
    .unwrap();
    for n in 1..=5 {
        attempt(&ctx, JUDITH_EMAIL, WRONG, &format!("203.0.113.{n}"))
            .await
            .unwrap_err();
    }
    assert!(matches!(
        attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "10.0.0.1").await,
        Err(Error::PasswordLocked { .. })
    ));
    let (_, after) = log_in(
        &ctx,
        None,
        JUDITH_EMAIL,
        JUDITH_PASSWORD.to_owned(),
        &from("10.0.0.1"),
        Some(token.value()),
    )
    .await
    .expect("her own remembered browser still logs in");
    assert_eq!(
        after,
        crate::twofactor::second_step::AfterPassword::Done,
        "and is spared the code, as remembered"
    );
}

async fn spraying_from_one_address_locks_that_address_sec_25(backend: Backend) {
    let (ctx, clock, _db) = testing::context_with(backend, small).await;
    testing::add_judith(&ctx).await;
    let sprayer = "192.0.2.66";
    for n in 1..=8 {
        assert_eq!(
            attempt(&ctx, &format!("gebruiker{n}@example.nl"), WRONG, sprayer).await,
            Err(Error::InvalidCredentials)
        );
    }
    let locked = attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, sprayer).await;
    assert!(
        matches!(
            locked,
            Err(Error::PasswordLocked {
                scope: LockScope::Address,
                ..
            })
        ),
        "{locked:?}"
    );
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "198.51.100.1")
        .await
        .expect("other addresses are not held");

    // The lock runs out after its half hour, but the wrong passwords of the hour still hold
    // the address, until enough of them are an hour old.
    clock.advance(ctx.settings.guessing.lock_for + Duration::minutes(1));
    let still = attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, sprayer).await;
    assert!(
        matches!(
            still,
            Err(Error::PasswordLocked {
                scope: LockScope::Address,
                ..
            })
        ),
        "{still:?}"
    );
    clock.advance(WINDOW);
    attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, sprayer)
        .await
        .expect("an hour later the address is free again");
}

async fn the_password_asked_again_counts_with_the_login_sec_25(backend: Backend) {
    let (ctx, _clock, _db) = testing::context_with(backend, small).await;
    let judith = testing::add_judith(&ctx).await;
    let here = from("192.0.2.30");
    let (token, _) = session::start(&ctx, &judith, &here, session::SessionStage::Complete)
        .await
        .unwrap();
    let active = session::resolve(&ctx, &token).await.unwrap().unwrap();
    for _ in 0..2 {
        assert_eq!(
            reauth::confirm(&ctx, &active, WRONG.to_owned(), &here)
                .await
                .err(),
            Some(Error::WrongPassword)
        );
    }
    assert!(matches!(
        reauth::confirm(&ctx, &active, JUDITH_PASSWORD.to_owned(), &here).await,
        Err(Error::PasswordWait { .. })
    ));
    assert!(
        matches!(
            attempt(&ctx, JUDITH_EMAIL, JUDITH_PASSWORD, "192.0.2.30").await,
            Err(Error::PasswordWait { .. })
        ),
        "the login from the same address waits too"
    );
}

async fn parallel_guesses_cannot_pass_the_free_attempts_sec_25(backend: Backend) {
    let (ctx, _clock, _db) = testing::context_with(backend, small).await;
    testing::add_judith(&ctx).await;
    let guesses: Vec<_> = (0..8)
        .map(|_| {
            let ctx = ctx.clone();
            tokio::spawn(async move { attempt(&ctx, JUDITH_EMAIL, WRONG, "192.0.2.40").await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for guess in guesses {
        outcomes.push(guess.await.unwrap());
    }
    let checked = outcomes
        .iter()
        .filter(|o| **o == Err(Error::InvalidCredentials))
        .count();
    assert!(
        checked <= 2,
        "only the free attempts are checked: {outcomes:?}"
    );
    // Attempts under way count too, so a burst may also meet the account's ceiling; it is
    // refused, but it does not lock the account: only wrong passwords do.
    assert!(
        outcomes.iter().all(|o| matches!(
            o,
            Err(Error::InvalidCredentials
                | Error::PasswordWait { .. }
                | Error::PasswordLocked { .. })
        )),
        "{outcomes:?}"
    );
    let email = Email::parse(JUDITH_EMAIL).unwrap();
    assert_eq!(account_locked_until(&ctx, &email).await.unwrap(), None);
}
