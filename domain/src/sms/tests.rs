//! Service tests for SMS codes, on SQLite and on PostgreSQL, with a settable clock and the
//! outbox as provider. Each names the checklist item it proves.

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{PhoneNumber, Purpose, SmsLimits};
use crate::{
    client::ClientInfo,
    clock::ManualClock,
    context::Context,
    db::entity::{
        sms_code, sms_guard,
        sms_send::{self, SendStatus},
        two_factor,
    },
    error::Error,
    on_both_backends, sms,
    testing::{self, Backend, Outbox, TestDb, complete_session, login_attempt, roomy_sms_limits},
    twofactor::{attempts, enrolment, factor, recovery_codes, sms_enrolment},
};

on_both_backends!(
    sms_becomes_the_method_only_with_the_code_from_the_message_sec_11,
    codes_are_single_use_bound_to_the_login_and_expire_sec_09,
    a_resend_invalidates_the_previous_code_sec_09,
    the_cooldown_and_the_caps_per_user_sec_10,
    the_cap_per_number_counts_every_account_sec_10,
    the_installation_cap_stops_sending_and_alerts_sec_10,
    a_burst_of_resends_sends_one_message_sec_10,
    wrong_sms_codes_count_toward_the_lock_sec_14,
    a_failing_provider_leaves_nothing_half_enabled,
    a_code_for_one_number_never_confirms_another_sec_11,
    the_first_code_of_a_login_is_not_held_by_an_earlier_codes_cooldown_sec_10,
);

const NUMBER: &str = "06 12345678";

async fn with_sms(backend: Backend, limits: SmsLimits) -> (Context, ManualClock, TestDb, Outbox) {
    testing::context_with_sms(backend, limits, |settings| {
        settings.sms.host = "praktijk.example.nl".to_owned();
    })
    .await
}

// SEC-11: a number becomes the method only with the code sent to it; SEC-08: the number is
// stored encrypted; the log keeps it masked and never the code.
async fn sms_becomes_the_method_only_with_the_code_from_the_message_sec_11(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    let session = complete_session(&ctx, &judith).await;
    let number = PhoneNumber::parse(NUMBER).unwrap();
    sms_enrolment::start_enrolment(&ctx, &judith, session, &number)
        .await
        .unwrap();
    let messages = outbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0, "+31612345678");
    let code = outbox.last_code();
    assert!(
        messages[0]
            .1
            .ends_with(&format!("\n\n@praktijk.example.nl #{code}"))
    );
    assert!(messages[0].1.contains("PRO Praktijksteun"));
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        sms_enrolment::confirm_enrolment(&ctx, &judith, session, wrong, None).await,
        Err(Error::SmsCodeRejected)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());
    // The app's wizard step does not switch an SMS enrolment on.
    assert!(
        enrolment::confirm_app_enrolment(&ctx, &judith, &code, None)
            .await
            .is_err()
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    sms_enrolment::confirm_enrolment(&ctx, &judith, session, &code, None)
        .await
        .unwrap();
    assert!(factor::is_enabled(&ctx, judith.id).await.unwrap());
    let row = two_factor::Entity::find_by_id(judith.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.method, crate::twofactor::Method::Sms);
    assert!(!row.secret_enc.contains("612345678"));
    assert_eq!(sms::number_of(&ctx, &row).unwrap(), number);
    assert!(recovery_codes::pending_codes(&ctx, &row).is_some());

    let logged = sms_send::Entity::find().all(&ctx.db).await.unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].number_masked, "+31 6 ** ** ** 78");
    assert_eq!(logged[0].status, SendStatus::Sent);
    assert_eq!(logged[0].purpose, Purpose::Enrol);
    let stored = sms_code::Entity::find().all(&ctx.db).await.unwrap();
    assert!(stored.iter().all(|row| !row.code_hash.contains(&code)));
    assert_eq!(
        sms::login_number(&ctx, judith.id).await.unwrap(),
        Some(number)
    );
    let _ = clock;
}

