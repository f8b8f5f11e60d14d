//! The browser's entry point: the app, rendered first on the server, is hydrated and from then
//! on runs in the browser, with client-side routing and server functions for what only the
//! server may do.

#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    app::lazy_routes::quiet_stray_chunk_failures();
    // Hydration waits for the code of a lazily loaded page (see `app::split`) when the first
    // address is one, so it runs as a task rather than at once.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Lets end-to-end tests wait until the page responds to clicks.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
