//! Switching two-step authentication off: by the user, and the removal of all of a user's
//! factors, which the helpdesk's reset shares.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::factor::is_enabled;
use crate::{
    audit::log,
    client::ClientInfo,
    context::Context,
    db::entity::{passkey, recovery_code, remembered_device, sms_code, two_factor},
    error::Error,
};

/// The factor, the passkeys, the recovery codes, the remembered browsers and pending SMS codes
/// of a user.
pub(crate) async fn remove_factors(
    txn: &sea_orm::DatabaseTransaction,
    user_id: i32,
) -> Result<(), Error> {
    two_factor::Entity::delete_many()
        .filter(two_factor::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    passkey::Entity::delete_many()
        .filter(passkey::Column::UserId.eq(user_id))
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
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::UserId.eq(user_id))
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
        return Err(Error::Forbidden);
    }
    let audited = log::Audited::begin(ctx).await?;
    remove_factors(audited.txn(), user_id).await?;
    audited
        .commit(user_id, log::Event::TwoFactorDisabled, None, client)
        .await?;
    tracing::info!(user_id, "two-step authentication disabled by the user");
    Ok(())
}
