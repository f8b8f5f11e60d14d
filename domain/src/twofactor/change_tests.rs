//! Service tests for "Methode wijzigen", on SQLite and on PostgreSQL, with a settable clock and
//! the SMS outbox. Each names the checklist item it proves.

use chrono::Duration;
use sea_orm::EntityTrait;

use super::change;
use crate::{
    accounts::{
        session::{self, SessionStage},
        users::User,
    },
    audit::log,
    client::ClientInfo,
    clock::ManualClock,
    context::Context,
    db::entity::{factor_change, two_factor, user},
    error::Error,
    on_both_backends,
    sms::{self, PhoneNumber, Purpose},
    testing::{self, Backend, Outbox, TestDb},
    twofactor::{
        Method, app_code, attempts, disable, enrolment, factor, recovery_codes, remembered, totp,
    },
};

on_both_backends!(
    app_to_sms_keeps_the_app_until_the_new_number_is_confirmed_sec_11_sec_21,
    sms_to_app_keeps_sms_until_the_code_and_spends_its_step_sec_07,
    a_new_app_replaces_the_old_secret_once_under_parallel_codes_sec_07_sec_08,
    a_new_number_replaces_the_old_one_only_with_its_own_code_sec_11,
    wrong_codes_leave_everything_and_count_toward_the_lock_sec_14,
    a_switch_off_or_reset_between_start_and_confirm_wins,
    a_stale_or_other_sessions_change_is_not_usable,
);

const NUMBER: &str = "06 12345678";
const NEW_NUMBER: &str = "06 87654390";

async fn with_sms(backend: Backend) -> (Context, ManualClock, TestDb, Outbox, User) {
    let (ctx, clock, db, outbox) =
        testing::context_with_sms(backend, testing::roomy_sms_limits(), |_| {}).await;
    let judith = testing::add_judith(&ctx).await;
    (ctx, clock, db, outbox, judith)
}

async fn session_of(ctx: &Context, user: &User, stage: SessionStage) -> i32 {
    session::start(ctx, user, &ClientInfo::default(), stage)
        .await
        .unwrap()
        .1
}

fn code_now(ctx: &Context, secret: &[u8]) -> String {
    totp::code_for_step(secret, totp::step_at(ctx.now().timestamp()))
}

/// A code of no step of `secret` near now: neither accepted nor told as a clock that is off.
fn wrong_code(ctx: &Context, secret: &[u8]) -> String {
    totp::unrelated_code(secret, ctx.now().timestamp())
}

fn next_step(clock: &ManualClock) {
    clock.advance(Duration::seconds(30));
}

/// Enrols `user` with the app, as the wizard does; returns the secret.
async fn enrol_app(ctx: &Context, clock: &ManualClock, user: &User) -> Vec<u8> {
    let row = enrolment::start_app_enrolment(ctx, user).await.unwrap();
    let secret = factor::open_secret(ctx, user.id, &row.secret_enc).unwrap();
    enrolment::confirm_app_enrolment(ctx, user, &code_now(ctx, &secret), None)
        .await
        .unwrap();
    enrolment::finish_enrolment(ctx, user.id).await.unwrap();
    next_step(clock);
    secret
}

