//! Writing and reading the security log (SEC-21).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

pub use super::event::Event;
use crate::{
    client::ClientInfo,
    context::Context,
    db::entity::{security_event, user},
    error::Error,
};

/// Writes one entry and, when mail is configured (and the event is mailed), queues the email
/// that tells the user, in one transaction; the mail worker sends it in the background.
/// `detail` must never hold a code, a secret or a full phone number.
pub async fn record(
    ctx: &Context,
    user_id: i32,
    event: Event,
    detail: Option<String>,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    Audited::begin(ctx)
        .await?
        .commit(user_id, event, detail, client)
        .await
}

/// A change to an account's sign-in and its log entry, committed or rolled back together
/// (SEC-21): `begin` a transaction, make the change through `txn()`, then `commit` with the
/// entry, which writes it (and queues its mail) in the same transaction, commits, and wakes
/// the mail worker. There is no commit without an entry. Whatever does not get as far as
/// `commit` (an early return, a `?`, or `rollback` when nothing changed and there is nothing
/// to log) is rolled back: the change, the entry and its mail.
#[must_use = "a change is only kept by `commit`, with its log entry"]
pub struct Audited<'c> {
    ctx: &'c Context,
    txn: DatabaseTransaction,
}

impl<'c> Audited<'c> {
    pub async fn begin(ctx: &'c Context) -> Result<Self, Error> {
        Ok(Self {
            ctx,
            txn: ctx.db.begin().await?,
        })
    }

    /// The transaction the change is made in.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Writes the entry for `event` in the change's transaction and commits both; then wakes
    /// the mail worker if the entry queued a mail. `detail` must never hold a code, a secret
    /// or a full phone number.
    pub async fn commit(
        self,
        user_id: i32,
        event: Event,
        detail: Option<String>,
        client: Option<&ClientInfo>,
    ) -> Result<(), Error> {
        let mailed = record_in(&self.txn, self.ctx, user_id, event, detail, client).await?;
        self.txn.commit().await?;
        if mailed {
            self.ctx.mail_kick.kick();
        }
        Ok(())
    }

    /// Nothing changed, so there is nothing to log: the transaction ends without an entry.
    pub async fn rollback(self) -> Result<(), Error> {
        self.txn.rollback().await.map_err(Error::from)
    }
}

/// Writes the entry and, when mail is configured and the event is mailed, queues its mail, in
/// `txn`. Returns whether a mail was queued.
pub(crate) async fn record_in(
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
    let mailed = ctx.settings.mail.provider.is_some() && event.is_mailed();
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
        .ok_or_else(|| {
            Error::Internal(format!(
                "a log entry for user {user_id}, who does not exist"
            ))
        })?;
    let notice = super::notice::Notice {
        platform: &ctx.settings.platform_name,
        helpdesk: &ctx.settings.helpdesk,
        display_name: &user.display_name,
        event,
        detail,
        at: ctx.now(),
        client,
        lang: user.language.unwrap_or_default(),
    };
    let mail = crate::mail::Outgoing {
        user_id,
        kind: event.kind(),
        to: user.email,
        subject: super::notice::subject(event, notice.lang),
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
        // A kind this version does not know (written by a newer one) is left out, rather than
        // making the whole log fail to load.
        .filter(security_event::Column::Kind.is_in(Event::ALL))
        .order_by_desc(security_event::Column::CreatedAt)
        .order_by_desc(security_event::Column::Id)
        .limit(limit)
        .all(&ctx.db)
        .await
        .map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;
    use crate::testing::{self, Backend};

    crate::on_both_backends!(an_unknown_kind_does_not_break_the_log);

    async fn an_unknown_kind_does_not_break_the_log(backend: Backend) {
        let (ctx, _clock, _db) = testing::context(backend).await;
        let judith = testing::add_judith(&ctx).await;
        let audited = Audited::begin(&ctx).await.unwrap();
        audited
            .commit(judith.id, Event::PasswordChanged, None, None)
            .await
            .unwrap();
        let backend_kind = ctx.db.get_database_backend();
        let sql = match backend_kind {
            sea_orm::DatabaseBackend::Postgres => {
                "INSERT INTO security_events (user_id, kind, created_at) VALUES ($1, 'from_the_future', $2)"
            }
            _ => {
                "INSERT INTO security_events (user_id, kind, created_at) VALUES (?, 'from_the_future', ?)"
            }
        };
        ctx.db
            .execute_raw(Statement::from_sql_and_values(
                backend_kind,
                sql,
                [judith.id.into(), ctx.now().into()],
            ))
            .await
            .unwrap();
        let entries = recent(&ctx, judith.id, 20).await.unwrap();
        assert_eq!(
            entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![Event::PasswordChanged]
        );
    }
}
