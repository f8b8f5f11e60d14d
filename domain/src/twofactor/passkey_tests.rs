//! Service tests for passkeys (SEC-33), on SQLite and on PostgreSQL, with a software
//! authenticator (webauthn-authenticator-rs's `SoftPasskey`, user verification included) in
//! place of the browser and the key.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use webauthn_authenticator_rs::{WebauthnAuthenticator as _, softpasskey::SoftPasskey};
use webauthn_rs::prelude::{PublicKeyCredential, Url};

use super::passkey;
use crate::{
    accounts::users::User,
    audit::log,
    clock::ManualClock,
    context::Context,
    db::entity::passkey as row,
    error::Error,
    on_both_backends,
    testing::{self, Backend, TestDb},
};

on_both_backends!(
    a_passkey_is_added_and_signs_in_after_the_password_sec_33,
    an_answer_for_another_origin_is_refused_sec_33,
    a_challenge_is_used_once_by_its_own_session_within_five_minutes_sec_33,
    a_sign_counter_that_goes_back_is_refused_and_logged_sec_33,
    another_users_passkey_is_refused_sec_33,
    only_the_owner_renames_or_removes_a_passkey_and_removal_is_logged_sec_33,
    without_a_public_host_name_passkeys_are_not_offered_sec_33,
    switching_off_and_the_helpdesk_reset_remove_the_passkeys,
    a_copy_that_answers_a_ceremony_begun_before_the_last_sign_in_is_refused_sec_33,
    of_two_finishes_with_one_answer_at_once_one_signs_in_sec_33,
    a_user_has_at_most_ten_passkeys,
    every_passkey_event_queues_its_email_sec_21,
    the_wizard_with_a_passkey_switches_two_step_on_and_a_passkey_passes_the_second_step_sec_33,
    the_last_passkey_of_a_passkey_only_user_stays_sec_33,
    the_method_policy_is_enforced_on_the_server_sec_33,
    each_login_records_how_it_was_established_sec_34,
    two_first_passkeys_added_at_once_share_one_user_handle,
);

/// The wizard with `key`: a signed-in session registers it, which switches two-step
/// authentication on.
async fn enrol(ctx: &Context, user: &User, key: &mut SoftPasskey) -> row::Model {
    let (session, answer) = registration(ctx, user, key).await;
    super::passkey_steps::enrol(ctx, user, session, &answer, "Telefoon", None)
        .await
        .expect("enrolled with a passkey")
}

async fn the_wizard_with_a_passkey_switches_two_step_on_and_a_passkey_passes_the_second_step_sec_33(
    backend: Backend,
) {
    use super::{Method, factor, passkey_steps, recovery_codes, second_step};
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    enrol(&ctx, &judith, &mut key).await;
    let factor = factor::factor(&ctx, judith.id).await.unwrap().unwrap();
    assert_eq!(factor.method, Method::Passkey);
    assert!(factor.enabled_at.is_some());
    assert_eq!(
        recovery_codes::recovery_codes_left(&ctx, judith.id)
            .await
            .unwrap(),
        10,
        "recovery codes are issued as for the other methods"
    );
    // A second registration does not enrol again.
    let session = testing::complete_session(&ctx, &judith).await;
    let options = passkey::start_registration(&ctx, &judith, session)
        .await
        .unwrap();
    let answer = authenticator().do_registration(origin(), options).unwrap();
    assert_eq!(
        passkey_steps::enrol(&ctx, &judith, session, &answer, "Tweede", None)
            .await
            .err(),
        Some(Error::Forbidden)
    );

    // The next login asks for the second step, and the passkey passes it, with "Onthoud mij".
    let (after, method) = second_step::after_password(&ctx, &judith, None)
        .await
        .unwrap();
    assert_eq!(after, second_step::AfterPassword::SecondStep);
    assert_eq!(method, Some(Method::Passkey));
    let session = crate::testing::password_only_session(&ctx, &judith).await.0;
    let options = passkey::start_authentication(&ctx, judith.id, session.id)
        .await
        .unwrap();
    let answer = key.do_authentication(origin(), options).unwrap();
    let client = crate::client::ClientInfo::default();
    let passed = passkey_steps::pass_login(
        &ctx,
        &session,
        &answer,
        Some(testing::default_remember_length(&ctx)),
        &client,
    )
    .await
    .expect("the passkey passes the second step");
    let remembered = passed.remembered.expect("the browser is remembered");
    let complete = crate::accounts::session::resolve(&ctx, &passed.session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        complete.stage,
        crate::accounts::session::SessionStage::Complete
    );
    assert_ne!(complete.id, session.id, "a new session id (SEC-03)");
    let (after, _) = second_step::after_password(&ctx, &judith, Some(remembered.value()))
        .await
        .unwrap();
    assert_eq!(after, second_step::AfterPassword::Done);

    // A complete session cannot pass the second step again; another user's key is refused.
    let options = passkey::start_authentication(&ctx, judith.id, complete.id)
        .await
        .unwrap();
    let answer = key.do_authentication(origin(), options).unwrap();
    assert_eq!(
        passkey_steps::pass_login(&ctx, &complete, &answer, None, &client)
            .await
            .err(),
        Some(Error::Forbidden)
    );
}

