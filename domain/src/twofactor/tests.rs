//! Service tests for two-step authentication, on SQLite and on PostgreSQL, with a settable
//! clock. Each names the checklist item it proves.

use chrono::Duration;
use sea_orm::EntityTrait;

use super::{
    app_code, attempts, deferral, enrolment, factor, recovery, recovery_codes, remembered, totp,
};
use crate::{
    accounts::users::User,
    clock::ManualClock,
    context::Context,
    crypto,
    db::entity::two_factor,
    error::Error,
    on_both_backends,
    testing::{self, Backend},
};

on_both_backends!(
    enrolment_needs_a_confirmed_code_and_keeps_the_secret_encrypted,
    the_window_is_the_current_and_previous_code,
    each_time_step_logs_in_once_under_parallel_submissions,
    recovery_codes_are_single_use_under_parallel_submissions,
    failed_attempts_lock_the_account_across_sessions,
    a_parallel_burst_cannot_get_past_the_limit,
    codes_are_bound_to_their_user,
    remembered_browsers_are_bound_to_user_and_expiry,
    a_chosen_remember_length_sets_the_expiry_up_to_the_maximum,
    deferrals_are_counted,
    a_new_set_of_recovery_codes_replaces_the_old_one,
    the_login_step_spends_the_code_and_completes_the_session_at_once,
);

/// The secret as the authenticator app has it, read back the way the server does.
async fn secret_of(ctx: &Context, user: &User) -> Vec<u8> {
    let row = two_factor::Entity::find_by_id(user.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    crypto::open(
        &ctx.settings.secret_key,
        &format!("totp-secret:{}", user.id),
        &row.secret_enc,
    )
    .unwrap()
}

/// A code that is not `right`.
fn wrong_code(right: &str) -> &'static str {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
}

fn code_now(ctx: &Context, secret: &[u8]) -> String {
    totp::code_for_step(secret, totp::step_at(ctx.now().timestamp()))
}

/// Enrols `user` with the app; returns the secret and the recovery codes.
async fn enrol(ctx: &Context, user: &User) -> (Vec<u8>, Vec<String>) {
    let row = enrolment::start_app_enrolment(ctx, user).await.unwrap();
    let secret = secret_of(ctx, user).await;
    enrolment::confirm_app_enrolment(ctx, user, &code_now(ctx, &secret), None)
        .await
        .unwrap();
    let row = two_factor::Entity::find_by_id(row.user_id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    let codes = recovery_codes::pending_codes(ctx, &row).unwrap();
    enrolment::finish_enrolment(ctx, user.id).await.unwrap();
    (secret, codes)
}

/// A second professional, for what must not cross from one user to another.
async fn add_bram(ctx: &Context) -> User {
    testing::add_user(
        ctx,
        "bram@example.nl",
        "Bram",
        "Een-ander-wachtwoord-1",
        crate::db::entity::user::Role::Professional,
    )
    .await
}

fn next_step(clock: &ManualClock) {
    clock.advance(Duration::seconds(30));
}

// SEC-08: 160-bit secret, encrypted at rest, not active until a code was confirmed; going
// back in the wizard keeps the same secret.
async fn enrolment_needs_a_confirmed_code_and_keeps_the_secret_encrypted(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let first = enrolment::start_app_enrolment(&ctx, &judith).await.unwrap();
    let again = enrolment::start_app_enrolment(&ctx, &judith).await.unwrap();
    assert_eq!(first.secret_enc, again.secret_enc, "no second secret");
    let secret = secret_of(&ctx, &judith).await;
    assert_eq!(secret.len(), 20);
    let base32 = totp::secret_for_people(&secret).replace(' ', "");
    assert!(!first.secret_enc.contains(&base32));
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    let wrong = wrong_code(&code_now(&ctx, &secret));
    assert_eq!(
        enrolment::confirm_app_enrolment(&ctx, &judith, wrong, None).await,
        Err(Error::CodeRejected)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());
    enrolment::confirm_app_enrolment(&ctx, &judith, &code_now(&ctx, &secret), None)
        .await
        .unwrap();
    assert!(factor::is_enabled(&ctx, judith.id).await.unwrap());
    assert_eq!(
        recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        10
    );
    // SEC-07: the code that confirmed enrolment cannot log in.
    assert_eq!(
        app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None).await,
        Err(Error::CodeRejected)
    );
}

