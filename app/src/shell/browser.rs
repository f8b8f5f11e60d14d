//! What the browser keeps for itself, shared by every tab of one browser through localStorage
//! (gloo-storage): the moment the server was last used, a logout, and the remembered e-mail
//! address. None of it is secret (SEC-27): no session token, secret, code, recovery code or phone
//! number is ever put in the browser's storage.
//!
//! With it come the warning before the idle timeout (WCAG 2.2.1 Timing Adjustable) and the logout
//! that reaches every tab.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use crate::local_storage::{ACTIVITY_KEY, LOGGED_OUT_KEY};

use crate::{
    error::AppError,
    lang::tr,
    routes::{LOGIN, second_step_expired_page},
    shell::state::ShellState,
};

/// The warning comes this long before the session ends, or halfway when the idle time is short.
const WARN_SECONDS: f64 = 120.0;

/// The last moment this browser used the server, in any tab (milliseconds since the epoch; 0
/// until the page runs in the browser).
#[derive(Clone, Copy, Debug)]
pub struct Activity(pub RwSignal<f64>);

/// "Ingelogd blijven": the session's idle time starts again now. Not for a session that has
/// given only its password: its short time is its own (SEC-30).
#[server(prefix = "/api/instellen", endpoint = "stay_logged_in")]
pub async fn stay_logged_in() -> Result<(), AppError> {
    let (ctx, _, session) = crate::request::logged_in()?;
    if session.stage != tweestap_domain::accounts::session::SessionStage::Complete {
        return Err(AppError::SecondStepRequired);
    }
    tweestap_domain::accounts::session::keep_alive(&ctx, session.id)
        .await
        .map_err(tweestap_domain::Error::from)?;
    Ok(())
}

/// Milliseconds since the epoch in the browser; 0 on the server, which never shows the warning.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

impl Activity {
    /// The server was just used: the idle time starts again, in every tab of this browser.
    pub fn record(self) {
        let now = now_ms();
        self.0.set(now);
        #[cfg(feature = "hydrate")]
        {
            let _ = <gloo_storage::LocalStorage as gloo_storage::Storage>::set(ACTIVITY_KEY, now);
        }
    }
}

/// Tells the other tabs of this browser that the session ended.
pub fn announce_logout() {
    #[cfg(feature = "hydrate")]
    {
        let _ =
            <gloo_storage::LocalStorage as gloo_storage::Storage>::set(LOGGED_OUT_KEY, now_ms());
    }
}

