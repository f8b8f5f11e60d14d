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

/// Declares a group of pages that share one chunk: the group's view function is split off (with
/// everything only it uses), and each page is a route whose view calls it. One chunk per group
/// rather than per page: the splitter puts code that several chunks share into chunks of its
/// own, and with a chunk per page a wizard step needed some 60 files.
macro_rules! lazy_group {
    ($group:ident, $view:ident, $preload:ident { $($route:ident => $page:ident),* $(,)? }) => {
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum $group {
            $($route),*
        }

        #[lazy]
        fn $view(page: $group) -> AnyView {
            match page {
                $($group::$route => view! { <$page/> }.into_any()),*
            }
        }

        $(
            #[doc = concat!("[`", stringify!($page), "`], loaded with its group when first visited.")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    $view($group::$route).await
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )*
    };
}

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
    Settings => ProfileSettings,
    Disable => DisablePage,
    Devices => DevicesPage,
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
