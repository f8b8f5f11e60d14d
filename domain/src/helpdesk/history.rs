//! The rollout over time, for the helpdesk's chart: per day from the optional date to today,
//! how many professionals had two-step authentication on with each method, and how often they
//! chose "Niet nu".
//!
//! Counted in a table of days (`rollout_days`), not reconstructed from the security log, for
//! three reasons:
//! - The log does not carry enough. "Niet nu" writes no entry at all (only `users.deferrals`
//!   and `last_deferred_at`); switching off and the helpdesk's reset do not say which method
//!   went; switching on and changing the method name it only in a Dutch sentence for the user.
//!   Making the log carry it would add an entry per "Niet nu" (with a security email each) and
//!   a method column to every entry.
//! - Retention prunes the log after its period (SEC-26, 30 days at least), shorter than many
//!   rollouts: the chart's start would go. A day's row holds only numbers, nobody's data, so it
//!   is kept.
//! - Reading it is one query over at most `MAX_DAYS` rows, whatever the number of users.
//!
//! What that costs: the history begins on the day this table came (no older day can be
//! reconstructed from the log either), and a day on which no server counted has no numbers
//! (the chart leaves a gap there rather than guessing). A day's numbers are those of its last
//! count, which the server makes every hour (`spawn_worker`; also `server maintenance`), so at
//! most an hour before midnight; today's are counted when asked, so the last point is exact.
//! "Niet nu" is counted on the day's row as it happens (`twofactor::deferral::defer`), exactly.

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Func, OnConflict, Query},
};

use crate::{
    context::Context,
    db::entity::{
        rollout_day,
        two_factor::{self, Method},
        user::{self, Role},
    },
    error::Error,
    twofactor::policy::local_date,
};

/// The most days the chart shows, ending today: two years. The page stays small however long
/// ago the optional date is.
pub const MAX_DAYS: i64 = 731;
/// How often the server counts today's numbers.
pub const INTERVAL: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Professionals with two-step authentication on, by method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MethodCounts {
    pub app: u64,
    pub sms: u64,
    /// Passkeys as the method (passkeys alone).
    pub passkey: u64,
}

impl MethodCounts {
    pub fn total(self) -> u64 {
        self.app + self.sms + self.passkey
    }
}

/// One day of the rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutDay {
    pub day: NaiveDate,
    /// `None` for a day on which no count ran.
    pub enabled: Option<MethodCounts>,
    /// How often professionals chose "Niet nu" that day.
    pub deferrals: u64,
}

/// Professionals with two-step authentication on, by method: one query, grouped by method.
pub async fn enabled_by_method(db: &impl ConnectionTrait) -> Result<MethodCounts, Error> {
    let professionals = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(Condition::all().add(user::Column::Role.eq(Role::Professional)))
        .to_owned();
    let rows: Vec<(Method, i64)> = two_factor::Entity::find()
        .select_only()
        .column(two_factor::Column::Method)
        .column_as(
            Expr::from(Func::count(Expr::col(two_factor::Column::UserId))),
            "n",
        )
        .filter(two_factor::Column::EnabledAt.is_not_null())
        .filter(two_factor::Column::UserId.in_subquery(professionals))
        .group_by(two_factor::Column::Method)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = MethodCounts::default();
    for (method, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match method {
            Method::App => counts.app = n,
            Method::Sms => counts.sms = n,
            Method::Passkey => counts.passkey = n,
        }
    }
    Ok(counts)
}

/// Counts today's numbers (Europe/Amsterdam) and keeps them on today's row, replacing an
/// earlier count of the same day; the day's "Niet nu" stay.
pub async fn record_today(ctx: &Context) -> Result<MethodCounts, Error> {
    let today = local_date(ctx.now());
    let counts = enabled_by_method(&ctx.db).await?;
    let stored = |n: u64| sea_orm::Set(Some(i64::try_from(n).unwrap_or(i64::MAX)));
    rollout_day::Entity::insert(rollout_day::ActiveModel {
        day: sea_orm::Set(today),
        with_app: stored(counts.app),
        with_sms: stored(counts.sms),
        with_passkey: stored(counts.passkey),
        deferrals: sea_orm::Set(0),
    })
    .on_conflict(
        OnConflict::column(rollout_day::Column::Day)
            .update_columns([
                rollout_day::Column::WithApp,
                rollout_day::Column::WithSms,
                rollout_day::Column::WithPasskey,
            ])
            .to_owned(),
    )
    .exec_without_returning(&ctx.db)
    .await?;
    Ok(counts)
}

/// Every day from the optional date (at most `MAX_DAYS` back) to today, oldest first; empty
/// before the optional date. Today's numbers are counted now; the "Niet nu" are the day's.
pub async fn history(ctx: &Context) -> Result<Vec<RolloutDay>, Error> {
    let today = local_date(ctx.now());
    let optional_from = ctx.settings.rollout.optional_from;
    if today < optional_from {
        return Ok(Vec::new());
    }
    let first = optional_from.max(today - Duration::days(MAX_DAYS - 1));
    let rows = rollout_day::Entity::find()
        .filter(rollout_day::Column::Day.gte(first))
        .filter(rollout_day::Column::Day.lte(today))
        .order_by_asc(rollout_day::Column::Day)
        .all(&ctx.db)
        .await?;
    let now = enabled_by_method(&ctx.db).await?;
    let mut rows = rows.into_iter().peekable();
    let days = first
        .iter_days()
        .take_while(|day| *day <= today)
        .map(|day| {
            let row = rows.next_if(|row| row.day == day);
            let counted = row.as_ref().and_then(|row| {
                Some(MethodCounts {
                    app: u64::try_from(row.with_app?).unwrap_or(0),
                    sms: u64::try_from(row.with_sms?).unwrap_or(0),
                    passkey: u64::try_from(row.with_passkey?).unwrap_or(0),
                })
            });
            RolloutDay {
                day,
                enabled: if day == today { Some(now) } else { counted },
                deferrals: row.map_or(0, |row| u64::try_from(row.deferrals).unwrap_or(0)),
            }
        })
        .collect();
    Ok(days)
}

/// The count in the background (`periodic::spawn`): shortly after startup, then every
/// `INTERVAL`. Several instances may count at once: each replaces the day's numbers with the same.
pub fn spawn_worker(ctx: Context) -> tokio::task::JoinHandle<()> {
    crate::periodic::spawn(ctx, INTERVAL, "rollout history", |ctx| async move {
        record_today(&ctx).await
    })
}

#[cfg(test)]
mod tests;
