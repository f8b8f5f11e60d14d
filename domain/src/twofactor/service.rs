//! Two-step authentication on the server: enrolment, the second step at login with app codes
//! and recovery codes, attempt limits, and remembered browsers.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use sha2::{Digest, Sha256};

use super::{Method, recovery, totp};
use crate::{
    accounts::users::User,
    audit::log,
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::{recovery_code, remembered_device, two_factor, user},
    error::{Error, Invalid},
};

/// Failed second-step attempts (app codes and recovery codes together) before the account's
/// second step is locked, and for how long (SEC-14).
pub const MAX_FAILED_ATTEMPTS: i32 = 10;
pub const LOCK_MINUTES: i64 = 15;
pub const REMEMBER_COOKIE: &str = "tweestap_onthouden";

fn secret_context(user_id: i32) -> String {
    format!("totp-secret:{user_id}")
}

fn codes_context(user_id: i32) -> String {
    format!("recovery-codes:{user_id}")
}

/// How long new recovery codes can be shown again (to a session whose password is fresh) before
/// "Gedaan": after that they are dropped, and a new set is the way to see codes again.
pub const PENDING_CODES_MINUTES: i64 = 15;

/// New recovery codes as kept until the user has saved them: encrypted, bound to the user, with
/// the time they were made.
fn seal_codes(ctx: &Context, user_id: i32, codes: &[String]) -> String {
    let plain = format!("{}\n{}", ctx.now().timestamp(), codes.join("\n"));
    crypto::seal(
        &ctx.settings.secret_key,
        &codes_context(user_id),
        plain.as_bytes(),
    )
}

pub async fn factor(ctx: &Context, user_id: i32) -> Result<Option<two_factor::Model>, Error> {
    two_factor::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await
        .map_err(Error::from)
}

/// Whether the account's second step is locked now (SEC-14).
pub async fn is_locked(ctx: &Context, user_id: i32) -> Result<bool, Error> {
    Ok(user::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .and_then(|u| u.locked_until)
        .is_some_and(|until| until > ctx.now()))
}

/// Whether the user logs in with a second step.
pub async fn is_enabled(ctx: &Context, user_id: i32) -> Result<bool, Error> {
    Ok(factor(ctx, user_id)
        .await?
        .is_some_and(|f| f.enabled_at.is_some()))
}

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
    crate::db::entity::sms_code::Entity::delete_many()
        .filter(crate::db::entity::sms_code::Column::UserId.eq(user_id))
        .filter(
            crate::db::entity::sms_code::Column::Purpose
                .eq(crate::db::entity::sms_code::Purpose::Enrol),
        )
        .exec(&txn)
        .await?;
    txn.commit().await.map_err(Error::from)
}

fn secret_of(ctx: &Context, row: &two_factor::Model) -> Result<Vec<u8>, Error> {
    open_secret(ctx, row.user_id, &row.secret_enc)
}

/// A TOTP secret as an app factor's `secret_enc` holds it: encrypted, bound to its user.
pub(crate) fn seal_secret(ctx: &Context, user_id: i32, secret: &[u8]) -> String {
    crypto::seal(&ctx.settings.secret_key, &secret_context(user_id), secret)
}

pub(crate) fn open_secret(ctx: &Context, user_id: i32, secret_enc: &str) -> Result<Vec<u8>, Error> {
    crypto::open(
        &ctx.settings.secret_key,
        &secret_context(user_id),
        secret_enc,
    )
    .ok_or_else(|| {
        tracing::error!(
            user_id,
            "a TOTP secret does not decrypt; was the key changed?"
        );
        Error::Internal("a TOTP secret does not decrypt")
    })
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
        return Err(Error::NotAllowed);
    }
    key_to_scan(ctx, user, &secret_of(ctx, row)?)
}

