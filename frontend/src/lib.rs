//! The browser's entry point: the app, rendered first on the server, is hydrated and from then
//! on runs in the browser, with client-side routing and server functions for what only the
//! server may do.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait until the page responds to clicks.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
