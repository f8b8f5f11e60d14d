//! Where a request came from: its address and browser, recorded with sessions and log entries,
//! and a readable name for the browser, as "Chrome op Windows".

use crate::lang::Lang;

/// Where the request came from, recorded with the session for the user's own overview.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// The browser and the system it runs on, as a clinician would recognise them; "Onbekende
/// browser" when the User-Agent says nothing useful.
pub fn describe(user_agent: Option<&str>) -> String {
    describe_in(user_agent, Lang::Nl)
}

/// `describe` in `lang`: "Chrome op Windows", "Chrome on Windows".
pub fn describe_in(user_agent: Option<&str>, lang: Lang) -> String {
    let (on, unknown) = match lang {
        Lang::Nl => ("op", "Onbekende browser"),
        Lang::En => ("on", "Unknown browser"),
    };
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return unknown.to_owned();
    };
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    let browser = if ua.contains("Edg/") || ua.contains("Edge/") {
        Some("Edge")
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        Some("Opera")
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        Some("Chrome")
    } else if ua.contains("Safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if ua.contains("iPhone") {
        Some("iPhone")
    } else if ua.contains("iPad") {
        Some("iPad")
    } else if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Macintosh") || ua.contains("Mac OS X") {
        Some("Mac")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} {on} {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("Browser {on} {system}"),
        (None, None) => unknown.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, describe_in};
    use crate::lang::Lang;

    #[test]
    fn names_the_usual_browsers() {
        for (ua, name) in [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome op Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge op Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
                "Safari op Mac",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari op iPhone",
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox op Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome op Android",
            ),
            ("curl/8.5.0", "Onbekende browser"),
        ] {
            assert_eq!(describe(Some(ua)), name, "{ua}");
        }
        assert_eq!(describe(None), "Onbekende browser");
        assert_eq!(describe_in(None, Lang::En), "Unknown browser");
        assert_eq!(
            describe_in(
                Some("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36"),
                Lang::En
            ),
            "Chrome on Windows"
        );
    }
}
