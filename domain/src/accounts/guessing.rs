//! Limits on password guessing (SEC-25), counted in the database so that they hold across every
//! instance of the server, for the password at login and the password asked again (the wizard,
//! the settings, "Wachtwoord wijzigen"):
//! - per account and client address: the first few wrong passwords are free, then each further
//!   attempt from that address waits twice as long as the one before, up to a maximum; the right
//!   password from another address still works;
//! - per account over all addresses: a ceiling per hour, after which the account is locked for
//!   every address for a while, its owner is told once (security log and email), and the
//!   helpdesk can lift it;
//! - per client address over all accounts (password spraying): a ceiling per hour as well.
//!
//! Unknown accounts are counted and answered exactly like known ones: the account is a keyed
//! hash of the address as typed, so the table keeps no mistyped addresses either.
//! A browser remembered for the account ("Onthoud mij") is not held by the account's or the
//! address's lock, so that an attacker cannot lock a clinician out of the browser she uses.
//!
//! Every attempt is written before its password is checked and removed again when it was
//! right or refused: parallel attempts see each other and cannot pass a limit together. Of a
//! burst from one address, the first few (by the order they were written) are checked, up to
//! the free attempts, so that a clinician's right password in a double click or in tabs
//! restored at once is let in; the rest wait as after as many wrong passwords.

use chrono::{DateTime, Duration};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, Func, OnConflict},
};

use super::{email::Email, password::Password, users};
use crate::{
    audit::log::{self, Event},
    client::ClientInfo,
    context::Context,
    crypto,
    db::entity::{password_failure, password_lock},
    error::{Error, LockScope},
    twofactor::remembered::{self, RememberToken},
};

pub use super::guessing_limits::Limits;

/// Failures older than this no longer count.
pub const WINDOW: Duration = Duration::hours(1);

/// What the password is asked for: counted together, told apart in the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Login,
    /// The password asked again inside a session.
    Confirmation,
}

/// Whom and where from: the keys the limits count under.
struct Keys {
    account: String,
    address: String,
}

impl Keys {
    fn new(ctx: &Context, email: &Email, client: Option<&ClientInfo>) -> Self {
        Self {
            account: account_key(ctx, email),
            address: client
                .and_then(|c| c.ip_address.clone())
                .unwrap_or_else(|| "onbekend".to_owned())
                .chars()
                .take(64)
                .collect(),
        }
    }

    fn account_lock(&self) -> String {
        account_lock(&self.account)
    }

    fn address_lock(&self) -> String {
        format!("address:{}", self.address)
    }
}

/// The lock's key for the account `account` (a keyed hash, `account_key`).
fn account_lock(account: &str) -> String {
    format!("account:{account}")
}

fn account_key(ctx: &Context, email: &Email) -> String {
    crypto::keyed_hash(
        &ctx.settings.secret_key,
        "password-guessing",
        email.as_str(),
    )
}

/// The password step with its limits: the user when the password is right, and otherwise the
/// same answer for a known and an unknown account. `remembered` is the browser's "Onthoud mij"
/// token, if it sent one.
pub async fn check_password(
    ctx: &Context,
    email: &Email,
    password: &Password,
    client: Option<&ClientInfo>,
    purpose: Purpose,
    remembered: Option<&str>,
) -> Result<users::User, Error> {
    let outcome = checked(ctx, email, password, client, remembered).await;
    let label = match &outcome {
        Ok(_) => "success",
        Err(Error::InvalidCredentials) => "wrong",
        Err(Error::PasswordWait { .. }) => "wait",
        Err(Error::PasswordLocked { .. }) => "locked",
        // A failure of the server's own is no outcome of the user's.
        Err(_) => return outcome,
    };
    crate::metrics::password_check(purpose == Purpose::Confirmation, label);
    outcome
}

