//! The only parts of the pages that run in the browser: copying to the clipboard and printing.
//! Everything else works as plain HTML.

use leptos::prelude::*;

/// Copies `text` to the clipboard and says so.
#[island]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        copied.set(true);
    };
    view! {
        <button type="button" class="secondary" on:click=copy>
            {move || if copied.get() { "Gekopieerd".to_owned() } else { label.clone() }}
        </button>
    }
}

/// Opens the browser's print dialog; the print style shows only the codes.
#[island]
pub fn PrintButton() -> impl IntoView {
    view! {
        <button type="button" class="secondary" on:click=|_| { let _ = window().print(); }>
            "Afdrukken"
        </button>
    }
}