async fn the_last_passkey_of_a_passkey_only_user_stays_sec_33(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let first = enrol(&ctx, &judith, &mut authenticator()).await;
    assert_eq!(
        passkey::remove(&ctx, judith.id, first.id, None).await.err(),
        Some(Error::Invalid(crate::error::Invalid::PasskeyLast)),
        "the only method's last passkey stays"
    );
    let second = add(&ctx, &judith, &mut authenticator(), "YubiKey").await;
    passkey::remove(&ctx, judith.id, first.id, None)
        .await
        .expect("one of two goes");
    assert_eq!(
        passkey::remove(&ctx, judith.id, second.id, None)
            .await
            .err(),
        Some(Error::Invalid(crate::error::Invalid::PasskeyLast))
    );
    // A user with the app beside a passkey may remove every passkey.
    let bram = testing::add_bram(&ctx).await;
    let key = add(&ctx, &bram, &mut authenticator(), "Laptop").await;
    passkey::remove(&ctx, bram.id, key.id, None)
        .await
        .expect("without passkeys as the method, the last may go");
}

const ORIGIN: &str = "http://localhost:3000";

fn origin() -> Url {
    Url::parse(ORIGIN).expect("an origin")
}

/// The answer a refused passkey gets: one refusal, whatever the reason (SEC-33).
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(matches!(result, Err(Error::PasskeyRejected)), "{result:?}");
}

fn authenticator() -> SoftPasskey {
    // `true`: the soft key says it verified its user, as a phone's PIN or fingerprint would.
    SoftPasskey::new(true)
}

