//! The browser's entry point. Pages are rendered on the server and work as plain HTML; only the
//! islands (the few components that need the browser, such as copy buttons) are hydrated.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    // Registers the islands compiled into this bundle.
    #[allow(unused_imports)]
    use app::*;
    leptos::mount::hydrate_islands();
    // Lets end-to-end tests wait until the islands respond to clicks.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
