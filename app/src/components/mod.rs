//! Parts more than one chapter uses: the factor's fields and forms, and the buttons that need
//! the browser's script (copy, print, the resend countdown).

pub mod buttons;
pub mod factor;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `?volgende=` of the page being rendered.
pub fn next_from_query() -> Option<String> {
    use_query_map().read_untracked().get("volgende")
}

/// The hidden field that carries the page's `?volgende=` along with a form, to the server
/// function that sends the browser on.
#[component]
pub fn NextField() -> impl IntoView {
    view! { <input type="hidden" name="next" value=next_from_query()/> }
}