async fn setup(backend: Backend) -> (Context, ManualClock, TestDb, User) {
    let (ctx, clock, db) = testing::context_with(backend, |settings| {
        settings.public_origin = Some(ORIGIN.to_owned());
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    (ctx, clock, db, judith)
}

/// A signed-in session of `user` starts a registration, and `key` answers it.
async fn registration(
    ctx: &Context,
    user: &User,
    key: &mut SoftPasskey,
) -> (i32, webauthn_rs::prelude::RegisterPublicKeyCredential) {
    let session = testing::complete_session(ctx, user).await;
    let options = passkey::start_registration(ctx, user, session)
        .await
        .expect("registration options");
    let answer = key
        .do_registration(origin(), options)
        .expect("the key registers");
    (session, answer)
}

/// Adds a passkey named `name` to `user` from a signed-in session, with `key`.
async fn add(ctx: &Context, user: &User, key: &mut SoftPasskey, name: &str) -> row::Model {
    let (session, answer) = registration(ctx, user, key).await;
    passkey::finish_registration(ctx, user, session, &answer, name, None)
        .await
        .expect("the passkey is added")
}

/// A login that has given its password asks `key` to sign in: the session and the answer.
async fn sign_in_answer(
    ctx: &Context,
    user: &User,
    key: &mut SoftPasskey,
) -> (i32, PublicKeyCredential) {
    let session = testing::login_attempt(ctx, user).await;
    let options = passkey::start_authentication(ctx, user.id, session)
        .await
        .expect("sign-in options");
    let answer = key
        .do_authentication(origin(), options)
        .expect("the key answers");
    (session, answer)
}

async fn a_passkey_is_added_and_signs_in_after_the_password_sec_33(backend: Backend) {
    let (ctx, clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    let added = add(&ctx, &judith, &mut key, "  Telefoon ").await;
    assert_eq!(added.name, "Telefoon");
    assert_eq!(added.last_used_at, None);
    let events = log::recent(&ctx, judith.id, 10).await.unwrap();
    assert_eq!(events[0].kind, log::Event::PasskeyAdded);

    clock.advance(Duration::minutes(1));
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    let used = passkey::finish_authentication(&ctx, judith.id, session, &answer, None)
        .await
        .expect("the passkey signs in");
    assert_eq!(used.id, added.id);
    assert_eq!(used.last_used_at, Some(ctx.now()));
    // The counter it answered with is kept: the next answer must count on from there.
    assert!(used.sign_count > added.sign_count, "{used:?}");
    assert_ne!(used.credential, added.credential);

    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    passkey::finish_authentication(&ctx, judith.id, session, &answer, None)
        .await
        .expect("and again");
    assert_eq!(passkey::passkeys(&ctx, judith.id).await.unwrap().len(), 1);
}

async fn an_answer_for_another_origin_is_refused_sec_33(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    add(&ctx, &judith, &mut key, "Telefoon").await;
    let session = testing::login_attempt(&ctx, &judith).await;
    let options = passkey::start_authentication(&ctx, judith.id, session)
        .await
        .unwrap();
    // Another port is another origin: a page there may not sign in here.
    let elsewhere = Url::parse("http://localhost:4000").unwrap();
    let answer = key.do_authentication(elsewhere, options).unwrap();
    let refused = passkey::finish_authentication(&ctx, judith.id, session, &answer, None).await;
    assert_refused(refused);

    // And a registration made for another origin is not added.
    let session = testing::complete_session(&ctx, &judith).await;
    let options = passkey::start_registration(&ctx, &judith, session)
        .await
        .unwrap();
    let answer = authenticator()
        .do_registration(Url::parse("http://localhost:4000").unwrap(), options)
        .unwrap();
    let refused =
        passkey::finish_registration(&ctx, &judith, session, &answer, "Ander", None).await;
    assert_refused(refused);
    assert_eq!(passkey::passkeys(&ctx, judith.id).await.unwrap().len(), 1);
}

async fn a_challenge_is_used_once_by_its_own_session_within_five_minutes_sec_33(backend: Backend) {
    let (ctx, clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    add(&ctx, &judith, &mut key, "Telefoon").await;

    // Used once: the same answer again is refused.
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    passkey::finish_authentication(&ctx, judith.id, session, &answer, None)
        .await
        .expect("the first time");
    let replayed = passkey::finish_authentication(&ctx, judith.id, session, &answer, None).await;
    assert_refused(replayed);

    // Bound to its session: another login of the same user cannot finish it.
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    let other = testing::login_attempt(&ctx, &judith).await;
    let refused = passkey::finish_authentication(&ctx, judith.id, other, &answer, None).await;
    assert_refused(refused);
    // ... and the session it belongs to may still use it.
    passkey::finish_authentication(&ctx, judith.id, session, &answer, None)
        .await
        .expect("its own session");

    // Five minutes: a challenge answered later is refused.
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    clock.advance(Duration::minutes(passkey::CEREMONY_MINUTES) + Duration::seconds(1));
    let late = passkey::finish_authentication(&ctx, judith.id, session, &answer, None).await;
    assert_refused(late);
}

async fn a_sign_counter_that_goes_back_is_refused_and_logged_sec_33(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    let added = add(&ctx, &judith, &mut key, "Telefoon").await;
    // The stored counter is ahead of the key: its next answer counts lower, as a copy's would.
    count_ahead(&ctx, &added).await;

    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    let refused = passkey::finish_authentication(&ctx, judith.id, session, &answer, None).await;
    assert_refused(refused);
    let events = log::recent(&ctx, judith.id, 10).await.unwrap();
    assert_eq!(events[0].kind, log::Event::PasskeyCounterWentBack);
    assert_eq!(events[0].detail.as_deref(), Some("Telefoon"));
    let kept = row::Entity::find_by_id(added.id)
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.last_used_at, None);
}

async fn another_users_passkey_is_refused_sec_33(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let bram = testing::add_bram(&ctx).await;
    let mut judiths_key = authenticator();
    let mut brams_key = authenticator();
    add(&ctx, &judith, &mut judiths_key, "Telefoon").await;
    add(&ctx, &bram, &mut brams_key, "Sleutel").await;

    // Someone with Judith's password and Bram's key: the key signs Judith's own challenge,
    // offered Bram's credential (a page that lists it), so only the credential is wrong.
    let judiths_session = testing::login_attempt(&ctx, &judith).await;
    let mut options = passkey::start_authentication(&ctx, judith.id, judiths_session)
        .await
        .unwrap();
    let brams_options =
        passkey::start_authentication(&ctx, bram.id, testing::login_attempt(&ctx, &bram).await)
            .await
            .unwrap();
    options.public_key.allow_credentials = brams_options.public_key.allow_credentials;
    let brams_answer = brams_key.do_authentication(origin(), options).unwrap();
    assert_refused(
        passkey::finish_authentication(&ctx, judith.id, judiths_session, &brams_answer, None).await,
    );

    // Nor does Bram's answer to his own registration add his key to Judith's account.
    let brams_session = testing::complete_session(&ctx, &bram).await;
    let options = passkey::start_registration(&ctx, &bram, brams_session)
        .await
        .unwrap();
    let judiths_session = testing::complete_session(&ctx, &judith).await;
    passkey::start_registration(&ctx, &judith, judiths_session)
        .await
        .unwrap();
    let answer = brams_key.do_registration(origin(), options).unwrap();
    let refused =
        passkey::finish_registration(&ctx, &judith, judiths_session, &answer, "Van Bram", None)
            .await;
    assert_refused(refused);
    assert_eq!(passkey::passkeys(&ctx, judith.id).await.unwrap().len(), 1);
}

async fn only_the_owner_renames_or_removes_a_passkey_and_removal_is_logged_sec_33(
    backend: Backend,
) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let bram = testing::add_bram(&ctx).await;
    let added = add(&ctx, &judith, &mut authenticator(), "Telefoon").await;

    let refused = passkey::rename(&ctx, bram.id, added.id, "Van mij").await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    let refused = passkey::remove(&ctx, bram.id, added.id, None).await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");

    for bad in [
        "",
        "   ",
        &"x".repeat(passkey::MAX_NAME_CHARS + 1),
        "Tele\u{7}foon",
    ] {
        let refused = passkey::rename(&ctx, judith.id, added.id, bad).await;
        assert!(
            matches!(
                refused,
                Err(Error::Invalid(crate::error::Invalid::PasskeyName))
            ),
            "{bad:?}: {refused:?}"
        );
    }
    passkey::rename(&ctx, judith.id, added.id, "Werktelefoon")
        .await
        .unwrap();
    let keys = passkey::passkeys(&ctx, judith.id).await.unwrap();
    assert_eq!(keys[0].name, "Werktelefoon");

    passkey::remove(&ctx, judith.id, added.id, None)
        .await
        .unwrap();
    assert!(passkey::passkeys(&ctx, judith.id).await.unwrap().is_empty());
    let events = log::recent(&ctx, judith.id, 10).await.unwrap();
    assert_eq!(events[0].kind, log::Event::PasskeyRemoved);
    assert_eq!(events[0].detail.as_deref(), Some("Werktelefoon"));
    let nothing_to_sign_in_with =
        passkey::start_authentication(&ctx, judith.id, testing::login_attempt(&ctx, &judith).await)
            .await;
    assert_refused(nothing_to_sign_in_with);
}

async fn without_a_public_host_name_passkeys_are_not_offered_sec_33(backend: Backend) {
    for public_origin in [None, Some("http://127.0.0.1:3000")] {
        let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
            settings.public_origin = public_origin.map(str::to_owned);
        })
        .await;
        assert!(!passkey::available(&ctx), "{public_origin:?}");
        let judith = testing::add_judith(&ctx).await;
        let session = testing::complete_session(&ctx, &judith).await;
        let refused = passkey::start_registration(&ctx, &judith, session).await;
        assert!(
            matches!(refused, Err(Error::PasskeyUnavailable)),
            "{public_origin:?}: {refused:?}"
        );
    }
    let (ctx, _clock, _db, _judith) = setup(backend).await;
    assert!(passkey::available(&ctx));
}

