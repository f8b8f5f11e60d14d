//! Which requests a session may make. One decision for every page and server function, deny
//! by default, so that a route added later is protected without anyone remembering to.

use leptos::server_fn::ServerFn;

use crate::{
    components::factor::ResendSmsCode,
    enrol::wizard::{
        WizardCode, WizardDone, WizardMethod, WizardPassword, WizardPhone, WizardRestart,
        WizardState,
    },
    login::{
        Login, Logout,
        code::{RememberHours, SecondStepCode, SecondStepInfo},
        recovery::SecondStepRecovery,
    },
    routes::{CODE, LOGIN, RECOVERY, WIZARD, local_path, query_value, second_step_expired_page},
    shell::{PageState, browser::StayLoggedIn},
};

/// How far a request's session got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Anonymous,
    /// The password was right; the second step is still to come (SEC-01).
    SecondStepPending,
    /// Two-step authentication is mandatory and this user has not set it up (SEC-04).
    EnrolmentRequired,
    Authenticated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allow,
    /// Not logged in: pages redirect to the login page, server functions answer 401.
    LoginRequired,
    /// The login page for someone who is already in: send them home.
    AlreadyLoggedIn,
    /// Only the second step: pages redirect to it, server functions answer 401.
    SecondStepRequired,
    /// Only the wizard: pages redirect to it, server functions answer 403.
    EnrolmentRequired,
    /// The session gave its password but took too long for the second step (SEC-30): pages
    /// go to the login page, which says so; server functions answer 401.
    SecondStepExpired,
}

/// The files at the site's root (`public/`): the platform's icon and the robots file.
pub const ROOT_FILES: [&str; 3] = ["/favicon.ico", "/favicon.svg", "/robots.txt"];

/// Static files any visitor may fetch: the bundle and the public assets.
pub fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || ROOT_FILES.contains(&path)
}

/// Server functions an anonymous visitor may call. `page_state` applies this policy itself.
fn is_public_server_fn(path: &str) -> bool {
    [Login::PATH, Logout::PATH, PageState::PATH].contains(&path)
}

/// What a session between the password and the second step may reach.
fn is_second_step(path: &str) -> bool {
    [
        CODE,
        RECOVERY,
        SecondStepCode::PATH,
        SecondStepRecovery::PATH,
        SecondStepInfo::PATH,
    ]
    .contains(&path)
}

/// What the second step, the wizard and a logged-in user all use. "Code opnieuw versturen"
/// decides from the session what the code is for.
fn is_shared(path: &str) -> bool {
    [RememberHours::PATH, ResendSmsCode::PATH].contains(&path)
}

/// What a user who must enrol may reach.
fn is_enrolment(path: &str) -> bool {
    [
        WIZARD,
        WizardState::PATH,
        WizardPassword::PATH,
        WizardMethod::PATH,
        WizardPhone::PATH,
        WizardRestart::PATH,
        WizardCode::PATH,
        WizardDone::PATH,
        // "Ingelogd blijven": not for the second step, whose short time cannot be extended
        // (SEC-30).
        StayLoggedIn::PATH,
    ]
    .contains(&path)
}

pub fn decide(path: &str, stage: Stage) -> Access {
    if is_asset(path) || is_public_server_fn(path) {
        return Access::Allow;
    }
    if is_shared(path) && stage != Stage::Anonymous {
        return Access::Allow;
    }
    match stage {
        Stage::Anonymous if path == LOGIN => Access::Allow,
        Stage::Anonymous => Access::LoginRequired,
        // Logging in again (as someone else, say) is always possible.
        Stage::SecondStepPending if path == LOGIN || is_second_step(path) => Access::Allow,
        Stage::SecondStepPending => Access::SecondStepRequired,
        Stage::EnrolmentRequired if is_enrolment(path) => Access::Allow,
        Stage::EnrolmentRequired => Access::EnrolmentRequired,
        Stage::Authenticated if path == LOGIN || is_second_step(path) => Access::AlreadyLoggedIn,
        Stage::Authenticated => Access::Allow,
    }
}

/// Where the browser goes instead of a page it may not see (`wanted`: its path and query), or
/// `None` when it may see it. The server answers a page's first load with this redirect; after
/// that the browser asks `page_state` on every move and follows the same answer.
pub fn page_redirect(access: Access, wanted: &str) -> Option<String> {
    match access {
        Access::Allow => None,
        // Only a short local path is carried along (SEC-32).
        Access::LoginRequired => match local_path(wanted) {
            Some(path) if path != "/" => Some(format!("{LOGIN}?volgende={}", query_value(path))),
            _ => Some(LOGIN.to_owned()),
        },
        Access::AlreadyLoggedIn => Some("/".to_owned()),
        Access::SecondStepRequired => Some(CODE.to_owned()),
        Access::EnrolmentRequired => Some(WIZARD.to_owned()),
        Access::SecondStepExpired => Some(second_step_expired_page()),
    }
}

/// How far this session got: password only, or complete but obliged to enrol first.
#[cfg(feature = "ssr")]
pub async fn stage_of(
    ctx: &tweestap_domain::Context,
    session: Option<&tweestap_domain::accounts::session::ActiveSession>,
) -> Result<Stage, crate::error::AppError> {
    use tweestap_domain::{
        accounts::session::SessionStage,
        twofactor::{factor, policy::Phase},
    };
    let Some(session) = session else {
        return Ok(Stage::Anonymous);
    };
    if session.stage == SessionStage::PasswordOnly {
        return Ok(Stage::SecondStepPending);
    }
    if ctx.settings.rollout.phase(ctx.now()) == Phase::Mandatory
        && !factor::is_enabled(ctx, session.user.id).await?
    {
        return Ok(Stage::EnrolmentRequired);
    }
    Ok(Stage::Authenticated)
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
            CODE,
            WIZARD,
            SecondStepCode::PATH,
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
        assert_eq!(decide(CODE, Stage::Authenticated), Access::AlreadyLoggedIn);
        assert_eq!(decide("/profiel", Stage::Authenticated), Access::Allow);
    }

    // SEC-01: between password and code, only the second step and logout.
    #[test]
    fn a_pending_second_step_reaches_only_the_second_step_sec_01() {
        for path in [CODE, RECOVERY, SecondStepCode::PATH, Logout::PATH] {
            assert_eq!(
                decide(path, Stage::SecondStepPending),
                Access::Allow,
                "{path}"
            );
        }
        for path in [
            "/",
            "/profiel",
            WIZARD,
            WizardState::PATH,
            "/api/session_overview",
        ] {
            assert_eq!(
                decide(path, Stage::SecondStepPending),
                Access::SecondStepRequired,
                "{path}"
            );
        }
    }

    // SEC-04: in the mandatory period, only the wizard and logout.
    #[test]
    fn enrolment_required_reaches_only_the_wizard_sec_04() {
        for path in [WIZARD, WizardCode::PATH, Logout::PATH] {
            assert_eq!(
                decide(path, Stage::EnrolmentRequired),
                Access::Allow,
                "{path}"
            );
        }
        for path in ["/", "/profiel/instellingen", CODE, "/api/not_now"] {
            assert_eq!(
                decide(path, Stage::EnrolmentRequired),
                Access::EnrolmentRequired,
                "{path}"
            );
        }
    }
}
