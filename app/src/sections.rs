//! The platform's sections around two-step authentication (Home, Catalogus, … Configuratie,
//! and the profile's Caseload): what each is called and what it is for, their plain pages, and
//! the page for an address that is none of them.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::state::current_user;

/// A section of the platform: its address, its name in the navigation bar and what it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    pub href: &'static str,
    pub title: &'static str,
    pub description: &'static str,
}

pub const HOME: Section = Section {
    href: "/",
    title: "Home",
    description: "Je startpagina met wat er vandaag voor je klaarstaat.",
};
pub const CATALOGUE: Section = Section {
    href: "/catalogus",
    title: "Catalogus",
    description: "Het aanbod van modules en interventies dat je cliënten kunt aanbieden.",
};
pub const TASKS: Section = Section {
    href: "/taken",
    title: "Taken",
    description: "De taken die op jou wachten, zoals berichten beantwoorden en modules beoordelen.",
};
pub const CONVERSATIONS: Section = Section {
    href: "/gesprekken",
    title: "Gesprekken",
    description: "Je gesprekken met cliënten en collega's, ook via videobellen.",
};
pub const CLIENTS: Section = Section {
    href: "/clienten",
    title: "Cliënten",
    description: "De cliënten met wie je werkt en hun voortgang.",
};
pub const PROFESSIONALS: Section = Section {
    href: "/professionals",
    title: "Professionals",
    description: "De professionals binnen je organisatie.",
};
pub const DATA: Section = Section {
    href: "/data",
    title: "Data",
    description: "Overzichten en rapportages over het gebruik van het platform.",
};
pub const CONFIGURATION: Section = Section {
    href: "/configuratie",
    title: "Configuratie",
    description: "De inrichting van het platform voor je organisatie.",
};
pub const CASELOAD: Section = Section {
    href: "/profiel/caseload",
    title: "Caseload",
    description: "De cliënten aan wie je als behandelaar bent gekoppeld.",
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
        <Title text=HOME.title/>
        <h1>{HOME.title}</h1>
        {move || current_user().map(|user| view! { <p class="welcome">"Welkom, " {user.name} "."</p> })}
        <p>{HOME.description}</p>
    }
}

/// A section of the platform outside two-step authentication: its heading and what it is for.
#[component]
pub fn SectionPage(section: Section) -> impl IntoView {
    view! {
        <Title text=section.title/>
        <h1>{section.title}</h1>
        <p>{section.description}</p>
    }
}

/// `/:sectie`: one of the navigation bar's sections other than Home, or "not found".
#[component]
pub fn SectionRoute() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let wanted = params.read().get("sectie").unwrap_or_default();
        match NAVIGATION
            .into_iter()
            .find(|section| section != &HOME && section.href[1..] == wanted)
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
        <Title text="Pagina niet gevonden"/>
        <h1>"Pagina niet gevonden"</h1>
        <p>"Deze pagina bestaat niet (meer). Kies een onderdeel in het menu of ga naar " <a href="/">"Home"</a> "."</p>
    }
}
