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

#[cfg(not(feature = "hydrate"))]
use crate::chunk::leave;
#[cfg(feature = "hydrate")]
use crate::chunk::load_or_leave;
use crate::{
    chunk::{ChunkFailed, wanted_address},
    enrol::{intro::IntroPage, wizard::WizardPage},
    helpdesk::{ConfigurationPage, HelpdeskPage, HelpdeskUserPage},
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
