//! The platform's sections around two-step authentication (Home, Catalogus, … Configuratie,
//! and the profile's Caseload): what each is called and what it is for, their plain pages, and
//! the page for an address that is none of them.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{lang::tr, shell::state::current_user};

/// A section of the platform: its address, its name in the navigation bar and what it is for.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    pub href: &'static str,
    /// In the page's language; a function, because the language is the request's.
    pub title: fn() -> &'static str,
    pub description: fn() -> &'static str,
}

pub const HOME: Section = Section {
    href: "/",
    title: || tr!(sections.home.title),
    description: || tr!(sections.home.description),
};
pub const CATALOGUE: Section = Section {
    href: "/catalogus",
    title: || tr!(sections.catalogue.title),
    description: || tr!(sections.catalogue.description),
};
pub const TASKS: Section = Section {
    href: "/taken",
    title: || tr!(sections.tasks.title),
    description: || tr!(sections.tasks.description),
};
pub const CONVERSATIONS: Section = Section {
    href: "/gesprekken",
    title: || tr!(sections.conversations.title),
    description: || tr!(sections.conversations.description),
};
pub const CLIENTS: Section = Section {
    href: "/clienten",
    title: || tr!(sections.clients.title),
    description: || tr!(sections.clients.description),
};
pub const PROFESSIONALS: Section = Section {
    href: "/professionals",
    title: || tr!(sections.professionals.title),
    description: || tr!(sections.professionals.description),
};
pub const DATA: Section = Section {
    href: "/data",
    title: || tr!(sections.data.title),
    description: || tr!(sections.data.description),
};
pub const CONFIGURATION: Section = Section {
    href: "/configuratie",
    title: || tr!(sections.configuration.title),
    description: || tr!(sections.configuration.description),
};
pub const CASELOAD: Section = Section {
    href: "/profiel/caseload",
    title: || tr!(sections.caseload.title),
    description: || tr!(sections.caseload.description),
};

/// The navigation bar, in its order.
pub const NAVIGATION: [Section; 8] = [
    HOME,
    CATALOGUE,
    TASKS,
    CONVERSATIONS,
    CLIENTS,
    PROFESSIONALS,
    DATA,
    CONFIGURATION,
];

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=(HOME.title)()/>
        <h1>{(HOME.title)()}</h1>
        {move || current_user().map(|user| view! { <p class="welcome">{tr!(sections.welcome, name = user.name.clone())}</p> })}
        <p>{(HOME.description)()}</p>
    }
}

/// A section of the platform outside two-step authentication: its heading and what it is for.
#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    view! {
        <Title text=(section.title)()/>
        <h1>{(section.title)()}</h1>
        <p>{(section.description)()}</p>
    }
}

/// The profile's Caseload tab.
#[component]
pub fn CaseloadPage() -> impl IntoView {
    view! { <SectionPage section=CASELOAD/> }
}

/// `/:sectie`: one of the navigation bar's sections other than Home, or "not found".
#[component]
pub fn SectionRoute() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let wanted = params.read().get("sectie").unwrap_or_default();
        match NAVIGATION
            .into_iter()
            .find(|section| section.href != HOME.href && section.href[1..] == wanted)
        {
            Some(section) => view! { <SectionPage section/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr!(sections.not_found.title)/>
        <h1>{tr!(sections.not_found.title)}</h1>
        <p>{tr!(sections.not_found.text)} " " <a href="/">{(HOME.title)()}</a> "."</p>
    }
}
