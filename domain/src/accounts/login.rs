//! The password step as one function: check the credentials, end the browser's old session and
//! start a new one at the stage the second factor decides.

use sea_orm::TransactionTrait as _;

use super::{
    email::Email,
    guessing,
    password::Password,
    session::{self, ActiveSession, SessionStage, SessionToken},
    users,
};
use crate::{
    client::ClientInfo,
    context::Context,
    error::Error,
    sms,
    twofactor::{
        Method, attempts,
        second_step::{self, AfterPassword},
    },
};

/// The password step: checks the credentials, ends the session the browser had and starts a
/// new one, so that the session id changes at login (SEC-03). A user with two-step
/// authentication gets a session that reaches only the second step, unless this browser is
/// remembered for them (SEC-19).
pub async fn log_in(
    ctx: &Context,
    previous: Option<&ActiveSession>,
    email: &str,
    password: String,
    client: &ClientInfo,
    remembered: Option<&str>,
) -> Result<(SessionToken, AfterPassword), Error> {
    let email = Email::parse(email)?;
    let password = Password::for_login(password)?;
    let user = match guessing::check_password(
        ctx,
        &email,
        &password,
        Some(client),
        guessing::Purpose::Login,
        remembered,
    )
    .await
    {
        Ok(user) => user,
        Err(err) => {
            tracing::info!("password login refused");
            return Err(err);
        }
    };
    let (after, method) = second_step::after_password(ctx, &user, remembered).await?;
    let stage = if after == AfterPassword::SecondStep {
        SessionStage::PasswordOnly
    } else {
        SessionStage::Complete
    };
    // How a session that is complete at once was established (SEC-34): a remembered browser
    // spared a second step that is on, or there is none (yet).
    let established_by = match after {
        AfterPassword::SecondStep => None,
        AfterPassword::Done if crate::twofactor::factor::is_enabled(ctx, user.id).await? => {
            Some(session::Assurance::Remembered)
        }
        _ => Some(session::Assurance::Password),
    };
    // The browser's old session ends, its new one starts and the login is recorded: one commit.
    let txn = ctx.db.begin().await?;
    if let Some(previous) = previous {
        session::end_in(&txn, previous.id).await?;
    }
    let (token, session_id) =
        session::start_as(&txn, ctx, &user, client, stage, established_by).await?;
    users::record_login_in(&txn, ctx.now(), user.id).await?;
    txn.commit().await?;
    // SMS users get their code now, once per login (SEC-10: never before a right password). A
    // failure is recorded and shown on the code page, which offers to send again.
    // A locked second step would refuse any code: no SMS is paid for then. Nor is one for a
    // user with a passkey, which is asked for first: "Andere manier" offers to send the code.
    if method == Some(Method::Sms)
        && !attempts::is_locked(ctx, user.id).await?
        && !(crate::twofactor::passkey::available(ctx)
            && crate::twofactor::passkey::has_passkey(ctx, user.id).await?)
        && let Err(err) = sms::send_login_code(ctx, user.id, session_id).await
    {
        tracing::info!(user_id = user.id, error = ?err, "no SMS code at login");
    }
    tracing::info!(user_id = user.id, next = ?after, "password login succeeded");
    Ok((token, after))
}
