//! The security log failing under a change (SEC-21): when its entry, or the mail that goes with
//! it, cannot be written, the change is rolled back with it. A trigger in the test's own
//! database makes the insert fail; each test shows the error it gets and that nothing changed.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
};

use crate::{
    accounts::{
        email::Email,
        password::Password,
        session::{self, SessionStage},
        users::{self, User},
    },
    audit::log::Event,
    client::ClientInfo,
    clock::ManualClock,
    context::Context,
    db::entity::{
        mail, recovery_code, remembered_device, security_event, session as session_row, two_factor,
        user,
    },
    error::Error,
    helpdesk, on_both_backends,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD, Outbox, TestDb},
    twofactor::{enrolment, factor, recovery_codes, remembered, totp},
};

on_both_backends!(
    a_password_change_is_rolled_back_when_its_log_entry_fails_sec_21,
    enabling_is_rolled_back_when_its_log_entry_fails_sec_21,
    a_helpdesk_reset_is_rolled_back_when_its_log_entry_fails_sec_21,
    new_recovery_codes_are_rolled_back_when_their_log_entry_fails_sec_21,
    a_change_whose_mail_cannot_be_queued_is_rolled_back_with_its_entry_sec_21,
);

/// Judith, with mail configured: every log entry would queue a mail too.
async fn judith_with_mail(backend: Backend) -> (Context, ManualClock, TestDb, Outbox, User) {
    let outbox = Outbox::new();
    let provider = outbox.mail_provider();
    let (ctx, clock, db) =
        testing::context_with(backend, |settings| settings.mail.provider = Some(provider)).await;
    let judith = testing::add_judith(&ctx).await;
    (ctx, clock, db, outbox, judith)
}

/// Makes every insert into `table` fail with "`table` down", as a full disk or a revoked grant
/// would: a trigger in this test's own database.
async fn break_inserts(ctx: &Context, table: &str) {
    let statements = match ctx.db.get_database_backend() {
        DatabaseBackend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION tweestap_insert_fails() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION '% down', TG_TABLE_NAME; END; $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER {table}_down BEFORE INSERT ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION tweestap_insert_fails()"
            ),
        ],
        _ => vec![format!(
            "CREATE TRIGGER {table}_down BEFORE INSERT ON {table} \
             BEGIN SELECT RAISE(ABORT, '{table} down'); END"
        )],
    };
    for statement in statements {
        ctx.db.execute_unprepared(&statement).await.unwrap();
    }
}

/// The log is back.
async fn repair_inserts(ctx: &Context, table: &str) {
    let statement = match ctx.db.get_database_backend() {
        DatabaseBackend::Postgres => format!("DROP TRIGGER {table}_down ON {table}"),
        _ => format!("DROP TRIGGER {table}_down"),
    };
    ctx.db.execute_unprepared(&statement).await.unwrap();
}

/// The call answered with the database's error from the broken insert: not a panic, not
/// success, and not some other failure on the way.
fn assert_failed_on<T>(result: Result<T, Error>, table: &str) {
    match result {
        Err(Error::Database(err)) => assert!(
            err.to_string().contains(&format!("{table} down")),
            "failed, but not on {table}: {err}"
        ),
        Err(other) => panic!("expected the insert into {table} to fail, got {other:?}"),
        Ok(_) => panic!("the change succeeded although {table} could not be written"),
    }
}

/// Everything of a user's sign-in that a change could touch, as stored.
#[derive(Debug, PartialEq)]
struct SignIn {
    user: user::Model,
    sessions: Vec<session_row::Model>,
    factor: Option<two_factor::Model>,
    recovery_codes: Vec<recovery_code::Model>,
    devices: Vec<remembered_device::Model>,
    events: Vec<security_event::Model>,
    mails: Vec<mail::Model>,
}