// SEC-06: the current and the previous code; not older, not newer.
async fn the_window_is_the_current_and_previous_code(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, _) = enrol(&ctx, &judith).await;
    let step = |c: &Context| totp::step_at(c.now().timestamp());

    next_step(&clock);
    let earlier = code_now(&ctx, &secret);
    next_step(&clock);
    // Thirty seconds later the app shows a new code; the previous one is still valid.
    app_code::verify_app_code(&ctx, &judith, &earlier, None)
        .await
        .unwrap();

    next_step(&clock);
    next_step(&clock);
    let too_old = totp::code_for_step(&secret, step(&ctx) - 2);
    let too_new = totp::code_for_step(&secret, step(&ctx) + 1);
    let current = totp::code_for_step(&secret, step(&ctx));
    // Refused; being near, each is told as a clock that is off (`clock_drift_tests`).
    for (code, ahead) in [(&too_old, false), (&too_new, true)] {
        if *code != current && *code != totp::code_for_step(&secret, step(&ctx) - 1) {
            assert_eq!(
                app_code::verify_app_code(&ctx, &judith, code, None).await,
                Err(Error::ClockDrift { minutes: 1, ahead })
            );
        }
    }
    app_code::verify_app_code(&ctx, &judith, &current, None)
        .await
        .unwrap();
}

// SEC-07: twenty parallel submissions of one code: exactly one succeeds. After a newer step
// was used, the older one in the window is refused.
async fn each_time_step_logs_in_once_under_parallel_submissions(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, _) = enrol(&ctx, &judith).await;
    next_step(&clock);
    let code = code_now(&ctx, &secret);
    let attempts = (0..20).map(|_| {
        let (ctx, judith, code) = (ctx.clone(), judith.clone(), code.clone());
        tokio::spawn(async move { app_code::verify_app_code(&ctx, &judith, &code, None).await })
    });
    let results: Vec<_> = futures_join(attempts).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    // More submissions at once than the attempt limit lock the account for a while (SEC-14).
    clock.advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));

    next_step(&clock);
    let older = totp::code_for_step(&secret, totp::step_at(ctx.now().timestamp()) - 1);
    let newer = code_now(&ctx, &secret);
    app_code::verify_app_code(&ctx, &judith, &newer, None)
        .await
        .unwrap();
    if older != newer {
        assert_eq!(
            app_code::verify_app_code(&ctx, &judith, &older, None).await,
            Err(Error::CodeRejected)
        );
    }
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}

// SEC-12: a recovery code is spent by exactly one of twenty parallel submissions; typed in any
// case, with or without dashes.
async fn recovery_codes_are_single_use_under_parallel_submissions(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (_, codes) = enrol(&ctx, &judith).await;
    assert_eq!(codes.len(), recovery::COUNT);
    let typed = codes[3].replace('-', "").to_lowercase();
    let attempts = (0..20).map(|_| {
        let (ctx, judith, typed) = (ctx.clone(), judith.clone(), typed.clone());
        tokio::spawn(
            async move { recovery_codes::use_recovery_code(&ctx, &judith, &typed, None).await },
        )
    });
    let results = futures_join(attempts).await;
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok, vec![&9], "{results:?}");
    clock.advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &judith, &codes[3], None).await,
        Err(Error::RecoveryCodeRejected)
    );
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &judith, "geen code", None).await,
        Err(Error::Invalid(crate::Invalid::RecoveryCodeFormat))
    );
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &judith, &codes[4], None).await,
        Ok(8)
    );
}

// SEC-14: app codes and recovery codes count together, per account; a right code during the
// lock is refused; the lock ends after its time.
async fn failed_attempts_lock_the_account_across_sessions(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, codes) = enrol(&ctx, &judith).await;
    next_step(&clock);
    let right = code_now(&ctx, &secret);
    let wrong = wrong_code(&right);
    for i in 0..attempts::MAX_FAILED_ATTEMPTS {
        let result = if i % 2 == 0 {
            app_code::verify_app_code(&ctx, &judith, wrong, None).await
        } else {
            recovery_codes::use_recovery_code(&ctx, &judith, "2222-2222-2222", None)
                .await
                .map(|_| ())
        };
        assert!(
            matches!(
                result,
                Err(Error::CodeRejected | Error::RecoveryCodeRejected)
            ),
            "attempt {i}: {result:?}"
        );
    }
    assert!(
        matches!(
            app_code::verify_app_code(&ctx, &judith, &right, None).await,
            Err(Error::Locked { .. })
        ),
        "a right code during the lock"
    );
    assert!(matches!(
        recovery_codes::use_recovery_code(&ctx, &judith, &codes[0], None).await,
        Err(Error::Locked { .. })
    ));
    clock.advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));
    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None)
        .await
        .unwrap();
}

