//! The user's second factor as stored: reading it, whether it is on or still being enrolled,
//! and the authenticator app's secret, sealed and opened (SEC-08).

use sea_orm::EntityTrait;

use crate::{
    context::Context,
    crypto,
    db::entity::two_factor::{self, Method},
    error::Error,
};

pub async fn factor(ctx: &Context, user_id: i32) -> Result<Option<two_factor::Model>, Error> {
    two_factor::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await
        .map_err(Error::from)
}

/// Whether the user logs in with a second step.
pub async fn is_enabled(ctx: &Context, user_id: i32) -> Result<bool, Error> {
    Ok(factor(ctx, user_id)
        .await?
        .is_some_and(|f| f.enabled_at.is_some()))
}

/// The enrolment in progress with `method`, if there is one.
pub async fn pending_enrolment(
    ctx: &Context,
    user_id: i32,
    method: Method,
) -> Result<Option<two_factor::Model>, Error> {
    Ok(factor(ctx, user_id)
        .await?
        .filter(|row| row.enabled_at.is_none() && row.method == method))
}

fn secret_context(user_id: i32) -> String {
    format!("totp-secret:{user_id}")
}

pub(super) fn secret_of(ctx: &Context, row: &two_factor::Model) -> Result<Vec<u8>, Error> {
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
        Error::Internal(format!(
            "the TOTP secret of user {user_id} does not decrypt; was the key changed?"
        ))
    })
}
