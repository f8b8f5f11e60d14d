//! The shell's state, shared by every page: who is logged in, the platform's name, the
//! helpdesk, and the session's times. A leaf module: the shell and the browser's session
//! watch both read it, and every page that shows who is logged in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The logged-in user as the browser sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// What every page needs: the platform's name, the helpdesk and who is logged in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellData {
    pub platform_name: String,
    pub helpdesk: String,
    /// Only once every step is passed: a session that has given only its password learns
    /// nothing about the account, not even whose it is (SEC-30).
    pub user: Option<CurrentUser>,
    /// For a session that has given only its password: the seconds it has left for the second
    /// step (SEC-30).
    pub second_step_seconds: Option<i64>,
    /// `TWEESTAP_SESSION_IDLE_MINUTES`, for the warning before the session ends.
    pub idle_minutes: i64,
    /// The language the page is rendered in (`nl`, `en`): the browser takes it before it
    /// hydrates, and loads the page again when a move answers with another one (a login).
    pub lang: String,
}

/// The shell's data, for the whole page: set from the request on the first load, and from
/// `page_state` after every move in the browser.
#[derive(Clone, Copy, Debug)]
pub struct ShellState(pub RwSignal<ShellData>);

/// The shell's data, provided by the App for the whole page.
pub fn shell_data() -> ShellData {
    use_context::<ShellState>()
        .map(|shell| shell.0.get_untracked())
        .unwrap_or_default()
}

/// Who is logged in, tracked: the header and the profile follow a login or logout in place.
pub fn current_user() -> Option<CurrentUser> {
    use_context::<ShellState>().and_then(|shell| shell.0.with(|data| data.user.clone()))
}

/// Whether this session has given its password and waits for the second step, tracked.
pub fn second_step_pending() -> bool {
    use_context::<ShellState>()
        .is_some_and(|shell| shell.0.with(|data| data.second_step_seconds.is_some()))
}