// SEC-14: thirty wrong codes at once: no more than the limit are even checked.
async fn a_parallel_burst_cannot_get_past_the_limit(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, _) = enrol(&ctx, &judith).await;
    next_step(&clock);
    let wrong = wrong_code(&code_now(&ctx, &secret));
    let attempts = (0..30).map(|_| {
        let (ctx, judith) = (ctx.clone(), judith.clone());
        tokio::spawn(async move { app_code::verify_app_code(&ctx, &judith, wrong, None).await })
    });
    let results = futures_join(attempts).await;
    let checked = results
        .iter()
        .filter(|r| **r == Err(Error::CodeRejected))
        .count();
    assert!(
        checked <= attempts::MAX_FAILED_ATTEMPTS as usize,
        "{checked} codes were checked"
    );
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(Error::Locked { .. })))
    );
}

// SEC-02: a code is checked against the user of the session, never anyone else's secret.
async fn codes_are_bound_to_their_user(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let bram = add_bram(&ctx).await;
    let (judith_secret, judith_codes) = enrol(&ctx, &judith).await;
    let (bram_secret, _) = enrol(&ctx, &bram).await;
    next_step(&clock);
    let judith_code = code_now(&ctx, &judith_secret);
    if judith_code != code_now(&ctx, &bram_secret) {
        assert_eq!(
            app_code::verify_app_code(&ctx, &bram, &judith_code, None).await,
            Err(Error::CodeRejected)
        );
    }
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &bram, &judith_codes[0], None).await,
        Err(Error::RecoveryCodeRejected)
    );
}

// SEC-19: the token only works for its user, unaltered and unexpired.
async fn remembered_browsers_are_bound_to_user_and_expiry(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let bram = add_bram(&ctx).await;
    let token = remembered::remember_browser(
        &ctx,
        judith.id,
        remembered::RememberFor::default_for(&ctx.settings),
        &crate::client::ClientInfo {
            ip_address: None,
            user_agent: Some("Chrome".into()),
        },
    )
    .await
    .unwrap();
    let cookie = token.cookie(ctx.settings.remember_for);
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && cookie.contains("Max-Age=43200")
    );
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let parse = |v: &str| remembered::RememberToken::from_cookie(v).unwrap();
    assert!(
        remembered::is_remembered(&ctx, judith.id, &parse(&value))
            .await
            .unwrap()
    );
    assert!(
        !remembered::is_remembered(&ctx, bram.id, &parse(&value))
            .await
            .unwrap()
    );
    let mut altered = value.clone().into_bytes();
    altered[10] = if altered[10] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    assert!(
        !remembered::is_remembered(&ctx, judith.id, &parse(&altered))
            .await
            .unwrap()
    );
    assert!(remembered::RememberToken::from_cookie("kort").is_none());
    clock.advance(ctx.settings.remember_for);
    assert!(
        !remembered::is_remembered(&ctx, judith.id, &parse(&value))
            .await
            .unwrap()
    );
}

