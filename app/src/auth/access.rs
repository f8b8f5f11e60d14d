//! Which requests a session may make. One decision for every page and server function, deny
//! by default, so that a route added later is protected without anyone remembering to.

use leptos::server_fn::ServerFn;

use super::{Login, Logout};

/// How far a request's session got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Anonymous,
    Authenticated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allow,
    /// Not logged in: pages redirect to the login page, server functions answer 401.
    LoginRequired,
    /// The login page for someone who is already in: send them home.
    AlreadyLoggedIn,
}

pub const LOGIN_PAGE: &str = "/inloggen";

/// Static files any visitor may fetch: the bundle and the public assets.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || matches!(path, "/favicon.ico" | "/favicon.svg" | "/robots.txt")
}

/// Server functions an anonymous visitor may call.
fn is_public_server_fn(path: &str) -> bool {
    [Login::PATH, Logout::PATH].contains(&path)
}

pub fn decide(path: &str, stage: Stage) -> Access {
    if is_asset(path) {
        return Access::Allow;
    }
    match stage {
        Stage::Authenticated if path == LOGIN_PAGE => Access::AlreadyLoggedIn,
        Stage::Authenticated => Access::Allow,
        Stage::Anonymous if path == LOGIN_PAGE || is_public_server_fn(path) => Access::Allow,
        Stage::Anonymous => Access::LoginRequired,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_reach_only_login_assets_and_public_functions() {
        for path in [
            "/inloggen",
            "/pkg/tweestap.wasm",
            "/favicon.ico",
            Login::PATH,
        ] {
            assert_eq!(decide(path, Stage::Anonymous), Access::Allow, "{path}");
        }
        for path in [
            "/",
            "/profiel",
            "/profiel/instellingen",
            "/configuratie",
            "/api/anything",
            "/onbekend",
        ] {
            assert_eq!(
                decide(path, Stage::Anonymous),
                Access::LoginRequired,
                "{path}"
            );
        }
    }

    #[test]
    fn logged_in_users_are_sent_home_from_the_login_page() {
        assert_eq!(
            decide("/inloggen", Stage::Authenticated),
            Access::AlreadyLoggedIn
        );
        assert_eq!(decide("/profiel", Stage::Authenticated), Access::Allow);
    }
}