/// The QR code and the key in text for `secret`: for enrolment and a change of method only.
pub fn key_to_scan(ctx: &Context, user: &User, secret: &[u8]) -> Result<EnrolmentKey, Error> {
    let key_uri = totp::key_uri(secret, &ctx.settings.platform_name, &user.email);
    let qr_svg = qrcode::QrCode::new(key_uri.as_bytes())
        .map_err(|_| Error::Internal("the key URI does not fit in a QR code"))?
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
        .ok_or(Error::NotAllowed)?;
    if row.enabled_at.is_some() {
        return Ok(());
    }
    reserve_attempt(ctx, user.id, client).await?;
    let secret = secret_of(ctx, &row)?;
    let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp()) else {
        record_failure(ctx, user.id, client).await?;
        return Err(Error::CodeRejected);
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
            Expr::value(seal_codes(ctx, user_id, &codes)),
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
            return Err(Error::NotAllowed);
        }
    }
    record_success(ctx, user_id).await
}

async fn replace_recovery_codes(
    ctx: &Context,
    txn: &sea_orm::DatabaseTransaction,
    user_id: i32,
    codes: &[String],
) -> Result<(), Error> {
    // The whole previous set stops working (SEC-13).
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    let now = ctx.now();
    let rows = codes.iter().map(|code| recovery_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(recovery_hash(ctx, code)),
        created_at: Set(now),
        used_at: Set(None),
        ..Default::default()
    });
    recovery_code::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// A new set of recovery codes replaces the old one entirely (SEC-13). Returns the new codes,
/// to be shown once.
pub async fn regenerate_recovery_codes(
    ctx: &Context,
    user_id: i32,
    client: Option<&ClientInfo>,
) -> Result<Vec<String>, Error> {
    if !is_enabled(ctx, user_id).await? {
        return Err(Error::NotAllowed);
    }
    let codes = recovery::generate_set();
    let audited = log::Audited::begin(ctx).await?;
    replace_recovery_codes(ctx, audited.txn(), user_id, &codes).await?;
    // Kept (encrypted) until the user confirms saving them, as in the wizard.
    two_factor::Entity::update_many()
        .col_expr(
            two_factor::Column::PendingCodesEnc,
            Expr::value(seal_codes(ctx, user_id, &codes)),
        )
        .filter(two_factor::Column::UserId.eq(user_id))
        .exec(audited.txn())
        .await?;
    audited
        .commit(user_id, log::Event::RecoveryCodesRegenerated, None, client)
        .await?;
    tracing::info!(user_id, "recovery codes regenerated");
    Ok(codes)
}

fn recovery_hash(ctx: &Context, code: &str) -> String {
    let normalized = recovery::normalize(code).unwrap_or_default();
    crypto::keyed_hash(&ctx.settings.secret_key, "recovery-code", &normalized)
}

/// The recovery codes waiting to be saved, if the wizard's last step is still open and they were
/// made less than `PENDING_CODES_MINUTES` ago. The caller shows them only behind a fresh
/// password, so that a session found open later cannot read them.
pub fn pending_codes(ctx: &Context, row: &two_factor::Model) -> Option<Vec<String>> {
    let sealed = row.pending_codes_enc.as_deref()?;
    let plain = crypto::open(
        &ctx.settings.secret_key,
        &codes_context(row.user_id),
        sealed,
    )?;
    let plain = String::from_utf8_lossy(&plain);
    let mut lines = plain.lines();
    let made = lines
        .next()
        .and_then(|line| line.parse::<i64>().ok())
        .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0))?;
    if ctx.now() - made >= Duration::minutes(PENDING_CODES_MINUTES) {
        return None;
    }
    Some(lines.map(str::to_owned).collect())
}

