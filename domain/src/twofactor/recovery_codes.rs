//! The account's recovery codes as stored: a new set replaces the old one (SEC-13), new codes
//! are kept (encrypted) until the user has saved them, and each code logs in once (SEC-12).
//! Their format is in `recovery`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, sea_query::Expr};

use super::{
    attempts::{record_failure, record_success, reserve_attempt},
    factor::is_enabled,
    recovery,
};
use crate::{
    accounts::users::User,
    audit::log,
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::{recovery_code, two_factor},
    error::{Error, Invalid},
};

fn codes_context(user_id: i32) -> String {
    format!("recovery-codes:{user_id}")
}

/// How long new recovery codes can be shown again (to a session whose password is fresh) before
/// "Gedaan": after that they are dropped, and a new set is the way to see codes again.
pub const PENDING_CODES_MINUTES: i64 = 15;

/// New recovery codes as kept until the user has saved them: encrypted, bound to the user, with
/// the time they were made and, for a new set made in the settings, the session that made it:
/// only that session is shown them. The wizard's codes name no session, so that a wizard
/// interrupted (a crash, a closed browser) shows them again after the next login.
pub(super) fn seal_codes(
    ctx: &Context,
    user_id: i32,
    codes: &[String],
    made_in: Option<i32>,
) -> String {
    let made = match made_in {
        Some(session) => format!("{} {session}", ctx.now().timestamp()),
        None => ctx.now().timestamp().to_string(),
    };
    let plain = format!("{made}\n{}", codes.join("\n"));
    crypto::seal(
        &ctx.settings.secret_key,
        &codes_context(user_id),
        plain.as_bytes(),
    )
}

pub(super) async fn replace_recovery_codes(
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
/// to be shown once, and only to the session `session_id` that made them.
pub async fn regenerate_recovery_codes(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    client: Option<&ClientInfo>,
) -> Result<Vec<String>, Error> {
    if !is_enabled(ctx, user_id).await? {
        return Err(Error::Forbidden);
    }
    let codes = recovery::generate_set();
    let audited = log::Audited::begin(ctx).await?;
    replace_recovery_codes(ctx, audited.txn(), user_id, &codes).await?;
    // Kept (encrypted) until the user confirms saving them, as in the wizard.
    two_factor::Entity::update_many()
        .col_expr(
            two_factor::Column::PendingCodesEnc,
            Expr::value(seal_codes(ctx, user_id, &codes, Some(session_id))),
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
    open_pending(ctx, row).map(|pending| pending.codes)
}

/// New codes as sealed: the codes, and the session they belong to, if one.
struct Pending {
    codes: Vec<String>,
    made_in: Option<i32>,
}

fn open_pending(ctx: &Context, row: &two_factor::Model) -> Option<Pending> {
    let sealed = row.pending_codes_enc.as_deref()?;
    let plain = crypto::open(
        &ctx.settings.secret_key,
        &codes_context(row.user_id),
        sealed,
    )?;
    let plain = String::from_utf8_lossy(&plain);
    let mut lines = plain.lines();
    let mut first = lines.next()?.split(' ');
    let made = first
        .next()
        .and_then(|seconds| seconds.parse::<i64>().ok())
        .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0))?;
    let made_in = match first.next() {
        Some(session) => Some(session.parse::<i32>().ok()?),
        None => None,
    };
    if ctx.now() - made >= Duration::minutes(PENDING_CODES_MINUTES) {
        return None;
    }
    Some(Pending {
        codes: lines.map(str::to_owned).collect(),
        made_in,
    })
}

/// The recovery codes waiting to be saved, to show to the session `session_id` (behind a fresh
/// password, which the caller checks). A new set made in the settings is shown only to the
/// session that made it. Codes past `PENDING_CODES_MINUTES` are dropped here, so that from then
/// on they exist only as hashes; a set made meanwhile by another request stays
/// (compare-and-set).
pub async fn codes_to_show(
    ctx: &Context,
    row: &two_factor::Model,
    session_id: i32,
) -> Result<Option<Vec<String>>, Error> {
    let Some(sealed) = row.pending_codes_enc.as_deref() else {
        return Ok(None);
    };
    match open_pending(ctx, row) {
        Some(Pending { made_in, .. }) if made_in.is_some_and(|made_in| made_in != session_id) => {
            return Ok(None);
        }
        Some(pending) => return Ok(Some(pending.codes)),
        None => {}
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

pub async fn recovery_codes_left(ctx: &Context, user_id: i32) -> Result<u64, Error> {
    recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(&ctx.db)
        .await
        .map_err(Error::from)
}

/// The second step with a recovery code: spent by exactly one request (SEC-12). Returns how
/// many are left.
pub async fn use_recovery_code(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<u64, Error> {
    let result = spend_recovery_code(ctx, user, input, client).await;
    crate::metrics::second_step("recovery", &result);
    result
}

async fn spend_recovery_code(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<u64, Error> {
    let code = recovery::normalize(input).ok_or(Error::Invalid(Invalid::RecoveryCodeFormat))?;
    if !is_enabled(ctx, user.id).await? {
        return Err(Error::Forbidden);
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
