//! Email to users (SEC-21): a queue in the database and a worker that hands each mail to the
//! mail server (SMTP) or, in development, to an outbox file. Queueing is part of the user's
//! request; sending never is, and a failed send is tried again after a growing pause.

pub mod kick;
pub mod settings;
mod transport;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
    sea_query::{Expr, ExprTrait},
};

pub use crate::delivery::SendFailure;
use crate::{context::Context, db::entity::mail, error::Error};
pub use kick::Kick;
pub use settings::{
    MailProvider, MailSettings, Mailbox, Smtp, SmtpSecurity, is_ca_pem, is_loopback,
};

/// How often a failed mail is tried in all, and the pauses between the tries: about 17 hours
/// from the first try to the last.
pub const MAX_ATTEMPTS: i32 = 7;
const BACKOFF_MINUTES: [i64; 6] = [1, 5, 15, 60, 240, 720];
/// How long a worker owns a mail it is sending. Far longer than a send may take (the
/// timeout), so that two workers never send one mail; a worker that died mid-send leaves the
/// mail to be tried again after it.
const LEASE: Duration = Duration::minutes(10);
/// Mails one delivery run sends at most, so that a long queue does not starve the timer.
const BATCH: usize = 50;
/// How often the worker looks for mails that are due again.
pub const WORKER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// The pause after the given number of failed tries.
pub fn backoff(attempts: i32) -> Duration {
    let index = usize::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(BACKOFF_MINUTES.len() - 1);
    Duration::minutes(BACKOFF_MINUTES[index])
}

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub user_id: i32,
    /// The security event it tells about.
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Puts a mail in the queue, due now, inside the caller's transaction. The caller kicks the
/// worker after committing.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    mail: Outgoing,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    mail::ActiveModel {
        user_id: Set(mail.user_id),
        kind: Set(mail.kind),
        to_address: Set(mail.to),
        subject: Set(mail.subject.chars().take(200).collect()),
        body: Set(mail.body),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Failed, to be tried again later.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

impl Delivered {
    fn total(self) -> usize {
        self.sent + self.retrying + self.failed
    }
}

/// Sends the mails that are due, one at a time, each claimed first so that no other worker
/// (in this process or another) sends it too.
pub async fn deliver_due(ctx: &Context) -> Result<Delivered, Error> {
    let mut report = Delivered::default();
    let Some(provider) = ctx.settings.mail.provider.as_ref() else {
        return Ok(report);
    };
    while report.total() < BATCH {
        let Some(mail) = claim(ctx).await? else {
            break;
        };
        let outcome = transport::send(provider, &mail, ctx.now(), ctx.settings.mail.timeout).await;
        settle(ctx, &mail, outcome, &mut report).await?;
    }
    Ok(report)
}

/// The oldest due mail, now owned by this worker for the lease.
async fn claim(ctx: &Context) -> Result<Option<mail::Model>, Error> {
    for _ in 0..BATCH {
        let Some(candidate) = next_due(ctx).await? else {
            return Ok(None);
        };
        if let Some(mail) = take(ctx, candidate).await? {
            return Ok(Some(mail));
        }
        // Another worker took it a moment ago: look for the next one.
    }
    Ok(None)
}

async fn next_due(ctx: &Context) -> Result<Option<mail::Model>, Error> {
    mail::Entity::find()
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .filter(mail::Column::NextAttemptAt.lte(ctx.now()))
        .order_by_asc(mail::Column::NextAttemptAt)
        .order_by_asc(mail::Column::Id)
        .one(&ctx.db)
        .await
        .map_err(Error::from)
}

/// Compare-and-set on the number of attempts, which every claim raises: of two workers that
/// saw the same mail, only the first gets it.
async fn take(ctx: &Context, candidate: mail::Model) -> Result<Option<mail::Model>, Error> {
    let lease_end = ctx.now() + LEASE;
    let taken = mail::Entity::update_many()
        .col_expr(
            mail::Column::Attempts,
            Expr::col(mail::Column::Attempts).add(1),
        )
        .col_expr(mail::Column::NextAttemptAt, Expr::value(lease_end))
        .filter(mail::Column::Id.eq(candidate.id))
        .filter(mail::Column::Attempts.eq(candidate.attempts))
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .exec(&ctx.db)
        .await?;
    Ok((taken.rows_affected == 1).then(|| mail::Model {
        attempts: candidate.attempts + 1,
        next_attempt_at: lease_end,
        ..candidate
    }))
}

/// Records how the send went: sent, to be tried again after a pause, or given up.
async fn settle(
    ctx: &Context,
    mail: &mail::Model,
    outcome: Result<(), SendFailure>,
    report: &mut Delivered,
) -> Result<(), Error> {
    let now = ctx.now();
    let update = mail::Entity::update_many()
        .filter(mail::Column::Id.eq(mail.id))
        .filter(mail::Column::Attempts.eq(mail.attempts));
    let update = match &outcome {
        Ok(()) => {
            report.sent += 1;
            tracing::info!(
                mail_id = mail.id,
                user_id = mail.user_id,
                kind = %mail.kind,
                attempts = mail.attempts,
                "security email sent"
            );
            update
                .col_expr(mail::Column::SentAt, Expr::value(now))
                .col_expr(mail::Column::LastError, Expr::value(Option::<String>::None))
        }
        Err(failure) if failure.is_final() || mail.attempts >= MAX_ATTEMPTS => {
            report.failed += 1;
            crate::metrics::mail_failure(true);
            tracing::error!(
                mail_id = mail.id,
                user_id = mail.user_id,
                kind = %mail.kind,
                attempts = mail.attempts,
                error = failure.detail(),
                "a security email could not be delivered; given up"
            );
            update
                .col_expr(mail::Column::FailedAt, Expr::value(now))
                .col_expr(mail::Column::LastError, Expr::value(failure.detail()))
        }
        Err(failure) => {
            report.retrying += 1;
            crate::metrics::mail_failure(false);
            let retry_at = now + backoff(mail.attempts);
            tracing::warn!(
                mail_id = mail.id,
                user_id = mail.user_id,
                kind = %mail.kind,
                attempts = mail.attempts,
                error = failure.detail(),
                %retry_at,
                "a security email was not delivered; it is tried again later"
            );
            update
                .col_expr(mail::Column::NextAttemptAt, Expr::value(retry_at))
                .col_expr(mail::Column::LastError, Expr::value(failure.detail()))
        }
    };
    update.exec(&ctx.db).await?;
    Ok(())
}

/// Mails in the queue that are neither sent nor given up: for the operators' metrics.
pub async fn queue_depth(ctx: &Context) -> Result<u64, Error> {
    mail::Entity::find()
        .filter(mail::Column::SentAt.is_null())
        .filter(mail::Column::FailedAt.is_null())
        .count(&ctx.db)
        .await
        .map_err(Error::from)
}

/// The delivery worker: runs when a mail was queued (see `Kick`) and every
/// `WORKER_INTERVAL` for the retries. Started by the server.
pub fn spawn_worker(ctx: Context) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // A failure was logged with its cause; the next round tries again.
            let busy = deliver_due(&ctx)
                .await
                .is_ok_and(|report| report.total() >= BATCH);
            if busy {
                continue;
            }
            tokio::select! {
                () = ctx.mail_kick.wait() => {}
                () = tokio::time::sleep(WORKER_INTERVAL) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests;