async fn factor(ctx: &Context, user: &User) -> two_factor::Model {
    two_factor::Entity::find_by_id(user.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
}

async fn failed_attempts(ctx: &Context, user: &User) -> i32 {
    user::Entity::find_by_id(user.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
        .failed_attempts
}

/// A login with SMS: the password step's session, a code to the factor's number, and that code.
async fn sms_login(ctx: &Context, clock: &ManualClock, outbox: &Outbox, user: &User) -> bool {
    let attempt = session_of(ctx, user, SessionStage::PasswordOnly).await;
    sms::send_login_code(ctx, user.id, attempt).await.unwrap();
    clock.advance(ctx.settings.sms.limits.cooldown);
    sms::verify_code(
        ctx,
        user,
        attempt,
        Purpose::Login,
        &outbox.last_code(),
        None,
    )
    .await
    .is_ok()
}

/// The newest entry of the security log: its kind and detail.
async fn last_logged(ctx: &Context, user: &User) -> (log::Event, Option<String>) {
    let entry = log::recent(ctx, user.id, 1).await.unwrap().remove(0);
    (entry.kind, entry.detail)
}

// SEC-11: SMS becomes the method only with the code sent to the new number; until then the app
// logs in. Recovery codes and remembered browsers stay. SEC-21: logged, with the number masked.
async fn app_to_sms_keeps_the_app_until_the_new_number_is_confirmed_sec_11_sec_21(
    backend: Backend,
) {
    let (ctx, clock, _db, outbox, judith) = with_sms(backend).await;
    let secret = enrol_app(&ctx, &clock, &judith).await;
    let browser = remembered::remember_browser(
        &ctx,
        judith.id,
        testing::default_remember_length(&ctx),
        &Default::default(),
    )
    .await
    .unwrap();
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let number = PhoneNumber::parse(NUMBER).unwrap();
    change::start_sms(&ctx, &judith, session, &number)
        .await
        .unwrap();
    let (to, _) = outbox.messages().pop().unwrap();
    assert_eq!(to, "+31612345678");
    let code = outbox.last_code();

    // Not yet: the app still logs in, and no SMS goes out at login.
    assert_eq!(sms::login_number(&ctx, judith.id).await.unwrap(), None);
    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None)
        .await
        .unwrap();
    // The change's code is not a login code.
    let attempt = session_of(&ctx, &judith, SessionStage::PasswordOnly).await;
    assert!(
        sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &code, None)
            .await
            .is_err()
    );

    change::confirm(&ctx, &judith, session, &code, None)
        .await
        .unwrap();
    let row = factor(&ctx, &judith).await;
    assert_eq!(row.method, Method::Sms);
    assert_eq!(sms::number_of(&ctx, &row).unwrap(), number);
    next_step(&clock);
    assert_eq!(
        app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None).await,
        Err(Error::Forbidden),
        "the app no longer logs in"
    );
    assert!(sms_login(&ctx, &clock, &outbox, &judith).await);
    assert_eq!(
        recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        10
    );
    assert!(
        remembered::is_remembered(&ctx, judith.id, &browser)
            .await
            .unwrap()
    );
    assert!(
        factor_change::Entity::find_by_id(judith.id)
            .one(&ctx.db)
            .await
            .unwrap()
            .is_none()
    );
    let (kind, detail) = log::recent(&ctx, judith.id, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|entry| entry.kind == log::Event::MethodChanged)
        .map(|entry| (entry.kind, entry.detail))
        .unwrap();
    assert_eq!(kind, log::Event::MethodChanged);
    assert_eq!(
        detail.as_deref(),
        Some("van app naar SMS (+31 6 ** ** ** 78)")
    );
    assert!(!detail.unwrap().contains(&code));
}

// SEC-07: SMS stays the method until the new app's code is confirmed; the step of that code is
// spent, so it cannot log in again.
async fn sms_to_app_keeps_sms_until_the_code_and_spends_its_step_sec_07(backend: Backend) {
    let (ctx, clock, _db, outbox, judith) = with_sms(backend).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let row = change::start_app(&ctx, &judith, session).await.unwrap();
    let secret = change::new_secret(&ctx, &row).unwrap();
    assert_eq!(secret.len(), 20);
    assert!(
        sms_login(&ctx, &clock, &outbox, &judith).await,
        "SMS still works"
    );
    assert_eq!(
        app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None).await,
        Err(Error::Forbidden),
        "the new app does not log in before it is confirmed"
    );

    let code = code_now(&ctx, &secret);
    change::confirm(&ctx, &judith, session, &code, None)
        .await
        .unwrap();
    assert_eq!(factor(&ctx, &judith).await.method, Method::App);
    assert_eq!(sms::login_number(&ctx, judith.id).await.unwrap(), None);
    assert_eq!(
        app_code::verify_app_code(&ctx, &judith, &code, None).await,
        Err(Error::CodeRejected),
        "the confirming code cannot log in"
    );
    next_step(&clock);
    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &secret), None)
        .await
        .unwrap();
    assert_eq!(
        last_logged(&ctx, &judith).await.1.as_deref(),
        Some("van SMS (+31 6 ** ** ** 78) naar app")
    );
}

