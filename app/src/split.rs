//! The pages whose code the browser loads when they are first visited.
//!
//! Each is a lazy route: built with `cargo leptos build --split`, its view (and whatever only it
//! uses: its server functions' calls, its forms) becomes a chunk of its own, fetched on the first
//! client-side move to the page, or with the page when its address is loaded directly (the
//! server names the chunks the page used in `<link rel="modulepreload">`). So the first load of
//! `/inloggen` carries the shell and the login page, not the wizard, the settings or the
//! helpdesk. On the server a lazy route renders like any other.
//!
//! The pages create their own resources, so a first visit fetches the chunk and then the data;
//! every later visit has the chunk already. Two chunks are fetched ahead, in the background
//! ([`Prefetch`]): the settings once someone is logged in (the profile's Instellingen is where
//! every setting starts), and the wizard while the introduction offers it.

use leptos::prelude::*;
use leptos_router::{LazyRoute, hooks::use_query_map, lazy_route};

use crate::{
    enrol::{
        intro::{DIALOG_PARAM, IntroPage},
        wizard::WizardPage,
    },
    helpdesk::{ConfigurationPage, HelpdeskPage, HelpdeskUserPage},
    login::{
        code::CodePage,
        recovery::{RecoveryPage, RecoveryUsedPage},
    },
    settings::{
        devices::DevicesPage, disable::DisablePage, method::MethodPage,
        password::ChangePasswordPage, recovery_codes::RecoveryCodesPage,
    },
    shell::{ProfileSettings, current_user},
};

/// Declares, for each page, a route type whose view is split off into its own chunk.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("[`", stringify!($page), "`], loaded when first visited.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    Code => CodePage,
    Recovery => RecoveryPage,
    RecoveryUsed => RecoveryUsedPage,
    Intro => IntroPage,
    Wizard => WizardPage,
    Settings => ProfileSettings,
    Disable => DisablePage,
    Devices => DevicesPage,
    Method => MethodPage,
    RecoveryCodes => RecoveryCodesPage,
    ChangePassword => ChangePasswordPage,
    Configuration => ConfigurationPage,
    Helpdesk => HelpdeskPage,
    HelpdeskUser => HelpdeskUserPage,
}

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
