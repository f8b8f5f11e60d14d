//! Setting up two-step authentication: the wizard's enrolment with the app and its QR step,
//! switching the factor on (for the app and for SMS) with its first recovery codes, and
//! finishing once the user has saved them.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait, sea_query::Expr,
};

use super::{
    Method,
    attempts::{record_failure, record_success, reserve_attempt},
    clock_drift,
    factor::{factor, seal_secret, secret_of},
    recovery,
    recovery_codes::{replace_recovery_codes, seal_codes},
    totp,
};
use crate::{
    accounts::users::User,
    audit::log,
    client::ClientInfo,
    context::Context,
    db::entity::{sms_code, two_factor},
    error::{Error, Invalid},
};

/// Starts enrolment with the app, or returns the enrolment already in progress: going back in
/// the wizard or reloading never makes a second secret behind the user's back.
pub async fn start_app_enrolment(ctx: &Context, user: &User) -> Result<two_factor::Model, Error> {
    if let Some(existing) = factor(ctx, user.id).await? {
        if existing.method == Method::App || existing.enabled_at.is_some() {
            return Ok(existing);
        }
        // The user went from SMS to the app before confirming the number.
        drop_enrolment(ctx, user.id).await?;
    }
    super::methods::require(ctx, user.id, Method::App).await?;
    let secret = totp::new_secret();
    let row = two_factor::ActiveModel {
        user_id: Set(user.id),
        method: Set(Method::App),
        secret_enc: Set(seal_secret(ctx, user.id, &secret)),
        created_at: Set(ctx.now()),
        enabled_at: Set(None),
        last_step: Set(None),
        pending_codes_enc: Set(None),
    };
    match row.insert(&ctx.db).await {
        Ok(row) => Ok(row),
        // Two tabs starting at once: the first one's secret is the one.
        Err(err) => match factor(ctx, user.id).await? {
            Some(existing) => Ok(existing),
            None => Err(Error::from(err)),
        },
    }
}

/// Drops the enrolment in progress, if any, with the codes sent for it: the wizard starts again
/// at the choice of method. An enabled factor is left alone.
pub async fn drop_enrolment(ctx: &Context, user_id: i32) -> Result<(), Error> {
    let txn = ctx.db.begin().await?;
    two_factor::Entity::delete_many()
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::EnabledAt.is_null())
        .exec(&txn)
        .await?;
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::UserId.eq(user_id))
        .filter(sms_code::Column::Purpose.eq(sms_code::Purpose::Enrol))
        .exec(&txn)
        .await?;
    txn.commit().await.map_err(Error::from)
}

/// What the wizard's QR step shows: only during enrolment (SEC-08).
pub struct EnrolmentKey {
    pub key_uri: String,
    pub secret_for_people: String,
    pub qr_svg: String,
}

pub fn enrolment_key(
    ctx: &Context,
    user: &User,
    row: &two_factor::Model,
) -> Result<EnrolmentKey, Error> {
    if row.enabled_at.is_some() || row.method != Method::App {
        return Err(Error::Forbidden);
    }
    key_to_scan(ctx, user, &secret_of(ctx, row)?)
}

/// The QR code and the key in text for `secret`: for enrolment and a change of method only.
pub fn key_to_scan(ctx: &Context, user: &User, secret: &[u8]) -> Result<EnrolmentKey, Error> {
    let key_uri = totp::key_uri(secret, &ctx.settings.platform_name, &user.email);
    let qr_svg = qrcode::QrCode::new(key_uri.as_bytes())
        .map_err(|err| Error::Internal(format!("the key URI does not fit in a QR code: {err}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inlined in the page: without the XML declaration.
    let qr_svg = match qr_svg.find("<svg") {
        Some(start) => qr_svg[start..].to_owned(),
        None => qr_svg,
    };
    Ok(EnrolmentKey {
        key_uri,
        secret_for_people: totp::secret_for_people(secret),
        qr_svg,
    })
}

/// The wizard's fourth step: a code from the app switches two-step authentication on.
pub async fn confirm_app_enrolment(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let code = totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
    let row = factor(ctx, user.id)
        .await?
        .filter(|row| row.method == Method::App)
        .ok_or(Error::Forbidden)?;
    if row.enabled_at.is_some() {
        return Ok(());
    }
    reserve_attempt(ctx, user.id, client).await?;
    let secret = secret_of(ctx, &row)?;
    let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp()) else {
        record_failure(ctx, user.id, client).await?;
        return Err(clock_drift::refusal(ctx, user.id, &secret, &code, client).await);
    };
    enable(
        ctx,
        user.id,
        Some(step),
        &row.secret_enc,
        "authenticatie-applicatie".to_owned(),
        client,
    )
    .await?;
    tracing::info!(user_id = user.id, "two-step authentication enabled (app)");
    Ok(())
}

/// Switches the enrolment in progress on, once, by whichever request gets here first, and
/// makes the recovery codes, which are kept (encrypted) until the user confirms saving them.
/// For the app, the step of the code that did it is spent (SEC-07).
/// Only the factor whose code was checked (`secret_enc`) is switched on: if another tab
/// replaced the enrolment meanwhile, nothing is. The request that switches it on logs it, in
/// the same transaction (SEC-21), as `how` ("authenticatie-applicatie", "SMS naar ...").
pub(crate) async fn enable(
    ctx: &Context,
    user_id: i32,
    step: Option<i64>,
    secret_enc: &str,
    how: String,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let codes = recovery::generate_set();
    let now = ctx.now();
    let audited = log::Audited::begin(ctx).await?;
    let enabled = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::EnabledAt, Expr::value(now))
        .col_expr(two_factor::Column::LastStep, Expr::value(step))
        .col_expr(
            two_factor::Column::PendingCodesEnc,
            Expr::value(seal_codes(ctx, user_id, &codes, None)),
        )
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::SecretEnc.eq(secret_enc))
        .filter(two_factor::Column::EnabledAt.is_null())
        .exec(audited.txn())
        .await?;
    if enabled.rows_affected == 1 {
        replace_recovery_codes(ctx, audited.txn(), user_id, &codes).await?;
        audited
            .commit(user_id, log::Event::TwoFactorEnabled, Some(how), client)
            .await?;
    } else {
        // Nothing was switched on here, so there is nothing to log.
        audited.rollback().await?;
        // Switched on already by a parallel request with the same code is fine; a factor that
        // was replaced meanwhile is not.
        let same = factor(ctx, user_id)
            .await?
            .is_some_and(|row| row.enabled_at.is_some() && row.secret_enc == secret_enc);
        if !same {
            return Err(Error::Forbidden);
        }
    }
    record_success(ctx, user_id).await
}

/// "Gedaan": the codes are no longer kept anywhere but as hashes.
pub async fn finish_enrolment(ctx: &Context, user_id: i32) -> Result<(), Error> {
    two_factor::Entity::update_many()
        .col_expr(
            two_factor::Column::PendingCodesEnc,
            Expr::value(Option::<String>::None),
        )
        .filter(two_factor::Column::UserId.eq(user_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
}
