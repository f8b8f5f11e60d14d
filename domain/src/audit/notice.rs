//! The email that tells a user what happened to their account's security (SEC-21), in the
//! language they chose (Dutch until they choose). Its words come from the log's own text for the
//! event, so a new event needs no text here.

use chrono::{DateTime, Utc};

use super::event::Event;
use crate::{client::ClientInfo, lang::Lang};

/// What happened, to whom and from where: everything the email says.
pub struct Notice<'a> {
    pub platform: &'a str,
    pub helpdesk: &'a str,
    pub display_name: &'a str,
    pub event: Event,
    /// As in the log: never a code, a secret or a full phone number.
    pub detail: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub client: Option<&'a ClientInfo>,
    pub lang: Lang,
}

/// "Beveiliging van je account: nieuwe herstelcodes aangemaakt", "Your account's security: new
/// recovery codes created"
pub fn subject(event: Event, lang: Lang) -> String {
    let what = lower_first(event.text_in(lang));
    match lang {
        Lang::Nl => format!("Beveiliging van je account: {what}"),
        Lang::En => format!("Your account's security: {what}"),
    }
}

pub fn body(notice: &Notice<'_>) -> String {
    let lang = notice.lang;
    let mut what = notice.event.text_in(lang).to_owned();
    if let Some(detail) = notice.detail.filter(|d| !d.trim().is_empty()) {
        what.push_str(&format!(" ({detail})"));
    }
    let (when, browser, address, unknown) = match lang {
        Lang::Nl => ("Wanneer", "Browser", "IP-adres", "onbekend"),
        Lang::En => ("When", "Browser", "IP address", "unknown"),
    };
    let mut facts = format!("{when}: {}\n", crate::time::format_at(notice.at, lang));
    if let Some(client) = notice.client {
        facts.push_str(&format!(
            "{browser}: {}\n{address}: {}\n",
            crate::client::describe_in(client.user_agent.as_deref(), lang),
            client.ip_address.as_deref().unwrap_or(unknown)
        ));
    }
    // The default contact text starts with "Helpdesk:" itself.
    let helpdesk = notice
        .helpdesk
        .strip_prefix("Helpdesk:")
        .map_or(notice.helpdesk, str::trim_start);
    let name = notice.display_name;
    let platform = notice.platform;
    match lang {
        Lang::Nl => format!(
            "Beste {name},\n\n\
             Er is iets gebeurd met de beveiliging van je account bij {platform}:\n\n\
             {what}\n\n\
             {facts}\n\
             Was jij dit? Dan hoef je niets te doen.\n\
             Was jij dit niet? Neem dan direct contact op met de helpdesk: {helpdesk}\n\n\
             Met vriendelijke groet,\n\
             {platform}\n\n\
             Dit bericht is automatisch verstuurd; je kunt er niet op antwoorden.\n"
        ),
        Lang::En => format!(
            "Dear {name},\n\n\
             Something happened to the security of your account at {platform}:\n\n\
             {what}\n\n\
             {facts}\n\
             Was this you? Then you need not do anything.\n\
             Was this not you? Contact the helpdesk at once: {helpdesk}\n\n\
             Kind regards,\n\
             {platform}\n\n\
             This message was sent automatically; you cannot reply to it.\n"
        ),
    }
}

