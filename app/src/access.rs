//! Which requests a session may make. One decision for every page and server function, deny
//! by default, so that a route added later is protected without anyone remembering to.

use crate::routes::{
    CODE, LOGIN, METHOD, PASSKEYS, RECOVERY, WIZARD, api, local_path, query_value,
    second_step_expired_page,
};

/// How far a request's session got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Anonymous,
    /// The password was right; the second step is still to come (SEC-01).
    SecondStepPending,
    /// Two-step authentication is mandatory and this user has not set it up (SEC-04).
    EnrolmentRequired,
    /// SMS is no longer offered, it is this user's only method, and moving off it is mandatory
    /// now (`TWEESTAP_SMS_POLICY=off`, SEC-33).
    MethodChangeRequired,
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
    /// Only "Methode wijzigen" and the passkeys page: pages redirect to the first, server
    /// functions answer 403.
    MethodChangeRequired,
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

/// A server function's access class, read from its address's prefix (`routes::api`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Function {
    Open,
    SecondStep,
    Shared,
    Enrolment,
    MethodChange,
    /// Past every step: `/api/ingelogd/`, `/api/beheer/`, and any other address under `/api/`.
    LoggedIn,
}

fn function_class(path: &str) -> Option<Function> {
    let class = if path.starts_with(api::OPEN) {
        Function::Open
    } else if path.starts_with(api::SECOND_STEP) {
        Function::SecondStep
    } else if path.starts_with(api::SHARED) {
        Function::Shared
    } else if path.starts_with(api::ENROLMENT) {
        Function::Enrolment
    } else if path.starts_with(api::METHOD_CHANGE) {
        Function::MethodChange
    } else if path.starts_with("/api/") {
        Function::LoggedIn
    } else {
        return None;
    };
    Some(class)
}

pub fn decide(path: &str, stage: Stage) -> Access {
    if is_asset(path) {
        return Access::Allow;
    }
    match (function_class(path), stage) {
        (Some(Function::Open), _) => Access::Allow,
        (_, Stage::Anonymous) if path == LOGIN => Access::Allow,
        (_, Stage::Anonymous) => Access::LoginRequired,
        (Some(Function::Shared), _) => Access::Allow,
        // Logging in again (as someone else, say) is always possible.
        (Some(Function::SecondStep), Stage::SecondStepPending) => Access::Allow,
        (None, Stage::SecondStepPending) if [LOGIN, CODE, RECOVERY].contains(&path) => {
            Access::Allow
        }
        (_, Stage::SecondStepPending) => Access::SecondStepRequired,
        (Some(Function::Enrolment), Stage::EnrolmentRequired) => Access::Allow,
        (None, Stage::EnrolmentRequired) if path == WIZARD => Access::Allow,
        (_, Stage::EnrolmentRequired) => Access::EnrolmentRequired,
        // Adding a passkey is under the wizard's prefix; "Ingelogd blijven" too.
        (Some(Function::MethodChange | Function::Enrolment), Stage::MethodChangeRequired) => {
            Access::Allow
        }
        (None, Stage::MethodChangeRequired) if [METHOD, PASSKEYS].contains(&path) => Access::Allow,
        (_, Stage::MethodChangeRequired) => Access::MethodChangeRequired,
        (Some(Function::SecondStep), Stage::Authenticated) => Access::AlreadyLoggedIn,
        (None, Stage::Authenticated) if [LOGIN, CODE, RECOVERY].contains(&path) => {
            Access::AlreadyLoggedIn
        }
        (_, Stage::Authenticated) => Access::Allow,
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
        Access::MethodChangeRequired => Some(METHOD.to_owned()),
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
        twofactor::{factor, methods, policy::Phase},
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
    if methods::sms_to_replace(ctx, session.user.id).await? == Some(Phase::Mandatory) {
        return Ok(Stage::MethodChangeRequired);
    }
    Ok(Stage::Authenticated)
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;

    use super::*;
    use crate::{
        enrol::wizard::{WizardCode, WizardState},
        login::{Login, Logout, code::SecondStepCode},
    };

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
            "/api/ingelogd/session_overview",
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
        for path in ["/", "/profiel/instellingen", CODE, "/api/ingelogd/not_now"] {
            assert_eq!(
                decide(path, Stage::EnrolmentRequired),
                Access::EnrolmentRequired,
                "{path}"
            );
        }
    }

    // SEC-33: SMS is off and was this user's only method, in the mandatory period: only
    // "Methode wijzigen", the passkeys page (and adding one), and logout.
    #[test]
    fn a_user_who_must_move_off_sms_reaches_only_the_method_change_sec_33() {
        use crate::{
            passkey::PasskeyRegistrationOptions,
            settings::{method::MethodChangeStart, passkeys::PasskeyList, reauth::Reauthenticate},
        };
        for path in [
            METHOD,
            PASSKEYS,
            MethodChangeStart::PATH,
            Reauthenticate::PATH,
            PasskeyList::PATH,
            PasskeyRegistrationOptions::PATH,
            Logout::PATH,
        ] {
            assert_eq!(
                decide(path, Stage::MethodChangeRequired),
                Access::Allow,
                "{path}"
            );
        }
        for path in [
            "/",
            "/profiel/instellingen",
            LOGIN,
            CODE,
            SecondStepCode::PATH,
            "/api/ingelogd/not_now",
            "/api/beheer/reset",
        ] {
            assert_eq!(
                decide(path, Stage::MethodChangeRequired),
                Access::MethodChangeRequired,
                "{path}"
            );
        }
        assert_eq!(
            page_redirect(Access::MethodChangeRequired, "/profiel"),
            Some(METHOD.to_owned())
        );
        // Everyone past every step uses the same functions.
        assert_eq!(
            decide(MethodChangeStart::PATH, Stage::Authenticated),
            Access::Allow
        );
        assert_eq!(
            decide(MethodChangeStart::PATH, Stage::EnrolmentRequired),
            Access::EnrolmentRequired
        );
    }

    // The prefix alone decides: a function the policy has never heard of is closed to every
    // session short of the last step (deny by default).
    #[test]
    fn an_address_under_api_without_a_known_prefix_needs_every_step() {
        for path in ["/api/onbekend", "/api/nieuw/functie", "/api/open"] {
            assert_eq!(
                decide(path, Stage::Anonymous),
                Access::LoginRequired,
                "{path}"
            );
            assert_eq!(
                decide(path, Stage::SecondStepPending),
                Access::SecondStepRequired,
                "{path}"
            );
            assert_eq!(
                decide(path, Stage::EnrolmentRequired),
                Access::EnrolmentRequired,
                "{path}"
            );
            assert_eq!(decide(path, Stage::Authenticated), Access::Allow, "{path}");
        }
    }
}