/// The recovery codes waiting to be saved, to show (behind a fresh password, which the caller
/// checks). Codes past `PENDING_CODES_MINUTES` are dropped here, so that from then on they exist
/// only as hashes; a set made meanwhile by another request stays (compare-and-set).
pub async fn codes_to_show(
    ctx: &Context,
    row: &two_factor::Model,
) -> Result<Option<Vec<String>>, Error> {
    let Some(sealed) = row.pending_codes_enc.as_deref() else {
        return Ok(None);
    };
    if let Some(codes) = pending_codes(ctx, row) {
        return Ok(Some(codes));
    }
    two_factor::Entity::update_many()
        .col_expr(
            two_factor::Column::PendingCodesEnc,
            Expr::value(Option::<String>::None),
        )
        .filter(two_factor::Column::UserId.eq(row.user_id))
        .filter(two_factor::Column::PendingCodesEnc.eq(sealed))
        .exec(&ctx.db)
        .await?;
    Ok(None)
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

pub async fn recovery_codes_left(ctx: &Context, user_id: i32) -> Result<u64, Error> {
    recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(&ctx.db)
        .await
        .map_err(Error::from)
}

/// The second step with a code from the app: the current or previous code, each time step at
/// most once (SEC-06, SEC-07), counted against the account's attempts (SEC-14).
pub async fn verify_app_code(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let code = totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
    let row = factor(ctx, user.id)
        .await?
        .filter(|row| row.enabled_at.is_some() && row.method == Method::App)
        .ok_or(Error::NotAllowed)?;
    reserve_attempt(ctx, user.id, client).await?;
    let secret = secret_of(ctx, &row)?;
    let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp()) else {
        record_failure(ctx, user.id, client).await?;
        return Err(Error::CodeRejected);
    };
    // Only a step newer than the last one used: one winner under parallel submissions, and
    // no going back to an older code once a newer one was used.
    let spent = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::LastStep, Expr::value(step))
        .filter(two_factor::Column::UserId.eq(user.id))
        .filter(
            sea_orm::Condition::any()
                .add(two_factor::Column::LastStep.is_null())
                .add(two_factor::Column::LastStep.lt(step)),
        )
        .exec(&ctx.db)
        .await?;
    if spent.rows_affected != 1 {
        record_failure(ctx, user.id, client).await?;
        return Err(Error::CodeRejected);
    }
    record_success(ctx, user.id).await
}

/// The second step with a recovery code: spent by exactly one request (SEC-12). Returns how
/// many are left.
pub async fn use_recovery_code(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<u64, Error> {
    let code = recovery::normalize(input).ok_or(Error::Invalid(Invalid::RecoveryCodeFormat))?;
    if !is_enabled(ctx, user.id).await? {
        return Err(Error::NotAllowed);
    }
    reserve_attempt(ctx, user.id, client).await?;
    let hash = crypto::keyed_hash(&ctx.settings.secret_key, "recovery-code", &code);
    let audited = log::Audited::begin(ctx).await?;
    let spent = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(ctx.now()))
        .filter(recovery_code::Column::UserId.eq(user.id))
        .filter(recovery_code::Column::CodeHash.eq(hash))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(audited.txn())
        .await?;
    if spent.rows_affected != 1 {
        audited.rollback().await?;
        record_failure(ctx, user.id, client).await?;
        return Err(Error::RecoveryCodeRejected);
    }
    // The code is spent together with its log entry (SEC-21), or not at all.
    let left = recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user.id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(audited.txn())
        .await?;
    audited
        .commit(
            user.id,
            log::Event::RecoveryCodeUsed,
            Some(format!("nog {left} over")),
            client,
        )
        .await?;
    record_success(ctx, user.id).await?;
    tracing::info!(user_id = user.id, "logged in with a recovery code");
    Ok(left)
}

