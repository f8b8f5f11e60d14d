//! The limits that keep anyone from making the platform pay for SMS in bulk (SEC-10): a
//! cooldown between codes, and maximums per user, per number and for the whole installation,
//! as `settings::SmsLimits` configures them.
//! They are our own rather than a rate-limiting crate (governor, tower's): they must hold
//! across server instances and restarts, so they count rows in the database.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use super::{phone::PhoneNumber, provider::SmsProvider};
use crate::{
    context::Context,
    crypto,
    db::entity::{
        sms_code::Purpose,
        sms_guard,
        sms_send::{self, SendStatus},
    },
    error::Error,
};

/// The number as the send log keeps it, for the maximum per number: keyed and hashed, so the log
/// can count a number's messages without holding it.
fn number_hash(ctx: &Context, number: &PhoneNumber) -> String {
    crypto::keyed_hash(&ctx.settings.secret_key, "sms-number", number.e164())
}

/// Start of the current calendar day in Amsterdam, for the installation's daily maximum.
fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone as _;
    use chrono_tz::Europe::Amsterdam;
    let today = now.with_timezone(&Amsterdam).date_naive();
    Amsterdam
        .from_local_datetime(&today.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or(now - Duration::hours(24), |start| start.with_timezone(&Utc))
}

/// Which limit refused a send, as the send log records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    Cooldown,
    UserHour,
    UserDay,
    NumberDay,
    InstallationDay,
}

impl Refusal {
    pub(super) fn detail(self) -> &'static str {
        match self {
            Self::Cooldown => "limit: cooldown",
            Self::UserHour => "limit: user per hour",
            Self::UserDay => "limit: user per day",
            Self::NumberDay => "limit: number per day",
            Self::InstallationDay => "limit: installation per day",
        }
    }

    fn error(self) -> Error {
        match self {
            Self::Cooldown => Error::SmsCooldown,
            Self::UserHour | Self::UserDay | Self::NumberDay => Error::SmsLimit,
            Self::InstallationDay => Error::SmsUnavailable,
        }
    }
}

fn attempted() -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(sms_send::Column::Status.eq(SendStatus::Pending))
        .add(sms_send::Column::Status.eq(SendStatus::Sent))
        .add(sms_send::Column::Status.eq(SendStatus::Failed))
}

async fn count(
    db: &impl ConnectionTrait,
    filter: sea_orm::Condition,
    since: DateTime<Utc>,
) -> Result<u64, Error> {
    sms_send::Entity::find()
        .filter(filter)
        .filter(attempted())
        .filter(sms_send::Column::CreatedAt.gt(since))
        .count(db)
        .await
        .map_err(Error::from)
}

/// The last code that went (or is going) to this user for this session and purpose, for the
/// cooldown: it spaces the resends of one code, while the first code of a new login is sent
/// even just after a code for the enrolment or another login (every code still counts toward
/// the hourly, daily, per-number and installation limits).
async fn last_delivery(
    db: &impl ConnectionTrait,
    user_id: i32,
    session_id: i32,
    purpose: Purpose,
) -> Result<Option<DateTime<Utc>>, Error> {
    Ok(sms_send::Entity::find()
        .filter(sms_send::Column::UserId.eq(user_id))
        .filter(sms_send::Column::SessionId.eq(session_id))
        .filter(sms_send::Column::Purpose.eq(purpose))
        .filter(
            sea_orm::Condition::any()
                .add(sms_send::Column::Status.eq(SendStatus::Pending))
                .add(sms_send::Column::Status.eq(SendStatus::Sent)),
        )
        .order_by_desc(sms_send::Column::CreatedAt)
        .one(db)
        .await?
        .map(|row| row.created_at))
}

/// Seconds until this user may be sent another code for this session and purpose.
pub async fn seconds_until_resend(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    purpose: Purpose,
) -> Result<i64, Error> {
    let Some(last) = last_delivery(&ctx.db, user_id, session_id, purpose).await? else {
        return Ok(0);
    };
    let wait = last + ctx.settings.sms.limits.cooldown - ctx.now();
    if wait <= Duration::zero() {
        return Ok(0);
    }
    // Whole seconds, rounded up: the button is never enabled a moment too early.
    Ok(wait.num_seconds() + i64::from(wait.subsec_nanos() > 0))
}

