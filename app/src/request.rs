//! What a server function or a server-side render knows of its request: the domain's context,
//! who is asking (the session the server's middleware found), and the cookies for the answer.

use axum::http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tweestap_domain::{Context, accounts::session::ActiveSession, client::ClientInfo};

use crate::error::AppError;

/// Who is asking: put into every request's extensions by the server's session middleware.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub session: Option<ActiveSession>,
    pub client: ClientInfo,
    /// The "Onthoud mij" cookie, if the browser sent one.
    pub remembered: Option<String>,
    /// The browser's session gave its password but took too long for the second step (SEC-30):
    /// it is gone, and the login page says why.
    pub second_step_expired: bool,
}

impl Viewer {
    /// The viewer of the request being handled; anonymous outside a request.
    pub fn current() -> Self {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
            .unwrap_or_default()
    }
}

/// The domain's context, provided to Leptos by the server.
pub fn context() -> Result<Context, AppError> {
    use_context::<Context>().ok_or_else(|| {
        tracing::error!("the domain's Context is missing from the Leptos context");
        AppError::Internal
    })
}

/// The context, the viewer and their session, for what only a logged-in user may do.
pub fn logged_in() -> Result<(Context, Viewer, ActiveSession), AppError> {
    let ctx = context()?;
    let viewer = Viewer::current();
    let session = viewer.session.clone().ok_or(AppError::NotLoggedIn)?;
    Ok((ctx, viewer, session))
}

/// Adds a `Set-Cookie` header to the answer.
pub fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// Whether the app's script made this call, rather than a plain form: the script asks for the
/// server function's encoding, a form for a page.
pub fn from_script() -> bool {
    use_context::<Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|accept| !accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The second step is done (or enrolment confirmed) with `how`: the session is complete, with
/// a new token (SEC-03) for the browser, and records how it was established (SEC-34).
pub async fn complete_session(
    ctx: &Context,
    viewer: &Viewer,
    session: &ActiveSession,
    how: tweestap_domain::accounts::session::Assurance,
) -> Result<(), AppError> {
    let token = tweestap_domain::accounts::session::complete(ctx, session, &viewer.client, how)
        .await
        .map_err(tweestap_domain::Error::from)?
        // Logged out in another tab meanwhile.
        .ok_or(AppError::NotLoggedIn)?;
    set_cookie(&token.cookie());
    Ok(())
}

/// The password entered again in this session (SEC-20); the session's new token goes to the
/// browser (SEC-03).
pub async fn confirm_password(
    ctx: &Context,
    viewer: &Viewer,
    session: &ActiveSession,
    password: String,
) -> Result<(), AppError> {
    if let Some(token) =
        tweestap_domain::accounts::reauth::confirm(ctx, session, password, &viewer.client).await?
    {
        set_cookie(&token.cookie());
    }
    Ok(())
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The language this request is answered in: the logged-in user's stored choice, else the
/// language switch's cookie, else the browser's `Accept-Language`, else Dutch. A session that
/// has given only its password learns nothing of the account (SEC-30), and neither does its
/// page's language: it follows the browser until the second step is done.
pub fn language() -> tweestap_domain::Lang {
    use tweestap_domain::{Lang, accounts::session::SessionStage};
    let stored = Viewer::current()
        .session
        .filter(|session| session.stage != SessionStage::PasswordOnly)
        .and_then(|session| session.user.language);
    stored
        .or_else(|| {
            request_cookie(tweestap_domain::lang::COOKIE_NAME).and_then(|tag| Lang::from_tag(&tag))
        })
        .or_else(|| {
            use_context::<Parts>().and_then(|parts| {
                parts
                    .headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
        })
        .unwrap_or_default()
}