/// What one tab hears from the others, and the warning before the idle timeout ends the session.
#[component]
pub fn BrowserSession() -> impl IntoView {
    let shell = use_context::<ShellState>().map(|ShellState(data)| data);
    let activity = use_context::<Activity>();
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    let logged_in =
        Memo::new(move |_| shell.is_some_and(|data| data.with(|data| data.user.is_some())));
    let idle_seconds =
        move || shell.map_or(30 * 60, |data| data.with(|data| data.idle_minutes)) as f64 * 60.0;
    let now = RwSignal::new(0.0);

    // The page just came from the server; from now on a second ticks.
    Effect::new(move |_| {
        if let Some(activity) = activity {
            activity.record();
        }
        now.set(now_ms());
        if let Ok(handle) =
            set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    });

    // Another tab logged out, or used the server.
    #[cfg(feature = "hydrate")]
    {
        let navigate = navigate.clone();
        let handle = window_event_listener(leptos::ev::storage, move |event| {
            match event.key().as_deref() {
                Some(LOGGED_OUT_KEY) if logged_in.get_untracked() => {
                    if let Some(data) = shell {
                        data.update(|data| data.user = None);
                    }
                    navigate(LOGIN, Default::default());
                }
                Some(ACTIVITY_KEY) => {
                    if let (Some(Activity(last)), Some(Ok(value))) = (
                        activity,
                        event.new_value().map(|value| value.parse::<f64>()),
                    ) {
                        last.set(value);
                    }
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }

    // A logout here reaches the other tabs.
    Effect::new(move |before: Option<bool>| {
        let now_in = logged_in.get();
        if before == Some(true) && !now_in {
            announce_logout();
        }
        now_in
    });

    let remaining = move || {
        let last = activity.map_or(0.0, |Activity(last)| last.get());
        if last == 0.0 {
            return f64::INFINITY;
        }
        idle_seconds() - (now.get() - last) / 1000.0
    };
    let warn = move || logged_in.get() && remaining() <= WARN_SECONDS.min(idle_seconds() / 2.0);

    // Time is up: the server has ended the session; the page says so by showing the login.
    let navigate_idle = navigate.clone();
    Effect::new(move |_| {
        if logged_in.get() && remaining() <= 0.0 {
            let here = location.pathname.get_untracked();
            if let Some(data) = shell {
                data.update(|data| data.user = None);
            }
            navigate_idle(
                &crate::access::page_redirect(crate::access::Access::LoginRequired, &here)
                    .unwrap_or_else(|| LOGIN.to_owned()),
                Default::default(),
            );
        }
    });

    // The second step's time is up: the server has ended the session; the login page says so
    // (SEC-30).
    let second_step_seconds =
        Memo::new(move |_| shell.and_then(|data| data.with(|data| data.second_step_seconds)));
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            let Some(seconds) = second_step_seconds.get() else {
                return;
            };
            let navigate = navigate.clone();
            let expired = move || {
                if let Some(data) = shell {
                    data.update(|data| data.second_step_seconds = None);
                }
                navigate(&second_step_expired_page(), Default::default());
            };
            // A second late, so that the server has certainly ended it.
            let wait = std::time::Duration::from_secs(seconds.max(0) as u64 + 1);
            if let Ok(handle) = set_timeout_with_handle(expired, wait) {
                on_cleanup(move || handle.clear());
            }
        });
    }

    let dialog = NodeRef::<leptos::html::Dialog>::new();
    crate::components::modal_follows(dialog, warn);
    let stay = move || {
        leptos::task::spawn_local(async move {
            match stay_logged_in().await {
                Ok(()) => {
                    if let Some(activity) = activity {
                        activity.record();
                    }
                }
                Err(_) => now.set(f64::INFINITY),
            }
        });
    };
    let left = move || time_left(remaining().max(0.0).ceil() as i64);

    view! {
        <dialog
            node_ref=dialog
            class="idle-warning"
            role="alertdialog"
            aria-labelledby="idle-titel"
            aria-describedby="idle-uitleg"
            on:cancel=move |event: leptos::ev::Event| {
                // Escape counts as staying: the warning is answered, not ignored.
                event.prevent_default();
                stay();
            }
        >
            <h2 id="idle-titel">{move || tr!(common.shell.idle.title, time = left()).to_string()}</h2>
            <p id="idle-uitleg">{tr!(common.shell.idle.text)}</p>
            <button type="button" class="primary" autofocus on:click=move |_| stay()>
                {tr!(common.shell.idle.stay)}
            </button>
        </dialog>
    }
}

/// The idle warning's time left, in the page's language: "1:30 minuten", "45 seconden",
/// "1 seconde".
fn time_left(seconds: i64) -> String {
    if seconds >= 60 {
        let time = format!("{}:{:02}", seconds / 60, seconds % 60);
        tr!(common.shell.idle.minutes, time = time).to_string()
    } else {
        crate::words::count(
            seconds,
            tr!(common.components.buttons.second),
            tr!(common.components.buttons.seconds),
        )
    }
}

#[cfg(test)]
mod tests {
    use leptos::prelude::Owner;

    use crate::lang::{Locale, set_current};

    #[test]
    fn the_last_second_is_one_seconde() {
        Owner::new().with(|| {
            set_current(Locale::nl);
            assert_eq!(super::time_left(90), "1:30 minuten");
            assert_eq!(super::time_left(45), "45 seconden");
            assert_eq!(super::time_left(1), "1 seconde");
        });
    }

    #[test]
    fn the_idle_warning_speaks_english_too() {
        Owner::new().with(|| {
            set_current(Locale::en);
            assert_eq!(super::time_left(90), "1:30 minutes");
            assert_eq!(super::time_left(1), "1 second");
        });
    }
}