/// Checks every limit and, if none is reached, records the send as pending: one reservation at
/// a time, behind the guard row, so that parallel requests cannot pass a limit together.
/// A refusal is recorded too.
pub(super) async fn reserve(
    ctx: &Context,
    user_id: i32,
    session_id: i32,
    purpose: Purpose,
    number: &PhoneNumber,
    provider: &SmsProvider,
) -> Result<i32, Error> {
    let limits = ctx.settings.sms.limits;
    let now = ctx.now();
    let number_hash = number_hash(ctx, number);
    let txn = ctx.db.begin().await?;
    // The first statement writes, so SQLite takes its write lock here and PostgreSQL locks the
    // row: the checks below run for one request at a time.
    sms_guard::Entity::update_many()
        .col_expr(
            sms_guard::Column::Reservations,
            Expr::col(sms_guard::Column::Reservations).add(1),
        )
        .filter(sms_guard::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    let by_user = sea_orm::Condition::all().add(sms_send::Column::UserId.eq(user_id));
    let to_number =
        sea_orm::Condition::all().add(sms_send::Column::NumberHash.eq(number_hash.clone()));
    let refusal = if count(&txn, sea_orm::Condition::all(), start_of_day(now)).await?
        >= limits.per_day
    {
        Some(Refusal::InstallationDay)
    } else if last_delivery(&txn, user_id, session_id, purpose)
        .await?
        .is_some_and(|last| now - last < limits.cooldown)
    {
        Some(Refusal::Cooldown)
    } else if count(&txn, by_user.clone(), now - Duration::hours(1)).await? >= limits.per_user_hour
    {
        Some(Refusal::UserHour)
    } else if count(&txn, by_user, now - Duration::days(1)).await? >= limits.per_user_day {
        Some(Refusal::UserDay)
    } else if count(&txn, to_number, now - Duration::days(1)).await? >= limits.per_number_day {
        Some(Refusal::NumberDay)
    } else {
        None
    };
    if refusal == Some(Refusal::InstallationDay) {
        alert_once(&txn, now, limits.per_day).await?;
    }
    let row = sms_send::ActiveModel {
        user_id: Set(user_id),
        session_id: Set(Some(session_id)),
        purpose: Set(purpose),
        number_masked: Set(number.masked()),
        number_hash: Set(number_hash),
        provider: Set(provider.name().to_owned()),
        status: Set(if refusal.is_some() {
            SendStatus::Refused
        } else {
            SendStatus::Pending
        }),
        detail: Set(refusal.map(|r| r.detail().to_owned())),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    match refusal {
        Some(refusal) => {
            tracing::warn!(user_id, limit = refusal.detail(), "SMS refused by a limit");
            crate::metrics::sms("refused");
            Err(refusal.error())
        }
        None => Ok(row.id),
    }
}

/// The installation's daily maximum is reached: said loudly in the log, once a day.
async fn alert_once(
    txn: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    per_day: u64,
) -> Result<(), Error> {
    let today = crate::twofactor::policy::local_date(now).to_string();
    let first = sms_guard::Entity::update_many()
        .col_expr(sms_guard::Column::AlertedOn, Expr::value(today.clone()))
        .filter(sms_guard::Column::Id.eq(1))
        .filter(
            sea_orm::Condition::any()
                .add(sms_guard::Column::AlertedOn.is_null())
                .add(sms_guard::Column::AlertedOn.ne(today)),
        )
        .exec(txn)
        .await?;
    if first.rows_affected == 1 {
        tracing::error!(
            alert = "sms_daily_maximum",
            per_day,
            "ALERT: the daily maximum of SMS messages is reached; no SMS is sent until tomorrow (TWEESTAP_SMS_MAX_PER_DAY). Users are told to use a recovery code or the helpdesk."
        );
    }
    Ok(())
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn the_day_starts_at_midnight_in_amsterdam() {
        use chrono::TimeZone as _;
        let evening = Utc.with_ymd_and_hms(2026, 11, 25, 22, 30, 0).unwrap();
        assert_eq!(
            start_of_day(evening),
            Utc.with_ymd_and_hms(2026, 11, 24, 23, 0, 0).unwrap()
        );
        let summer = Utc.with_ymd_and_hms(2026, 6, 30, 12, 0, 0).unwrap();
        assert_eq!(
            start_of_day(summer),
            Utc.with_ymd_and_hms(2026, 6, 29, 22, 0, 0).unwrap()
        );
    }
}
