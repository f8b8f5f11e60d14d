//! The pages whose code the browser loads when they are first visited.
//!
//! Each is a lazy route, in a group of pages used together: built with `cargo leptos build
//! --split`, the group's views (and whatever only they use: their server functions' calls, their
//! forms) become a chunk of their own, fetched on the first client-side move to one of its pages,
//! or with the page when its address is loaded directly (the server names the files the page
//! needs in `<link rel="preload">`). So the first load of `/inloggen` carries the shell and the
//! login page, not the wizard, the settings or the helpdesk. On the server a lazy route renders
//! like any other.
//!
//! The pages create their own resources, so a first visit fetches the chunk and then the data;
//! every later visit has the chunk already. Two chunks are fetched ahead, in the background
//! ([`Prefetch`]): the settings once someone is logged in (the profile's Instellingen is where
//! every setting starts), and the wizard while the introduction offers it.

use leptos::prelude::*;
use leptos_router::{LazyRoute, hooks::use_query_map};

use crate::{
    enrol::{intro::IntroPage, wizard::WizardPage},
    helpdesk::{ConfigurationPage, HelpdeskPage, HelpdeskUserPage},
    lang::tr,
    login::{
        code::CodePage,
        recovery::{RecoveryPage, RecoveryUsedPage},
    },
    profile::ProfileDetails,
    routes::DIALOG_PARAM,
    sections::{CaseloadPage, HomePage, SectionRoute},
    settings::{
        devices::DevicesPage, disable::DisablePage, method::MethodPage, page::SettingsPage,
        passkeys::PasskeysPage, password::ChangePasswordPage, recovery_codes::RecoveryCodesPage,
    },
    shell::state::current_user,
};

/// Declares a group of pages that share one chunk: the group's view function is split off (with
/// everything only it uses), and each page is a route whose view calls it. One chunk per group
/// rather than per page: the splitter puts code that several chunks share into chunks of its
/// own, and with a chunk per page a wizard step needed some 60 files.
///
/// Leptos' own `#[lazy]` panics when a chunk cannot be fetched (a panic stops the whole wasm
/// module: every later click is dead). The split here is the same `wasm_split` that `#[lazy]`
/// expands to, made `fallible`, so that a failed fetch comes back as an error: the route tries
/// again, and then loads its address as a new document ([`load_or_leave`]). On the server the
/// page names its chunk, so that the first load of its address preloads it, as `#[lazy]` does.
macro_rules! lazy_group {
    ($group:ident, $view:ident, $preload:ident { $($route:ident => $page:ident),* $(,)? }) => {
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum $group {
            $($route),*
        }

        #[cfg_attr(
            feature = "hydrate",
            ::leptos::wasm_split::wasm_split(
                $view,
                wasm_split_path = ::leptos::wasm_split,
                preload(#[doc(hidden)] #[allow(non_snake_case)] $preload),
                fallible
            )
        )]
        fn $view(page: $group) -> Result<AnyView, ChunkFailed> {
            #[cfg(not(feature = "hydrate"))]
            ::leptos::prefetch_lazy_fn_on_server(stringify!($view));
            Ok(match page {
                $($group::$route => view! { <$page/> }.into_any()),*
            })
        }

        $(
            #[doc = concat!("[`", stringify!($page), "`], loaded with its group when first visited.")]
            pub struct $route {
                /// The address the browser is on its way to.
                address: String,
            }

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route { address: wanted_address() }
                }

                async fn view(this: Self) -> AnyView {
                    #[cfg(feature = "hydrate")]
                    {
                        load_or_leave(|| $view($group::$route), &this.address).await
                    }
                    #[cfg(not(feature = "hydrate"))]
                    {
                        $view($group::$route).unwrap_or_else(|_| leave(&this.address))
                    }
                }

                async fn preload() {
                    // A failure here is no failure yet: the view tries again.
                    #[cfg(feature = "hydrate")]
                    let _ = $preload().await;
                }
            }
        )*
    };
}

/// A chunk could not be fetched, or not be instantiated.
pub struct ChunkFailed;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkFailed {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkFailed
    }
}