// SEC-09: six digits, valid five minutes, single use under parallel submissions, bound to the
// login attempt and the purpose, stored hashed.
async fn codes_are_single_use_bound_to_the_login_and_expire_sec_09(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;

    let attempt = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    let code = outbox.last_code();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let stored = sms_code::Entity::find()
        .filter(sms_code::Column::SessionId.eq(attempt))
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.expires_at - stored.created_at, Duration::minutes(5));
    assert_ne!(stored.code_hash, code);

    // Another login attempt of the same user cannot use it, nor can the enrolment.
    let other = login_attempt(&ctx, &judith).await;
    assert_eq!(
        sms::verify_code(&ctx, &judith, other, Purpose::Login, &code, None).await,
        Err(Error::SmsCodeRejected)
    );
    assert_eq!(
        sms::verify_code(&ctx, &judith, attempt, Purpose::Enrol, &code, None).await,
        Err(Error::Forbidden)
    );

    // Twenty parallel submissions: exactly one gets in.
    let attempts = (0..20).map(|_| {
        let (ctx, judith, code) = (ctx.clone(), judith.clone(), code.clone());
        tokio::spawn(async move {
            sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &code, None).await
        })
    });
    let mut results = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        results.push(attempt.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    clock.advance(Duration::minutes(attempts::LOCK_MINUTES) + Duration::seconds(1));

    // A code five minutes old no longer works, and says so.
    let attempt = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    let code = outbox.last_code();
    clock.advance(Duration::minutes(5));
    assert_eq!(
        sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &code, None).await,
        Err(Error::SmsCodeExpired)
    );
    assert_eq!(
        sms::verify_code(&ctx, &judith, attempt, Purpose::Login, "12345", None).await,
        Err(Error::Invalid(crate::Invalid::CodeFormat))
    );
}

// SEC-09: after "Code opnieuw versturen" only the newest code works.
async fn a_resend_invalidates_the_previous_code_sec_09(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let attempt = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    let first = outbox.last_code();
    clock.advance(Duration::seconds(30));
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    let second = outbox.last_code();
    if first != second {
        assert_eq!(
            sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &first, None).await,
            Err(Error::SmsCodeRejected)
        );
    }
    sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &second, None)
        .await
        .unwrap();
}

// SEC-10: a cooldown between codes, and a maximum per user per hour and per day.
async fn the_cooldown_and_the_caps_per_user_sec_10(backend: Backend) {
    let limits = SmsLimits {
        cooldown: Duration::seconds(60),
        per_user_hour: 3,
        per_user_day: 5,
        per_number_day: 100,
        per_day: 1000,
    };
    let (ctx, clock, _db, outbox) = with_sms(backend, limits).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    clock.advance(Duration::hours(1));
    let attempt = login_attempt(&ctx, &judith).await;
    let send = || sms::send_login_code(&ctx, judith.id, attempt);

    send().await.unwrap();
    assert_eq!(send().await, Err(Error::SmsCooldown));
    assert_eq!(
        sms::limits::seconds_until_resend(&ctx, judith.id, attempt, Purpose::Login)
            .await
            .unwrap(),
        60
    );
    clock.advance(Duration::seconds(59));
    assert_eq!(send().await, Err(Error::SmsCooldown));
    assert_eq!(
        sms::limits::seconds_until_resend(&ctx, judith.id, attempt, Purpose::Login)
            .await
            .unwrap(),
        1
    );
    clock.advance(Duration::seconds(1));
    send().await.unwrap();
    clock.advance(Duration::seconds(60));
    send().await.unwrap();
    // Three in this hour: the fourth waits for the hour to pass.
    clock.advance(Duration::seconds(60));
    assert_eq!(send().await, Err(Error::SmsLimit));
    clock.advance(Duration::hours(1));
    send().await.unwrap();
    // Five in a day, the enrolment's message included: the day's maximum holds until a day
    // after the first.
    clock.advance(Duration::hours(1));
    assert_eq!(send().await, Err(Error::SmsLimit));
    clock.advance(Duration::hours(23));
    send().await.unwrap();
    let sent = outbox.messages().len();
    assert_eq!(sent, 1 + 5, "the enrolment's message and five login codes");
    let refused = sms_send::Entity::find()
        .filter(sms_send::Column::Status.eq(SendStatus::Refused))
        .all(&ctx.db)
        .await
        .unwrap();
    assert_eq!(refused.len(), 4, "each refusal is logged");
    assert_eq!(
        sms::session_sends(&ctx, attempt, Purpose::Login)
            .await
            .unwrap(),
        sms::SessionSends {
            code_sent: true,
            problem: None
        }
    );
}

// SEC-10: one number receives at most so many codes a day, whichever accounts ask.
async fn the_cap_per_number_counts_every_account_sec_10(backend: Backend) {
    let limits = SmsLimits {
        per_number_day: 2,
        ..roomy_sms_limits()
    };
    let (ctx, clock, _db, outbox) = with_sms(backend, limits).await;
    let judith = testing::add_judith(&ctx).await;
    let bram = testing::add_bram(&ctx).await;
    let number = PhoneNumber::parse(NUMBER).unwrap();
    let for_judith = complete_session(&ctx, &judith).await;
    sms_enrolment::start_enrolment(&ctx, &judith, for_judith, &number)
        .await
        .unwrap();
    let for_bram = complete_session(&ctx, &bram).await;
    sms_enrolment::start_enrolment(&ctx, &bram, for_bram, &number)
        .await
        .unwrap();
    clock.advance(Duration::minutes(5));
    assert_eq!(
        sms_enrolment::resend_enrolment_code(&ctx, &bram, for_bram).await,
        Err(Error::SmsLimit)
    );
    let other = PhoneNumber::parse("06 87654321").unwrap();
    sms_enrolment::start_enrolment(&ctx, &bram, for_bram, &other)
        .await
        .unwrap();
    assert_eq!(outbox.messages().len(), 3);
    clock.advance(Duration::days(1));
    sms_enrolment::resend_enrolment_code(&ctx, &judith, for_judith)
        .await
        .unwrap();
}

