//! The helpdesk's questions to the database: the rollout in numbers, finding a user, one
//! user's two-step state, and lifting a lock.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, Func, Query},
};

use crate::{
    accounts::{email::Email, guessing},
    audit::log::{self, Event},
    client::ClientInfo,
    context::Context,
    db::entity::{passkey, remembered_device, two_factor, user, user::Role},
    error::{Error, Invalid},
    sms,
    twofactor::{Method, factor, recovery_codes},
};

pub mod history;

/// How many users a search shows at most.
pub const SEARCH_LIMIT: u64 = 25;
/// The longest search text.
pub const MAX_SEARCH: usize = 100;

/// The rollout among professionals, counted in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutCounts {
    pub professionals: u64,
    pub with_app: u64,
    pub with_sms: u64,
    /// Professionals whose method is passkeys alone.
    pub with_passkey: u64,
    /// Professionals with at least one passkey, whatever their method.
    pub having_passkeys: u64,
    /// Professionals who chose "Niet nu" at least once, and how often in all.
    pub deferred_users: u64,
    pub deferrals: i64,
    /// Professionals without a login since the optional period began (or ever).
    pub not_logged_in_since_start: u64,
}

/// Midnight in Amsterdam at the start of `day`, in UTC.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Amsterdam
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc))
}

fn professionals() -> Condition {
    Condition::all().add(user::Column::Role.eq(Role::Professional))
}

async fn enabled_professionals_with(ctx: &Context, method: Method) -> Result<u64, Error> {
    two_factor::Entity::find()
        .filter(two_factor::Column::EnabledAt.is_not_null())
        .filter(two_factor::Column::Method.eq(method))
        .filter(
            two_factor::Column::UserId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .cond_where(professionals())
                    .to_owned(),
            ),
        )
        .count(&ctx.db)
        .await
        .map_err(Error::from)
}

pub async fn rollout_counts(ctx: &Context) -> Result<RolloutCounts, Error> {
    let started = start_of(ctx.settings.rollout.optional_from);
    let count = |condition: Condition| async move {
        user::Entity::find()
            .filter(professionals().add(condition))
            .count(&ctx.db)
            .await
            .map_err(Error::from)
    };
    let deferrals: Option<i64> = user::Entity::find()
        .select_only()
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::col(user::Column::Deferrals)),
                Alias::new("bigint"),
            )),
            "total",
        )
        .filter(professionals())
        .into_tuple()
        .one(&ctx.db)
        .await?
        .flatten();
    Ok(RolloutCounts {
        professionals: count(Condition::all()).await?,
        with_app: enabled_professionals_with(ctx, Method::App).await?,
        with_sms: enabled_professionals_with(ctx, Method::Sms).await?,
        with_passkey: enabled_professionals_with(ctx, Method::Passkey).await?,
        having_passkeys: count(
            Condition::all().add(
                user::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(passkey::Column::UserId)
                        .from(passkey::Entity)
                        .to_owned(),
                ),
            ),
        )
        .await?,
        deferred_users: count(Condition::all().add(user::Column::Deferrals.gt(0))).await?,
        deferrals: deferrals.unwrap_or(0),
        not_logged_in_since_start: count(
            Condition::any()
                .add(user::Column::LastLoginAt.is_null())
                .add(user::Column::LastLoginAt.lt(started)),
        )
        .await?,
    })
}

/// Whole days from today (Amsterdam) until the mandatory date; zero once it has come.
pub fn days_until_mandatory(ctx: &Context) -> i64 {
    let today = crate::twofactor::policy::local_date(ctx.now());
    (ctx.settings.rollout.mandatory_from - today)
        .num_days()
        .max(0)
}

