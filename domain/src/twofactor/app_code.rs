//! The second step at login with a code from the authenticator app: the current or previous
//! code, each time step once (SEC-06, SEC-07).

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr,
};

use super::{
    Method, attempts,
    attempts::{record_failure, record_success, reserve_attempt},
    clock_drift,
    factor::{factor, secret_of},
    remembered::{self, RememberFor, RememberToken},
    totp,
};
use crate::{
    accounts::{
        session::{self, ActiveSession, SessionToken},
        users::User,
    },
    client::ClientInfo,
    context::Context,
    db::entity::two_factor,
    error::{Error, Invalid},
};

/// The second step with a code from the app: the current or previous code, each time step at
/// most once (SEC-06, SEC-07), counted against the account's attempts (SEC-14). A wrong code
/// that is a nearby step's is refused as `ClockDrift` (`clock_drift`).
pub async fn verify_app_code(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let result = check(ctx, user, input, client).await;
    crate::metrics::second_step("app", &result);
    result
}

async fn check(
    ctx: &Context,
    user: &User,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let code = totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
    let row = factor(ctx, user.id)
        .await?
        .filter(|row| row.enabled_at.is_some() && row.method == Method::App)
        .ok_or(Error::Forbidden)?;
    reserve_attempt(ctx, user.id, client).await?;
    let secret = secret_of(ctx, &row)?;
    let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp()) else {
        record_failure(ctx, user.id, client).await?;
        return Err(clock_drift::refusal(ctx, user.id, &secret, &code, client).await);
    };
    if !spend_step(&ctx.db, user.id, step).await? {
        record_failure(ctx, user.id, client).await?;
        return Err(Error::CodeRejected);
    }
    record_success(ctx, user.id).await
}

/// Marks `step` as used: only a step newer than the last one used, so that of parallel
/// submissions one wins, and no older code works once a newer one was used.
async fn spend_step(
    db: &impl ConnectionTrait,
    user_id: i32,
    step: i64,
) -> Result<bool, sea_orm::DbErr> {
    let spent = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::LastStep, Expr::value(step))
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(
            sea_orm::Condition::any()
                .add(two_factor::Column::LastStep.is_null())
                .add(two_factor::Column::LastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(spent.rows_affected == 1)
}

/// What a passed second step at login gives the browser: the complete session's token and,
/// with "Onthoud mij", the remembered browser's.
pub struct Passed {
    pub session: SessionToken,
    pub remembered: Option<RememberToken>,
}

/// The second step at login with the app's code (`factor` is the user's, as read for the
/// request). A right code takes one transaction: the step is spent (SEC-07), the account's count
/// starts again (SEC-14), the session is completed under a new id (SEC-03) and, with "Onthoud
/// mij", the browser is remembered (SEC-19). Anything else (a wrong or replayed code, a lock, a
/// parallel submission that won) takes the careful way of `verify_app_code`, which counts the
/// attempt, refuses and locks as it always did.
pub async fn pass_login(
    ctx: &Context,
    session: &ActiveSession,
    factor: &two_factor::Model,
    input: &str,
    remember: Option<RememberFor>,
    client: &ClientInfo,
) -> Result<Passed, Error> {
    let result = pass(ctx, session, factor, input, remember, client).await;
    crate::metrics::second_step("app", &result);
    result
}

async fn pass(
    ctx: &Context,
    session: &ActiveSession,
    factor: &two_factor::Model,
    input: &str,
    remember: Option<RememberFor>,
    client: &ClientInfo,
) -> Result<Passed, Error> {
    let code = totp::normalize(input).ok_or(Error::Invalid(Invalid::CodeFormat))?;
    if factor.user_id != session.user.id
        || factor.enabled_at.is_none()
        || factor.method != Method::App
    {
        return Err(Error::Forbidden);
    }
    let secret = secret_of(ctx, factor)?;
    if let Some(step) = totp::matching_step(&secret, &code, ctx.now().timestamp())
        && let Some(passed) = pass_at_once(ctx, session, step, remember, client).await?
    {
        return Ok(passed);
    }
    check(ctx, &session.user, input, Some(client)).await?;
    let session = session::complete(ctx, session, client, session::Assurance::App)
        .await?
        .ok_or(Error::NotLoggedIn)?;
    let remembered = match remember {
        Some(length) => {
            Some(remembered::remember_browser(ctx, factor.user_id, length, client).await?)
        }
        None => None,
    };
    Ok(Passed {
        session,
        remembered,
    })
}

/// A right code's effects in one transaction; `None` (and nothing written) when one of them
/// cannot be made as it stands: the caller then goes the careful way.
async fn pass_at_once(
    ctx: &Context,
    session: &ActiveSession,
    step: i64,
    remember: Option<RememberFor>,
    client: &ClientInfo,
) -> Result<Option<Passed>, Error> {
    let now = ctx.now();
    let user_id = session.user.id;
    let txn = ctx.db.begin().await?;
    if !attempts::reset_if_open(&txn, now, user_id).await?
        || !spend_step(&txn, user_id, step).await?
    {
        txn.rollback().await?;
        return Ok(None);
    }
    let Some(token) =
        session::complete_in(&txn, ctx, session, client, session::Assurance::App).await?
    else {
        // Logged out in another tab meanwhile: the code does not bring the session back.
        txn.rollback().await?;
        return Err(Error::NotLoggedIn);
    };
    let (remembered, mailed) = match remember {
        Some(length) => {
            let (token, mailed) =
                remembered::remember_in(&txn, ctx, user_id, length, client).await?;
            (Some(token), mailed)
        }
        None => (None, false),
    };
    txn.commit().await?;
    if mailed {
        ctx.mail_kick.kick();
    }
    Ok(Some(Passed {
        session: token,
        remembered,
    }))
}
