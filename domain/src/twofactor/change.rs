//! "Methode wijzigen" on the server. The new factor waits in `factor_changes` until a code
//! confirms it; until then the old one keeps working for login. Then, in one transaction, the
//! new factor takes the old one's place only if the old one is still the one in use, so that a
//! switch-off, a helpdesk reset or another tab in between is never overwritten.

use chrono::Duration;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Expr,
};

use crate::{
    accounts::users::User,
    audit::log,
    client::ClientInfo,
    context::Context,
    db::entity::{factor_change, sms_code, two_factor},
    error::{Error, Invalid},
    sms::{self, PhoneNumber, Purpose},
    twofactor::{Method, attempts, clock_drift, factor, totp},
};

/// How long a change waits for its code; an older one is ignored and replaced.
pub const PENDING_VALID_MINUTES: i64 = 60;

/// The factor in use: a change needs one.
async fn in_use(ctx: &Context, user_id: i32) -> Result<two_factor::Model, Error> {
    factor::factor(ctx, user_id)
        .await?
        .filter(|row| row.enabled_at.is_some())
        .ok_or(Error::Forbidden)
}

/// The change this session has in progress, if it is recent and was started while the factor
/// in use was (a switch-off and a new enrolment in between leave an older change behind).
pub async fn pending(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
) -> Result<Option<factor_change::Model>, Error> {
    let Some(enabled_at) = factor::factor(ctx, user_id)
        .await?
        .and_then(|row| row.enabled_at)
    else {
        return Ok(None);
    };
    let now = ctx.now();
    Ok(factor_change::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .filter(|row| {
            row.session_id == session_id
                && row.created_at >= enabled_at
                && now - row.created_at < Duration::minutes(PENDING_VALID_MINUTES)
        }))
}

/// The new app's secret, for the QR step: only while the change is pending (SEC-08).
pub fn new_secret(ctx: &Context, row: &factor_change::Model) -> Result<Vec<u8>, Error> {
    if row.method != Method::App {
        return Err(Error::Forbidden);
    }
    factor::open_secret(ctx, row.user_id, &row.secret_enc)
}

/// The new number, for the SMS code step.
pub fn new_number(ctx: &Context, row: &factor_change::Model) -> Result<PhoneNumber, Error> {
    if row.method != Method::Sms {
        return Err(Error::Forbidden);
    }
    sms::open_number(ctx, row.user_id, &row.secret_enc)
}

async fn drop_pending(txn: &DatabaseTransaction, user_id: i32) -> Result<(), Error> {
    factor_change::Entity::delete_by_id(user_id)
        .exec(txn)
        .await?;
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::UserId.eq(user_id))
        .filter(sms_code::Column::Purpose.eq(Purpose::Change))
        .exec(txn)
        .await?;
    Ok(())
}

/// "Annuleren" and "Andere methode kiezen": the change in progress and its codes go; the
/// factor in use stays.
pub async fn cancel(ctx: &Context, user_id: i32) -> Result<(), Error> {
    let txn = ctx.db.begin().await?;
    drop_pending(&txn, user_id).await?;
    txn.commit().await.map_err(Error::from)
}

/// Keeps `secret_enc` as the user's change in progress, in place of any earlier one.
async fn keep_pending(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    method: Method,
    secret_enc: String,
) -> Result<factor_change::Model, Error> {
    let txn = ctx.db.begin().await?;
    drop_pending(&txn, user_id).await?;
    let inserted = factor_change::ActiveModel {
        user_id: Set(user_id),
        session_id: Set(session_id),
        method: Set(method),
        secret_enc: Set(secret_enc),
        created_at: Set(ctx.now()),
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(row) => {
            txn.commit().await?;
            Ok(row)
        }
        // Two tabs starting at once: the first one's change is the one.
        Err(err) => {
            txn.rollback().await?;
            match pending(ctx, user_id, session_id).await? {
                Some(row) if row.method == method => Ok(row),
                _ => Err(Error::from(err)),
            }
        }
    }
}

/// A new authenticator app (instead of SMS, or on a new phone): a new secret, kept as the
/// change in progress. This session's change to an app, if there is one, is returned as it
/// is, so that a reload shows the same key.
pub async fn start_app(
    ctx: &Context,
    user: &User,
    session_id: i32,
) -> Result<factor_change::Model, Error> {
    in_use(ctx, user.id).await?;
    super::methods::require(ctx, user.id, Method::App).await?;
    if let Some(row) = pending(ctx, user.id, session_id)
        .await?
        .filter(|row| row.method == Method::App)
    {
        return Ok(row);
    }
    let secret = totp::new_secret();
    keep_pending(
        ctx,
        user.id,
        session_id,
        Method::App,
        factor::seal_secret(ctx, user.id, &secret),
    )
    .await
}