/// Users whose name or email address contains `query`, case-insensitively, by name.
pub async fn search(ctx: &Context, query: &str) -> Result<Vec<user::Model>, Error> {
    let query = query.trim();
    if query.is_empty() || query.chars().count() > MAX_SEARCH || query.chars().any(char::is_control)
    {
        return Err(Error::Invalid(Invalid::SearchInvalid));
    }
    // LIKE's own wildcards in the text are searched for as they are.
    let escaped = query
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    use sea_orm::sea_query::ExprTrait as _;
    let like = |column: user::Column| {
        Expr::expr(Func::lower(Expr::col(column)))
            .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
    };
    user::Entity::find()
        .filter(
            Condition::any()
                .add(like(user::Column::Email))
                .add(like(user::Column::DisplayName)),
        )
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .limit(SEARCH_LIMIT)
        .all(&ctx.db)
        .await
        .map_err(Error::from)
}

/// One user's two-step state, as the helpdesk sees it.
#[derive(Debug, Clone)]
pub struct UserState {
    pub user: user::Model,
    /// The enabled factor, if any.
    pub factor: Option<two_factor::Model>,
    /// The masked number, for SMS.
    pub sms_number: Option<String>,
    /// An enrolment started but not finished.
    pub enrolling: bool,
    pub codes_left: u64,
    pub remembered_devices: u64,
    /// The user's passkeys, oldest first: the helpdesk sees names and dates.
    pub passkeys: Vec<passkey::Model>,
    pub locked_until: Option<DateTime<Utc>>,
    /// Until when the password step is locked after too many wrong passwords (SEC-25).
    pub password_locked_until: Option<DateTime<Utc>>,
}

pub async fn user_state(ctx: &Context, user_id: i32) -> Result<UserState, Error> {
    let user = user::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .ok_or(Error::Invalid(Invalid::UserUnknown))?;
    let row = factor::factor(ctx, user_id).await?;
    let enrolling = row.as_ref().is_some_and(|row| row.enabled_at.is_none());
    let factor = row.filter(|row| row.enabled_at.is_some());
    let sms_number = match &factor {
        Some(row) if row.method == Method::Sms => Some(sms::number_of(ctx, row)?.masked()),
        _ => None,
    };
    let remembered_devices = remembered_device::Entity::find()
        .filter(remembered_device::Column::UserId.eq(user_id))
        .filter(remembered_device::Column::ExpiresAt.gt(ctx.now()))
        .count(&ctx.db)
        .await?;
    let locked_until = user.locked_until.filter(|until| *until > ctx.now());
    let password_locked_until = password_locked_until(ctx, &user).await?;
    Ok(UserState {
        password_locked_until,
        codes_left: recovery_codes::recovery_codes_left(ctx, user_id).await?,
        user,
        factor,
        sms_number,
        enrolling,
        remembered_devices,
        passkeys: crate::twofactor::passkey::passkeys(ctx, user_id).await?,
        locked_until,
    })
}

/// Until when `user` is refused at the password step after too many wrong passwords (SEC-25).
pub async fn password_locked_until(
    ctx: &Context,
    user: &user::Model,
) -> Result<Option<DateTime<Utc>>, Error> {
    match Email::parse(&user.email) {
        Ok(email) => guessing::account_locked_until(ctx, &email).await,
        Err(_) => Ok(None),
    }
}

/// Lifts the locks on the password step (SEC-25) and on the second step (SEC-14) before they
/// run out, and starts fresh counts. Each lock lifted is logged with the admin and the reason.
/// Returns whether there was a lock to lift.
pub async fn lift_lock(
    ctx: &Context,
    user_id: i32,
    by: &str,
    reason_input: &str,
    client: Option<&ClientInfo>,
) -> Result<bool, Error> {
    let reason = helpdesk_reason(reason_input)?;
    let user = user::Entity::find_by_id(user_id)
        .one(&ctx.db)
        .await?
        .ok_or(Error::Invalid(Invalid::UserUnknown))?;
    // The password lock is kept per address: one that no longer parses has none.
    let password_lifted = match Email::parse(&user.email) {
        Ok(email) => lift_audited(ctx, user_id, Lock::Password(&email), by, reason, client).await?,
        Err(_) => false,
    };
    let second_step_lifted =
        lift_audited(ctx, user_id, Lock::SecondStep, by, reason, client).await?;
    Ok(password_lifted || second_step_lifted)
}