// SEC-10: the installation's daily maximum stops all sending until the next day, with one
// alert in the log, and the user is told to use a recovery code or the helpdesk.
async fn the_installation_cap_stops_sending_and_alerts_sec_10(backend: Backend) {
    let limits = SmsLimits {
        per_day: 3,
        ..roomy_sms_limits()
    };
    let (ctx, clock, _db, outbox) = with_sms(backend, limits).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let attempt = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    clock.advance(Duration::minutes(1));
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    clock.advance(Duration::minutes(1));
    assert_eq!(
        sms::send_login_code(&ctx, judith.id, attempt).await,
        Err(Error::SmsUnavailable)
    );
    let guard = sms_guard::Entity::find_by_id(1)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(guard.alerted_on.as_deref(), Some("2026-05-04"));
    assert_eq!(outbox.messages().len(), 3);
    assert_eq!(
        sms::session_sends(&ctx, attempt, Purpose::Login)
            .await
            .unwrap()
            .problem,
        Some(sms::SendProblem::Unavailable)
    );
    // A new day in Amsterdam.
    clock.advance(Duration::hours(16));
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
}

// SEC-10: many requests for a code at the same moment send one message; the limit checks do
// not race.
async fn a_burst_of_resends_sends_one_message_sec_10(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let attempt = login_attempt(&ctx, &judith).await;
    let sends = (0..10).map(|_| {
        let (ctx, judith) = (ctx.clone(), judith.clone());
        tokio::spawn(async move { sms::send_login_code(&ctx, judith.id, attempt).await })
    });
    let mut results = Vec::new();
    for send in sends.collect::<Vec<_>>() {
        results.push(send.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|err| *err == Error::SmsCooldown)
    );
    assert_eq!(outbox.messages().len(), 2, "the enrolment's and one more");
}

// SEC-14: wrong SMS codes count toward the account's limit, and a right one is refused
// during the lock.
async fn wrong_sms_codes_count_toward_the_lock_sec_14(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_sms(&ctx, &clock, &outbox, &judith, NUMBER).await;
    let attempt = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, attempt)
        .await
        .unwrap();
    let code = outbox.last_code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..attempts::MAX_FAILED_ATTEMPTS {
        assert!(
            sms::verify_code(&ctx, &judith, attempt, Purpose::Login, wrong, None)
                .await
                .is_err()
        );
    }
    assert!(matches!(
        sms::verify_code(&ctx, &judith, attempt, Purpose::Login, &code, None).await,
        Err(Error::Locked { .. })
    ));
    // While locked, a right password sends no SMS: no code could be used.
    clock.advance(Duration::minutes(1));
    let before = outbox.messages().len();
    crate::accounts::login::log_in(
        &ctx,
        None,
        testing::JUDITH_EMAIL,
        testing::JUDITH_PASSWORD.to_owned(),
        &ClientInfo::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(outbox.messages().len(), before);
}

// A provider that fails: the user hears so, nothing is switched on, the failure is logged and
// the code withdrawn, and a retry need not wait for the cooldown.
async fn a_failing_provider_leaves_nothing_half_enabled(backend: Backend) {
    let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
        settings.sms.provider = Some(sms::SmsProvider::Outbox(
            std::env::temp_dir().join("tweestap-no-such-folder/outbox.jsonl"),
        ));
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    let session = complete_session(&ctx, &judith).await;
    let number = PhoneNumber::parse(NUMBER).unwrap();
    assert_eq!(
        sms_enrolment::start_enrolment(&ctx, &judith, session, &number).await,
        Err(Error::SmsNotSent)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());
    let logged = sms_send::Entity::find().all(&ctx.db).await.unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].status, SendStatus::Failed);
    assert!(
        logged[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("outbox:"))
    );
    assert!(
        sms_code::Entity::find()
            .all(&ctx.db)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        sms::session_sends(&ctx, session, Purpose::Enrol)
            .await
            .unwrap(),
        sms::SessionSends {
            code_sent: false,
            problem: Some(sms::SendProblem::NotSent)
        }
    );
    assert_eq!(
        sms::limits::seconds_until_resend(&ctx, judith.id, session, Purpose::Enrol)
            .await
            .unwrap(),
        0
    );
}

