//! Loading a chunk of the app's code (`cargo leptos build --split`): a lazy page's group
//! (`lazy_routes`) or a lazily loaded piece of the shell (the introduction dialog's content),
//! with retries on a flaky line and, when the chunk does not come, the address loaded as a new
//! document instead of a dead click.

use leptos::prelude::*;

use crate::lang::tr;

/// A chunk could not be fetched, or not be instantiated.
pub struct ChunkFailed;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkFailed {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkFailed
    }
}

/// The router's address on its way: the path and query a lazy page is loaded for.
pub fn wanted_address() -> String {
    let url = leptos_router::hooks::use_url().get_untracked();
    match url.search() {
        "" => url.path().to_owned(),
        search => format!("{}?{search}", url.path()),
    }
}

/// How long to wait before each new try of a chunk that failed: a hospital's Wi-Fi that drops
/// a request now and then gets two more chances within a second and a half.
#[cfg(feature = "hydrate")]
const RETRY_AFTER_MS: [i32; 2] = [300, 1200];

/// The group's view, its chunk fetched with up to two more tries; if it still fails, the
/// address is loaded as a new document, as a link without the script would be: never a panic,
/// never a dead click.
#[cfg(feature = "hydrate")]
pub async fn load_or_leave<F, Fut>(load: F, address: &str) -> AnyView
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<AnyView, ChunkFailed>>,
{
    for wait in RETRY_AFTER_MS {
        match load().await {
            Ok(view) => return view,
            Err(ChunkFailed) => sleep(wait).await,
        }
    }
    load().await.unwrap_or_else(|ChunkFailed| leave(address))
}

/// Loads `address` as a new document; the page in between says what happens. Not the address
/// the browser is on already (a first load whose own chunk failed): loading it again and again
/// would not help, the link does when the line is back.
pub fn leave(address: &str) -> AnyView {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        if here != address {
            let _ = location.assign(address);
        }
    }
    view! {
        <p role="status">
            {tr!(common.reload.text)} " "
            <a href=address.to_owned()>{tr!(common.reload.try_again)}</a> "."
        </p>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