/// Takes one attempt from the account's allowance before a code is checked, so that parallel
/// guesses cannot get past the limit; refuses while the account is locked, even a right code.
/// `client` is where the attempt comes from, for the lock's log entry.
pub(crate) async fn reserve_attempt(
    ctx: &Context,
    user_id: i32,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let now = ctx.now();
    // A lock that has run out starts a fresh count.
    user::Entity::update_many()
        .col_expr(user::Column::FailedAttempts, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::LockedUntil.lte(now))
        .exec(&ctx.db)
        .await?;
    let reserved = user::Entity::update_many()
        .col_expr(
            user::Column::FailedAttempts,
            Expr::col(user::Column::FailedAttempts).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::FailedAttempts.lt(MAX_FAILED_ATTEMPTS))
        .filter(user::Column::LockedUntil.is_null())
        .exec(&ctx.db)
        .await?;
    if reserved.rows_affected == 1 {
        Ok(())
    } else {
        lock(ctx, user_id, client).await?;
        let until = user::Entity::find_by_id(user_id)
            .one(&ctx.db)
            .await?
            .and_then(|user| user.locked_until)
            .unwrap_or(now + Duration::minutes(LOCK_MINUTES));
        Err(Error::Locked { until })
    }
}

/// Locks the second step, once: the request that does it writes the log entry, with where the
/// attempt came from.
async fn lock(ctx: &Context, user_id: i32, client: Option<&ClientInfo>) -> Result<(), Error> {
    let audited = log::Audited::begin(ctx).await?;
    let locked = user::Entity::update_many()
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(ctx.now() + Duration::minutes(LOCK_MINUTES)),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::LockedUntil.is_null())
        .exec(audited.txn())
        .await?;
    if locked.rows_affected != 1 {
        // Locked already, by a parallel request that logs it.
        return audited.rollback().await;
    }
    tracing::warn!(user_id, "second step locked after too many failed attempts");
    audited
        .commit(
            user_id,
            log::Event::Locked,
            Some(format!("{LOCK_MINUTES} minuten")),
            client,
        )
        .await
}

/// The attempt was wrong: it stays counted, and the last one allowed locks the account.
pub(crate) async fn record_failure(
    ctx: &Context,
    user_id: i32,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    tracing::info!(user_id, "second step refused");
    let row = user::Entity::find_by_id(user_id).one(&ctx.db).await?;
    if row.is_some_and(|u| u.failed_attempts >= MAX_FAILED_ATTEMPTS) {
        lock(ctx, user_id, client).await?;
    }
    Ok(())
}

pub(crate) async fn record_success(ctx: &Context, user_id: i32) -> Result<(), Error> {
    user::Entity::update_many()
        .col_expr(user::Column::FailedAttempts, Expr::value(0))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::LockedUntil.is_null())
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// "Niet nu" at the introduction: counted for the helpdesk's overview.
pub async fn defer(ctx: &Context, user_id: i32) -> Result<(), Error> {
    user::Entity::update_many()
        .col_expr(
            user::Column::Deferrals,
            Expr::col(user::Column::Deferrals).add(1),
        )
        .col_expr(user::Column::LastDeferredAt, Expr::value(ctx.now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// A random token for "Onthoud mij" (SEC-19); the database keeps its hash, user and expiry.
pub struct RememberToken(String);

impl RememberToken {
    pub fn from_cookie(value: &str) -> Option<Self> {
        crate::accounts::session::is_token_shaped(value).then(|| Self(value.to_owned()))
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    pub fn cookie(&self, max_age: Duration) -> String {
        format!(
            "{REMEMBER_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
            self.0,
            max_age.num_seconds()
        )
    }
}

/// "Onthoud mij": a new token for this browser (`client`), stored as a hash with its expiry, and
/// logged with it in one transaction.
pub async fn remember_browser(
    ctx: &Context,
    user_id: i32,
    client: &ClientInfo,
) -> Result<RememberToken, Error> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let token = RememberToken(URL_SAFE_NO_PAD.encode(crypto::os_random::<32>()));
    let now = ctx.now();
    let audited = log::Audited::begin(ctx).await?;
    remembered_device::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token.hash()),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + ctx.settings.remember_for),
        user_agent: Set(client
            .user_agent
            .as_ref()
            .map(|ua| ua.chars().take(512).collect())),
        ..Default::default()
    }
    .insert(audited.txn())
    .await?;
    audited
        .commit(user_id, log::Event::DeviceRemembered, None, Some(client))
        .await?;
    Ok(token)
}