/// SMS to `number` (instead of the app, or another number): kept as the change in progress,
/// and a code goes to it (SEC-11). A problem with sending is returned with the change kept, so
/// that the code step can offer to send again.
pub async fn start_sms(
    ctx: &Context,
    user: &User,
    session_id: i32,
    number: &PhoneNumber,
) -> Result<(), Error> {
    if !sms::available(ctx) {
        return Err(Error::SmsUnavailable);
    }
    in_use(ctx, user.id).await?;
    super::methods::require(ctx, user.id, Method::Sms).await?;
    keep_pending(
        ctx,
        user.id,
        session_id,
        Method::Sms,
        sms::seal_number(ctx, user.id, number),
    )
    .await?;
    sms::send_code(ctx, user.id, session_id, Purpose::Change, number).await
}

/// "Code opnieuw versturen" for the new number, within the usual limits (SEC-10).
pub async fn resend_sms(ctx: &Context, user: &User, session_id: i32) -> Result<(), Error> {
    let row = pending(ctx, user.id, session_id)
        .await?
        .ok_or(Error::Forbidden)?;
    let number = new_number(ctx, &row)?;
    sms::send_code(ctx, user.id, session_id, Purpose::Change, &number).await
}

/// The code from the new app or the SMS to the new number: counted against the account's
/// attempts (SEC-14); when it is right the new factor replaces the old one, and the change is
/// logged with `client` (SEC-21).
pub async fn confirm(
    ctx: &Context,
    user: &User,
    session_id: i32,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let row = pending(ctx, user.id, session_id)
        .await?
        .ok_or(Error::Forbidden)?;
    let old = in_use(ctx, user.id).await?;
    let step = if row.method == Method::App {
        let code = totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
        attempts::reserve_attempt(ctx, user.id, client).await?;
        let secret = new_secret(ctx, &row)?;
        let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp()) else {
            attempts::record_failure(ctx, user.id, client).await?;
            return Err(clock_drift::refusal(ctx, user.id, &secret, &code, client).await);
        };
        attempts::record_success(ctx, user.id).await?;
        Some(step)
    } else {
        let number = new_number(ctx, &row)?;
        sms::verify_code_for(
            ctx,
            user,
            session_id,
            Purpose::Change,
            &number,
            input,
            client,
        )
        .await?;
        None
    };
    replace(ctx, &old, &row, step, client).await
}

/// A factor as the security log names it: the number only masked, never a secret.
fn describe(ctx: &Context, user_id: i32, method: Method, secret_enc: &str) -> String {
    match method {
        Method::Sms => match sms::open_number(ctx, user_id, secret_enc) {
            Ok(number) => format!("SMS ({})", number.masked()),
            Err(_) => "SMS".to_owned(),
        },
        Method::App => "app".to_owned(),
        Method::Passkey => "passkey".to_owned(),
    }
}

/// In one transaction: the new factor takes the place of `old`, if `old` is still the factor in
/// use (compare-and-set on its secret) and `new` is still the change in progress. Codes sent
/// for the old factor or the change are dropped, and the change is logged. For an app, the
/// step of the code that confirmed it is spent (SEC-07). Recovery codes and remembered
/// browsers stay.
pub(super) async fn replace(
    ctx: &Context,
    old: &two_factor::Model,
    new: &factor_change::Model,
    step: Option<i64>,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let user_id = old.user_id;
    let to = describe(ctx, user_id, new.method, &new.secret_enc);
    let detail = match describe(ctx, user_id, old.method, &old.secret_enc) {
        from if old.method == Method::App && new.method == Method::App => {
            format!("van {from} naar nieuwe app")
        }
        from => format!("van {from} naar {to}"),
    };
    let audited = log::Audited::begin(ctx).await?;
    let replaced = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::Method, Expr::value(new.method))
        .col_expr(
            two_factor::Column::SecretEnc,
            Expr::value(new.secret_enc.clone()),
        )
        .col_expr(two_factor::Column::LastStep, Expr::value(step))
        .col_expr(two_factor::Column::EnabledAt, Expr::value(ctx.now()))
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::SecretEnc.eq(old.secret_enc.clone()))
        .filter(two_factor::Column::EnabledAt.is_not_null())
        .exec(audited.txn())
        .await?;
    let taken = factor_change::Entity::delete_many()
        .filter(factor_change::Column::UserId.eq(user_id))
        .filter(factor_change::Column::SessionId.eq(new.session_id))
        .filter(factor_change::Column::SecretEnc.eq(new.secret_enc.clone()))
        .exec(audited.txn())
        .await?;
    if replaced.rows_affected != 1 || taken.rows_affected != 1 {
        audited.rollback().await?;
        tracing::info!(
            user_id,
            "method change refused: the factor or the change was replaced meanwhile"
        );
        return Err(Error::Forbidden);
    }
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::UserId.eq(user_id))
        .exec(audited.txn())
        .await?;
    audited
        .commit(user_id, log::Event::MethodChanged, Some(detail), client)
        .await?;
    tracing::info!(user_id, method = %new.method.to_value(), "two-step method changed");
    Ok(())
}
