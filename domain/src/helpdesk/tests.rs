//! Service tests for the helpdesk, on SQLite and on PostgreSQL, with a settable clock.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super as service;
use crate::{
    audit::log,
    context::Context,
    db::entity::{two_factor, user, user::Role},
    error::{Error, Invalid},
    on_both_backends,
    testing::{self, Backend},
    twofactor,
};

on_both_backends!(
    the_rollout_counts_professionals_by_method_deferrals_and_logins,
    search_finds_names_and_addresses_and_takes_wildcards_literally,
    lifting_a_lock_needs_a_reason_and_is_logged_sec_21,
    the_days_left_count_down_to_the_mandatory_date,
    a_helpdesk_reset_removes_every_factor_and_ends_the_sessions,
);

async fn professional(ctx: &Context, name: &str) -> user::Model {
    let email = format!("{}@example.nl", name.to_lowercase().replace(' ', "."));
    testing::add_user(
        ctx,
        &email,
        name,
        "Een-goed-wachtwoord-42",
        Role::Professional,
    )
    .await
}

/// An SMS factor as the wizard leaves it, without sending anything.
async fn with_sms(ctx: &Context, user_id: i32) {
    switched_on(ctx, user_id, crate::twofactor::Method::Sms).await;
}

/// A factor of `method` switched on; the counts do not read its secret.
pub(super) async fn switched_on(ctx: &Context, user_id: i32, method: crate::twofactor::Method) {
    two_factor::ActiveModel {
        user_id: Set(user_id),
        method: Set(method),
        secret_enc: Set("not-read-by-the-counts".to_owned()),
        created_at: Set(ctx.now()),
        enabled_at: Set(Some(ctx.now())),
        last_step: Set(None),
        pending_codes_enc: Set(None),
    }
    .insert(&ctx.db)
    .await
    .unwrap();
}