/// "Nieuwe herstelcodes" -> "nieuwe herstelcodes", but "SMS-nummer" stays as it is.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    /// Details as the callers write them, with the longest and most number-like ones.
    fn sample_detail(event: Event) -> Option<&'static str> {
        match event {
            Event::TwoFactorEnabled => Some("SMS naar +31 6 ** ** ** 78"),
            Event::RecoveryCodeUsed => Some("nog 9 over"),
            Event::Locked => Some("15 minuten"),
            Event::HelpdeskReset => Some("door jan (server): telefoon kwijt"),
            Event::DeviceForgotten => Some("alle apparaten (3)"),
            _ => None,
        }
    }

    fn notice(event: Event, client: Option<&ClientInfo>) -> (String, String) {
        notice_in(event, client, Lang::Nl)
    }

    fn notice_in(event: Event, client: Option<&ClientInfo>, lang: Lang) -> (String, String) {
        let body = body(&Notice {
            platform: "PRO Praktijksteun",
            helpdesk: crate::settings::Settings::DEFAULT_HELPDESK,
            display_name: "Judith van Haare",
            event,
            detail: sample_detail(event),
            at: Utc.with_ymd_and_hms(2026, 11, 25, 8, 30, 0).unwrap(),
            client,
            lang,
        });
        (subject(event, lang), body)
    }

    /// Six digits in a row (an app or SMS code) or a recovery code's shape.
    fn looks_like_a_code(text: &str) -> bool {
        let bytes = text.as_bytes();
        let digits = bytes.windows(6).any(|w| w.iter().all(u8::is_ascii_digit));
        let recovery = text
            .split(|c: char| c.is_whitespace() || "(),:".contains(c))
            .any(|word| crate::twofactor::recovery::normalize(word).is_some());
        digits || recovery
    }

    #[test]
    fn every_event_has_a_dutch_subject_and_body_sec_21() {
        let client = ClientInfo {
            ip_address: Some("203.0.113.7".to_owned()),
            user_agent: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36".to_owned()),
        };
        for event in Event::ALL {
            let (subject, body) = notice(event, Some(&client));
            assert!(
                subject.starts_with("Beveiliging van je account: "),
                "{subject}"
            );
            let what = event.text();
            assert!(
                subject.to_lowercase().ends_with(&what.to_lowercase()),
                "{subject}"
            );
            assert!(body.starts_with("Beste Judith van Haare,\n"), "{body}");
            assert!(body.contains(what), "{body}");
            assert!(
                body.contains("Wanneer: 25 november 2026 om 09:30"),
                "{body}"
            );
            assert!(body.contains("Browser: Chrome op Windows"), "{body}");
            assert!(body.contains("IP-adres: 203.0.113.7"), "{body}");
            assert!(
                body.contains(
                    "Was jij dit niet? Neem dan direct contact op met de helpdesk: 088 - 123 45 67"
                ),
                "{body}"
            );
            assert!(
                body.trim_end()
                    .contains("Met vriendelijke groet,\nPRO Praktijksteun")
            );
            if let Some(detail) = sample_detail(event) {
                assert!(body.contains(&format!("({detail})")), "{body}");
            }
        }
        assert_eq!(
            subject(Event::RecoveryCodesRegenerated, Lang::Nl),
            "Beveiliging van je account: nieuwe herstelcodes aangemaakt"
        );
    }

    #[test]
    fn every_event_has_an_english_subject_and_body_for_who_chose_english_sec_21() {
        let client = ClientInfo {
            ip_address: Some("203.0.113.7".to_owned()),
            user_agent: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36".to_owned()),
        };
        for event in Event::ALL {
            let (subject, body) = notice_in(event, Some(&client), Lang::En);
            let what = event.text_in(Lang::En);
            assert_ne!(what, event.text(), "{event:?} has no English text");
            assert!(
                subject.starts_with("Your account's security: "),
                "{subject}"
            );
            assert!(
                subject.to_lowercase().ends_with(&what.to_lowercase()),
                "{subject}"
            );
            assert!(body.starts_with("Dear Judith van Haare,\n"), "{body}");
            assert!(body.contains(what), "{body}");
            assert!(body.contains("When: 25 November 2026 at 09:30"), "{body}");
            assert!(body.contains("Browser: Chrome on Windows"), "{body}");
            assert!(body.contains("IP address: 203.0.113.7"), "{body}");
            assert!(
                body.contains("Was this not you? Contact the helpdesk at once: 088 - 123 45 67"),
                "{body}"
            );
            assert!(
                !body.contains("Beste") && !body.contains("Wanneer"),
                "{body}"
            );
        }
        assert_eq!(
            subject(Event::RecoveryCodesRegenerated, Lang::En),
            "Your account's security: new recovery codes created"
        );
    }

    #[test]
    fn no_code_or_secret_shape_in_any_mail_sec_23() {
        for event in Event::ALL {
            let (subject, body) = notice(event, None);
            assert!(!looks_like_a_code(&subject), "{subject}");
            assert!(!looks_like_a_code(&body), "{body}");
            assert!(!body.contains("612345678"), "no full phone number: {body}");
        }
        // The check itself sees codes.
        assert!(looks_like_a_code("je code is 123456"));
        assert!(looks_like_a_code("herstelcode 2E7G-XZX8-C8MW gebruikt"));
    }

    #[test]
    fn without_a_browser_the_mail_says_only_when() {
        let (_, body) = notice(Event::Locked, None);
        assert!(
            body.contains("Wanneer: 25 november 2026 om 09:30\n\n"),
            "{body}"
        );
        assert!(!body.contains("Browser:"));
        assert!(!body.contains("IP-adres:"));
    }

    #[test]
    fn only_a_capital_starting_a_word_is_lowered() {
        assert_eq!(lower_first("Nieuwe herstelcodes"), "nieuwe herstelcodes");
        assert_eq!(lower_first("SMS-nummer gewijzigd"), "SMS-nummer gewijzigd");
        assert_eq!(lower_first(""), "");
    }
}
