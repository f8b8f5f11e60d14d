//! The server side of the login flow: what a request carries (its session and client) and the
//! password step as one function that tests call directly.

use axum::http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{
    email::Email,
    password::Password,
    session::{self, ActiveSession, ClientInfo, SessionToken},
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
}

impl Viewer {
    /// The viewer of the request being handled; anonymous outside a request.
    pub fn current() -> Self {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
            .unwrap_or_default()
    }
}

pub(super) fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// The password step: checks the credentials, ends the session the browser had and starts a
/// new one, so that the session id changes at login (SEC-03).
pub async fn log_in(
    ctx: &AppContext,
    previous: Option<&ActiveSession>,
    email: &str,
    password: String,
    client: &ClientInfo,
) -> Result<SessionToken, AppError> {
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
    let token = session::start(ctx, &user, client).await.map_err(internal)?;
    tracing::info!(user_id = user.id, "password login succeeded");
    Ok(token)
}

/// Where to go after login: a path on this site, never another site (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && path != super::access::LOGIN_PAGE =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

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