async fn checked(
    ctx: &Context,
    email: &Email,
    password: &Password,
    client: Option<&ClientInfo>,
    remembered: Option<&str>,
) -> Result<users::User, Error> {
    let keys = Keys::new(ctx, email, client);
    let now = ctx.now();
    let exempt = is_remembered_for(ctx, email, remembered).await?;
    if !exempt {
        refuse_if_locked(ctx, &keys).await?;
    }
    // The attempt counts from now on, for every parallel attempt too.
    let attempt = password_failure::ActiveModel {
        account: Set(keys.account.clone()),
        address: Set(keys.address.clone()),
        checked: Set(false),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&ctx.db)
    .await?;
    if let Err(refusal) = within_limits(ctx, &keys, attempt.id, exempt).await {
        password_failure::Entity::delete_by_id(attempt.id)
            .exec(&ctx.db)
            .await?;
        return Err(refusal);
    }
    match users::check_password(ctx, email, password).await {
        Ok(user) => {
            // The right password ends the count for this address, not for the others.
            password_failure::Entity::delete_many()
                .filter(password_failure::Column::Account.eq(keys.account.as_str()))
                .filter(password_failure::Column::Address.eq(keys.address.as_str()))
                .exec(&ctx.db)
                .await?;
            Ok(user)
        }
        Err(Error::InvalidCredentials) => {
            password_failure::Entity::update_many()
                .col_expr(password_failure::Column::Checked, Expr::value(true))
                .filter(password_failure::Column::Id.eq(attempt.id))
                .exec(&ctx.db)
                .await?;
            lock_if_reached(ctx, email, &keys, client).await?;
            Err(Error::InvalidCredentials)
        }
        Err(err) => {
            // Not a wrong password (the database, the hasher): it does not count.
            password_failure::Entity::delete_by_id(attempt.id)
                .exec(&ctx.db)
                .await
                .ok();
            Err(err)
        }
    }
}

/// Whether this browser is remembered for the account the address belongs to.
async fn is_remembered_for(
    ctx: &Context,
    email: &Email,
    remembered: Option<&str>,
) -> Result<bool, Error> {
    let Some(token) = remembered.and_then(RememberToken::from_cookie) else {
        return Ok(false);
    };
    let Some(user) = users::find_by_email(ctx, email).await? else {
        return Ok(false);
    };
    remembered::is_remembered(ctx, user.id, &token).await
}

async fn refuse_if_locked(ctx: &Context, keys: &Keys) -> Result<(), Error> {
    let locks = password_lock::Entity::find()
        .filter(password_lock::Column::Key.is_in([keys.account_lock(), keys.address_lock()]))
        .filter(password_lock::Column::LockedUntil.gt(ctx.now()))
        .all(&ctx.db)
        .await?;
    // The account's lock is the one to tell about: the helpdesk can lift it.
    let lock = locks
        .iter()
        .find(|lock| lock.key == keys.account_lock())
        .map(|lock| (LockScope::Account, lock.locked_until))
        .or_else(|| {
            locks
                .first()
                .map(|lock| (LockScope::Address, lock.locked_until))
        });
    match lock {
        Some((scope, until)) => Err(Error::PasswordLocked { scope, until }),
        None => Ok(()),
    }
}

/// The wrong passwords of the last hour, the attempt `attempt` (just written) included, against
/// the limits.
async fn within_limits(
    ctx: &Context,
    keys: &Keys,
    attempt: i32,
    exempt: bool,
) -> Result<(), Error> {
    let limits = ctx.settings.guessing;
    let now = ctx.now();
    let recent = Recent::read(ctx, keys, attempt).await?;
    if let Some(last) = recent.last_from_pair {
        let until = last + limits.wait_after(recent.from_pair);
        if now < until {
            return Err(Error::PasswordWait { until });
        }
    }
    if exempt {
        return Ok(());
    }
    // Past the ceiling, counting the attempts under way: refused, without a lock of its own
    // (only wrong passwords set one), so that a burst of attempts does not lock the account.
    // Once a lock has run out, the wrong passwords still in the window keep refusing.
    if recent.by_account > u64::from(limits.account_per_hour) {
        return Err(Error::PasswordLocked {
            scope: LockScope::Account,
            until: now + limits.lock_for,
        });
    }
    if recent.by_address > u64::from(limits.address_per_hour) {
        return Err(Error::PasswordLocked {
            scope: LockScope::Address,
            until: now + limits.lock_for,
        });
    }
    Ok(())
}

