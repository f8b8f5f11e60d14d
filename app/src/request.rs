//! What a server function or a server-side render knows of its request: the domain's context,
//! who is asking (the session the server's middleware found), and the cookies for the answer.

use axum::http::{HeaderValue, header::SET_COOKIE, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tweestap_domain::{Context, accounts::session::ActiveSession};

use crate::error::AppError;
pub use crate::viewer::{Viewer, request_cookie};

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