/// A passkey row as registering leaves it; the counts do not read the credential.
async fn with_passkey(ctx: &Context, user_id: i32) {
    crate::db::entity::passkey::ActiveModel {
        user_id: Set(user_id),
        user_handle: Set(format!("handle-{user_id}")),
        credential_id: Set(format!("credential-{user_id}")),
        name: Set("Telefoon".to_owned()),
        credential: Set("{}".to_owned()),
        sign_count: Set(0),
        backup_eligible: Set(true),
        backup_state: Set(true),
        created_at: Set(ctx.now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await
    .unwrap();
}

async fn the_rollout_counts_professionals_by_method_deferrals_and_logins(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    testing::enrol_app(&ctx, &clock, &judith).await;
    crate::accounts::users::record_login(&ctx, judith.id)
        .await
        .unwrap();
    // Judith also has a passkey beside her app.
    with_passkey(&ctx, judith.id).await;
    let bram = professional(&ctx, "Bram Bos").await;
    with_sms(&ctx, bram.id).await;
    // Femke has passkeys alone; she never logged in.
    let femke = professional(&ctx, "Femke Fokker").await;
    with_passkey(&ctx, femke.id).await;
    switched_on(&ctx, femke.id, crate::twofactor::Method::Passkey).await;
    crate::accounts::users::record_login(&ctx, bram.id)
        .await
        .unwrap();
    let carla = professional(&ctx, "Carla Cornelissen").await;
    twofactor::deferral::defer(&ctx, carla.id).await.unwrap();
    twofactor::deferral::defer(&ctx, carla.id).await.unwrap();
    crate::accounts::users::record_login(&ctx, carla.id)
        .await
        .unwrap();
    let dirk = professional(&ctx, "Dirk Dekker").await;
    twofactor::deferral::defer(&ctx, dirk.id).await.unwrap();
    // Started the wizard but never finished: not on.
    let _eva = {
        let eva = professional(&ctx, "Eva Evers").await;
        twofactor::enrolment::start_app_enrolment(&ctx, &eva)
            .await
            .unwrap();
        eva
    };
    // Admins are not among the professionals counted.
    let admin = testing::add_user(
        &ctx,
        "beheer@example.nl",
        "Bram Beheer",
        "Beheer-van-het-platform-1",
        Role::Admin,
    )
    .await;
    testing::enrol_app(&ctx, &clock, &admin).await;
    twofactor::deferral::defer(&ctx, admin.id).await.unwrap();

    let counts = service::rollout_counts(&ctx).await.unwrap();
    assert_eq!(
        counts,
        service::RolloutCounts {
            professionals: 6,
            with_app: 1,
            with_sms: 1,
            with_passkey: 1,
            having_passkeys: 2,
            deferred_users: 2,
            deferrals: 3,
            // Dirk, Eva and Femke never logged in.
            not_logged_in_since_start: 3,
        }
    );

    // A login before the optional period began does not count as one since.
    let before = ctx.settings.rollout.optional_from - Duration::days(1);
    user::Entity::update_many()
        .col_expr(
            user::Column::LastLoginAt,
            sea_orm::sea_query::Expr::value(before.and_hms_opt(12, 0, 0).unwrap().and_utc()),
        )
        .filter(user::Column::Id.eq(judith.id))
        .exec(&ctx.db)
        .await
        .unwrap();
    let counts = service::rollout_counts(&ctx).await.unwrap();
    assert_eq!(counts.not_logged_in_since_start, 4);
}

async fn search_finds_names_and_addresses_and_takes_wildcards_literally(backend: Backend) {
    let (ctx, _clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let bram = professional(&ctx, "Bram Bos").await;

    let ids = |found: Vec<user::Model>| found.into_iter().map(|u| u.id).collect::<Vec<_>>();
    assert_eq!(
        ids(service::search(&ctx, "JUDITH").await.unwrap()),
        [judith.id]
    );
    assert_eq!(
        ids(service::search(&ctx, " van haa ").await.unwrap()),
        [judith.id]
    );
    assert_eq!(
        ids(service::search(&ctx, "bram.bos@").await.unwrap()),
        [bram.id]
    );
    assert_eq!(
        ids(service::search(&ctx, "example.nl").await.unwrap()),
        [bram.id, judith.id],
        "by name"
    );
    for wildcard in ["%", "_", "\\"] {
        assert!(
            service::search(&ctx, wildcard).await.unwrap().is_empty(),
            "{wildcard}"
        );
    }
    for bad in ["", "   ", &"a".repeat(101), "a\u{0}b"] {
        assert_eq!(
            service::search(&ctx, bad).await.unwrap_err(),
            Error::Invalid(Invalid::SearchInvalid),
            "{bad:?}"
        );
    }
}

// SEC-21: lifting a lock is logged with the admin and the reason; the user can try again.
async fn lifting_a_lock_needs_a_reason_and_is_logged_sec_21(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (secret, _) = testing::enrol_app(&ctx, &clock, &judith).await;

    assert!(
        !service::lift_lock(
            &ctx,
            judith.id,
            "beheer@example.nl",
            "Belde de helpdesk",
            None
        )
        .await
        .unwrap(),
        "nothing to lift"
    );
    for _ in 0..twofactor::attempts::MAX_FAILED_ATTEMPTS {
        let _ = twofactor::app_code::verify_app_code(&ctx, &judith, "000000", None).await;
    }
    assert!(
        twofactor::attempts::is_locked(&ctx, judith.id)
            .await
            .unwrap()
    );
    let state = service::user_state(&ctx, judith.id).await.unwrap();
    assert!(state.locked_until.is_some());

    for reason in ["", "  ", &"x".repeat(201)] {
        assert_eq!(
            service::lift_lock(&ctx, judith.id, "beheer@example.nl", reason, None)
                .await
                .unwrap_err(),
            Error::Invalid(Invalid::ReasonMissing)
        );
    }
    assert!(
        twofactor::attempts::is_locked(&ctx, judith.id)
            .await
            .unwrap()
    );

    assert!(
        service::lift_lock(
            &ctx,
            judith.id,
            "beheer@example.nl",
            "Belde de helpdesk",
            None
        )
        .await
        .unwrap()
    );
    assert!(
        !twofactor::attempts::is_locked(&ctx, judith.id)
            .await
            .unwrap()
    );
    let code =
        twofactor::totp::code_for_step(&secret, twofactor::totp::step_at(ctx.now().timestamp()));
    twofactor::app_code::verify_app_code(&ctx, &judith, &code, None)
        .await
        .expect("a right code works again at once");

    let newest = log::recent(&ctx, judith.id, 1).await.unwrap().remove(0);
    assert_eq!(newest.kind, log::Event::LockLifted);
    assert_eq!(
        newest.detail.as_deref(),
        Some("door beheer@example.nl: Belde de helpdesk")
    );
    assert!(matches!(
        service::user_state(&ctx, 999_999).await.unwrap_err(),
        Error::Invalid(Invalid::UserUnknown)
    ));
}

async fn the_days_left_count_down_to_the_mandatory_date(backend: Backend) {
    let (ctx, clock, _db) = testing::context(backend).await;
    let mandatory = ctx.settings.rollout.mandatory_from;
    let today = crate::twofactor::policy::local_date(ctx.now());
    assert_eq!(
        service::days_until_mandatory(&ctx),
        (mandatory - today).num_days()
    );
    clock.set(testing::in_mandatory_period());
    assert_eq!(service::days_until_mandatory(&ctx), 0);
}

// The helpdesk's reset: factor, recovery codes, remembered browsers, sessions and the lock go,
// the reason is logged (SEC-21), and in the mandatory period the next login enrols again.
async fn a_helpdesk_reset_removes_every_factor_and_ends_the_sessions(backend: Backend) {
    use crate::accounts::session::{self, SessionStage};
    let (ctx, clock, _db) = testing::context(backend).await;
    let judith = testing::add_judith(&ctx).await;
    let (_, codes) = testing::enrol_app(&ctx, &clock, &judith).await;
    let token = twofactor::remembered::remember_browser(
        &ctx,
        judith.id,
        testing::default_remember_length(&ctx),
        &Default::default(),
    )
    .await
    .unwrap();
    let (session_token, _) = session::start(
        &ctx,
        &judith,
        &crate::client::ClientInfo::default(),
        SessionStage::Complete,
    )
    .await
    .unwrap();
    for _ in 0..twofactor::attempts::MAX_FAILED_ATTEMPTS {
        let _ = twofactor::recovery_codes::use_recovery_code(&ctx, &judith, "AAAA-AAAA-AAAA", None)
            .await;
    }
    assert!(matches!(
        twofactor::recovery_codes::use_recovery_code(&ctx, &judith, &codes[0], None).await,
        Err(Error::Locked { .. })
    ));

    assert_eq!(
        service::reset_two_factor(&ctx, judith.id, "helpdesk@example.nl", "  ", None).await,
        Err(Error::Invalid(Invalid::ReasonMissing))
    );
    assert!(
        twofactor::factor::is_enabled(&ctx, judith.id)
            .await
            .unwrap()
    );
    service::reset_two_factor(
        &ctx,
        judith.id,
        "helpdesk@example.nl",
        "telefoon kwijt",
        None,
    )
    .await
    .unwrap();

    assert!(
        !twofactor::factor::is_enabled(&ctx, judith.id)
            .await
            .unwrap()
    );
    assert!(
        twofactor::factor::factor(&ctx, judith.id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        twofactor::recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        0
    );
    assert!(
        !twofactor::remembered::is_remembered(&ctx, judith.id, &token)
            .await
            .unwrap()
    );
    assert!(
        session::resolve(&ctx, &session_token)
            .await
            .unwrap()
            .is_none()
    );
    let log = log::recent(&ctx, judith.id, 10).await.unwrap();
    assert_eq!(log[0].kind, log::Event::HelpdeskReset);
    assert_eq!(
        log[0].detail.as_deref(),
        Some("door helpdesk@example.nl: telefoon kwijt")
    );
    assert!(log.iter().any(|event| event.kind == log::Event::Locked));

    clock.set(testing::in_mandatory_period());
    let (_, after) = crate::accounts::login::log_in(
        &ctx,
        None,
        testing::JUDITH_EMAIL,
        testing::JUDITH_PASSWORD.to_owned(),
        &crate::client::ClientInfo::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(after, crate::twofactor::second_step::AfterPassword::Enrol);
}
