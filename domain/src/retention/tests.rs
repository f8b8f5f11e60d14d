//! Service tests for retention (SEC-26), on SQLite and on PostgreSQL: rows are written with the
//! times under test, the clock stands still, and each test checks what is left.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use super::{EXPIRED_CODE_KEPT, Report, SESSION_GRACE, run_once};
use crate::{
    accounts::{
        session::{self, SessionStage},
        users::User,
    },
    audit::event::Event,
    context::Context,
    db::entity::{
        factor_change, mail, remembered_device, security_event, session as session_row,
        sms_code::{self, Purpose},
        sms_send::{self, SendStatus},
        two_factor,
    },
    error::Error,
    on_both_backends,
    sms::{self, PhoneNumber, SmsLimits},
    testing::{self, Backend},
    twofactor::{self, enrolment},
};

on_both_backends!(
    ended_spent_and_old_rows_go_and_live_ones_stay_sec_26,
    rows_at_the_boundaries_are_handled_deliberately_sec_26,
    the_retention_period_is_configurable_but_never_below_the_minimum_sec_26,
    removing_old_sends_leaves_the_sms_limits_as_strong_as_before_sec_26,
    two_runs_at_once_both_succeed_and_remove_each_row_once_sec_26,
    a_backlog_larger_than_a_batch_is_removed_in_one_run_sec_26,
    wrong_passwords_go_after_the_hour_and_locks_once_run_out_sec_25_sec_26,
);

// The guessing limits' rows (SEC-25): a wrong password goes once it no longer counts, a lock
// once it ran out; the ones that still hold stay.
async fn wrong_passwords_go_after_the_hour_and_locks_once_run_out_sec_25_sec_26(backend: Backend) {
    use crate::db::entity::{password_failure, password_lock};
    let (ctx, _clock, _db) = testing::context(backend).await;
    let now = ctx.now();
    for (n, at) in [
        Duration::minutes(61),
        Duration::minutes(60),
        Duration::minutes(59),
    ]
    .into_iter()
    .enumerate()
    {
        password_failure::ActiveModel {
            account: Set(format!("konto-{n}")),
            address: Set("192.0.2.1".to_owned()),
            created_at: Set(now - at),
            ..Default::default()
        }
        .insert(&ctx.db)
        .await
        .unwrap();
    }
    for (key, until) in [
        ("account:verlopen", now - Duration::seconds(1)),
        ("account:geldig", now + Duration::minutes(10)),
    ] {
        password_lock::ActiveModel {
            key: Set(key.to_owned()),
            locked_until: Set(until),
            created_at: Set(now - Duration::minutes(20)),
        }
        .insert(&ctx.db)
        .await
        .unwrap();
    }
    let report = run_once(&ctx).await.unwrap();
    assert_eq!(report.password_attempts, 3, "{report:?}");
    let failures = password_failure::Entity::find().all(&ctx.db).await.unwrap();
    assert_eq!(
        failures
            .iter()
            .map(|f| f.account.as_str())
            .collect::<Vec<_>>(),
        ["konto-2"]
    );
    let locks = password_lock::Entity::find().all(&ctx.db).await.unwrap();
    assert_eq!(
        locks.iter().map(|l| l.key.as_str()).collect::<Vec<_>>(),
        ["account:geldig"]
    );
}

