//! Retention (SEC-26): nothing secret or personal is kept longer than needed. One job, run by
//! every server instance every hour (and by `server maintenance`), removes in small batches what
//! no one needs any more: ended sessions, spent codes, expired browsers, old mails, and the
//! security log and SMS send records after the retention period.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
    sea_query::{LockBehavior, LockType},
};

use crate::{
    context::Context,
    db::entity::{
        mail, password_failure, password_lock, remembered_device, security_event, session,
        sms_code, sms_send,
    },
    error::Error,
    settings::Settings,
};

pub use crate::settings::DEFAULT_RETENTION_DAYS;
/// Never less than this, whatever the settings say: the SMS limits count the sends of the last
/// day, and the helpdesk needs recent history to help.
pub const MINIMUM_RETENTION_DAYS: i64 = 30;
/// Mails, sent or given up, are kept this long: enough to answer "did I get the email?".
pub const MAIL_KEPT_DAYS: i64 = 30;
/// A session goes this long after `accounts::session::resolve` stopped accepting it, so that a
/// request that accepted it a moment before (or an instance whose clock is a little behind)
/// never finds its row gone.
pub const SESSION_GRACE: Duration = Duration::minutes(5);
/// An unused code stays this long after it expired, so that whoever types it late is told that
/// it expired rather than that it is wrong. A used code goes at once: it is never read again.
pub const EXPIRED_CODE_KEPT: Duration = Duration::hours(1);
/// Rows one statement removes at most: short statements hold locks briefly, so logins carry on
/// while a large backlog is removed.
pub const BATCH: u64 = 500;
/// How often the server runs the job.
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// How many rows of each kind one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Ended and expired sessions, each with its codes and unfinished method change.
    pub sessions: u64,
    /// Used codes, and codes that expired over `EXPIRED_CODE_KEPT` ago (besides those that went
    /// with their session).
    pub sms_codes: u64,
    pub remembered_browsers: u64,
    pub mails: u64,
    pub sms_sends: u64,
    pub security_events: u64,
    /// Wrong passwords past the guessing limits' hour, and locks that ran out (SEC-25).
    pub password_attempts: u64,
}

impl Report {
    pub fn total(&self) -> u64 {
        self.sessions
            + self.sms_codes
            + self.remembered_browsers
            + self.mails
            + self.sms_sends
            + self.security_events
            + self.password_attempts
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "removed {} sessions, {} SMS codes, {} remembered browsers, {} mails, {} SMS send records, {} security log entries, {} wrong passwords and locks",
            self.sessions,
            self.sms_codes,
            self.remembered_browsers,
            self.mails,
            self.sms_sends,
            self.security_events,
            self.password_attempts
        )
    }
}

/// The moments before which each kind of row goes, from one reading of the clock.
#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    now: DateTime<Utc>,
    session_expired: DateTime<Utc>,
    session_idle: DateTime<Utc>,
    code_expired: DateTime<Utc>,
    mail: DateTime<Utc>,
    log: DateTime<Utc>,
}

impl Cutoffs {
    fn at(now: DateTime<Utc>, settings: &Settings) -> Self {
        Self {
            now,
            session_expired: now - SESSION_GRACE,
            session_idle: now - settings.session_idle - SESSION_GRACE,
            code_expired: now - EXPIRED_CODE_KEPT,
            mail: now - Duration::days(MAIL_KEPT_DAYS),
            log: now - retention_period(settings),
        }
    }
}

/// The configured retention period, never below the minimum.
pub fn retention_period(settings: &Settings) -> Duration {
    settings
        .retention
        .max(Duration::days(MINIMUM_RETENTION_DAYS))
}

