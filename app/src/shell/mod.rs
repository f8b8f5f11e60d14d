//! The e-health platform around two-step authentication: header with the platform's name and
//! navigation, the user's menu, the profile with its tabs and settings tiles, and the footer
//! with the helpdesk on every page.

pub mod browser;

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
    settings::{
        password::PasswordTile,
        security_log::SecurityLogTile,
        tile::{TwoFactorTile, session_overview},
    },
};
#[cfg(feature = "ssr")]
use tweestap_domain::Context;

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
    /// Only once every step is passed: a session that has given only its password learns
    /// nothing about the account, not even whose it is (SEC-30).
    pub user: Option<CurrentUser>,
    /// For a session that has given only its password: the seconds it has left for the second
    /// step (SEC-30).
    pub second_step_seconds: Option<i64>,
    /// `TWEESTAP_SESSION_IDLE_MINUTES`, for the warning before the session ends.
    pub idle_minutes: i64,
}

/// The shell's data, for the whole page: set from the request on the first load, and from
/// `page_state` after every move in the browser.
#[derive(Clone, Copy, Debug)]
pub struct Shell(pub RwSignal<ShellData>);

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

/// The platform's sections, in the order of the navigation bar, and the profile's caseload.
pub const SECTIONS: [(&str, &str, &str); 9] = [
    (
        "/",
        "Home",
        "Je startpagina met wat er vandaag voor je klaarstaat.",
    ),
    (
        "/catalogus",
        "Catalogus",
        "Het aanbod van modules en interventies dat je cliënten kunt aanbieden.",
    ),
    (
        "/taken",
        "Taken",
        "De taken die op jou wachten, zoals berichten beantwoorden en modules beoordelen.",
    ),
    (
        "/gesprekken",
        "Gesprekken",
        "Je gesprekken met cliënten en collega's, ook via videobellen.",
    ),
    (
        "/clienten",
        "Cliënten",
        "De cliënten met wie je werkt en hun voortgang.",
    ),
    (
        "/professionals",
        "Professionals",
        "De professionals binnen je organisatie.",
    ),
    (
        "/data",
        "Data",
        "Overzichten en rapportages over het gebruik van het platform.",
    ),
    (
        "/configuratie",
        "Configuratie",
        "De inrichting van het platform voor je organisatie.",
    ),
    (
        "/profiel/caseload",
        "Caseload",
        "De cliënten aan wie je als behandelaar bent gekoppeld.",
    ),
];
pub const CASELOAD: usize = 8;

/// The shell's data, provided by the App for the whole page.
fn shell_data() -> ShellData {
    use_context::<Shell>()
        .map(|shell| shell.0.get_untracked())
        .unwrap_or_default()
}

/// Who is logged in, tracked: the header and the profile follow a login or logout in place.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<Shell>().and_then(|shell| shell.0.with(|data| data.user.clone()))
}

/// Whether this session has given its password and waits for the second step, tracked.
fn second_step_pending() -> bool {
    use_context::<Shell>()
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
#[server(endpoint = "page_state")]
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
    let shell = use_context::<Shell>();
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
            if let Some(Shell(data)) = shell
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
                {SECTIONS[..CASELOAD]
                    .iter()
                    .map(|(href, label, _)| view! { <li><A href=*href exact=true>{*label}</A></li> })
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
                <li><a href="/profiel/instellingen">"Instellingen"</a></li>
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

/// A section of the platform outside two-step authentication: its heading and what it is for.
#[component]
pub fn SectionPage(index: usize) -> impl IntoView {
    let (_, title, description) = SECTIONS[index];
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <p>{description}</p>
    }
}

/// `/:sectie`: one of the navigation bar's sections, or "not found".
#[component]
pub fn SectionRoute() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let wanted = params.read().get("sectie").unwrap_or_default();
        match SECTIONS[1..CASELOAD]
            .iter()
            .position(|(href, _, _)| href[1..] == wanted)
        {
            Some(index) => view! { <SectionPage index=index + 1/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let (_, title, description) = SECTIONS[0];
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        {move || current_user().map(|user| view! { <p class="welcome">"Welkom, " {user.name} "."</p> })}
        <p>{description}</p>
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
                        <li><A href="/profiel/instellingen">"Instellingen"</A></li>
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

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Pagina niet gevonden"/>
        <h1>"Pagina niet gevonden"</h1>
        <p>"Deze pagina bestaat niet (meer). Kies een onderdeel in het menu of ga naar " <a href="/">"Home"</a> "."</p>
    }
}
