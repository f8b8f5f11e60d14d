//! The e-health platform around two-step authentication: header with the platform's name and
//! navigation, the user's menu, the profile with its tabs and settings tiles, and the footer
//! with the helpdesk on every page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request::Viewer;
use crate::{
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
    pub user: Option<CurrentUser>,
}

/// The shell's data for the page being rendered. Pages are rendered on the server only (the
/// browser hydrates islands, not pages), so this reads the request directly.
pub fn shell_data_for_request() -> ShellData {
    #[cfg(feature = "ssr")]
    {
        let Some(ctx) = use_context::<Context>() else {
            // Listing the routes at startup renders the app without a request.
            return ShellData::default();
        };
        let user = Viewer::current().session.map(|session| CurrentUser {
            name: session.user.display_name,
            email: session.user.email,
            is_admin: session.user.role == tweestap_domain::db::entity::user::Role::Admin,
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
    use_context::<ShellData>().unwrap_or_default()
}

fn current_user() -> Option<CurrentUser> {
    shell_data().user
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
            {data.user.map(|user| view! {
                <MainNav/>
                <UserMenu user/>
            })}
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
    use leptos::server_fn::ServerFn as _;
    // A plain form: logging out needs no script, and the server answers with a redirect.
    view! {
        <details class="user-menu">
            <summary>{user.name}</summary>
            <ul>
                <li><a href="/profiel/instellingen">"Instellingen"</a></li>
                <li>
                    <form method="post" action=Logout::PATH>
                        <button type="submit" class="link">"Uitloggen"</button>
                    </form>
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
        {current_user().map(|user| view! { <p class="welcome">"Welkom, " {user.name} "."</p> })}
        <p>{description}</p>
    }
}

#[component]
pub fn ProfileLayout() -> impl IntoView {
    view! {
        <div class="profile">
            <aside class="profile-card">
                {current_user().map(|user| {
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
        {current_user().map(|user| view! {
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
    let overview = Resource::new(|| (), |_| session_overview());
    view! {
        <Title text="Instellingen"/>
        <h1>"Instellingen"</h1>
        <div class="tiles">
            <TwoFactorTile/>
            <PasswordTile/>
            <SecurityLogTile/>
            <section class="tile" aria-labelledby="tegel-sessie">
                <h2 id="tegel-sessie">"Huidige sessie"</h2>
                <Suspense fallback=|| view! { <p>"Laden…"</p> }>
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
                </Suspense>
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
