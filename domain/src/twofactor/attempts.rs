//! The limit on second-step attempts and the lock after too many wrong codes (SEC-14), shared
//! by app codes, SMS codes and recovery codes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{audit::log, client::ClientInfo, context::Context, db::entity::user, error::Error};

/// Failed second-step attempts (app codes and recovery codes together) before the account's
/// second step is locked, and for how long (SEC-14).
pub const MAX_FAILED_ATTEMPTS: i32 = 10;

pub const LOCK_MINUTES: i64 = 15;

/// Whether the account's second step is locked now (SEC-14).
pub async fn is_locked(ctx: &Context, user_id: i32) -> Result<bool, Error> {
    Ok(user::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .and_then(|u| u.locked_until)
        .is_some_and(|until| until > ctx.now()))
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
        // When the lock ends, for whoever wants to say so; if it cannot be read, the lock's
        // own length from now is near enough, and the user still hears that it is locked.
        let until = user::Entity::find_by_id(user_id)
            .one(&ctx.db)
            .await
            .ok()
            .flatten()
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
        .await?;
    crate::metrics::lock("second_step");
    Ok(())
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

/// A right code, in the caller's transaction: the account's count starts again, in one
/// statement, unless the second step is locked or its allowance is used up. `false` when it
/// is: then the caller takes the careful way (`reserve_attempt`), which refuses and locks.
pub(crate) async fn reset_if_open(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    user_id: i32,
) -> Result<bool, DbErr> {
    let reset = user::Entity::update_many()
        .col_expr(user::Column::FailedAttempts, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user::Column::LockedUntil.is_null())
                        .add(user::Column::FailedAttempts.lt(MAX_FAILED_ATTEMPTS)),
                )
                // A lock that has run out starts a fresh count.
                .add(user::Column::LockedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(reset.rows_affected == 1)
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
