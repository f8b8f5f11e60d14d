//! The password asked again inside a session (SEC-20): at the wizard's first step, for changes
//! in the settings, and for the helpdesk's actions. One check, one kind of window.

use chrono::Duration;

use super::{
    email::Email,
    guessing,
    password::Password,
    session::{self, ActiveSession, SessionToken},
};
use crate::{client::ClientInfo, context::Context, error::Error};

/// How long a password entered again opens what it guards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// The wizard's steps after its first one.
    Wizard,
    /// Changes from the settings and the helpdesk's actions.
    Settings,
}

impl Window {
    pub fn length(self) -> Duration {
        match self {
            Self::Wizard => Duration::minutes(15),
            Self::Settings => Duration::minutes(5),
        }
    }
}

/// Whether the session's password was entered within `window`, by the server's clock.
pub fn is_fresh(ctx: &Context, session: &ActiveSession, window: Window) -> bool {
    session
        .password_confirmed_at
        .is_some_and(|at| ctx.now() - at < window.length())
}

/// The same, or `ReauthenticationRequired`.
pub fn require(ctx: &Context, session: &ActiveSession, window: Window) -> Result<(), Error> {
    if is_fresh(ctx, session, window) {
        Ok(())
    } else {
        Err(Error::ReauthenticationRequired)
    }
}

/// Checks the password entered again. A wrong one is answered like a wrong password at login;
/// a right one gives the session a new token (SEC-03), which the caller hands to the browser.
/// `None` when a parallel request already rotated it: the browser keeps the one that works.
pub async fn confirm(
    ctx: &Context,
    session: &ActiveSession,
    password: String,
    client: &ClientInfo,
) -> Result<Option<SessionToken>, Error> {
    let password = Password::for_login(password)?;
    check(ctx, session, &password, client).await?;
    Ok(session::confirm_password(&ctx.db, ctx.now(), session).await?)
}

/// Whether `password` is the session user's, counted by the same limits as the password at
/// login (SEC-25): a wrong one is `WrongPassword`, and too many of them are refused as there.
pub async fn check(
    ctx: &Context,
    session: &ActiveSession,
    password: &Password,
    client: &ClientInfo,
) -> Result<(), Error> {
    let email = Email::parse(&session.user.email)?;
    match guessing::check_password(
        ctx,
        &email,
        password,
        Some(client),
        guessing::Purpose::Confirmation,
        None,
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(Error::InvalidCredentials) => {
            tracing::info!(user_id = session.user.id, "password confirmation refused");
            Err(Error::WrongPassword)
        }
        Err(err) => {
            tracing::info!(user_id = session.user.id, error = %err, "password confirmation refused");
            Err(err)
        }
    }
}