// A new phone with the app: a new secret (SEC-08: a reload shows the same one), the old one
// works until the new one is confirmed and not after; of five parallel submissions of the
// confirming code exactly one replaces the factor (SEC-07).
async fn a_new_app_replaces_the_old_secret_once_under_parallel_codes_sec_07_sec_08(
    backend: Backend,
) {
    let (ctx, clock, _db, _outbox, judith) = with_sms(backend).await;
    let old = enrol_app(&ctx, &clock, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let first = change::start_app(&ctx, &judith, session).await.unwrap();
    let again = change::start_app(&ctx, &judith, session).await.unwrap();
    assert_eq!(first.secret_enc, again.secret_enc, "no second secret");
    let new = change::new_secret(&ctx, &first).unwrap();
    assert_ne!(new, old);
    let base32 = totp::secret_for_people(&new).replace(' ', "");
    assert!(!first.secret_enc.contains(&base32), "stored encrypted");

    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &old), None)
        .await
        .unwrap();
    if code_now(&ctx, &old) != code_now(&ctx, &new) {
        assert_eq!(
            change::confirm(&ctx, &judith, session, &code_now(&ctx, &old), None).await,
            Err(Error::CodeRejected),
            "the old app's code does not confirm the new one"
        );
    }

    let code = code_now(&ctx, &new);
    let attempts: Vec<_> = (0..5)
        .map(|_| {
            let (ctx, judith, code) = (ctx.clone(), judith.clone(), code.clone());
            tokio::spawn(async move { change::confirm(&ctx, &judith, session, &code, None).await })
        })
        .collect();
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let changes = log::recent(&ctx, judith.id, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.kind == log::Event::MethodChanged)
        .count();
    assert_eq!(changes, 1);
    assert_eq!(
        last_logged(&ctx, &judith).await.1.as_deref(),
        Some("van app naar nieuwe app")
    );

    next_step(&clock);
    if code_now(&ctx, &old) != code_now(&ctx, &new) {
        assert_eq!(
            app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &old), None).await,
            Err(Error::CodeRejected),
            "the old secret no longer works"
        );
    }
    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &new), None)
        .await
        .unwrap();
}

// SEC-11: a new number becomes the method only with the code sent to it; a code sent to a number
// chosen before does not confirm a later one; login codes go to the old number until then.
async fn a_new_number_replaces_the_old_one_only_with_its_own_code_sec_11(backend: Backend) {
    let (ctx, clock, _db, outbox, judith) = with_sms(backend).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let typo = PhoneNumber::parse("06 11111111").unwrap();
    change::start_sms(&ctx, &judith, session, &typo)
        .await
        .unwrap();
    let typo_code = outbox.last_code();
    clock.advance(ctx.settings.sms.limits.cooldown);
    let number = PhoneNumber::parse(NEW_NUMBER).unwrap();
    change::start_sms(&ctx, &judith, session, &number)
        .await
        .unwrap();
    let (to, _) = outbox.messages().pop().unwrap();
    assert_eq!(to, "+31687654390");
    let code = outbox.last_code();
    clock.advance(ctx.settings.sms.limits.cooldown);

    // Login codes still go to the old number.
    assert!(sms_login(&ctx, &clock, &outbox, &judith).await);
    assert_eq!(outbox.messages().pop().unwrap().0, "+31612345678");
    if typo_code != code {
        assert_eq!(
            change::confirm(&ctx, &judith, session, &typo_code, None).await,
            Err(Error::SmsCodeRejected)
        );
    }
    change::confirm(&ctx, &judith, session, &code, None)
        .await
        .unwrap();
    assert_eq!(
        sms::login_number(&ctx, judith.id).await.unwrap(),
        Some(number)
    );
    assert!(sms_login(&ctx, &clock, &outbox, &judith).await);
    assert_eq!(outbox.messages().pop().unwrap().0, "+31687654390");
    assert_eq!(
        last_logged(&ctx, &judith).await.1.as_deref(),
        Some("van SMS (+31 6 ** ** ** 78) naar SMS (+31 6 ** ** ** 90)")
    );
}

// SEC-14: a wrong code leaves the factor and the change as they were, and counts toward the same
// lock as login codes; during the lock a right code is refused too.
async fn wrong_codes_leave_everything_and_count_toward_the_lock_sec_14(backend: Backend) {
    let (ctx, clock, _db, _outbox, judith) = with_sms(backend).await;
    let old = enrol_app(&ctx, &clock, &judith).await;
    let before = factor(&ctx, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let row = change::start_app(&ctx, &judith, session).await.unwrap();
    let new = change::new_secret(&ctx, &row).unwrap();

    assert_eq!(
        change::confirm(&ctx, &judith, session, "12", None).await,
        Err(Error::Invalid(crate::Invalid::CodeFormat))
    );
    assert_eq!(
        change::confirm(&ctx, &judith, session, &wrong_code(&ctx, &new), None).await,
        Err(Error::CodeRejected)
    );
    assert_eq!(failed_attempts(&ctx, &judith).await, 1);
    assert_eq!(factor(&ctx, &judith).await, before, "nothing changed");
    assert_eq!(
        change::pending(&ctx, judith.id, session).await.unwrap(),
        Some(row.clone())
    );
    for _ in 1..attempts::MAX_FAILED_ATTEMPTS {
        let _ = change::confirm(&ctx, &judith, session, &wrong_code(&ctx, &new), None).await;
    }
    assert!(
        matches!(
            change::confirm(&ctx, &judith, session, &code_now(&ctx, &new), None).await,
            Err(Error::Locked { .. })
        ),
        "a right code during the lock"
    );
    assert!(
        matches!(
            app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &old), None).await,
            Err(Error::Locked { .. })
        ),
        "one lock for login and change"
    );
    assert_eq!(factor(&ctx, &judith).await, before);
    assert_eq!(last_logged(&ctx, &judith).await.0, log::Event::Locked);
}

