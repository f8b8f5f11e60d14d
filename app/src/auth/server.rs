//! The server side of the login flow: what a request carries (its session and client) and the
//! password step as one function that tests call directly.

use axum::http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{
    email::Email,
    password::Password,
    session::{self, ActiveSession, ClientInfo, SessionStage, SessionToken},
    users,
};
use crate::{
    context::{AppContext, internal},
    error::AppError,
};

/// Who is asking: put into every request's extensions by the server's session middleware.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub session: Option<ActiveSession>,
    pub client: ClientInfo,
    /// The "Onthoud mij" cookie, if the browser sent one.
    pub remembered: Option<String>,
}

impl Viewer {
    /// The viewer of the request being handled; anonymous outside a request.
    pub fn current() -> Self {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
            .unwrap_or_default()
    }
}

pub fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

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

/// The password step: checks the credentials, ends the session the browser had and starts a
/// new one, so that the session id changes at login (SEC-03). A user with two-step
/// authentication gets a session that reaches only the second step, unless this browser is
/// remembered for them (SEC-19).
pub async fn log_in(
    ctx: &AppContext,
    previous: Option<&ActiveSession>,
    email: &str,
    password: String,
    client: &ClientInfo,
    remembered: Option<&str>,
) -> Result<(SessionToken, AfterPassword), AppError> {
    use crate::twofactor::{
        policy::Phase,
        service::{self, RememberToken},
    };
    let email = Email::parse(email)?;
    let password = Password::for_login(password)?;
    let user = match users::check_password(ctx, &email, &password).await {
        Ok(user) => user,
        Err(err) => {
            tracing::info!("password login refused");
            return Err(err);
        }
    };
    if let Some(previous) = previous {
        session::end(ctx, previous.id).await.map_err(internal)?;
    }
    let after = if service::is_enabled(ctx, user.id).await? {
        let remembered = match remembered.and_then(RememberToken::from_cookie) {
            Some(token) => service::is_remembered(ctx, user.id, &token).await?,
            None => false,
        };
        if remembered {
            AfterPassword::Done
        } else {
            AfterPassword::SecondStep
        }
    } else {
        match ctx.settings.rollout.phase(ctx.now()) {
            Phase::Before => AfterPassword::Done,
            Phase::Optional => AfterPassword::Introduction,
            Phase::Mandatory => AfterPassword::Enrol,
        }
    };
    let stage = if after == AfterPassword::SecondStep {
        SessionStage::PasswordOnly
    } else {
        SessionStage::Complete
    };
    let (token, session_id) = session::start(ctx, &user, client, stage)
        .await
        .map_err(internal)?;
    users::record_login(ctx, user.id).await?;
    // SMS users get their code now, once per login (SEC-10: never before a right password). A
    // failure is recorded and shown on the code page, which offers to send again.
    // A locked second step would refuse any code: no SMS is paid for then.
    if after == AfterPassword::SecondStep
        && crate::twofactor::sms::login_number(ctx, user.id)
            .await?
            .is_some()
        && !service::is_locked(ctx, user.id).await?
    {
        if let Err(err) = crate::twofactor::sms::send_login_code(ctx, user.id, session_id).await {
            tracing::info!(user_id = user.id, error = ?err, "no SMS code at login");
        }
    }
    tracing::info!(user_id = user.id, next = ?after, "password login succeeded");
    Ok((token, after))
}

#[cfg(test)]
mod tests {
    use crate::auth::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(
            safe_next(Some("/profiel/instellingen")),
            "/profiel/instellingen"
        );
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/inloggen",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