/// The attempts of the last hour that the limits count, in one query: it is read at every
/// password step.
struct Recent {
    /// From this account and address: the wrong passwords and the attempts under way before
    /// `attempt`, and the newest of them.
    from_pair: u64,
    last_from_pair: Option<DateTime<chrono::Utc>>,
    /// For this account, and from this address, `attempt` included.
    by_account: u64,
    by_address: u64,
}

impl Recent {
    async fn read(ctx: &Context, keys: &Keys, attempt: i32) -> Result<Self, Error> {
        use password_failure::Column;
        let account = || Column::Account.eq(keys.account.as_str());
        let address = || Column::Address.eq(keys.address.as_str());
        // Wrong passwords, and the attempts under way that came before this one: a burst of
        // attempts has its first few checked (a right password among them is let in), and the
        // rest wait, as they would after that many wrong ones.
        let pair = || {
            Condition::all().add(account()).add(address()).add(
                Condition::any()
                    .add(Column::Checked.eq(true))
                    .add(Column::Id.lt(attempt)),
            )
        };
        let number =
            |condition: Condition| Expr::from(Func::sum(Expr::case(condition, 1).finally(0)));
        let (from_pair, last_from_pair, by_account, by_address): (
            Option<i64>,
            Option<DateTime<chrono::Utc>>,
            Option<i64>,
            Option<i64>,
        ) = password_failure::Entity::find()
            .select_only()
            .column_as(number(pair()), "from_pair")
            .column_as(
                Expr::from(Func::max(Expr::case(pair(), Expr::col(Column::CreatedAt)))),
                "last_from_pair",
            )
            .column_as(number(Condition::all().add(account())), "by_account")
            .column_as(number(Condition::all().add(address())), "by_address")
            .filter(Column::CreatedAt.gt(ctx.now() - WINDOW))
            .filter(Condition::any().add(account()).add(address()))
            .into_tuple()
            .one(&ctx.db)
            .await?
            .unwrap_or_default();
        let count = |n: Option<i64>| n.unwrap_or(0).max(0) as u64;
        Ok(Self {
            from_pair: count(from_pair),
            last_from_pair,
            by_account: count(by_account),
            by_address: count(by_address),
        })
    }
}

/// After a wrong password: a ceiling reached locks the account or the address, once. The
/// request that sets the account's lock tells its owner, if the account exists.
async fn lock_if_reached(
    ctx: &Context,
    email: &Email,
    keys: &Keys,
    client: Option<&ClientInfo>,
) -> Result<(), Error> {
    let limits = ctx.settings.guessing;
    let since = ctx.now() - WINDOW;
    // Wrong passwords only: attempts still being checked may yet be right.
    let wrong = || {
        password_failure::Entity::find()
            .filter(password_failure::Column::CreatedAt.gt(since))
            .filter(password_failure::Column::Checked.eq(true))
    };
    let by_account = wrong()
        .filter(password_failure::Column::Account.eq(keys.account.as_str()))
        .count(&ctx.db)
        .await?;
    if by_account >= u64::from(limits.account_per_hour) && lock(ctx, &keys.account_lock()).await? {
        crate::metrics::lock("password_account");
        let until = ctx.now() + limits.lock_for;
        match users::find_by_email(ctx, email).await? {
            Some(user) => {
                tracing::warn!(
                    user_id = user.id,
                    "password login locked after too many wrong passwords"
                );
                log::record(
                    ctx,
                    user.id,
                    Event::PasswordLocked,
                    Some(format!(
                        "{by_account} onjuiste wachtwoorden binnen een uur; geblokkeerd tot {}",
                        crate::time::format_dutch(until)
                    )),
                    client,
                )
                .await?;
            }
            None => tracing::warn!("password login locked for an unknown account"),
        }
    }
    let by_address = wrong()
        .filter(password_failure::Column::Address.eq(keys.address.as_str()))
        .count(&ctx.db)
        .await?;
    if by_address >= u64::from(limits.address_per_hour) && lock(ctx, &keys.address_lock()).await? {
        crate::metrics::lock("password_address");
        tracing::warn!(
            address = %keys.address,
            "password login locked for a client address after too many wrong passwords"
        );
    }
    Ok(())
}

