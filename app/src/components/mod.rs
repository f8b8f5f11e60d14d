//! Parts more than one chapter uses: the factor's fields and forms, "Onthoud mij", and the
//! buttons that need the browser's script (copy, print, the resend countdown).

pub mod buttons;
pub mod factor;
pub mod remember;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::AppError;

/// `?volgende=` of the page being rendered.
pub fn next_from_query() -> Option<String> {
    use_query_map().read_untracked().get("volgende")
}

/// The hidden field that carries the page's `?volgende=` along with a form, to the server
/// function that sends the browser on. It follows the address: after a logout two answers can
/// move the login page's address (the logout's own redirect to `/inloggen`, and the session
/// watch's `/inloggen?volgende=…` for the page left), and the field must not keep the first.
#[component]
pub fn NextField() -> impl IntoView {
    let query = use_query_map();
    view! { <input type="hidden" name="next" value=move || query.read().get("volgende")/> }
}

/// Shows `dialog` as the browser's own modal while `open` says so (focus moves in and back,
/// Escape fires `cancel`), and closes it when it no longer does.
pub fn modal_follows(dialog: NodeRef<leptos::html::Dialog>, open: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        let open = open();
        if let Some(dialog) = dialog.get() {
            if open && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !open && dialog.open() {
                dialog.close();
            }
        }
    });
}

/// A page's state from the server, shown by `show` once it is there: "Laden…" until then (the
/// page before keeps showing on a later refresh), and the error in its place if it failed.
pub fn loaded<T, V>(
    state: Resource<Result<T, AppError>>,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p>{crate::lang::tr!(common.components.loading)}</p> }>
            {move || {
                let show = show.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(state) => show(state).into_any(),
                        Err(err) => view! { <p role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
