//! Logging in and out: the login page, its server functions and, on the server, accounts,
//! password hashing, sessions and the access policy.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FormError};

#[cfg(feature = "ssr")]
pub mod access;
pub mod change_password;
#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
mod server;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(all(test, feature = "ssr"))]
mod tests;
#[cfg(feature = "ssr")]
pub mod users;
#[cfg(feature = "ssr")]
pub use server::{AfterPassword, Viewer, log_in, set_cookie as set_response_cookie};

/// Where to go after login: a path on this site, never another site (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && path != LOGIN_PAGE_PATH =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub const LOGIN_PAGE_PATH: &str = "/inloggen";

/// The logged-in user as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// What every page needs: the platform's name, the helpdesk and who is logged in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellData {
    pub platform_name: String,
    pub helpdesk: String,
    pub user: Option<CurrentUser>,
}

/// The current session's times, in words for the settings tile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    pub started: String,
    pub ends_at_latest: String,
    pub idle_minutes: i64,
}

/// The shell's data for the page being rendered. Pages are rendered on the server only (the
/// browser hydrates islands, not pages), so this reads the request directly.
pub fn shell_data_for_request() -> ShellData {
    #[cfg(feature = "ssr")]
    {
        let Some(ctx) = use_context::<crate::context::AppContext>() else {
            // Listing the routes at startup renders the app without a request.
            return ShellData::default();
        };
        let user = Viewer::current().session.map(|session| CurrentUser {
            name: session.user.display_name,
            email: session.user.email,
            is_admin: session.user.role == crate::db::entity::user::Role::Admin,
        });
        ShellData {
            platform_name: ctx.settings.platform_name.clone(),
            helpdesk: ctx.settings.helpdesk.clone(),
            user,
        }
    }
    #[cfg(not(feature = "ssr"))]
    ShellData::default()
}

/// The password step. On success the session cookie is replaced and the browser goes to
/// `next` (a path on this site) or home.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let ctx = crate::context::AppContext::current()?;
    let viewer = Viewer::current();
    let (token, after) = log_in(
        &ctx,
        viewer.session.as_ref(),
        &email,
        password,
        &viewer.client,
        viewer.remembered.as_deref(),
    )
    .await?;
    server::set_cookie(&token.cookie());
    let next = safe_next(next.as_deref());
    let page = match after {
        server::AfterPassword::Done => None,
        server::AfterPassword::SecondStep => Some(crate::twofactor::CODE_PAGE),
        server::AfterPassword::Introduction => Some(crate::twofactor::INTRO_PAGE),
        server::AfterPassword::Enrol => Some(crate::twofactor::WIZARD_PAGE),
    };
    let to = match page {
        None => next,
        Some(page) if next == "/" => page.to_owned(),
        Some(page) => format!("{page}?volgende={}", crate::url::query_value(&next)),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// Ends the session on the server and sends the browser to the login page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = crate::context::AppContext::current()?;
    if let Some(session) = Viewer::current().session {
        session::end(&ctx, session.id)
            .await
            .map_err(crate::context::internal)?;
        tracing::info!(user_id = session.user.id, "logged out");
    }
    server::set_cookie(&session::removal_cookie());
    leptos_axum::redirect(access::LOGIN_PAGE);
    Ok(())
}

#[server(endpoint = "session_overview")]
pub async fn session_overview() -> Result<SessionTimes, AppError> {
    let ctx = crate::context::AppContext::current()?;
    let session = Viewer::current().session.ok_or(AppError::NotLoggedIn)?;
    Ok(SessionTimes {
        started: crate::time::format_dutch(session.created_at),
        ends_at_latest: crate::time::format_dutch(session.expires_at),
        idle_minutes: ctx.settings.session_idle.num_minutes(),
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    use leptos::server_fn::ServerFn as _;

    let query = use_query_map();
    let next = query.read_untracked().get("volgende");
    // A plain form: the server answers with a redirect onwards, or back here with the error.
    let error = crate::error::form_error::<Login>();

    view! {
        <Title text="Inloggen"/>
        <section class="card narrow" aria-labelledby="inloggen-titel">
            <h1 id="inloggen-titel">"Inloggen"</h1>
            <p>"Log in met je e-mailadres en wachtwoord."</p>
            <form method="post" action=Login::PATH>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">"E-mailadres"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        maxlength="254"
                        required
                    />
                </div>
                <div class="field">
                    <label for="password">"Wachtwoord"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        maxlength="256"
                        required
                    />
                </div>
                <FormError error/>
                <button type="submit" class="primary">
                    "Inloggen"
                </button>
            </form>
        </section>
    }
}
