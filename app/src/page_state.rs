//! The session as the page sees it: what the server tells the browser on the first load and on
//! every later move to another address (who is logged in, where to go instead), by the same
//! policy that answers a document request (`access`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::Viewer;
#[cfg(feature = "ssr")]
use crate::shell::state::CurrentUser;
use crate::{
    error::AppError,
    shell::{
        browser::Activity,
        state::{ShellData, ShellState},
    },
};
#[cfg(feature = "ssr")]
use tweestap_domain::Context;

/// The shell's data of the request being rendered on the server (the first load of a page).
pub fn shell_data_for_request() -> ShellData {
    #[cfg(feature = "ssr")]
    {
        let Some(ctx) = use_context::<Context>() else {
            // Listing the routes at startup renders the app without a request.
            return ShellData::default();
        };
        let lang = crate::lang::from_request().tag().to_owned();
        use tweestap_domain::{accounts::session::SessionStage, db::entity::user::Role};
        let session = Viewer::current().session;
        let (user, second_step_seconds) = match session {
            Some(session) if session.stage == SessionStage::PasswordOnly => (
                None,
                Some((session.expires_at - ctx.now()).num_seconds().max(0)),
            ),
            Some(session) => (
                Some(CurrentUser {
                    name: session.user.display_name,
                    email: session.user.email,
                    is_admin: session.user.role == Role::Admin,
                }),
                None,
            ),
            None => (None, None),
        };
        ShellData {
            platform_name: ctx.settings.platform_name.clone(),
            helpdesk: ctx.settings.helpdesk.clone(),
            user,
            second_step_seconds,
            idle_minutes: ctx.settings.session_idle.num_minutes(),
            lang,
        }
    }
    #[cfg(not(feature = "ssr"))]
    ShellData::default()
}

/// What the browser learns on every move to another address: who is logged in now, and where
/// to go instead if the access policy does not let this session see the address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageAnswer {
    pub shell: ShellData,
    pub redirect: Option<String>,
}

/// The server's word on an address the browser moved to without loading a document: the same
/// policy that answers a document request (`access::decide`), so the browser never decides on its
/// own what a session may see.
#[server(prefix = "/api/open", endpoint = "page_state")]
pub async fn page_state(path: String) -> Result<PageAnswer, AppError> {
    let ctx = crate::request::context()?;
    let viewer = Viewer::current();
    if viewer.second_step_expired {
        let notice = crate::routes::second_step_expired_page();
        return Ok(PageAnswer {
            shell: shell_data_for_request(),
            redirect: (path != notice).then_some(notice),
        });
    }
    let stage = crate::access::stage_of(&ctx, viewer.session.as_ref()).await?;
    // The login page is a path like any other here (`safe_next` turns it into home, as a place
    // to go on to after logging in).
    let is_login = path.split(['?', '#']).next() == Some(crate::routes::LOGIN);
    let wanted = if is_login {
        crate::routes::LOGIN.to_owned()
    } else {
        crate::routes::safe_next(Some(&path))
    };
    let bare = wanted.split(['?', '#']).next().unwrap_or("/");
    Ok(PageAnswer {
        shell: shell_data_for_request(),
        redirect: crate::access::page_redirect(crate::access::decide(bare, stage), &wanted),
    })
}

/// Keeps the page in step with the session in the browser: after every move to another address
/// (and after every action) it asks the server who is logged in and follows its redirect.
#[component]
pub fn SessionWatch() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let shell = use_context::<ShellState>();
    let activity = use_context::<Activity>();
    Effect::new(move |first: Option<()>| {
        let path = location.pathname.get();
        let search = location.search.get();
        crate::forms::refreshed();
        // The first load's answer came with the page.
        if first.is_none() {
            return;
        }
        let navigate = navigate.clone();
        let address = move |path: String, search: String| {
            if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            }
        };
        let wanted = address(path, search);
        leptos::task::spawn_local(async move {
            let Ok(answer) = page_state(wanted.clone()).await else {
                return;
            };
            if let Some(activity) = activity {
                activity.record();
            }
            // Another language than the page's (a login with a stored choice): the page is
            // loaded again, whole, in that language.
            if answer.shell.lang != crate::lang::tag(crate::lang::current()) {
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    let to = answer.redirect.clone().unwrap_or(wanted);
                    let _ = window.location().assign(&to);
                }
                return;
            }
            if let Some(ShellState(data)) = shell
                && data.with_untracked(|now| *now != answer.shell)
            {
                data.set(answer.shell);
            }
            // The browser may have moved on meanwhile (a login's redirect): an answer about the
            // address it left must not send it anywhere.
            let here = address(
                location.pathname.get_untracked(),
                location.search.get_untracked(),
            );
            if let Some(to) = answer.redirect.filter(|_| here == wanted) {
                navigate(
                    &to,
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    });
}
