//! The e-health platform's frame around every page: the header with the platform's name, the
//! navigation and the user's menu, and the footer with the helpdesk. Its state is in `state`,
//! what the browser keeps for itself in `browser`.

pub mod browser;
pub mod language;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    forms::action,
    lang::tr,
    login::Logout,
    sections::NAVIGATION,
    shell::state::{CurrentUser, current_user, second_step_pending, shell_data},
};

#[component]
pub fn Header() -> impl IntoView {
    let data = shell_data();
    view! {
        <a class="skip-link" href="#inhoud">{tr!(common.shell.skip_link)}</a>
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
                        <button type="submit" class="link">{tr!(common.shell.logout)}</button>
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
        <nav class="main-nav" aria-label=tr!(common.shell.main_nav)>
            <ul>
                {NAVIGATION
                    .iter()
                    .map(|section| view! { <li><A href=section.href exact=true>{(section.title)()}</A></li> })
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
                <li><a href=crate::routes::SETTINGS>{tr!(common.shell.settings)}</a></li>
                <li>
                    <ActionForm action={action::<Logout>()}>
                        <button type="submit" class="link">{tr!(common.shell.logout)}</button>
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
            <h2>{tr!(common.shell.questions)}</h2>
            <p>{shell_data().helpdesk}</p>
        </footer>
    }
}
