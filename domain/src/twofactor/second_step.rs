//! What comes after a right password: the second step, the introduction, the wizard, or
//! nothing, decided from the user's factor, this browser's "Onthoud mij" and the rollout.

use super::{
    Method, factor,
    policy::Phase,
    remembered::{self, RememberToken},
};
use crate::{accounts::users::User, context::Context, error::Error};

/// Where the browser goes after a right password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterPassword {
    /// Logged in: on to the page asked for.
    Done,
    /// Two-step authentication is on: the code comes next.
    SecondStep,
    /// The optional period, and it is not set up: the introduction.
    Introduction,
    /// The mandatory period, and it is not set up: the wizard.
    Enrol,
}

/// `remembered` is the "Onthoud mij" cookie the browser sent, if any (SEC-19): it spares the
/// code for its own user only. With `SecondStep` comes the method, so that the caller need not
/// read the factor again.
pub async fn after_password(
    ctx: &Context,
    user: &User,
    remembered: Option<&str>,
) -> Result<(AfterPassword, Option<Method>), Error> {
    if let Some(enabled) = factor::factor(ctx, user.id)
        .await?
        .filter(|f| f.enabled_at.is_some())
    {
        let remembered = match remembered.and_then(RememberToken::from_cookie) {
            Some(token) => remembered::is_remembered(ctx, user.id, &token).await?,
            None => false,
        };
        return Ok(if remembered {
            (AfterPassword::Done, None)
        } else {
            (AfterPassword::SecondStep, Some(enabled.method))
        });
    }
    let after = match ctx.settings.rollout.phase(ctx.now()) {
        Phase::Before => AfterPassword::Done,
        Phase::Optional => AfterPassword::Introduction,
        Phase::Mandatory => AfterPassword::Enrol,
    };
    Ok((after, None))
}