/// A session row with the given times.
async fn session_at(
    ctx: &Context,
    user: &User,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> i32 {
    session_row::ActiveModel {
        token_hash: Set(hex::encode(crate::crypto::os_random::<32>())),
        user_id: Set(user.id),
        created_at: Set(last_seen_at.min(expires_at) - Duration::hours(1)),
        last_seen_at: Set(last_seen_at),
        expires_at: Set(expires_at),
        ip_address: Set(None),
        user_agent: Set(None),
        stage: Set(SessionStage::Complete),
        password_confirmed_at: Set(None),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap()
    .id
}

async fn code_at(
    ctx: &Context,
    user: &User,
    session_id: i32,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
) -> i32 {
    sms_code::ActiveModel {
        user_id: Set(user.id),
        session_id: Set(session_id),
        purpose: Set(Purpose::Login),
        code_hash: Set(hex::encode(crate::crypto::os_random::<32>())),
        created_at: Set(expires_at - Duration::minutes(sms::CODE_VALID_MINUTES)),
        expires_at: Set(expires_at),
        used_at: Set(used_at),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap()
    .id
}

async fn remembered_until(ctx: &Context, user: &User, expires_at: DateTime<Utc>) -> i32 {
    remembered_device::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(hex::encode(crate::crypto::os_random::<32>())),
        created_at: Set(expires_at - Duration::hours(12)),
        last_used_at: Set(expires_at - Duration::hours(12)),
        expires_at: Set(expires_at),
        user_agent: Set(None),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap()
    .id
}

/// A mail created at `created_at`, then sent or given up as told (neither: still queued).
async fn mail_at(
    ctx: &Context,
    user: &User,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
) -> i32 {
    mail::ActiveModel {
        user_id: Set(user.id),
        kind: Set("password_changed".to_owned()),
        to_address: Set(user.email.clone()),
        subject: Set("Je wachtwoord is gewijzigd".to_owned()),
        body: Set("Beste Judith, ...".to_owned()),
        created_at: Set(created_at),
        attempts: Set(1),
        next_attempt_at: Set(created_at),
        sent_at: Set(sent_at),
        failed_at: Set(failed_at),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap()
    .id
}

fn send_model(user: &User, created_at: DateTime<Utc>) -> sms_send::ActiveModel {
    sms_send::ActiveModel {
        user_id: Set(user.id),
        session_id: Set(None),
        purpose: Set(Purpose::Login),
        number_masked: Set("06 ** ** **78".to_owned()),
        number_hash: Set("0".repeat(64)),
        provider: Set("outbox".to_owned()),
        status: Set(SendStatus::Sent),
        detail: Set(None),
        created_at: Set(created_at),
        ..Default::default()
    }
}

async fn send_at(ctx: &Context, user: &User, created_at: DateTime<Utc>) -> i32 {
    send_model(user, created_at)
        .insert(&ctx.db)
        .await
        .unwrap()
        .id
}

fn event_model(user: &User, created_at: DateTime<Utc>) -> security_event::ActiveModel {
    security_event::ActiveModel {
        user_id: Set(user.id),
        kind: Set(Event::PasswordChanged),
        detail: Set(None),
        ip_address: Set(Some("192.0.2.1".to_owned())),
        user_agent: Set(Some("Firefox".to_owned())),
        created_at: Set(created_at),
        ..Default::default()
    }
}

async fn event_at(ctx: &Context, user: &User, created_at: DateTime<Utc>) -> i32 {
    event_model(user, created_at)
        .insert(&ctx.db)
        .await
        .unwrap()
        .id
}

/// `count` log entries at `created_at`, a few hundred per statement.
async fn events_at(ctx: &Context, user: &User, created_at: DateTime<Utc>, count: usize) {
    let models: Vec<_> = (0..count).map(|_| event_model(user, created_at)).collect();
    for chunk in models.chunks(250) {
        security_event::Entity::insert_many(chunk.to_vec())
            .exec(&ctx.db)
            .await
            .unwrap();
    }
}

async fn exists<E: EntityTrait>(ctx: &Context, id: i32) -> bool
where
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i32>,
{
    E::find_by_id(id).one(&ctx.db).await.unwrap().is_some()
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

async fn ended_spent_and_old_rows_go_and_live_ones_stay_sec_26(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let now = ctx.now();
    let idle = ctx.settings.session_idle;
    let judith = testing::add_judith(&ctx).await;
    let bram = testing::add_bram(&ctx).await;

    // Judith is signed in and half-way through the wizard, and through a method change that
    // waits for its code.
    let (token, live) = testing::start_session(&ctx, &judith, SessionStage::Complete).await;
    enrolment::start_app_enrolment(&ctx, &judith).await.unwrap();
    factor_change::ActiveModel {
        user_id: Set(judith.id),
        session_id: Set(live),
        method: Set(twofactor::Method::Sms),
        secret_enc: Set("sealed".to_owned()),
        created_at: Set(now),
    }
    .insert(&ctx.db)
    .await
    .unwrap();
    let waiting_code = code_at(&ctx, &judith, live, now + Duration::minutes(4), None).await;
    let just_expired_code = code_at(&ctx, &judith, live, now - Duration::minutes(10), None).await;
    let used_code = code_at(
        &ctx,
        &judith,
        live,
        now + Duration::minutes(2),
        Some(now - Duration::minutes(3)),
    )
    .await;
    let long_expired_code = code_at(&ctx, &judith, live, now - Duration::hours(2), None).await;

    // Bram left two sessions behind: one idle, one past its maximum age. The idle one holds a
    // code and a method change that no other session sees.
    let idle_session = session_at(
        &ctx,
        &bram,
        now - idle - SESSION_GRACE - Duration::seconds(1),
        now + Duration::hours(6),
    )
    .await;
    let old_session = session_at(
        &ctx,
        &bram,
        now - Duration::minutes(1),
        now - SESSION_GRACE - Duration::seconds(1),
    )
    .await;
    let code_of_idle_session =
        code_at(&ctx, &bram, idle_session, now + Duration::minutes(4), None).await;
    factor_change::ActiveModel {
        user_id: Set(bram.id),
        session_id: Set(idle_session),
        method: Set(twofactor::Method::App),
        secret_enc: Set("sealed".to_owned()),
        created_at: Set(now - Duration::hours(1)),
    }
    .insert(&ctx.db)
    .await
    .unwrap();

    let expired_browser = remembered_until(&ctx, &judith, now - Duration::seconds(1)).await;
    let remembered_browser = remembered_until(&ctx, &judith, now + Duration::hours(1)).await;

    let old_sent_mail = mail_at(&ctx, &judith, now - days(31), Some(now - days(31)), None).await;
    let old_failed_mail = mail_at(&ctx, &judith, now - days(32), None, Some(now - days(31))).await;
    let recent_mail = mail_at(&ctx, &judith, now - days(29), Some(now - days(29)), None).await;
    // Still waiting to be sent after an outage: never removed, however old.
    let queued_mail = mail_at(&ctx, &judith, now - days(40), None, None).await;

    let old_send = send_at(&ctx, &judith, now - days(366)).await;
    let recent_send = send_at(&ctx, &judith, now - days(364)).await;
    let old_event = event_at(&ctx, &judith, now - days(366)).await;
    let recent_event = event_at(&ctx, &judith, now - days(364)).await;

    let report = run_once(&ctx).await.unwrap();
    assert_eq!(
        report,
        Report {
            sessions: 2,
            sms_codes: 2,
            remembered_browsers: 1,
            mails: 2,
            sms_sends: 1,
            security_events: 1,
            password_attempts: 0,
        }
    );

    // Judith carries on where she was: her session, her wizard, her method change, her code.
    let resolved = session::resolve(&ctx, &token).await.unwrap();
    assert_eq!(resolved.map(|s| s.id), Some(live));
    let enrolling = two_factor::Entity::find_by_id(judith.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .expect("the enrolment in progress stays");
    assert!(enrolling.enabled_at.is_none());
    assert!(exists::<factor_change::Entity>(&ctx, judith.id).await);
    assert!(exists::<sms_code::Entity>(&ctx, waiting_code).await);
    assert!(
        exists::<sms_code::Entity>(&ctx, just_expired_code).await,
        "a code that expired minutes ago is still recognised as expired"
    );
    assert!(!exists::<sms_code::Entity>(&ctx, used_code).await);
    assert!(!exists::<sms_code::Entity>(&ctx, long_expired_code).await);

    // Bram's sessions are gone, and with them what was bound to them.
    assert!(!exists::<session_row::Entity>(&ctx, idle_session).await);
    assert!(!exists::<session_row::Entity>(&ctx, old_session).await);
    assert!(!exists::<sms_code::Entity>(&ctx, code_of_idle_session).await);
    assert!(!exists::<factor_change::Entity>(&ctx, bram.id).await);

    assert!(!exists::<remembered_device::Entity>(&ctx, expired_browser).await);
    assert!(exists::<remembered_device::Entity>(&ctx, remembered_browser).await);
    assert!(!exists::<mail::Entity>(&ctx, old_sent_mail).await);
    assert!(!exists::<mail::Entity>(&ctx, old_failed_mail).await);
    assert!(exists::<mail::Entity>(&ctx, recent_mail).await);
    assert!(exists::<mail::Entity>(&ctx, queued_mail).await);
    assert!(!exists::<sms_send::Entity>(&ctx, old_send).await);
    assert!(exists::<sms_send::Entity>(&ctx, recent_send).await);
    assert!(!exists::<security_event::Entity>(&ctx, old_event).await);
    assert!(exists::<security_event::Entity>(&ctx, recent_event).await);
    let log = crate::audit::log::recent(&ctx, judith.id, 20)
        .await
        .unwrap();
    assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [recent_event]);

    // A second run finds nothing more to do.
    assert_eq!(run_once(&ctx).await.unwrap(), Report::default());
}

/// Each kind goes at a moment chosen on purpose: what the services already refuse goes then (a
/// session a grace later, an unused code an hour later); what is kept "for a period" is kept
/// for the whole of it, and goes a second later.
async fn rows_at_the_boundaries_are_handled_deliberately_sec_26(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let now = ctx.now();
    let second = Duration::seconds(1);
    let idle = ctx.settings.session_idle;
    let judith = testing::add_judith(&ctx).await;

    // Sessions: `resolve` refuses one at `expires_at` and after `idle` without a request; the
    // row stays a grace longer, and goes exactly then.
    let far = now + Duration::hours(6);
    let idle_just_refused = session_at(&ctx, &judith, now - idle, far).await;
    let idle_in_grace = session_at(&ctx, &judith, now - idle - SESSION_GRACE + second, far).await;
    let idle_at_grace = session_at(&ctx, &judith, now - idle - SESSION_GRACE, far).await;
    let recent = now - Duration::minutes(1);
    let expired_just_now = session_at(&ctx, &judith, recent, now).await;
    let expired_at_grace = session_at(&ctx, &judith, recent, now - SESSION_GRACE).await;
    // An unused code: an hour after it expired, exactly.
    let live = session_at(&ctx, &judith, now, far).await;
    let code_in_hour = code_at(&ctx, &judith, live, now - EXPIRED_CODE_KEPT + second, None).await;
    let code_at_hour = code_at(&ctx, &judith, live, now - EXPIRED_CODE_KEPT, None).await;
    // A remembered browser is refused from `expires_at` on, and goes then.
    let browser_at_expiry = remembered_until(&ctx, &judith, now).await;
    let browser_a_second_left = remembered_until(&ctx, &judith, now + second).await;
    // Mails: kept 30 whole days after they were sent or given up.
    let thirty = Duration::days(super::MAIL_KEPT_DAYS);
    let mail_at_30_days = mail_at(&ctx, &judith, now - thirty, Some(now - thirty), None).await;
    let mail_past_30_days = mail_at(
        &ctx,
        &judith,
        now - thirty,
        None,
        Some(now - thirty - second),
    )
    .await;
    // The log and the sends: kept the whole retention period.
    let year = ctx.settings.retention;
    let send_at_year = send_at(&ctx, &judith, now - year).await;
    let send_past_year = send_at(&ctx, &judith, now - year - second).await;
    let event_at_year = event_at(&ctx, &judith, now - year).await;
    let event_past_year = event_at(&ctx, &judith, now - year - second).await;

    let report = run_once(&ctx).await.unwrap();
    assert_eq!(
        report,
        Report {
            sessions: 2,
            sms_codes: 1,
            remembered_browsers: 1,
            mails: 1,
            sms_sends: 1,
            security_events: 1,
            password_attempts: 0,
        }
    );
    for (id, kept) in [
        (idle_just_refused, true),
        (idle_in_grace, true),
        (idle_at_grace, false),
        (expired_just_now, true),
        (expired_at_grace, false),
    ] {
        assert_eq!(
            exists::<session_row::Entity>(&ctx, id).await,
            kept,
            "session {id}"
        );
    }
    assert!(exists::<sms_code::Entity>(&ctx, code_in_hour).await);
    assert!(!exists::<sms_code::Entity>(&ctx, code_at_hour).await);
    assert!(!exists::<remembered_device::Entity>(&ctx, browser_at_expiry).await);
    assert!(exists::<remembered_device::Entity>(&ctx, browser_a_second_left).await);
    assert!(exists::<mail::Entity>(&ctx, mail_at_30_days).await);
    assert!(!exists::<mail::Entity>(&ctx, mail_past_30_days).await);
    assert!(exists::<sms_send::Entity>(&ctx, send_at_year).await);
    assert!(!exists::<sms_send::Entity>(&ctx, send_past_year).await);
    assert!(exists::<security_event::Entity>(&ctx, event_at_year).await);
    assert!(!exists::<security_event::Entity>(&ctx, event_past_year).await);

    // A second later, each of those at the boundary goes in its turn.
    clock.advance(second);
    let report = run_once(&ctx).await.unwrap();
    assert_eq!(
        (
            report.sessions,
            report.sms_codes,
            report.remembered_browsers,
            report.mails,
            report.sms_sends,
            report.security_events,
        ),
        (1, 1, 1, 1, 1, 1)
    );
    assert!(!exists::<session_row::Entity>(&ctx, idle_in_grace).await);
    assert!(exists::<session_row::Entity>(&ctx, idle_just_refused).await);
}

async fn the_retention_period_is_configurable_but_never_below_the_minimum_sec_26(backend: Backend) {
    let day = Duration::days(1);
    let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
        settings.retention = days(90);
    })
    .await;
    assert_eq!(
        testing::test_settings(|_| {}).retention,
        Duration::days(365),
        "a year unless configured"
    );
    let now = ctx.now();
    let judith = testing::add_judith(&ctx).await;
    let kept = event_at(&ctx, &judith, now - days(89)).await;
    let gone = event_at(&ctx, &judith, now - days(91)).await;
    let report = run_once(&ctx).await.unwrap();
    assert_eq!(report.security_events, 1);
    assert!(exists::<security_event::Entity>(&ctx, kept).await);
    assert!(!exists::<security_event::Entity>(&ctx, gone).await);

    // Settings that slipped past the server's check still keep the minimum.
    let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
        settings.retention = Duration::hours(1);
    })
    .await;
    let now = ctx.now();
    let judith = testing::add_judith(&ctx).await;
    let minimum = Duration::days(super::MINIMUM_RETENTION_DAYS);
    let kept_event = event_at(&ctx, &judith, now - minimum + day).await;
    let kept_send = send_at(&ctx, &judith, now - Duration::hours(2)).await;
    let gone = event_at(&ctx, &judith, now - minimum - day).await;
    let report = run_once(&ctx).await.unwrap();
    assert_eq!((report.security_events, report.sms_sends), (1, 0));
    assert!(exists::<security_event::Entity>(&ctx, kept_event).await);
    assert!(exists::<sms_send::Entity>(&ctx, kept_send).await);
    assert!(!exists::<security_event::Entity>(&ctx, gone).await);
}

/// The SMS limits count yesterday's and today's sends: retention never takes those, even with
/// a retention period set too short, so a user at the daily cap stays there.
async fn removing_old_sends_leaves_the_sms_limits_as_strong_as_before_sec_26(backend: Backend) {
    let limits = SmsLimits {
        cooldown: Duration::seconds(1),
        per_user_hour: 100,
        per_user_day: 2,
        per_number_day: 100,
        per_day: 100,
    };
    let (ctx, clock, _db, outbox) = testing::context_with_sms(backend, limits, |settings| {
        settings.retention = Duration::minutes(1);
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    let number = PhoneNumber::parse("06 12345678").unwrap();
    let attempt = testing::login_attempt(&ctx, &judith).await;
    // A year-old send, which does go.
    send_at(&ctx, &judith, ctx.now() - Duration::days(400)).await;
    for _ in 0..2 {
        clock.advance(Duration::minutes(2));
        sms::send_code(&ctx, judith.id, attempt, Purpose::Login, &number)
            .await
            .unwrap();
    }
    clock.advance(Duration::minutes(2));
    let report = run_once(&ctx).await.unwrap();
    assert_eq!(report.sms_sends, 1);
    let left = sms_send::Entity::find()
        .filter(sms_send::Column::UserId.eq(judith.id))
        .count(&ctx.db)
        .await
        .unwrap();
    assert_eq!(left, 2, "today's sends stay");
    assert_eq!(
        sms::send_code(&ctx, judith.id, attempt, Purpose::Login, &number).await,
        Err(Error::SmsLimit)
    );
    assert_eq!(outbox.messages().len(), 2);
}

/// Two instances run the job at the same moment on one database (two runs on two connections
/// of the pool): both finish without an error, every due row goes exactly once, and nothing
/// else does.
async fn two_runs_at_once_both_succeed_and_remove_each_row_once_sec_26(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let now = ctx.now();
    let judith = testing::add_judith(&ctx).await;
    let (token, live) = testing::start_session(&ctx, &judith, SessionStage::Complete).await;
    let old = now - Duration::days(400);
    events_at(&ctx, &judith, old, 1_700).await;
    events_at(&ctx, &judith, now - Duration::days(2), 300).await;
    for _ in 0..30 {
        session_at(
            &ctx,
            &judith,
            now - Duration::hours(2),
            now + Duration::hours(6),
        )
        .await;
        send_at(&ctx, &judith, old).await;
    }
    let waiting_code = code_at(&ctx, &judith, live, now + Duration::minutes(4), None).await;
    let (first, second) = tokio::join!(run_once(&ctx), run_once(&ctx));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.security_events + second.security_events, 1_700);
    assert_eq!(first.sessions + second.sessions, 30);
    assert_eq!(first.sms_sends + second.sms_sends, 30);
    let left = security_event::Entity::find()
        .filter(security_event::Column::CreatedAt.lt(now - Duration::days(365)))
        .count(&ctx.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        security_event::Entity::find().count(&ctx.db).await.unwrap(),
        300
    );
    assert!(session::resolve(&ctx, &token).await.unwrap().is_some());
    assert!(exists::<sms_code::Entity>(&ctx, waiting_code).await);
    assert_eq!(session_row::Entity::find().count(&ctx.db).await.unwrap(), 1);
}

/// Far more due rows than one statement takes: the loop goes on until all are gone.
async fn a_backlog_larger_than_a_batch_is_removed_in_one_run_sec_26(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let now = ctx.now();
    let judith = testing::add_judith(&ctx).await;
    let due = 2 * super::BATCH as usize + 1;
    events_at(&ctx, &judith, now - Duration::days(366), due).await;
    // Exactly one batch's worth of sends, so that the last batch is full and one more, empty,
    // statement is needed to be sure.
    let sends: Vec<_> = (0..super::BATCH)
        .map(|_| send_model(&judith, now - Duration::days(366)))
        .collect();
    for chunk in sends.chunks(250) {
        sms_send::Entity::insert_many(chunk.to_vec())
            .exec(&ctx.db)
            .await
            .unwrap();
    }
    event_at(&ctx, &judith, now).await;
    let report = run_once(&ctx).await.unwrap();
    assert_eq!(report.security_events, due as u64);
    assert_eq!(report.sms_sends, super::BATCH);
    assert_eq!(
        security_event::Entity::find().count(&ctx.db).await.unwrap(),
        1
    );
    assert_eq!(sms_send::Entity::find().count(&ctx.db).await.unwrap(), 0);
}