/// Whether this browser's token spares `user_id` the second step: the token must be this
/// user's, unexpired and not revoked.
pub async fn is_remembered(
    ctx: &Context,
    user_id: i32,
    token: &RememberToken,
) -> Result<bool, Error> {
    let now = ctx.now();
    let used = remembered_device::Entity::update_many()
        .col_expr(remembered_device::Column::LastUsedAt, Expr::value(now))
        .filter(remembered_device::Column::TokenHash.eq(token.hash()))
        .filter(remembered_device::Column::UserId.eq(user_id))
        .filter(remembered_device::Column::ExpiresAt.gt(now))
        .exec(&ctx.db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// The browsers that still spare this user the code, newest first.
pub async fn remembered_devices(
    ctx: &Context,
    user_id: i32,
) -> Result<Vec<remembered_device::Model>, Error> {
    use sea_orm::QueryOrder;
    remembered_device::Entity::find()
        .filter(remembered_device::Column::UserId.eq(user_id))
        .filter(remembered_device::Column::ExpiresAt.gt(ctx.now()))
        .order_by_desc(remembered_device::Column::CreatedAt)
        .all(&ctx.db)
        .await
        .map_err(Error::from)
}

/// "Vergeten": one of the user's own remembered browsers (`device_id`), or all of them; another
/// user's browser is never touched. Logged when it forgot any; returns how many.
pub async fn forget_devices(
    ctx: &Context,
    user_id: i32,
    device_id: Option<i32>,
    client: Option<&ClientInfo>,
) -> Result<u64, Error> {
    let mut delete = remembered_device::Entity::delete_many()
        .filter(remembered_device::Column::UserId.eq(user_id));
    if let Some(id) = device_id {
        delete = delete.filter(remembered_device::Column::Id.eq(id));
    }
    let audited = log::Audited::begin(ctx).await?;
    let forgotten = delete.exec(audited.txn()).await?.rows_affected;
    if forgotten == 0 {
        // Nothing forgotten, nothing to log.
        audited.rollback().await?;
        return Ok(0);
    }
    let detail = if device_id.is_some() {
        "één apparaat".to_owned()
    } else {
        format!("alle apparaten ({forgotten})")
    };
    audited
        .commit(user_id, log::Event::DeviceForgotten, Some(detail), client)
        .await?;
    Ok(forgotten)
}

impl RememberToken {
    /// Whether this token is the one stored as `token_hash`: the browser asking.
    pub fn is(&self, token_hash: &str) -> bool {
        self.hash() == token_hash
    }
}

/// The factor, the recovery codes, the remembered browsers and pending SMS codes of a user.
pub(crate) async fn remove_factors(
    txn: &sea_orm::DatabaseTransaction,
    user_id: i32,
) -> Result<(), Error> {
    two_factor::Entity::delete_many()
        .filter(two_factor::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    remembered_device::Entity::delete_many()
        .filter(remembered_device::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    crate::db::entity::sms_code::Entity::delete_many()
        .filter(crate::db::entity::sms_code::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// "Twee-staps-authenticatie uitschakelen", by the user, outside the mandatory period (the
/// caller checks): the factors go, the sessions stay.
pub async fn disable_two_factor(
    ctx: &Context,
    user_id: i32,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    if !is_enabled(ctx, user_id).await? {
        return Err(Error::NotAllowed);
    }
    let audited = log::Audited::begin(ctx).await?;
    remove_factors(audited.txn(), user_id).await?;
    audited
        .commit(user_id, log::Event::TwoFactorDisabled, None, client)
        .await?;
    tracing::info!(user_id, "two-step authentication disabled by the user");
    Ok(())
}