// SEC-19: "Onthoud mij" lasts the length chosen (the manual's 12 uur, 1 dag, 3 dagen or een
// week), at the code step and wherever a browser is remembered, and never longer than
// TWEESTAP_REMEMBER_MAX_HOURS: a length not offered is refused, not shortened.
async fn a_chosen_remember_length_sets_the_expiry_up_to_the_maximum(backend: Backend) {
    use crate::{error::Invalid, settings::Settings};
    use remembered::RememberFor;
    let hours = |settings: &Settings| -> Vec<i64> {
        RememberFor::offered(settings)
            .into_iter()
            .map(RememberFor::hours)
            .collect()
    };
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    assert_eq!(hours(&ctx.settings), [12, 24, 72, 168]);
    let expiry = || async {
        let devices = remembered::remembered_devices(&ctx, judith.id)
            .await
            .unwrap();
        devices.first().expect("a remembered browser").expires_at
    };

    // 3 dagen at the code step: the browser is remembered until three days from now.
    let (secret, _) = enrol(&ctx, &judith).await;
    next_step(&clock);
    let (waiting, _) = testing::password_only_session(&ctx, &judith).await;
    let row = factor::factor(&ctx, judith.id).await.unwrap().unwrap();
    let three_days = RememberFor::chosen(&ctx.settings, Some(72)).unwrap();
    let passed = app_code::pass_login(
        &ctx,
        &waiting,
        &row,
        &code_now(&ctx, &secret),
        Some(three_days),
        &Default::default(),
    )
    .await
    .unwrap();
    let token = passed.remembered.expect("Onthoud mij");
    assert_eq!(expiry().await, ctx.now() + Duration::hours(72));
    assert!(
        token
            .cookie(three_days.duration())
            .contains("Max-Age=259200")
    );
    clock.advance(Duration::hours(72) - Duration::seconds(1));
    assert!(
        remembered::is_remembered(&ctx, judith.id, &token)
            .await
            .unwrap()
    );
    clock.advance(Duration::seconds(1));
    assert!(
        !remembered::is_remembered(&ctx, judith.id, &token)
            .await
            .unwrap()
    );

    // Een week, as after an SMS code or a passkey.
    let week = RememberFor::choose(&ctx.settings, 168).unwrap();
    remembered::remember_browser(&ctx, judith.id, week, &Default::default())
        .await
        .unwrap();
    assert_eq!(expiry().await, ctx.now() + Duration::days(7));
    // Ticked without a choice: the default, 12 hours.
    assert_eq!(
        RememberFor::chosen(&ctx.settings, None).map(RememberFor::duration),
        Ok(Duration::hours(12))
    );

    // Anything not offered is refused: above the maximum, or a length the page never showed.
    for refused in [0, -12, 13, 48, 169, 336, i64::MAX] {
        assert_eq!(
            RememberFor::chosen(&ctx.settings, Some(refused)),
            Err(Invalid::RememberLength),
            "{refused}"
        );
    }
    let at_most_three_days = testing::test_settings(|s| s.remember_max = Duration::hours(100));
    assert_eq!(hours(&at_most_three_days), [12, 24, 72]);
    assert_eq!(
        RememberFor::choose(&at_most_three_days, 168),
        Err(Invalid::RememberLength)
    );
    // Shared workstations: TWEESTAP_REMEMBER_MAX_HOURS=12 leaves only the default.
    let shared = testing::test_settings(|s| s.remember_max = Duration::hours(12));
    assert_eq!(hours(&shared), [12]);
    for refused in [24, 72, 168] {
        assert_eq!(
            RememberFor::choose(&shared, refused),
            Err(Invalid::RememberLength)
        );
    }
    // An older TWEESTAP_REMEMBER_HOURS stays the default length, the longer choices beside it.
    let eight_hours = testing::test_settings(|s| s.remember_for = Duration::hours(8));
    assert_eq!(hours(&eight_hours), [8, 24, 72, 168]);
    let two_days = testing::test_settings(|s| s.remember_for = Duration::hours(48));
    assert_eq!(hours(&two_days), [48, 72, 168]);
}

async fn deferrals_are_counted(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    deferral::defer(&ctx, judith.id).await.unwrap();
    deferral::defer(&ctx, judith.id).await.unwrap();
    let row = crate::db::entity::user::Entity::find_by_id(judith.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.deferrals, 2);
    assert_eq!(row.last_deferred_at, Some(ctx.now()));
}

// SEC-13: regenerating invalidates the whole previous set, used or not.
async fn a_new_set_of_recovery_codes_replaces_the_old_one(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (_, old) = enrol(&ctx, &judith).await;
    recovery_codes::use_recovery_code(&ctx, &judith, &old[0], None)
        .await
        .unwrap();
    let new = recovery_codes::regenerate_recovery_codes(&ctx, judith.id, 1, None)
        .await
        .unwrap();
    assert_eq!(new.len(), recovery::COUNT);
    assert_eq!(
        recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        10
    );
    for code in &old[1..4] {
        if !new.contains(code) {
            assert_eq!(
                recovery_codes::use_recovery_code(&ctx, &judith, code, None).await,
                Err(Error::RecoveryCodeRejected)
            );
        }
    }
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &judith, &new[0], None).await,
        Ok(9)
    );
}