async fn sign_in_of(ctx: &Context, user_id: i32) -> SignIn {
    SignIn {
        user: user::Entity::find_by_id(user_id)
            .one(&ctx.db)
            .await
            .unwrap()
            .unwrap(),
        sessions: session_row::Entity::find()
            .filter(session_row::Column::UserId.eq(user_id))
            .order_by_asc(session_row::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap(),
        factor: factor::factor(ctx, user_id).await.unwrap(),
        recovery_codes: recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .order_by_asc(recovery_code::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap(),
        devices: remembered_device::Entity::find()
            .filter(remembered_device::Column::UserId.eq(user_id))
            .order_by_asc(remembered_device::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap(),
        events: security_event::Entity::find()
            .filter(security_event::Column::UserId.eq(user_id))
            .order_by_asc(security_event::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap(),
        mails: mail::Entity::find()
            .filter(mail::Column::UserId.eq(user_id))
            .order_by_asc(mail::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap(),
    }
}

fn judith_email() -> Email {
    Email::parse(JUDITH_EMAIL).unwrap()
}

fn password(text: &str) -> Password {
    Password::for_login(text.to_owned()).unwrap()
}

const NEW_PASSWORD: &str = "Een-heel-nieuw-wachtwoord-7";

async fn a_password_change_is_rolled_back_when_its_log_entry_fails_sec_21(backend: Backend) {
    let (ctx, _clock, _db, _outbox, judith) = judith_with_mail(backend).await;
    // The session that changes it, another one and a remembered browser: the change would
    // rotate the first, end the second and forget the third.
    let client = ClientInfo::default();
    let (keep_token, _) = session::start(&ctx, &judith, &client, SessionStage::Complete)
        .await
        .unwrap();
    let (other_token, _) = session::start(&ctx, &judith, &client, SessionStage::Complete)
        .await
        .unwrap();
    let browser = remembered::remember_browser(
        &ctx,
        judith.id,
        testing::default_remember_length(&ctx),
        &client,
    )
    .await
    .unwrap();
    let keep = session::resolve(&ctx, &keep_token).await.unwrap().unwrap();
    let before = sign_in_of(&ctx, judith.id).await;
    break_inserts(&ctx, "security_events").await;

    let new = Password::new_password(NEW_PASSWORD.to_owned()).unwrap();
    let changed = users::change_password(&ctx, &keep, &new, None).await;

    assert_failed_on(changed, "security_events");
    assert_eq!(
        sign_in_of(&ctx, judith.id).await,
        before,
        "nothing stored changed"
    );
    assert!(
        users::check_password(&ctx, &judith_email(), &password(JUDITH_PASSWORD))
            .await
            .is_ok(),
        "the old password still verifies"
    );
    assert!(matches!(
        users::check_password(&ctx, &judith_email(), &password(NEW_PASSWORD)).await,
        Err(Error::InvalidCredentials)
    ));
    for token in [&keep_token, &other_token] {
        assert!(
            session::resolve(&ctx, token).await.unwrap().is_some(),
            "both sessions are still open, with their old tokens"
        );
    }
    assert!(
        remembered::is_remembered(&ctx, judith.id, &browser)
            .await
            .unwrap(),
        "the browser is still remembered"
    );
}

async fn enabling_is_rolled_back_when_its_log_entry_fails_sec_21(backend: Backend) {
    let (ctx, _clock, _db, _outbox, judith) = judith_with_mail(backend).await;
    let row = enrolment::start_app_enrolment(&ctx, &judith).await.unwrap();
    let secret = factor::open_secret(&ctx, judith.id, &row.secret_enc).unwrap();
    let code = totp::code_for_step(&secret, totp::step_at(ctx.now().timestamp()));
    let before = sign_in_of(&ctx, judith.id).await;
    break_inserts(&ctx, "security_events").await;

    // The wizard's step that switches it on, with the right code.
    let enabled = enrolment::confirm_app_enrolment(&ctx, &judith, &code, None).await;

    assert_failed_on(enabled, "security_events");
    let mut after = sign_in_of(&ctx, judith.id).await;
    // The try was counted before the code was checked (SEC-14: parallel guesses cannot get
    // past the limit), outside the change, and a failure does not give it back.
    assert_eq!(after.user.failed_attempts, before.user.failed_attempts + 1);
    after.user.failed_attempts = before.user.failed_attempts;
    assert_eq!(
        after, before,
        "not enabled, no recovery codes, nothing logged or mailed"
    );
    assert!(!factor::is_enabled(&ctx, judith.id).await.unwrap());

    // With the log back, the same code switches it on: its time step was not spent.
    repair_inserts(&ctx, "security_events").await;
    enrolment::confirm_app_enrolment(&ctx, &judith, &code, None)
        .await
        .unwrap();
    assert!(factor::is_enabled(&ctx, judith.id).await.unwrap());
    let after = sign_in_of(&ctx, judith.id).await;
    assert_eq!(
        after.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![Event::TwoFactorEnabled]
    );
    assert_eq!(after.mails.len(), 1);
    assert_eq!(after.recovery_codes.len(), 10);
}

async fn a_helpdesk_reset_is_rolled_back_when_its_log_entry_fails_sec_21(backend: Backend) {
    let (ctx, clock, _db, _outbox, judith) = judith_with_mail(backend).await;
    let (secret, _codes) = testing::enrol_app(&ctx, &clock, &judith).await;
    let client = ClientInfo::default();
    let (token, _) = session::start(&ctx, &judith, &client, SessionStage::Complete)
        .await
        .unwrap();
    let browser = remembered::remember_browser(
        &ctx,
        judith.id,
        testing::default_remember_length(&ctx),
        &client,
    )
    .await
    .unwrap();
    let before = sign_in_of(&ctx, judith.id).await;
    break_inserts(&ctx, "security_events").await;

    let reset = helpdesk::reset_two_factor(
        &ctx,
        judith.id,
        "helpdesk@example.nl",
        "telefoon kwijt",
        None,
    )
    .await;

    assert_failed_on(reset, "security_events");
    assert_eq!(
        sign_in_of(&ctx, judith.id).await,
        before,
        "nothing stored changed"
    );
    let factor = factor::factor(&ctx, judith.id).await.unwrap().unwrap();
    assert!(factor.enabled_at.is_some(), "the app is still her factor");
    assert_eq!(
        factor::open_secret(&ctx, judith.id, &factor.secret_enc).unwrap(),
        secret,
        "with the same secret"
    );
    assert_eq!(
        recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        10
    );
    assert!(session::resolve(&ctx, &token).await.unwrap().is_some());
    assert!(
        remembered::is_remembered(&ctx, judith.id, &browser)
            .await
            .unwrap()
    );
}

async fn new_recovery_codes_are_rolled_back_when_their_log_entry_fails_sec_21(backend: Backend) {
    let (ctx, clock, _db, _outbox, judith) = judith_with_mail(backend).await;
    let (_secret, codes) = testing::enrol_app(&ctx, &clock, &judith).await;
    let before = sign_in_of(&ctx, judith.id).await;
    break_inserts(&ctx, "security_events").await;

    let regenerated = recovery_codes::regenerate_recovery_codes(&ctx, judith.id, 1, None).await;

    assert_failed_on(regenerated, "security_events");
    assert_eq!(
        sign_in_of(&ctx, judith.id).await,
        before,
        "the same ten code hashes, nothing pending, nothing logged or mailed"
    );
    // With the log back, the old set is still the one that works.
    repair_inserts(&ctx, "security_events").await;
    assert_eq!(
        recovery_codes::use_recovery_code(&ctx, &judith, &codes[0], None)
            .await
            .unwrap(),
        9
    );
}

// The entry's mail is part of the log's write: a queue that takes no mail keeps the entry
// out, and with it the change.
async fn a_change_whose_mail_cannot_be_queued_is_rolled_back_with_its_entry_sec_21(
    backend: Backend,
) {
    let (ctx, _clock, _db, _outbox, judith) = judith_with_mail(backend).await;
    let (token, _) = session::start(
        &ctx,
        &judith,
        &ClientInfo::default(),
        SessionStage::Complete,
    )
    .await
    .unwrap();
    let keep = session::resolve(&ctx, &token).await.unwrap().unwrap();
    let before = sign_in_of(&ctx, judith.id).await;
    break_inserts(&ctx, "mail_queue").await;

    let new = Password::new_password(NEW_PASSWORD.to_owned()).unwrap();
    let changed = users::change_password(&ctx, &keep, &new, None).await;

    assert_failed_on(changed, "mail_queue");
    let after = sign_in_of(&ctx, judith.id).await;
    assert!(after.events.is_empty(), "no entry without its mail");
    assert_eq!(after, before);
    assert!(
        users::check_password(&ctx, &judith_email(), &password(JUDITH_PASSWORD))
            .await
            .is_ok()
    );
}