async fn switching_off_and_the_helpdesk_reset_remove_the_passkeys(backend: Backend) {
    let (ctx, clock, _db, judith) = setup(backend).await;
    testing::enrol_app(&ctx, &clock, &judith).await;
    add(&ctx, &judith, &mut authenticator(), "Telefoon").await;
    super::disable::disable_two_factor(&ctx, judith.id, None)
        .await
        .unwrap();
    assert!(passkey::passkeys(&ctx, judith.id).await.unwrap().is_empty());

    let bram = testing::add_bram(&ctx).await;
    add(&ctx, &bram, &mut authenticator(), "Sleutel").await;
    crate::helpdesk::reset_two_factor(&ctx, bram.id, "beheer@example.nl", "Telefoon kwijt", None)
        .await
        .unwrap();
    assert!(passkey::passkeys(&ctx, bram.id).await.unwrap().is_empty());
}

/// Moves the stored sign counter of `added` far ahead, as if the real key had been used many
/// times since: the key in the test then answers as a copy made before would.
async fn count_ahead(ctx: &Context, added: &row::Model) {
    let mut stored: serde_json::Value = serde_json::from_str(&added.credential).unwrap();
    stored["cred"]["counter"] = serde_json::json!(1000);
    row::ActiveModel {
        id: Set(added.id),
        credential: Set(stored.to_string()),
        sign_count: Set(1000),
        ..Default::default()
    }
    .update(&ctx.db)
    .await
    .unwrap();
}