// Between start and confirm, a switch-off or a helpdesk reset wins: the confirm fails and
// nothing is enabled. And the replacement itself only replaces the factor it was started from.
async fn a_switch_off_or_reset_between_start_and_confirm_wins(backend: Backend) {
    let (ctx, clock, _db, outbox, judith) = with_sms(backend).await;
    enrol_app(&ctx, &clock, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let row = change::start_app(&ctx, &judith, session).await.unwrap();
    let new = change::new_secret(&ctx, &row).unwrap();
    disable::disable_two_factor(&ctx, judith.id, None)
        .await
        .unwrap();
    assert_eq!(
        change::confirm(&ctx, &judith, session, &code_now(&ctx, &new), None).await,
        Err(Error::Forbidden)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());
    assert!(factor::factor(&ctx, judith.id).await.unwrap().is_none());

    // A helpdesk reset while a new number waits for its code.
    next_step(&clock);
    enrol_app(&ctx, &clock, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let number = PhoneNumber::parse(NEW_NUMBER).unwrap();
    change::start_sms(&ctx, &judith, session, &number)
        .await
        .unwrap();
    let code = outbox.last_code();
    crate::helpdesk::reset_two_factor(
        &ctx,
        judith.id,
        "helpdesk@example.nl",
        "telefoon kwijt",
        None,
    )
    .await
    .unwrap();
    assert!(
        change::confirm(&ctx, &judith, session, &code, None)
            .await
            .is_err()
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    // The replacement compares the factor it was started from: a factor set up anew meanwhile
    // (another tab) is not overwritten.
    next_step(&clock);
    enrol_app(&ctx, &clock, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let snapshot = factor(&ctx, &judith).await;
    let change_row = change::start_app(&ctx, &judith, session).await.unwrap();
    disable::disable_two_factor(&ctx, judith.id, None)
        .await
        .unwrap();
    next_step(&clock);
    let third = enrol_app(&ctx, &clock, &judith).await;
    let current = factor(&ctx, &judith).await;
    assert_eq!(
        change::replace(&ctx, &snapshot, &change_row, None, None).await,
        Err(Error::Forbidden)
    );
    assert_eq!(factor(&ctx, &judith).await, current);
    app_code::verify_app_code(&ctx, &judith, &code_now(&ctx, &third), None)
        .await
        .unwrap();
}

// A change waits an hour at most, and belongs to the session that started it.
async fn a_stale_or_other_sessions_change_is_not_usable(backend: Backend) {
    let (ctx, clock, _db, _outbox, judith) = with_sms(backend).await;
    enrol_app(&ctx, &clock, &judith).await;
    let session = session_of(&ctx, &judith, SessionStage::Complete).await;
    let other = session_of(&ctx, &judith, SessionStage::Complete).await;
    let row = change::start_app(&ctx, &judith, session).await.unwrap();
    let new = change::new_secret(&ctx, &row).unwrap();
    assert_eq!(change::pending(&ctx, judith.id, other).await.unwrap(), None);
    assert_eq!(
        change::confirm(&ctx, &judith, other, &code_now(&ctx, &new), None).await,
        Err(Error::Forbidden)
    );

    clock.advance(Duration::minutes(change::PENDING_VALID_MINUTES) + Duration::seconds(1));
    assert_eq!(
        change::pending(&ctx, judith.id, session).await.unwrap(),
        None
    );
    assert_eq!(
        change::confirm(&ctx, &judith, session, &code_now(&ctx, &new), None).await,
        Err(Error::Forbidden)
    );
    assert_eq!(factor(&ctx, &judith).await.method, Method::App);
    let fresh = change::start_app(&ctx, &judith, session).await.unwrap();
    assert_ne!(fresh.secret_enc, row.secret_enc, "a new change, a new key");

    // "Annuleren" drops it.
    change::cancel(&ctx, judith.id).await.unwrap();
    assert_eq!(
        change::pending(&ctx, judith.id, session).await.unwrap(),
        None
    );
}
