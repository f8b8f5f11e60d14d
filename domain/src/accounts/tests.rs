//! Service tests for accounts and sessions, on SQLite and on PostgreSQL.

use chrono::Duration;

use super::{
    email::Email,
    login::log_in,
    password::Password,
    session,
    users::{self, CreateUserError},
};
use crate::{
    client::ClientInfo,
    db::entity::user::Role,
    error::Error,
    testing::{self, Backend, JUDITH_EMAIL, JUDITH_PASSWORD},
};

use crate::on_both_backends;

on_both_backends!(
    email_addresses_are_unique_whatever_their_case,
    the_password_step_answers_alike_for_unknown_and_wrong,
    sessions_live_by_the_clock,
    a_session_with_an_unknown_stage_is_no_session_sec_01,
);

async fn email_addresses_are_unique_whatever_their_case(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    assert_eq!(judith.email, JUDITH_EMAIL);
    assert_eq!(judith.role, Role::Professional);
    assert!(judith.password_hash.starts_with("$argon2id$"));

    let shouting = Email::parse("JUDITH@EXAMPLE.NL").unwrap();
    let password = Password::new_password("een-ander-wachtwoord".into()).unwrap();
    let err = users::create(&ctx, &shouting, "Judith twee", &password, Role::Admin)
        .await
        .unwrap_err();
    assert!(matches!(err, CreateUserError::EmailTaken), "{err}");
    let err = users::create(
        &ctx,
        &Email::parse("x@example.nl").unwrap(),
        "  ",
        &password,
        Role::Admin,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CreateUserError::InvalidName));
}

async fn the_password_step_answers_alike_for_unknown_and_wrong(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    testing::add_judith(&ctx).await;
    let client = ClientInfo::default();
    let wrong = log_in(
        &ctx,
        None,
        JUDITH_EMAIL,
        "verkeerd-wachtwoord".into(),
        &client,
        None,
    )
    .await;
    let unknown = log_in(
        &ctx,
        None,
        "onbekend@example.nl",
        "verkeerd-wachtwoord".into(),
        &client,
        None,
    )
    .await;
    assert_eq!(wrong.unwrap_err(), Error::InvalidCredentials);
    assert_eq!(unknown.unwrap_err(), Error::InvalidCredentials);
    assert!(
        log_in(
            &ctx,
            None,
            JUDITH_EMAIL,
            JUDITH_PASSWORD.into(),
            &client,
            None
        )
        .await
        .is_ok()
    );
}

async fn sessions_live_by_the_clock(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let client = ClientInfo {
        ip_address: Some("192.0.2.1".into()),
        user_agent: Some("Chrome".into()),
    };
    let (token, _) = session::start(&ctx, &judith, &client, session::SessionStage::Complete)
        .await
        .unwrap();
    let active = session::resolve(&ctx, &token)
        .await
        .unwrap()
        .expect("a fresh session is live");
    assert_eq!(active.user.id, judith.id);
    assert_eq!(active.expires_at - active.created_at, Duration::hours(12));

    clock.advance(Duration::minutes(30));
    assert!(
        session::resolve(&ctx, &token).await.unwrap().is_none(),
        "idle for 30 minutes"
    );
    // And it is gone for good, not only rejected this once.
    clock.advance(-Duration::minutes(30));
    assert!(session::resolve(&ctx, &token).await.unwrap().is_none());

    let (token, _) = session::start(&ctx, &judith, &client, session::SessionStage::Complete)
        .await
        .unwrap();
    let active = session::resolve(&ctx, &token).await.unwrap().unwrap();
    session::end(&ctx, active.id).await.unwrap();
    assert!(
        session::resolve(&ctx, &token).await.unwrap().is_none(),
        "ended on the server"
    );
}

async fn a_session_with_an_unknown_stage_is_no_session_sec_01(backend: Backend) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    use crate::db::entity::session as row;

    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (token, id) = session::start(
        &ctx,
        &judith,
        &ClientInfo::default(),
        session::SessionStage::PasswordOnly,
    )
    .await
    .unwrap();
    assert!(session::resolve(&ctx, &token).await.unwrap().is_some());
    row::Entity::update_many()
        .col_expr(row::Column::Stage, Expr::value("verzonnen"))
        .filter(row::Column::Id.eq(id))
        .exec(&ctx.db)
        .await
        .unwrap();
    assert!(
        session::resolve(&ctx, &token).await.unwrap().is_none(),
        "a stage that does not load counts as no session, not as an error"
    );
}
