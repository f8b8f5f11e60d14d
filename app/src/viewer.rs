//! Who is asking, and what their request says of itself (its cookies, its languages): read on
//! the server only. A leaf module: the page's language (`lang`) reads it as well as `request`.

use axum::http::request::Parts;
use leptos::prelude::use_context;
use tweestap_domain::{accounts::session::ActiveSession, client::ClientInfo};

/// Who is asking: put into every request's extensions by the server's session middleware.
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub session: Option<ActiveSession>,
    pub client: ClientInfo,
    /// The "Onthoud mij" cookie, if the browser sent one.
    pub remembered: Option<String>,
    /// The browser's session gave its password but took too long for the second step (SEC-30):
    /// it is gone, and the login page says why.
    pub second_step_expired: bool,
}

impl Viewer {
    /// The viewer of the request being handled; anonymous outside a request.
    pub fn current() -> Self {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
            .unwrap_or_default()
    }
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// The languages of the request's `Accept-Language` header, as the browser sent them.
pub fn accept_language() -> Option<String> {
    use_context::<Parts>()?
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()
        .map(str::to_owned)
}