async fn a_copy_that_answers_a_ceremony_begun_before_the_last_sign_in_is_refused_sec_33(
    backend: Backend,
) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    let added = add(&ctx, &judith, &mut key, "Telefoon").await;
    // Someone with the password begins a sign-in; the library keeps the counter as it is now.
    let session = testing::login_attempt(&ctx, &judith).await;
    let options = passkey::start_authentication(&ctx, judith.id, session)
        .await
        .unwrap();
    // Meanwhile the real key counts on (the owner signs in elsewhere, many times).
    count_ahead(&ctx, &added).await;
    // The copy answers with a count above the ceremony's copy but below the latest.
    let answer = key.do_authentication(origin(), options).unwrap();
    let refused = passkey::finish_authentication(&ctx, judith.id, session, &answer, None).await;
    assert_refused(refused);
    let events = log::recent(&ctx, judith.id, 10).await.unwrap();
    assert_eq!(events[0].kind, log::Event::PasskeyCounterWentBack);
}

async fn of_two_finishes_with_one_answer_at_once_one_signs_in_sec_33(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let mut key = authenticator();
    add(&ctx, &judith, &mut key, "Telefoon").await;
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    let (first, second) = tokio::join!(
        passkey::finish_authentication(&ctx, judith.id, session, &answer, None),
        passkey::finish_authentication(&ctx, judith.id, session, &answer, None),
    );
    assert_eq!(
        [first.is_ok(), second.is_ok()]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1,
        "{first:?} {second:?}"
    );
    // Two starts at once in one session leave one ceremony, and no failure.
    let session = testing::login_attempt(&ctx, &judith).await;
    let (a, b) = tokio::join!(
        passkey::start_authentication(&ctx, judith.id, session),
        passkey::start_authentication(&ctx, judith.id, session),
    );
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
}

async fn a_user_has_at_most_ten_passkeys(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    for n in 0..passkey::MAX_PER_USER {
        add(&ctx, &judith, &mut authenticator(), &format!("Sleutel {n}")).await;
    }
    let session = testing::complete_session(&ctx, &judith).await;
    let refused = passkey::start_registration(&ctx, &judith, session).await;
    assert!(
        matches!(
            refused,
            Err(Error::Invalid(crate::error::Invalid::PasskeyLimit))
        ),
        "{refused:?}"
    );
}