/// Sets the lock `key` unless it is set already; true for the request that set it.
async fn lock(ctx: &Context, key: &str) -> Result<bool, Error> {
    let now = ctx.now();
    // A lock that has run out makes room for a new one.
    password_lock::Entity::delete_many()
        .filter(password_lock::Column::Key.eq(key))
        .filter(password_lock::Column::LockedUntil.lte(now))
        .exec(&ctx.db)
        .await?;
    let inserted = password_lock::Entity::insert(password_lock::ActiveModel {
        key: Set(key.to_owned()),
        locked_until: Set(now + ctx.settings.guessing.lock_for),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(password_lock::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&ctx.db)
    .await?;
    Ok(inserted == 1)
}

/// Until when the account of `email` is refused at the password step, if it is: its lock, or
/// after the lock ran out, the wrong passwords still within the hour over the ceiling.
pub async fn account_locked_until(
    ctx: &Context,
    email: &Email,
) -> Result<Option<DateTime<chrono::Utc>>, Error> {
    account_locked_until_in(ctx, &ctx.db, email).await
}

/// [`account_locked_until`], read through `db` (a transaction: on SQLite its one connection).
async fn account_locked_until_in(
    ctx: &Context,
    db: &impl sea_orm::ConnectionTrait,
    email: &Email,
) -> Result<Option<DateTime<chrono::Utc>>, Error> {
    let account = account_key(ctx, email);
    let lock = password_lock::Entity::find_by_id(account_lock(&account))
        .filter(password_lock::Column::LockedUntil.gt(ctx.now()))
        .one(db)
        .await?;
    if let Some(lock) = lock {
        return Ok(Some(lock.locked_until));
    }
    let ceiling = ctx.settings.guessing.account_per_hour as usize;
    let failures: Vec<DateTime<chrono::Utc>> = password_failure::Entity::find()
        .filter(password_failure::Column::Account.eq(account))
        .filter(password_failure::Column::Checked.eq(true))
        .filter(password_failure::Column::CreatedAt.gt(ctx.now() - WINDOW))
        .select_only()
        .column(password_failure::Column::CreatedAt)
        .order_by_asc(password_failure::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    // Refused while the next attempt would be past the ceiling: until enough of them are an
    // hour old.
    Ok(failures
        .len()
        .checked_sub(ceiling)
        .map(|over| failures[over] + WINDOW))
}

/// The helpdesk lifts the account's lock: the lock goes, and so do the wrong passwords that
/// led to it, so that the count starts again. True when the account was refused (by its lock,
/// or by the wrong passwords still within the hour after the lock ran out); the caller logs
/// it, in `txn`.
pub(crate) async fn lift_account_lock(
    ctx: &Context,
    txn: &impl sea_orm::ConnectionTrait,
    email: &Email,
) -> Result<bool, Error> {
    let refused = account_locked_until_in(ctx, txn, email).await?.is_some();
    let account = account_key(ctx, email);
    password_lock::Entity::delete_many()
        .filter(password_lock::Column::Key.eq(account_lock(&account)))
        .exec(txn)
        .await?;
    password_failure::Entity::delete_many()
        .filter(password_failure::Column::Account.eq(account))
        .exec(txn)
        .await?;
    Ok(refused)
}

#[cfg(test)]
#[path = "guessing_tests.rs"]
mod tests;
