//! The pages' addresses, and `?volgende=`: where the browser goes once a step is done. A leaf
//! module: the pages, the access policy and the server all name paths from here.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub const HOME: &str = "/";
pub const LOGIN: &str = "/inloggen";
pub const CODE: &str = "/inloggen/code";
pub const RECOVERY: &str = "/inloggen/herstelcode";
pub const RECOVERY_USED: &str = "/inloggen/herstelcode-gebruikt";
pub const INTRO: &str = "/twee-staps/introductie";
pub const WIZARD: &str = "/twee-staps/instellen";
pub const SETTINGS: &str = "/profiel/instellingen";
pub const RECOVERY_CODES: &str = "/profiel/herstelcodes";
pub const DEVICES: &str = "/profiel/apparaten";
pub const PASSKEYS: &str = "/profiel/passkeys";
pub const DISABLE: &str = "/profiel/uitschakelen";
pub const METHOD: &str = "/profiel/methode";
pub const CHANGE_PASSWORD: &str = "/profiel/wachtwoord";
pub const HELPDESK: &str = "/configuratie/twee-staps";

/// The server functions' addresses, one prefix per access class: the prefix a function is
/// declared with (`#[server(prefix = "/api/ingelogd", ..)]`) says who may call it, and the
/// access policy reads only the prefix. An address under `/api/` with none of these prefixes
/// is refused to every session that has not passed every step (deny by default).
pub mod api {
    /// Anyone, logged in or not: logging in and out, and the page state.
    pub const OPEN: &str = "/api/open/";
    /// A session between the password and the second step (SEC-01).
    pub const SECOND_STEP: &str = "/api/tweede-stap/";
    /// Any session that gave its password: what the second step, the wizard and the settings
    /// share ("Code opnieuw versturen", how long "Onthoud mij" lasts).
    pub const SHARED: &str = "/api/gedeeld/";
    /// A logged-in user who must still set up two-step authentication (SEC-04), and every
    /// logged-in user: the wizard, and "Ingelogd blijven".
    pub const ENROLMENT: &str = "/api/instellen/";
    /// A user past every step, and one who must first move off SMS (`TWEESTAP_SMS_POLICY=off`
    /// in the mandatory period, SEC-33): "Methode wijzigen", the password asked again for it,
    /// and the list of passkeys.
    pub const METHOD_CHANGE: &str = "/api/methode/";
    /// A user past every step: the profile and the settings.
    pub const LOGGED_IN: &str = "/api/ingelogd/";
    /// A user past every step whose role and own second step the function checks itself:
    /// the helpdesk (SEC-20, SEC-31).
    pub const ADMIN: &str = "/api/beheer/";

    /// Every prefix, for the checks that each server function has one.
    pub const ALL: [&str; 7] = [
        OPEN,
        SECOND_STEP,
        SHARED,
        ENROLMENT,
        METHOD_CHANGE,
        LOGGED_IN,
        ADMIN,
    ];
}

/// The page's address with `?introductie=ja`: after a login from the script, the introduction
/// opens as a dialog over the page the user asked for.
pub const DIALOG_PARAM: &str = "introductie";

/// `?melding=` on the login page: why the browser was sent there.
pub const NOTICE_PARAM: &str = "melding";
/// The password was given, but the second step took longer than its few minutes (SEC-30).
pub const NOTICE_SECOND_STEP_EXPIRED: &str = "tweede-stap-verlopen";

/// The login page that says the second step took too long.
pub fn second_step_expired_page() -> String {
    format!("{LOGIN}?{NOTICE_PARAM}={NOTICE_SECOND_STEP_EXPIRED}")
}

/// The wizard's and the method change's steps that the address names (`?stap=`).
pub const STEP_CODE: &str = "code";
pub const STEP_PHONE: &str = "telefoon";
pub const STEP_PASSKEY: &str = "passkey";

/// `?andere-manier=ja` on the code page: a user with a passkey chose the code or a recovery code.
pub const OTHER_WAY_PARAM: &str = "andere-manier";

/// The longest `?volgende=` that is kept: a page's path and query, not a payload (SEC-32).
pub const MAX_NEXT_BYTES: usize = 512;

/// `path` if it is a path on this site, never another site (no open redirect), of at most
/// `MAX_NEXT_BYTES`; anything else is dropped.
pub fn local_path(path: &str) -> Option<&str> {
    (path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= MAX_NEXT_BYTES)
        .then_some(path)
}

/// Where to go after a step: a local path (`local_path`) other than the login page, or home.
pub fn safe_next(next: Option<&str>) -> String {
    match next.and_then(local_path) {
        Some(path) if path != LOGIN => path.to_owned(),
        _ => HOME.to_owned(),
    }
}

/// Everything but RFC 3986's unreserved characters and `/` is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A path as the value of a query parameter, such as `?volgende=/profiel`.
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// `page?volgende=…` when there is somewhere to go after it.
pub fn with_next(page: &str, next: &Option<String>) -> String {
    match next.as_deref().and_then(local_path) {
        Some(next) if !next.is_empty() && next != HOME => {
            format!("{page}?volgende={}", query_value(next))
        }
        _ => page.to_owned(),
    }
}

/// `&volgende=…` after a page's own query, or nothing.
pub fn next_suffix(next: &Option<String>) -> String {
    match next.as_deref().and_then(local_path) {
        Some(next) if !next.is_empty() && next != HOME => {
            format!("&volgende={}", query_value(next))
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some(SETTINGS)), SETTINGS);
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/inloggen",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(safe_next(None), "/");
    }

    // SEC-32: a long `?volgende=` is dropped, not copied into the next address.
    #[test]
    fn next_keeps_only_a_short_local_path_sec_32() {
        let long = format!("/profiel?x={}", "a".repeat(MAX_NEXT_BYTES));
        let longest = format!("/{}", "a".repeat(MAX_NEXT_BYTES - 1));
        assert_eq!(safe_next(Some(&long)), "/");
        assert_eq!(safe_next(Some(&longest)), longest);
        assert_eq!(with_next(WIZARD, &Some(long.clone())), WIZARD);
        assert_eq!(next_suffix(&Some(long)), "");
    }

    #[test]
    fn query_values_keep_only_unreserved_characters_and_slashes() {
        assert_eq!(
            query_value("/profiel?tab=a&b=c"),
            "/profiel%3Ftab%3Da%26b%3Dc"
        );
        assert_eq!(query_value("/cliënt x"), "/cli%C3%ABnt%20x");
        assert_eq!(
            with_next(WIZARD, &Some(SETTINGS.to_owned())),
            "/twee-staps/instellen?volgende=/profiel/instellingen"
        );
        assert_eq!(with_next(WIZARD, &Some("/".to_owned())), WIZARD);
    }
}