/// One run: removes every row that is due, batch by batch. Safe to run on several instances at
/// once: on PostgreSQL each batch takes only rows no other run holds (`SKIP LOCKED`), and
/// SQLite runs one writer at a time.
pub async fn run_once(ctx: &Context) -> Result<Report, Error> {
    let at = Cutoffs::at(ctx.now(), &ctx.settings);
    let db = &ctx.db;
    // Codes first, so that the count says how many went for their own sake; the sessions then
    // take the codes and method changes bound to them along (ON DELETE CASCADE).
    let sms_codes = remove::<sms_code::Entity>(
        db,
        sms_code::Column::Id,
        Condition::any()
            .add(sms_code::Column::UsedAt.is_not_null())
            .add(sms_code::Column::ExpiresAt.lte(at.code_expired)),
    )
    .await?;
    // The same two ends as `session::resolve`, each a grace later.
    let sessions = remove::<session::Entity>(
        db,
        session::Column::Id,
        Condition::any()
            .add(session::Column::ExpiresAt.lte(at.session_expired))
            .add(session::Column::LastSeenAt.lte(at.session_idle)),
    )
    .await?;
    // `twofactor::remembered` accepts a browser only while `expires_at` is still ahead.
    let remembered_browsers = remove::<remembered_device::Entity>(
        db,
        remembered_device::Column::Id,
        Condition::all().add(remembered_device::Column::ExpiresAt.lte(at.now)),
    )
    .await?;
    let mails = remove::<mail::Entity>(
        db,
        mail::Column::Id,
        Condition::any()
            .add(mail::Column::SentAt.lt(at.mail))
            .add(mail::Column::FailedAt.lt(at.mail)),
    )
    .await?;
    let sms_sends = remove::<sms_send::Entity>(
        db,
        sms_send::Column::Id,
        Condition::all().add(sms_send::Column::CreatedAt.lt(at.log)),
    )
    .await?;
    let security_events = remove::<security_event::Entity>(
        db,
        security_event::Column::Id,
        Condition::all().add(security_event::Column::CreatedAt.lt(at.log)),
    )
    .await?;
    // The guessing limits (SEC-25) look back one hour; a lock that ran out holds nothing.
    let password_attempts = remove::<password_failure::Entity>(
        db,
        password_failure::Column::Id,
        Condition::all().add(
            password_failure::Column::CreatedAt.lte(at.now - crate::accounts::guessing::WINDOW),
        ),
    )
    .await?
        + remove::<password_lock::Entity>(
            db,
            password_lock::Column::Key,
            Condition::all().add(password_lock::Column::LockedUntil.lte(at.now)),
        )
        .await?;
    let report = Report {
        sessions,
        sms_codes,
        remembered_browsers,
        mails,
        sms_sends,
        security_events,
        password_attempts,
    };
    tracing::info!(
        sessions,
        sms_codes,
        remembered_browsers,
        mails,
        sms_sends,
        security_events,
        password_attempts,
        retention_days = retention_period(&ctx.settings).num_days(),
        "retention: old rows removed (SEC-26)"
    );
    Ok(report)
}

/// Removes the rows of `E` that match `due`, at most `BATCH` per statement, until a batch comes
/// back short. Each batch is
/// `DELETE FROM t WHERE id IN (SELECT id FROM t WHERE due LIMIT 500 FOR UPDATE SKIP LOCKED)`
/// on PostgreSQL, without the lock clause on SQLite (which has no row locks and writes one
/// statement at a time). A batch is short only when fewer rows were due and free: the rows it
/// skipped are held by another run, which removes them, or by a request, and then the next run
/// takes them.
async fn remove<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    due: Condition,
) -> Result<u64, Error> {
    let mut removed = 0;
    loop {
        let done = batch::<E>(id, due.clone()).exec(db).await?.rows_affected;
        removed += done;
        if done < BATCH {
            return Ok(removed);
        }
    }
}

/// One batch's statement.
fn batch<E: EntityTrait>(id: E::Column, due: Condition) -> sea_orm::DeleteMany<E> {
    let due_ids = E::find()
        .select_only()
        .column(id)
        .filter(due)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_query();
    E::delete_many().filter(id.in_subquery(due_ids))
}

/// The job in the background (`periodic::spawn`): shortly after startup, then every `INTERVAL`.
pub fn spawn_worker(ctx: Context) -> tokio::task::JoinHandle<()> {
    crate::periodic::spawn(ctx, INTERVAL, "retention", |ctx| async move {
        run_once(&ctx).await
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod statement {
    use sea_orm::{DbBackend, QueryTrait};

    use super::*;

    /// On PostgreSQL a batch takes only rows no other run holds; SQLite, which has no row
    /// locks, gets the same statement without the clause it does not know.
    #[test]
    fn a_batch_skips_rows_another_run_holds_sec_26() {
        let due = Condition::all().add(security_event::Column::CreatedAt.lt(Utc::now()));
        let postgres = batch::<security_event::Entity>(security_event::Column::Id, due.clone())
            .build(DbBackend::Postgres)
            .to_string();
        assert!(
            postgres.starts_with(r#"DELETE FROM "security_events" WHERE "security_events"."id" IN (SELECT "security_events"."id" FROM "security_events" WHERE "security_events"."created_at" < "#),
            "{postgres}"
        );
        assert!(
            postgres.ends_with("LIMIT 500 FOR UPDATE SKIP LOCKED)"),
            "{postgres}"
        );
        let sqlite = batch::<security_event::Entity>(security_event::Column::Id, due)
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(
            sqlite.contains("LIMIT 500") && !sqlite.contains("FOR UPDATE"),
            "{sqlite}"
        );
    }
}