/// A lock the helpdesk lifts.
#[derive(Clone, Copy)]
enum Lock<'a> {
    /// Too many wrong passwords for this address (SEC-25).
    Password(&'a Email),
    /// Too many wrong codes at the second step (SEC-14).
    SecondStep,
}

impl Lock<'_> {
    /// Lifts the lock in `txn`; whether there was one.
    async fn lift(
        self,
        ctx: &Context,
        txn: &DatabaseTransaction,
        user_id: i32,
    ) -> Result<bool, Error> {
        match self {
            Lock::Password(email) => guessing::lift_account_lock(ctx, txn, email).await,
            Lock::SecondStep => {
                let lifted = user::Entity::update_many()
                    .col_expr(user::Column::FailedAttempts, Expr::value(0))
                    .col_expr(
                        user::Column::LockedUntil,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    )
                    .filter(user::Column::Id.eq(user_id))
                    .filter(user::Column::LockedUntil.gt(ctx.now()))
                    .exec(txn)
                    .await?;
                Ok(lifted.rows_affected > 0)
            }
        }
    }

    fn event(self) -> Event {
        match self {
            Lock::Password(_) => Event::PasswordLockLifted,
            Lock::SecondStep => Event::LockLifted,
        }
    }

    /// For the server's log.
    fn name(self) -> &'static str {
        match self {
            Lock::Password(_) => "password",
            Lock::SecondStep => "second-step",
        }
    }
}

/// Lifts `lock` and logs it in the same transaction, with the admin and the reason; a lock that
/// was not there is not logged.
async fn lift_audited(
    ctx: &Context,
    user_id: i32,
    lock: Lock<'_>,
    by: &str,
    reason: &str,
    client: Option<&ClientInfo>,
) -> Result<bool, Error> {
    let audited = log::Audited::begin(ctx).await?;
    if !lock.lift(ctx, audited.txn(), user_id).await? {
        // No lock to lift, nothing to log.
        audited.rollback().await?;
        return Ok(false);
    }
    audited
        .commit(
            user_id,
            lock.event(),
            Some(format!("door {by}: {reason}")),
            client,
        )
        .await?;
    tracing::warn!(user_id, by, "{} lock lifted by the helpdesk", lock.name());
    Ok(true)
}

/// The lock's end as the helpdesk reads it, a quarter of an hour at most away.
pub fn lock_minutes_left(ctx: &Context, until: DateTime<Utc>) -> i64 {
    let left = until - ctx.now();
    (left + Duration::seconds(59)).num_minutes().max(0)
}

/// The longest reason a helpdesk reset keeps.
pub const MAX_REASON: usize = 200;

/// A reason the helpdesk gives for a reset or for lifting a lock: required, and at most
/// `MAX_REASON` characters.
pub fn helpdesk_reason(input: &str) -> Result<&str, Error> {
    let reason = input.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(Error::Invalid(Invalid::ReasonMissing));
    }
    Ok(reason)
}

/// The helpdesk's reset, for a clinician who lost their phone: the factor, the passkeys, the recovery codes,
/// the remembered browsers, pending SMS codes and every session go; the lock and the count of
/// failed attempts are lifted. The reason and who did it are written to the user's security
/// log. In the mandatory period the user enrols again at the next login.
pub async fn reset_two_factor(
    ctx: &Context,
    user_id: i32,
    by: &str,
    reason: &str,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let reason = helpdesk_reason(reason)?;
    let audited = log::Audited::begin(ctx).await?;
    // The user's row first, as a password change does: one lock order, no deadlock between
    // the two.
    user::Entity::update_many()
        .col_expr(user::Column::FailedAttempts, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(audited.txn())
        .await?;
    crate::twofactor::disable::remove_factors(audited.txn(), user_id).await?;
    crate::db::entity::session::Entity::delete_many()
        .filter(crate::db::entity::session::Column::UserId.eq(user_id))
        .exec(audited.txn())
        .await?;
    audited
        .commit(
            user_id,
            log::Event::HelpdeskReset,
            Some(format!("door {by}: {reason}")),
            client,
        )
        .await?;
    tracing::warn!(user_id, by, "two-step authentication reset by the helpdesk");
    Ok(())
}

#[cfg(test)]
mod tests;