/// The router's address on its way: the path and query a lazy page is loaded for.
pub(crate) fn wanted_address() -> String {
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
pub(crate) async fn load_or_leave<F, Fut>(load: F, address: &str) -> AnyView
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
pub(crate) fn leave(address: &str) -> AnyView {
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

/// Keeps a failed chunk fetch from surfacing as an uncaught error. The loader that
/// `cargo leptos --split` writes (`__wasm_split.js`) starts a chunk's fetch before it awaits the
/// chunks that one depends on; when one of those fails first, the fetch's own failure is never
/// awaited, and the browser reports "Failed to fetch" as an unhandled rejection. The load
/// itself fails as it should, and [`load_or_leave`] handles that; only the stray report is
/// dropped here. Nothing else of the app fetches without awaiting: server functions await
/// their answer.
#[cfg(feature = "hydrate")]
pub fn quiet_stray_chunk_failures() {
    use leptos::wasm_bindgen::{JsCast, closure::Closure};
    let on_rejection = Closure::<dyn Fn(web_sys::PromiseRejectionEvent)>::new(
        |event: web_sys::PromiseRejectionEvent| {
            let reason = event.reason();
            let is_fetch_failure = reason
                .dyn_ref::<js_sys::TypeError>()
                .is_some_and(|error| String::from(error.message()) == "Failed to fetch");
            if is_fetch_failure {
                event.prevent_default();
            }
        },
    );
    let _ = window().add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // For the page's lifetime.
    on_rejection.forget();
}

#[cfg(feature = "hydrate")]
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

// The platform's own pages: Home, the sections, the profile's details and caseload. Small, but
// with them in the main module the first load of /inloggen carried every page a logged-in user
// sees first.
lazy_group!(PlatformPages, platform_pages, __preload_platform_pages {
    Home => HomePage,
    Section => SectionRoute,
    Details => ProfileDetails,
    Caseload => CaseloadPage,
});

// The login's second step, for those who have it on.
lazy_group!(SecondStep, second_step_pages, __preload_second_step_pages {
    Code => CodePage,
    Recovery => RecoveryPage,
    RecoveryUsed => RecoveryUsedPage,
});

// The introduction's own page (without the script) and the wizard.
lazy_group!(Enrolment, enrolment_pages, __preload_enrolment_pages {
    Intro => IntroPage,
    Wizard => WizardPage,
});

// Instellingen and the settings pages behind its tiles.
lazy_group!(SettingsGroup, settings_pages, __preload_settings_pages {
    Settings => SettingsPage,
    Disable => DisablePage,
    Devices => DevicesPage,
    Passkeys => PasskeysPage,
    Method => MethodPage,
    RecoveryCodes => RecoveryCodesPage,
    ChangePassword => ChangePasswordPage,
});

// The Configuratie section, which every professional may open.
lazy_group!(ConfigurationGroup, configuration_pages, __preload_configuration_pages {
    Configuration => ConfigurationPage,
});

// The helpdesk, for admins.
lazy_group!(HelpdeskGroup, helpdesk_pages, __preload_helpdesk_pages {
    Helpdesk => HelpdeskPage,
    HelpdeskUser => HelpdeskUserPage,
});

/// Fetches the chunks a user is likely to open next, once, in the background.
#[component]
pub fn Prefetch() -> impl IntoView {
    prefetch_when::<Settings>(|| current_user().is_some());
    let query = use_query_map();
    prefetch_when::<Wizard>(move || {
        query.read().get(DIALOG_PARAM).is_some() && current_user().is_some()
    });
}

/// Fetches `R`'s chunk the first time `when` holds (in the browser; nothing on the server).
fn prefetch_when<R: LazyRoute>(when: impl Fn() -> bool + Send + Sync + 'static) {
    Effect::new(move |fetched: Option<bool>| {
        // Once fetched, the effect reads no signal any more and is done.
        if fetched == Some(true) || !when() {
            return fetched.unwrap_or(false);
        }
        leptos::task::spawn_local(R::preload());
        true
    });
}