// SEC-07, SEC-14, SEC-03, SEC-19: the second step at login as one transaction. Of twenty
// parallel submissions of a right code one passes; the session is replaced by a complete one
// (the old token stops working); the count of wrong codes starts again; "Onthoud mij" remembers
// the browser. A right code is refused while the account is locked, and does not bring back a
// session that was logged out meanwhile, nor is it spent then.
async fn the_login_step_spends_the_code_and_completes_the_session_at_once(backend: Backend) {
    use crate::accounts::session::{self, SessionStage, SessionToken};
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, _) = enrol(&ctx, &judith).await;
    let factor_row = || async { factor::factor(&ctx, judith.id).await.unwrap().unwrap() };
    let client = crate::client::ClientInfo::default();
    next_step(&clock);
    let right = code_now(&ctx, &secret);
    let wrong = wrong_code(&right);

    // Two wrong codes, then twenty parallel submissions of the right one.
    let (waiting, waiting_token) = testing::password_only_session(&ctx, &judith).await;
    let row = factor_row().await;
    for _ in 0..2 {
        assert_eq!(
            app_code::pass_login(&ctx, &waiting, &row, wrong, None, &client)
                .await
                .err(),
            Some(Error::CodeRejected)
        );
    }
    let submissions = (0..20).map(|_| {
        let (ctx, waiting, row, right, client) = (
            ctx.clone(),
            waiting.clone(),
            row.clone(),
            right.clone(),
            client.clone(),
        );
        tokio::spawn(async move {
            let remember = remembered::RememberFor::default_for(&ctx.settings);
            app_code::pass_login(&ctx, &waiting, &row, &right, Some(remember), &client)
                .await
                .map(|passed| (passed.session, passed.remembered))
        })
    });
    let results = futures_join(submissions).await;
    let passed: Vec<&(SessionToken, Option<remembered::RememberToken>)> =
        results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(passed.len(), 1, "one of twenty passes");
    let (token, remembered_token) = passed[0];
    let complete = session::resolve(&ctx, token).await.unwrap().unwrap();
    assert_eq!(complete.stage, SessionStage::Complete);
    assert_ne!(complete.id, waiting.id, "a new session id (SEC-03)");
    assert!(
        session::resolve(&ctx, &waiting_token)
            .await
            .unwrap()
            .is_none(),
        "the old token stops working"
    );
    assert!(
        crate::db::entity::session::Entity::find_by_id(waiting.id)
            .one(&ctx.db)
            .await
            .unwrap()
            .is_none(),
        "the waiting session is gone"
    );
    let remembered_token = remembered_token.as_ref().expect("Onthoud mij");
    assert!(
        remembered::is_remembered(&ctx, judith.id, remembered_token)
            .await
            .unwrap()
    );
    // The others were refused as replays and counted, after the success reset the count.
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, Error::CodeRejected | Error::Locked { .. })),
    );

    // Logged out meanwhile: the right code brings nothing back, and stays unspent.
    clock.advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));
    next_step(&clock);
    let (gone, _) = testing::password_only_session(&ctx, &judith).await;
    session::end(&ctx, gone.id).await.unwrap();
    let code = code_now(&ctx, &secret);
    let row = factor_row().await;
    assert_eq!(
        app_code::pass_login(&ctx, &gone, &row, &code, None, &client)
            .await
            .err(),
        Some(Error::NotLoggedIn)
    );
    let (waiting, _) = testing::password_only_session(&ctx, &judith).await;
    assert!(
        app_code::pass_login(&ctx, &waiting, &row, &code, None, &client)
            .await
            .is_ok(),
        "the code was not spent by the refused step"
    );
    let user = crate::db::entity::user::Entity::find_by_id(judith.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.failed_attempts, 0, "a success starts the count again");

    // Locked: a right code is refused, and the session stays where it was.
    next_step(&clock);
    let (waiting, waiting_token) = testing::password_only_session(&ctx, &judith).await;
    for _ in 0..attempts::MAX_FAILED_ATTEMPTS {
        let _ = app_code::pass_login(&ctx, &waiting, &row, wrong, None, &client).await;
    }
    let right = code_now(&ctx, &secret);
    assert!(matches!(
        app_code::pass_login(&ctx, &waiting, &row, &right, None, &client).await,
        Err(Error::Locked { .. })
    ));
    let still = session::resolve(&ctx, &waiting_token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.stage, SessionStage::PasswordOnly);
}
