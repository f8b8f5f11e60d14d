//! The e-health platform around two-step authentication: header with the platform's name and
//! navigation, the user's menu, the profile with its tabs and settings tiles, and the footer
//! with the helpdesk on every page.

pub mod browser;
pub mod state;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::Viewer;
use crate::{
    error::AppError,
    forms::{action, refreshed},
    login::Logout,
    sections::{HOME, NAVIGATION},
    settings::{
        password::PasswordTile,
        security_log::SecurityLogTile,
        tile::{TwoFactorTile, session_overview},
    },
};
#[cfg(feature = "ssr")]
use tweestap_domain::Context;

pub use state::{CurrentUser, ShellData, ShellState};

/// The shell's data of the request being rendered on the server (the first load of a page).
pub fn shell_data_for_request() -> ShellData {
    #[cfg(feature = "ssr")]
    {
        let Some(ctx) = use_context::<Context>() else {
            // Listing the routes at startup renders the app without a request.
            return ShellData::default();
        };
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
        }
    }
    #[cfg(not(feature = "ssr"))]
    ShellData::default()
}

/// The shell's data, provided by the App for the whole page.
fn shell_data() -> ShellData {
    use_context::<ShellState>()
        .map(|shell| shell.0.get_untracked())
        .unwrap_or_default()
}

/// Who is logged in, tracked: the header and the profile follow a login or logout in place.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<ShellState>().and_then(|shell| shell.0.with(|data| data.user.clone()))
}

/// Whether this session has given its password and waits for the second step, tracked.
fn second_step_pending() -> bool {
    use_context::<ShellState>()
        .is_some_and(|shell| shell.0.with(|data| data.second_step_seconds.is_some()))
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
    let activity = use_context::<browser::Activity>();
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

#[component]
pub fn Header() -> impl IntoView {
    let data = shell_data();
    view! {
        <a class="skip-link" href="#inhoud">"Naar de inhoud"</a>
        <header class="site-header">
            <div class="brand">
                <a href="/">{data.platform_name}</a>
            </div>
            {move || match current_user() {
                Some(user) => view! {
                    <MainNav/>
                    <UserMenu user/>
                }
                .into_any(),
                // Between the password and the second step: nothing of the account, only the
                // way out (SEC-30).
                None if second_step_pending() => view! {
                    <ActionForm action={action::<Logout>()} attr:class="logout">
                        <button type="submit" class="link">"Uitloggen"</button>
                    </ActionForm>
                }
                .into_any(),
                None => ().into_any(),
            }}
        </header>
    }
}

#[component]
fn MainNav() -> impl IntoView {
    view! {
        <nav class="main-nav" aria-label="Hoofdmenu">
            <ul>
                {NAVIGATION
                    .iter()
                    .map(|section| view! { <li><A href=section.href exact=true>{section.title}</A></li> })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    // The menu closes when the browser moves on, as a new page's would; not when the app
    // starts, which would undo a click made while it was loading.
    let menu = NodeRef::<leptos::html::Details>::new();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |first_run_done: Option<()>| {
        location.pathname.track();
        if first_run_done.is_some()
            && let Some(menu) = menu.get_untracked()
        {
            menu.set_open(false);
        }
    });
    // A plain form: logging out needs no script, and the server answers with a redirect.
    view! {
        <details class="user-menu" node_ref=menu>
            <summary>{user.name}</summary>
            <ul>
                <li><a href=crate::routes::SETTINGS>"Instellingen"</a></li>
                <li>
                    <ActionForm action={action::<Logout>()}>
                        <button type="submit" class="link">"Uitloggen"</button>
                    </ActionForm>
                </li>
            </ul>
        </details>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <h2>"Vragen?"</h2>
            <p>{shell_data().helpdesk}</p>
        </footer>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=HOME.title/>
        <h1>{HOME.title}</h1>
        {move || current_user().map(|user| view! { <p class="welcome">"Welkom, " {user.name} "."</p> })}
        <p>{HOME.description}</p>
    }
}

#[component]
pub fn ProfileLayout() -> impl IntoView {
    view! {
        <div class="profile">
            <aside class="profile-card">
                {move || current_user().map(|user| {
                    let initials: String = user
                        .name
                        .split_whitespace()
                        .filter_map(|part| part.chars().next())
                        .filter(|c| c.is_uppercase())
                        .take(2)
                        .collect();
                    view! {
                        <div class="avatar" aria-hidden="true">{initials}</div>
                        <p class="profile-name">{user.name}</p>
                    }
                })}
                <nav aria-label="Profiel">
                    <ul class="tabs">
                        <li><A href="/profiel" exact=true>"Details"</A></li>
                        <li><A href=crate::routes::SETTINGS>"Instellingen"</A></li>
                        <li><A href="/profiel/caseload">"Caseload"</A></li>
                    </ul>
                </nav>
            </aside>
            <div class="profile-content">
                <Outlet/>
            </div>
        </div>
    }
}

#[component]
pub fn ProfileDetails() -> impl IntoView {
    view! {
        <Title text="Details"/>
        <h1>"Details"</h1>
        {move || current_user().map(|user| view! {
            <dl class="details">
                <dt>"Naam"</dt>
                <dd>{user.name}</dd>
                <dt>"E-mailadres"</dt>
                <dd>{user.email}</dd>
                <dt>"Rol"</dt>
                <dd>{if user.is_admin { "Beheerder" } else { "Professional" }}</dd>
            </dl>
        })}
    }
}

#[component]
pub fn ProfileSettings() -> impl IntoView {
    let overview = Resource::new(refreshed, |_| session_overview());
    view! {
        <Title text="Instellingen"/>
        <h1>"Instellingen"</h1>
        <div class="tiles">
            <TwoFactorTile/>
            <PasswordTile/>
            <SecurityLogTile/>
            <section class="tile" aria-labelledby="tegel-sessie">
                <h2 id="tegel-sessie">"Huidige sessie"</h2>
                <Transition fallback=|| view! { <p>"Laden…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! {
                                <p>"Ingelogd sinds " {o.started} "."</p>
                                <p>
                                    "Na " {o.idle_minutes} " minuten zonder activiteit word je automatisch uitgelogd, en uiterlijk op "
                                    {o.ends_at_latest} "."
                                </p>
                            }
                            .into_any(),
                            Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