// SEC-11: after the number is changed, a code sent to the earlier number (in this session or
// another) switches nothing on, even when the new number's code was refused by the cooldown.
async fn a_code_for_one_number_never_confirms_another_sec_11(backend: Backend) {
    let (ctx, clock, _db, outbox) = with_sms(backend, roomy_sms_limits()).await;
    let judith = testing::add_judith(&ctx).await;
    let first_tab = complete_session(&ctx, &judith).await;
    let a = PhoneNumber::parse("06 11111111").unwrap();
    let b = PhoneNumber::parse("06 22222222").unwrap();
    sms_enrolment::start_enrolment(&ctx, &judith, first_tab, &a)
        .await
        .unwrap();
    let code_for_a = outbox.last_code();
    assert_eq!(
        sms_enrolment::start_enrolment(&ctx, &judith, first_tab, &b).await,
        Err(Error::SmsCooldown)
    );
    assert_eq!(
        sms_enrolment::confirm_enrolment(&ctx, &judith, first_tab, &code_for_a, None).await,
        Err(Error::SmsCodeRejected)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    // Two tabs: the first has A's code, the second changes the number to B.
    clock.advance(Duration::minutes(1));
    sms_enrolment::start_enrolment(&ctx, &judith, first_tab, &a)
        .await
        .unwrap();
    let code_for_a = outbox.last_code();
    clock.advance(Duration::minutes(1));
    let second_tab = complete_session(&ctx, &judith).await;
    sms_enrolment::start_enrolment(&ctx, &judith, second_tab, &b)
        .await
        .unwrap();
    assert_eq!(
        sms_enrolment::confirm_enrolment(&ctx, &judith, first_tab, &code_for_a, None).await,
        Err(Error::SmsCodeRejected)
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());
    sms_enrolment::confirm_enrolment(&ctx, &judith, second_tab, &outbox.last_code(), None)
        .await
        .unwrap();
    assert_eq!(sms::login_number(&ctx, judith.id).await.unwrap(), Some(b));
}

// SEC-10: a clinician who enrols with SMS and logs in again within the cooldown gets the login's
// code at once; its resend still waits for the cooldown, and the code counts toward the hourly
// limit like every other.
async fn the_first_code_of_a_login_is_not_held_by_an_earlier_codes_cooldown_sec_10(
    backend: Backend,
) {
    let limits = SmsLimits {
        cooldown: Duration::seconds(60),
        per_user_hour: 3,
        ..roomy_sms_limits()
    };
    let (ctx, _clock, _db, outbox) = with_sms(backend, limits).await;
    let judith = testing::add_judith(&ctx).await;
    let session = complete_session(&ctx, &judith).await;
    let number = PhoneNumber::parse(NUMBER).unwrap();
    sms_enrolment::start_enrolment(&ctx, &judith, session, &number)
        .await
        .unwrap();
    sms_enrolment::confirm_enrolment(&ctx, &judith, session, &outbox.last_code(), None)
        .await
        .unwrap();
    enrolment::finish_enrolment(&ctx, judith.id).await.unwrap();
    // Ten seconds later, a new login.
    let before = outbox.messages().len();
    let (_, after) = crate::accounts::login::log_in(
        &ctx,
        None,
        testing::JUDITH_EMAIL,
        testing::JUDITH_PASSWORD.to_owned(),
        &ClientInfo::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        after,
        crate::twofactor::second_step::AfterPassword::SecondStep
    );
    assert_eq!(
        outbox.messages().len(),
        before + 1,
        "the login's code is sent"
    );
    let login = sms_send::Entity::find()
        .filter(sms_send::Column::Purpose.eq(Purpose::Login))
        .one(&ctx.db)
        .await
        .unwrap()
        .expect("the login's send");
    let login_session = login.session_id.unwrap();
    assert_eq!(login.status, SendStatus::Sent);
    // Its resend waits.
    assert_eq!(
        sms::send_login_code(&ctx, judith.id, login_session).await,
        Err(Error::SmsCooldown)
    );
    assert_eq!(
        sms::limits::seconds_until_resend(&ctx, judith.id, login_session, Purpose::Login)
            .await
            .unwrap(),
        60
    );
    // Two codes this hour; a third login gets one more, the fourth none: the hourly limit.
    let third = login_attempt(&ctx, &judith).await;
    sms::send_login_code(&ctx, judith.id, third).await.unwrap();
    let fourth = login_attempt(&ctx, &judith).await;
    assert_eq!(
        sms::send_login_code(&ctx, judith.id, fourth).await,
        Err(Error::SmsLimit)
    );
}