/// Adding, removing and a counter that went back each tell the user by email, as every other
/// change to the sign-in does (the HTTP mail test names them until the passkey pages exist).
async fn every_passkey_event_queues_its_email_sec_21(backend: Backend) {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let (ctx, _clock, _db, _outbox) = testing::context_with_mail(backend, |settings| {
        settings.public_origin = Some(ORIGIN.to_owned());
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    let mut key = authenticator();
    let added = add(&ctx, &judith, &mut key, "Telefoon").await;
    count_ahead(&ctx, &added).await;
    let (session, answer) = sign_in_answer(&ctx, &judith, &mut key).await;
    passkey::finish_authentication(&ctx, judith.id, session, &answer, None)
        .await
        .unwrap_err();
    passkey::remove(&ctx, judith.id, added.id, None)
        .await
        .unwrap();
    let kinds: Vec<String> = crate::db::entity::mail::Entity::find()
        .filter(crate::db::entity::mail::Column::UserId.eq(judith.id))
        .order_by_asc(crate::db::entity::mail::Column::Id)
        .all(&ctx.db)
        .await
        .unwrap()
        .into_iter()
        .map(|mail| mail.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            log::Event::PasskeyAdded.kind(),
            log::Event::PasskeyCounterWentBack.kind(),
            log::Event::PasskeyRemoved.kind(),
        ]
    );
}

#[test]
fn a_known_authenticator_is_named_from_its_aaguid() {
    use serde_cbor_2::Value;
    use webauthn_rs::prelude::RegisterPublicKeyCredential;
    let answer_with = |aaguid: [u8; 16]| -> RegisterPublicKeyCredential {
        // RP ID hash (32), flags (1), counter (4), then the AAGUID.
        let mut auth_data = vec![0u8; 37];
        auth_data.extend_from_slice(&aaguid);
        auth_data.extend_from_slice(&[0, 0]);
        let object = Value::Map(
            [(Value::Text("authData".to_owned()), Value::Bytes(auth_data))]
                .into_iter()
                .collect(),
        );
        let object = serde_cbor_2::to_vec(&object).unwrap();
        use base64::Engine as _;
        let object = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(object);
        serde_json::from_value(serde_json::json!({
            "id": "AAAA",
            "rawId": "AAAA",
            "type": "public-key",
            "extensions": {},
            "response": {"attestationObject": object, "clientDataJSON": "AAAA"},
        }))
        .unwrap()
    };
    let yubikey = *webauthn_rs::prelude::Uuid::parse_str("cb69481e-8ff7-4039-93ec-0a2729a154a8")
        .unwrap()
        .as_bytes();
    assert_eq!(
        passkey::suggested_name(&answer_with(yubikey)),
        Some("YubiKey 5")
    );
    // A key that does not say what it is, and one not in the list.
    assert_eq!(passkey::suggested_name(&answer_with([0; 16])), None);
    assert_eq!(passkey::suggested_name(&answer_with([7; 16])), None);
}

async fn the_method_policy_is_enforced_on_the_server_sec_33(backend: Backend) {
    use super::methods::{MethodPolicy, SmsPolicy, may_choose};
    use super::{Method, enrolment, sms_enrolment};
    use crate::sms::PhoneNumber;
    let policy = |sms_policy, app| MethodPolicy {
        app,
        sms: true,
        passkey: true,
        sms_policy,
    };
    let number = PhoneNumber::parse("06 12345678").unwrap();
    for (sms_policy, with_passkey, sms_offered) in [
        (SmsPolicy::Allowed, false, true),
        (SmsPolicy::Fallback, false, false),
        (SmsPolicy::Fallback, true, true),
        (SmsPolicy::Off, true, false),
    ] {
        let (ctx, _clock, _db, _outbox) =
            testing::context_with_sms(backend, testing::roomy_sms_limits(), |settings| {
                settings.public_origin = Some(ORIGIN.to_owned());
                settings.methods = policy(sms_policy, false);
            })
            .await;
        let judith = testing::add_judith(&ctx).await;
        if with_passkey {
            add(&ctx, &judith, &mut authenticator(), "Telefoon").await;
        }
        let case = format!("{sms_policy:?}, with a passkey: {with_passkey}");
        assert_eq!(
            may_choose(&ctx, judith.id, Method::Sms).await.unwrap(),
            sms_offered,
            "{case}"
        );
        // The server refuses, whatever the page showed.
        let session = testing::complete_session(&ctx, &judith).await;
        let started = sms_enrolment::start_enrolment(&ctx, &judith, session, &number).await;
        if sms_offered {
            assert!(started.is_ok(), "{case}: {started:?}");
        } else {
            assert_eq!(started.err(), Some(Error::MethodNotOffered), "{case}");
        }
        // The app is not named in this installation's methods.
        assert!(!may_choose(&ctx, judith.id, Method::App).await.unwrap());
        assert_eq!(
            enrolment::start_app_enrolment(&ctx, &judith).await.err(),
            Some(Error::MethodNotOffered),
            "{case}"
        );
    }

    // Without passkeys among the methods, none is added.
    let (ctx, _clock, _db) = testing::context_with(backend, |settings| {
        settings.public_origin = Some(ORIGIN.to_owned());
        settings.methods.passkey = false;
    })
    .await;
    let judith = testing::add_judith(&ctx).await;
    let session = testing::complete_session(&ctx, &judith).await;
    assert_eq!(
        passkey::start_registration(&ctx, &judith, session)
            .await
            .err(),
        Some(Error::MethodNotOffered)
    );
}

async fn each_login_records_how_it_was_established_sec_34(backend: Backend) {
    use crate::accounts::{
        login,
        session::{self, Assurance},
    };
    let client = crate::client::ClientInfo::default();
    let (ctx, clock, _db, judith) = setup(backend).await;
    let tick = || clock.advance(Duration::seconds(1));
    let how_of = |token: session::SessionToken| {
        let ctx = ctx.clone();
        async move {
            session::resolve(&ctx, &token)
                .await
                .unwrap()
                .unwrap()
                .established_by
        }
    };
    let log_in = |remembered: Option<String>| {
        let (ctx, client) = (ctx.clone(), client.clone());
        async move {
            login::log_in(
                &ctx,
                None,
                testing::JUDITH_EMAIL,
                testing::JUDITH_PASSWORD.to_owned(),
                &client,
                remembered.as_deref(),
            )
            .await
            .unwrap()
            .0
        }
    };

    // Without a second step: the password alone.
    assert_eq!(how_of(log_in(None).await).await, Some(Assurance::Password));

    // With a passkey: none until the second step, then the passkey.
    tick();
    let mut key = authenticator();
    enrol(&ctx, &judith, &mut key).await;
    tick();
    let waiting = log_in(None).await;
    let waiting = session::resolve(&ctx, &waiting).await.unwrap().unwrap();
    assert_eq!(waiting.established_by, None);
    let options = passkey::start_authentication(&ctx, judith.id, waiting.id)
        .await
        .unwrap();
    let answer = key.do_authentication(origin(), options).unwrap();
    let passed = super::passkey_steps::pass_login(
        &ctx,
        &waiting,
        &answer,
        Some(testing::default_remember_length(&ctx)),
        &client,
    )
    .await
    .unwrap();
    assert_eq!(how_of(passed.session).await, Some(Assurance::Passkey));

    // On the remembered browser: "Onthoud mij".
    tick();
    let remembered = passed.remembered.unwrap().value().to_owned();
    assert_eq!(
        how_of(log_in(Some(remembered)).await).await,
        Some(Assurance::Remembered)
    );

    // The open logins name each, newest first (the wizard's own session among them); the one
    // still waiting is not among them.
    let open = session::open_logins(&ctx, judith.id, 10).await.unwrap();
    let hows: Vec<_> = open.iter().map(|row| row.established_by).collect();
    assert_eq!(
        hows,
        [
            Some(Assurance::Remembered),
            Some(Assurance::Passkey),
            Some(Assurance::Password),
            Some(Assurance::Password),
        ]
    );
}

// A user adds a first passkey in two tabs at the same moment: both ceremonies start before
// either is finished. Both keys get the same user handle, so that a sign-in by either finds the
// same user; another user's handle differs.
async fn two_first_passkeys_added_at_once_share_one_user_handle(backend: Backend) {
    let (ctx, _clock, _db, judith) = setup(backend).await;
    let (mut phone, mut laptop) = (authenticator(), authenticator());
    let (first_session, first) = registration(&ctx, &judith, &mut phone).await;
    let (second_session, second) = registration(&ctx, &judith, &mut laptop).await;
    let phone_row =
        passkey::finish_registration(&ctx, &judith, first_session, &first, "Telefoon", None)
            .await
            .expect("the first is added");
    let laptop_row =
        passkey::finish_registration(&ctx, &judith, second_session, &second, "Laptop", None)
            .await
            .expect("the second is added");
    assert_eq!(phone_row.user_handle, laptop_row.user_handle);
    let bram = testing::add_bram(&ctx).await;
    let bram_row = add(&ctx, &bram, &mut authenticator(), "Telefoon").await;
    assert_ne!(bram_row.user_handle, phone_row.user_handle);
}
