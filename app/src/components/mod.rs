//! Parts more than one chapter uses: the factor's fields and forms, and the islands that need
//! the browser's script (copy, print, the resend countdown).

pub mod factor;
pub mod islands;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `?volgende=` of the page being rendered.
pub fn next_from_query() -> Option<String> {
    use_query_map().read_untracked().get("volgende")
}
