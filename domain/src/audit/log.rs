//! Writing and reading the security log (SEC-21).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

pub use super::event::Event;
use crate::{
    client::ClientInfo,
    context::Context,
    db::entity::{security_event, user},
    error::Error,
};

/// Writes one entry and, when mail is configured, queues the email that tells the user, in
/// one transaction; the mail worker sends it in the background. `detail` must never hold a
/// code, a secret or a full phone number.
pub async fn record(
    ctx: &Context,
    user_id: i32,
    event: Event,
    detail: Option<String>,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let txn = ctx.db.begin().await?;
    let mailed = record_in(&txn, ctx, user_id, event, detail, client).await?;
    commit(ctx, txn, mailed).await
}

/// Commits a change together with the entry `record_in` wrote in its transaction, then wakes
/// the mail worker if the entry queued a mail.
pub async fn commit(
    ctx: &Context,
    txn: sea_orm::DatabaseTransaction,
    mailed: bool,
) -> Result<(), Error> {
    txn.commit().await?;
    if mailed {
        ctx.mail_kick.kick();
    }
    Ok(())
}

/// `record`, inside the caller's transaction: the entry (and its mail) is written with the
/// change it describes, or not at all. Returns whether a mail was queued; the caller kicks the
/// mail worker after committing (`ctx.mail_kick.kick()`).
pub async fn record_in(
    txn: &impl ConnectionTrait,
    ctx: &Context,
    user_id: i32,
    event: Event,
    detail: Option<String>,
    client: Option<&ClientInfo>,
) -> Result<bool, Error> {
    let detail: Option<String> = detail.map(|d| d.chars().take(200).collect());
    security_event::ActiveModel {
        user_id: Set(user_id),
        kind: Set(event),
        detail: Set(detail.clone()),
        ip_address: Set(client.and_then(|c| c.ip_address.clone())),
        user_agent: Set(client
            .and_then(|c| c.user_agent.as_ref())
            .map(|ua| ua.chars().take(512).collect())),
        created_at: Set(ctx.now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mailed = ctx.settings.mail.provider.is_some();
    if mailed {
        queue_mail(ctx, txn, user_id, event, detail.as_deref(), client).await?;
    }
    tracing::info!(user_id, event = %event.kind(), mailed, "security event");
    Ok(mailed)
}

async fn queue_mail(
    ctx: &Context,
    txn: &impl ConnectionTrait,
    user_id: i32,
    event: Event,
    detail: Option<&str>,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let user = user::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .ok_or(Error::Internal("a log entry for a user who does not exist"))?;
    let notice = super::notice::Notice {
        platform: &ctx.settings.platform_name,
        helpdesk: &ctx.settings.helpdesk,
        display_name: &user.display_name,
        event,
        detail,
        at: ctx.now(),
        client,
    };
    let mail = crate::mail::Outgoing {
        user_id,
        kind: event.kind(),
        to: user.email,
        subject: super::notice::subject(event),
        body: super::notice::body(&notice),
    };
    crate::mail::enqueue(txn, mail, ctx.now()).await
}

/// The newest entries first.
pub async fn recent(
    ctx: &Context,
    user_id: i32,
    limit: u64,
) -> Result<Vec<security_event::Model>, Error> {
    security_event::Entity::find()
        .filter(security_event::Column::UserId.eq(user_id))
        .order_by_desc(security_event::Column::CreatedAt)
        .order_by_desc(security_event::Column::Id)
        .limit(limit)
        .all(&ctx.db)
        .await
        .map_err(Error::from)
}
