//! Tweestap: two-step authentication for an e-health platform, following the Dutch user manual.
//! This crate holds the pages, by the manual's chapters, and their server functions: thin
//! adapters that parse the input, call `tweestap-domain` (behind the `ssr` feature) and map its
//! error to the browser's Dutch messages.
#![recursion_limit = "256"]

pub mod access;
pub mod chunk;
pub mod components;
pub mod enrol;
pub mod error;
pub mod forms;
pub mod helpdesk;
pub mod lang;
pub mod lazy_routes;
pub mod local_storage;
pub mod login;
pub mod page_state;
pub mod passkey;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod request;
pub mod routes;
pub mod sections;
pub mod settings;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod viewer;
pub mod words;

use leptos::{prelude::*, server::SharedValue};
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    enrol::intro::IntroDialog,
    forms::provide_refresh,
    login::LoginPage,
    page_state::{SessionWatch, shell_data_for_request},
    profile::ProfileLayout,
    sections::NotFound,
    shell::{
        Footer, Header,
        browser::{Activity, BrowserSession},
        state::ShellState,
    },
};

/// The HTML document around the app, rendered on the server only.
pub fn document(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = lang::from_request().tag();
    #[cfg(not(feature = "ssr"))]
    let lang = "nl";
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // The platform's icon; /favicon.ico too, for what asks for that by name.
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_refresh();
    // Read from the request on the server and handed to the browser with the page.
    let data = SharedValue::new(shell_data_for_request).into_inner();
    lang::set_current(lang::from_tag(&data.lang));
    let platform = data.platform_name.clone();
    provide_context(ShellState(RwSignal::new(data)));
    provide_context(Activity(RwSignal::new(0.0)));
    // While the router moves (a page's code or data on its way), the page says it is busy.
    let (routing, set_routing) = signal(false);

    view! {
        <Stylesheet id="leptos" href="/pkg/tweestap.css"/>
        <Router set_is_routing=set_routing>
            <Title formatter=move |page: String| format!("{page} – {platform}")/>
            <SessionWatch/>
            <BrowserSession/>
            <IntroDialog/>
            <lazy_routes::Prefetch/>
            <Header/>
            <main id="inhoud" tabindex="-1" aria-busy=move || routing.get().then_some("true")>
                // The first load of every address is rendered whole on the server, so it shows
                // at once and works as plain HTML; from then on the browser routes.
                <Routes fallback=NotFound>
                    <Route path=path!("/inloggen") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/inloggen/code") view={Lazy::<lazy_routes::Code>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/inloggen/herstelcode") view={Lazy::<lazy_routes::Recovery>::new()} ssr=SsrMode::Async/>
                    <Route
                        path=path!("/inloggen/herstelcode-gebruikt")
                        view={Lazy::<lazy_routes::RecoveryUsed>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/twee-staps/introductie") view={Lazy::<lazy_routes::Intro>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/twee-staps/instellen") view={Lazy::<lazy_routes::Wizard>::new()} ssr=SsrMode::Async/>
                    <Route path=StaticSegment("") view={Lazy::<lazy_routes::Home>::new()} ssr=SsrMode::Async/>
                    <ParentRoute path=path!("/profiel") view=ProfileLayout ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<lazy_routes::Details>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("instellingen") view={Lazy::<lazy_routes::Settings>::new()} ssr=SsrMode::Async/>
                        <Route
                            path=path!("uitschakelen")
                            view={Lazy::<lazy_routes::Disable>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("apparaten")
                            view={Lazy::<lazy_routes::Devices>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("passkeys")
                            view={Lazy::<lazy_routes::Passkeys>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("methode")
                            view={Lazy::<lazy_routes::Method>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("herstelcodes")
                            view={Lazy::<lazy_routes::RecoveryCodes>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("wachtwoord")
                            view={Lazy::<lazy_routes::ChangePassword>::new()}
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("caseload")
                            ssr=SsrMode::Async
                            view={Lazy::<lazy_routes::Caseload>::new()}
                        />
                    </ParentRoute>
                    <Route
                        path=path!("/configuratie")
                        view={Lazy::<lazy_routes::Configuration>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/configuratie/twee-staps")
                        view={Lazy::<lazy_routes::Helpdesk>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/configuratie/twee-staps/:gebruiker")
                        view={Lazy::<lazy_routes::HelpdeskUser>::new()}
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/:sectie") view={Lazy::<lazy_routes::Section>::new()} ssr=SsrMode::Async/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}
