//! Setting up two-step authentication with SMS, as the wizard does: the number, a code to it,
//! another code, and the code that switches SMS on. Enrolment with the app, and switching the
//! factor on for both methods, are in `enrolment`.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::{Method, enrolment, factor};
use crate::{
    accounts::users::User,
    client::ClientInfo,
    context::Context,
    db::entity::{sms_code, two_factor},
    error::Error,
    sms::{self, PhoneNumber, Purpose},
};

/// The wizard with SMS: the number is kept (encrypted) as an enrolment in progress and a code
/// goes to it. Only a code from that message switches SMS on (SEC-11).
pub async fn start_enrolment(
    ctx: &Context,
    user: &User,
    session_id: i32,
    number: &PhoneNumber,
) -> Result<(), Error> {
    if !sms::available(ctx) {
        return Err(Error::SmsUnavailable);
    }
    if factor::is_enabled(ctx, user.id).await? {
        return Err(Error::Forbidden);
    }
    super::methods::require(ctx, user.id, Method::Sms).await?;
    let txn = ctx.db.begin().await?;
    two_factor::Entity::delete_many()
        .filter(two_factor::Column::UserId.eq(user.id))
        .filter(two_factor::Column::EnabledAt.is_null())
        .exec(&txn)
        .await?;
    // Codes sent for an earlier number, in any session, no longer count.
    sms_code::Entity::delete_many()
        .filter(sms_code::Column::UserId.eq(user.id))
        .filter(sms_code::Column::Purpose.eq(Purpose::Enrol))
        .exec(&txn)
        .await?;
    two_factor::ActiveModel {
        user_id: Set(user.id),
        method: Set(Method::Sms),
        secret_enc: Set(sms::seal_number(ctx, user.id, number)),
        created_at: Set(ctx.now()),
        enabled_at: Set(None),
        last_step: Set(None),
        pending_codes_enc: Set(None),
    }
    .insert(&txn)
    .await
    // Another tab switched two-step authentication on meanwhile.
    .map_err(|_| Error::Forbidden)?;
    txn.commit().await?;
    sms::send_code(ctx, user.id, session_id, Purpose::Enrol, number).await
}

/// Another code for the enrolment in progress.
pub async fn resend_enrolment_code(
    ctx: &Context,
    user: &User,
    session_id: i32,
) -> Result<(), Error> {
    let row = factor::pending_enrolment(ctx, user.id, Method::Sms)
        .await?
        .ok_or(Error::Forbidden)?;
    let number = sms::number_of(ctx, &row)?;
    sms::send_code(ctx, user.id, session_id, Purpose::Enrol, &number).await
}

/// The code from the enrolment message switches two-step authentication on with SMS.
pub async fn confirm_enrolment(
    ctx: &Context,
    user: &User,
    session_id: i32,
    input: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let row = factor::pending_enrolment(ctx, user.id, Method::Sms)
        .await?
        .ok_or(Error::Forbidden)?;
    let number = sms::number_of(ctx, &row)?;
    sms::verify_code_for(
        ctx,
        user,
        session_id,
        Purpose::Enrol,
        &number,
        input,
        client,
    )
    .await?;
    // Only the number the code went to is switched on.
    let how = format!("SMS naar {}", number.masked());
    enrolment::enable(ctx, user.id, None, &row.secret_enc, how, client).await?;
    tracing::info!(user_id = user.id, "two-step authentication enabled (SMS)");
    Ok(())
}
