//! The second step at login with a code from the authenticator app: the current or previous
//! code, each time step once (SEC-06, SEC-07).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{
    Method,
    attempts::{record_failure, record_success, reserve_attempt},
    factor::{factor, secret_of},
    totp,
};
use crate::{
    accounts::users::User,
    client::ClientInfo,
    context::Context,
    db::entity::two_factor,
    error::{Error, Invalid},
};

/// The second step with a code from the app: the current or previous code, each time step at
/// most once (SEC-06, SEC-07), counted against the account's attempts (SEC-14).
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
