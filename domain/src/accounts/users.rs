//! Accounts: creating them and checking a password login.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{email::Email, password::Password};
use crate::{
    context::Context,
    db::entity::user::{self, Role},
    error::Error,
};

pub use crate::db::entity::user::Model as User;

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("an account with this email address already exists")]
    EmailTaken,
    #[error("the display name is empty or longer than 200 characters")]
    InvalidName,
    #[error(transparent)]
    Hash(#[from] crate::error::HashError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

pub async fn find_by_email(ctx: &Context, email: &Email) -> Result<Option<User>, sea_orm::DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&ctx.db)
        .await
}

pub async fn create(
    ctx: &Context,
    email: &Email,
    display_name: &str,
    password: &Password,
    role: Role,
) -> Result<User, CreateUserError> {
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 200 {
        return Err(CreateUserError::InvalidName);
    }
    if find_by_email(ctx, email).await?.is_some() {
        return Err(CreateUserError::EmailTaken);
    }
    let password_hash = ctx.hasher.hash(password).await?;
    let now = ctx.now();
    let row = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        role: Set(role),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    match row.insert(&ctx.db).await {
        Ok(user) => Ok(user),
        // Two creations racing for one address: the unique index decides.
        Err(err) if find_by_email(ctx, email).await?.is_some() => {
            tracing::debug!(error = %err, "lost a race for an email address");
            Err(CreateUserError::EmailTaken)
        }
        Err(err) => Err(err.into()),
    }
}

/// The password step. Unknown address and wrong password cost the same work and give the same
/// answer (SEC-15).
pub async fn check_password(
    ctx: &Context,
    email: &Email,
    password: &Password,
) -> Result<User, Error> {
    let found = find_by_email(ctx, email).await?;
    let Some(user) = found else {
        ctx.hasher.verify_dummy(password).await?;
        return Err(Error::InvalidCredentials);
    };
    if ctx.hasher.verify(password, &user.password_hash).await? {
        Ok(user)
    } else {
        Err(Error::InvalidCredentials)
    }
}

/// When the user last got past the password, for the helpdesk's rollout overview.
pub async fn record_login(ctx: &Context, user_id: i32) -> Result<(), Error> {
    record_login_in(&ctx.db, ctx.now(), user_id).await?;
    Ok(())
}

/// `record_login`, in the caller's transaction.
pub(crate) async fn record_login_in(
    db: &impl sea_orm::ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    user_id: i32,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::Expr;
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The language the user chose in the profile: the pages, the emails and the SMS messages
/// follow it from now on.
pub async fn set_language(
    ctx: &Context,
    user_id: i32,
    lang: crate::lang::Lang,
) -> Result<(), Error> {
    use sea_orm::sea_query::Expr;
    user::Entity::update_many()
        .col_expr(user::Column::Language, Expr::value(lang.tag()))
        .col_expr(user::Column::UpdatedAt, Expr::value(ctx.now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&ctx.db)
        .await?;
    Ok(())
}

/// "Wachtwoord wijzigen": the new password replaces the old one, every other session of the
/// user ends, and every remembered browser is forgotten (SEC-19). The session `keep` stays, with
/// a new token (SEC-03, returned unless another request rotated it meanwhile) and its password
/// counted as just entered. All or nothing, with its log entry (SEC-21), in one transaction.
pub async fn change_password(
    ctx: &Context,
    keep: &super::session::ActiveSession,
    new_password: &Password,
    client: Option<&crate::client::ClientInfo>,
) -> Result<Option<super::session::SessionToken>, Error> {
    use crate::audit::log;
    use crate::db::entity::{remembered_device, session};
    use sea_orm::sea_query::Expr;
    let user_id = keep.user.id;
    let hash = ctx.hasher.hash(new_password).await?;
    let now = ctx.now();
    let audited = log::Audited::begin(ctx).await?;
    // The user's row first, as every change of a user's sign-in does: one lock order.
    let updated = user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(audited.txn())
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::NotLoggedIn);
    }
    let sessions_ended = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.ne(keep.id))
        .exec(audited.txn())
        .await?
        .rows_affected;
    let devices_forgotten = remembered_device::Entity::delete_many()
        .filter(remembered_device::Column::UserId.eq(user_id))
        .exec(audited.txn())
        .await?
        .rows_affected;
    let token = super::session::confirm_password(audited.txn(), now, keep).await?;
    audited
        .commit(
            user_id,
            log::Event::PasswordChanged,
            Some(format!(
                "andere sessies beëindigd: {sessions_ended}, onthouden apparaten vergeten: {devices_forgotten}"
            )),
            client,
        )
        .await?;
    tracing::info!(
        user_id,
        sessions_ended,
        devices_forgotten,
        "password changed"
    );
    Ok(token)
}
