//! Tweestap: two-step authentication for an e-health platform, following the Dutch user manual.
//! This crate holds the pages, components and server functions, and, behind the `ssr` feature,
//! the services, storage and migrations they call.
#![recursion_limit = "256"]

pub mod auth;
pub mod error;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod crypto;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod testing;
#[cfg(feature = "ssr")]
pub mod time;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::{
    auth::{LoginPage, shell_info},
    shell::{
        CASELOAD, Footer, Header, HomePage, NotFound, ProfileDetails, ProfileLayout,
        ProfileSettings, SectionPage, SectionRoute, ShellResource,
    },
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="nl">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
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
    // Who is logged in changes only with a full page load (login, logout), so the shell's data
    // is fetched once, awaited once, and handed down as plain context.
    let data: ShellResource = OnceResource::new_blocking(shell_info());

    view! {
        <Stylesheet id="leptos" href="/pkg/tweestap.css"/>
        <Router>
            <Suspense>
                {move || Suspend::new(async move {
                    let data = data.await.unwrap_or_default();
                    let platform = data.platform_name.clone();
                    provide_context(data);
                    view! {
                        <Title formatter=move |page: String| format!("{page} – {platform}")/>
                        <Header/>
                        <main id="inhoud" tabindex="-1">
                            <Routes fallback=NotFound>
                                <Route path=path!("/inloggen") view=LoginPage/>
                                <Route path=StaticSegment("") view=HomePage/>
                                <ParentRoute path=path!("/profiel") view=ProfileLayout>
                                    <Route path=path!("") view=ProfileDetails/>
                                    <Route path=path!("instellingen") view=ProfileSettings/>
                                    <Route
                                        path=path!("caseload")
                                        view=|| view! { <SectionPage index=CASELOAD/> }
                                    />
                                </ParentRoute>
                                <Route path=path!("/:sectie") view=SectionRoute/>
                            </Routes>
                        </main>
                        <Footer/>
                    }
                })}
            </Suspense>
        </Router>
    }
}
